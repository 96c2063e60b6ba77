from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestLsvqConformance(ConformanceSuite):
    distribution = "vqa-lsvq"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
