from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestLiveVqcConformance(ConformanceSuite):
    distribution = "vqa-live-vqc"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
