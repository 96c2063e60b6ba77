from vqa_core.testing import ConformanceSuite


class TestBviDvcConformance(ConformanceSuite):
    distribution = "vqa-bvi-dvc"
