from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestKonvidConformance(ConformanceSuite):
    distribution = "vqa-konvid"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
