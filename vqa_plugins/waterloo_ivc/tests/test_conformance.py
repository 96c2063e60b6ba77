from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestWaterlooIvcConformance(ConformanceSuite):
    distribution = "vqa-waterloo-ivc"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
