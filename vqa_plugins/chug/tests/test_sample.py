from __future__ import annotations

import csv
from pathlib import Path

import av
from vqa_chug.manifest import HEADER
from vqa_chug.sample import RUNGS

from vqa_core.registry import Registry
from vqa_core.sample import write_sample

CORPUS = "chug"


def test_sample_is_the_published_csv_with_hdr_hevc_clips(plugin_registry: Registry, tmp_path: Path) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "d", clips=9, seed=2)
    path = drop.root / "chug.csv"
    assert drop.metadata == (path,)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)
    assert "\r" not in text and '"' not in text and text.endswith("\n")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 9
    scores = [float(r["mos_j"]) for r in rows]
    assert scores == sorted(scores)
    rungs = {r[0]: r for r in RUNGS}
    for row in rows:
        assert len(row["Video"]) == 32 and int(row["Video"], 16) >= 0
        ladder, resolution, bitrate, height = rungs[row["bitladder"]]
        assert (row["resolution"], row["bitrate"]) == (resolution, bitrate)
        assert row["ref"] == ("1" if ladder == "1080p_ref_" else "0")
        assert row["name"] == f"{ladder}#{row['content_name']}"
        short, long = sorted((int(row["height"]), int(row["width"])))
        assert short == height and long == height * 16 // 9
        assert row["orientation"] in ("Landscape", "Portrait")
        with av.open(str(drop.root / "videos" / f"{row['Video']}.mp4")) as container:
            stream = container.streams.video[0]
            ctx = stream.codec_context
            assert (ctx.name, ctx.pix_fmt) == ("hevc", "yuv420p10le")
            assert (ctx.color_primaries, ctx.color_trc) == (9, 16)  # BT.2020, SMPTE ST 2084 (PQ)
            assert (ctx.width < ctx.height) == (row["orientation"] == "Portrait")


def test_same_seed_same_bytes(plugin_registry: Registry, tmp_path: Path) -> None:
    a = write_sample(plugin_registry, CORPUS, tmp_path / "a", clips=2, seed=4)
    b = write_sample(plugin_registry, CORPUS, tmp_path / "b", clips=2, seed=4)
    c = write_sample(plugin_registry, CORPUS, tmp_path / "c", clips=2, seed=5)
    assert (a.root / "chug.csv").read_bytes() == (b.root / "chug.csv").read_bytes()
    for clip in (a.root / "videos").iterdir():
        assert clip.read_bytes() == (b.root / "videos" / clip.name).read_bytes()
    assert (a.root / "chug.csv").read_bytes() != (c.root / "chug.csv").read_bytes()
