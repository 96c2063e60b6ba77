from vqa_core.testing import ConformanceSuite


class TestKonvidConformance(ConformanceSuite):
    distribution = "vqa-konvid"
