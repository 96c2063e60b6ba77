from pathlib import Path

from vqa_core.testing import ConformanceSuite


class TestYoutubeUgcConformance(ConformanceSuite):
    distribution = "vqa-youtube-ugc"
    corpus_pages = Path(__file__).resolve().parents[3] / "docs" / "corpora"
