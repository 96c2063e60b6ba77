from vqa_core.testing import ConformanceSuite


class TestYoutubeUgcConformance(ConformanceSuite):
    distribution = "vqa-youtube-ugc"
