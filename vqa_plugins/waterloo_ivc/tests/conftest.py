"""The geometry overrides come from the environment: no test sees the developer's."""

from __future__ import annotations

import pytest
from vqa_waterloo_ivc.geometry import FRAMERATE_VARIABLE, PIX_FMT_VARIABLE


@pytest.fixture(autouse=True)
def _no_geometry_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PIX_FMT_VARIABLE, raising=False)
    monkeypatch.delenv(FRAMERATE_VARIABLE, raising=False)
