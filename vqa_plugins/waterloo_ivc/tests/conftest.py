from __future__ import annotations

import pytest
import vqa_waterloo_ivc
from vqa_waterloo_ivc.geometry import FRAMERATE_VARIABLE, PIX_FMT_VARIABLE

from vqa_core.registry import Registry


@pytest.fixture
def reg() -> Registry:
    """A registry holding this plugin only (the suite never depends on what else is installed)."""
    return Registry.from_plugins([("vqa-waterloo-ivc", vqa_waterloo_ivc)])


@pytest.fixture(autouse=True)
def _no_geometry_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PIX_FMT_VARIABLE, raising=False)
    monkeypatch.delenv(FRAMERATE_VARIABLE, raising=False)
