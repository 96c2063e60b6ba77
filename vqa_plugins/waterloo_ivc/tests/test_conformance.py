from vqa_core.testing import ConformanceSuite


class TestWaterlooIvcConformance(ConformanceSuite):
    distribution = "vqa-waterloo-ivc"
