from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import loadmat
from vqa_live_vqc.sample import MAT_HEADER

from vqa_core.registry import Registry
from vqa_core.sample import write_sample

CORPUS = "live-vqc"


def test_sample_writes_the_published_data_mat(plugin_registry: Registry, tmp_path: Path) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "d", clips=3, seed=1)
    assert drop.metadata == (drop.root / "data.mat",)
    data = loadmat(str(drop.root / "data.mat"))
    assert data["__header__"].startswith(MAT_HEADER)
    assert data["video_list"].shape == (3, 1) and data["video_list"].dtype == object
    assert [str(c[0][0]) for c in data["video_list"]] == ["A001.mp4", "A002.mp4", "A003.mp4"]
    assert data["mos"].shape == (3, 1) and data["mos"].dtype == np.float64
    assert all(6.0 <= float(m) <= 94.0 for m in data["mos"].ravel())
    assert sorted(p.name for p in (drop.root / "Video").iterdir()) == ["A001.mp4", "A002.mp4", "A003.mp4"]


def test_same_seed_same_bytes(plugin_registry: Registry, tmp_path: Path) -> None:
    a = write_sample(plugin_registry, CORPUS, tmp_path / "a", clips=2, seed=9)
    b = write_sample(plugin_registry, CORPUS, tmp_path / "b", clips=2, seed=9)
    c = write_sample(plugin_registry, CORPUS, tmp_path / "c", clips=2, seed=10)
    for rel in ("data.mat", "Video/A001.mp4", "Video/A002.mp4"):
        assert (a.root / rel).read_bytes() == (b.root / rel).read_bytes(), rel
    assert (a.root / "data.mat").read_bytes() != (c.root / "data.mat").read_bytes()
