from vqa_core.testing import ConformanceSuite


class TestChugConformance(ConformanceSuite):
    distribution = "vqa-chug"
