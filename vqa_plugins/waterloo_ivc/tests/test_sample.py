from __future__ import annotations

from pathlib import Path

from vqa_waterloo_ivc.geometry import size_for_token
from vqa_waterloo_ivc.scores import detect_shape

from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.samples import raw_frame_bytes

CORPUS = "waterloo-ivc-4k"


def test_sample_is_the_published_headerless_format(plugin_registry: Registry, tmp_path: Path) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "d", clips=8, seed=1)
    scores = drop.root / "scores.txt"
    assert drop.metadata == (scores,)
    lines = scores.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8
    assert lines[0].startswith("H264,")
    cells = [line.split(",") for line in lines]
    assert all(len(c) == 5 for c in cells)
    assert detect_shape(cells) == "scores"
    assert {c[0] for c in cells} == {"H264", "HEVC", "VP9", "AVS2", "AV1"}
    for encoder, video, resolution, level, mos in cells:
        clip = drop.root / f"{encoder}_{video}_{resolution}_{level}.yuv"
        size = size_for_token(resolution)
        assert size is not None
        frame = raw_frame_bytes(size[0], size[1], "yuv420p")
        assert clip.stat().st_size % frame == 0 and clip.stat().st_size // frame == 10
        assert 0.0 <= float(mos) <= 100.0


def test_same_seed_same_bytes(plugin_registry: Registry, tmp_path: Path) -> None:
    a = write_sample(plugin_registry, CORPUS, tmp_path / "a", clips=3, seed=5)
    b = write_sample(plugin_registry, CORPUS, tmp_path / "b", clips=3, seed=5)
    c = write_sample(plugin_registry, CORPUS, tmp_path / "c", clips=3, seed=6)
    files_a = sorted(p.name for p in a.root.iterdir())
    assert files_a == sorted(p.name for p in b.root.iterdir())
    for name in files_a:
        assert (a.root / name).read_bytes() == (b.root / name).read_bytes()
    assert (a.root / "scores.txt").read_bytes() != (c.root / "scores.txt").read_bytes()
