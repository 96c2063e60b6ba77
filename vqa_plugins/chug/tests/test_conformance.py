from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestChugConformance(ConformanceSuite):
    distribution = "vqa-chug"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
