from vqa_core.testing import ConformanceSuite


class TestLsvqConformance(ConformanceSuite):
    distribution = "vqa-lsvq"
