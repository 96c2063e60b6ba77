"""Shared fixtures: hermetic registries built from the repository's own plugin modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vqa_core import env
from vqa_core.registry import Registry


@pytest.fixture(autouse=True)
def _hermetic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's plugin switches or timestamps."""
    for name in (
        env.DISABLE_PLUGINS,
        env.LOAD_PLUGINS,
        env.STRICT_PLUGINS,
        env.SOURCE_DATE_EPOCH,
        env.DEBUG,
        env.PROGRESS_INTERVAL,
    ):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("VQA_") and name.endswith("_BASE_URL"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def konvid_registry() -> Registry:
    import vqa_konvid

    return Registry.from_plugins([("vqa-konvid", vqa_konvid)], strict=True)


@pytest.fixture(scope="session")
def konvid_1k_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6-clip KoNViD-1k sample drop, written once per session (read-only for tests)."""
    import vqa_konvid

    from vqa_core.sample import write_sample

    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)], strict=True)
    root = tmp_path_factory.mktemp("konvid-1k-drop")
    write_sample(registry, "konvid-1k", root, clips=6, seed=3)
    return root
