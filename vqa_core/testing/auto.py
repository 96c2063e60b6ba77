"""Collected by ``pytest -p vqa_core.testing --vqa-plugin DIST``: the kit on each named distribution."""

from __future__ import annotations

import pytest

from vqa_core.testing.suite import ConformanceSuite


class TestVqaPluginConformance(ConformanceSuite):
    """The conformance kit on the distributions named by ``--vqa-plugin``."""

    @pytest.fixture(scope="class")
    def distribution_names(self, request: pytest.FixtureRequest) -> list[str]:
        names: list[str] = request.config.getoption("--vqa-plugin")
        return names
