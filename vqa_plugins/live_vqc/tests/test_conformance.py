from vqa_core.testing import ConformanceSuite


class TestLiveVqcConformance(ConformanceSuite):
    distribution = "vqa-live-vqc"
