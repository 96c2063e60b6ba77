from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestBviDvcConformance(ConformanceSuite):
    distribution = "vqa-bvi-dvc"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
