"""Waterloo IVC 4K through the real ingestion engine: raw geometry, encoded clips, editions."""

from __future__ import annotations

import json
import logging
from fractions import Fraction
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
import vqa_waterloo_ivc
from vqa_waterloo_ivc.geometry import PIX_FMT_VARIABLE

from vqa_core.errors import MetadataError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.samples import ClipSpec, raw_frame_bytes, write_clip, write_raw_clip
from vqa_core.testing.plugins import other_corpus_plugin

CORPUS = "waterloo-ivc-4k"
STAMP = "2026-01-01T00:00:00Z"


def _run(reg: Registry, root: Path, out: Path, **kwargs: object) -> tuple[list[dict[str, object]], object]:
    report = ingest(
        reg,
        IngestConfig(corpus_id=CORPUS, root=root, output=out, workers=2, timestamp=STAMP, **kwargs),  # type: ignore[arg-type]
    )
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    return rows, report


def _rejections(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.with_suffix(".rejections.jsonl").read_text().splitlines()]


def test_sample_drop_ingests_with_geometry_from_the_resolution_token(
    plugin_registry: Registry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "drop", clips=7, seed=3)
    with caplog.at_level(logging.WARNING, logger="vqa.ingest"):
        rows, report = _run(plugin_registry, drop.root, tmp_path / "shard.jsonl")
    assert report.written == 7 and report.skipped == {}  # type: ignore[attr-defined]
    pa.Table.from_pylist(rows, schema=plugin_registry.arrow_schema(CORPUS))
    sizes = {"90p": (160, 90), "144p": (256, 144), "180p": (320, 180)}
    for row in rows:
        assert (row["width"], row["height"]) == sizes[str(row["waterloo_resolution"])]
        assert row["encoder_upstream"] == "rawvideo" and row["pix_fmt"] == "yuv420p"
        assert row["framerate"] == 30.0
        assert row["duration_s"] == pytest.approx(10 / 30)
        assert row["src"] == (
            f"{row['waterloo_encoder']}_{row['waterloo_video_number']}_{row['waterloo_resolution']}_"
            f"{row['waterloo_distortion_level']}.yuv"
        )
        assert 0 <= float(row["mos"]) <= 100  # type: ignore[arg-type]
    assert rows[0]["waterloo_encoder"] == "H264"
    manifest = json.loads((tmp_path / "shard.manifest.json").read_text())
    assert manifest["editions"] == {"scores.txt": "unknown"}
    warning = " ".join(r.getMessage() for r in caplog.records)
    assert "scores.txt: 1,200" in warning and "ivc.uwaterloo.ca" in warning


def test_encodes_of_one_source_video_share_a_content_group(plugin_registry: Registry, tmp_path: Path) -> None:
    """Every encoder, resolution and level of video 1 is one content; video 2 is another."""
    root = tmp_path / "data"
    lines = []
    for i, (encoder, video, level) in enumerate(
        [("H264", 1, 1), ("AV1", 1, 4), ("HEVC", 2, 1), ("VP9", 2, 2)]
    ):
        write_raw_clip(
            root / f"{encoder}_{video}_90p_{level}.yuv", ClipSpec(width=160, height=90, frames=2), seed=i
        )
        lines.append(f"{encoder},{video},90p,{level},{40 + i}\n")
    (root / "scores.txt").write_text("".join(lines))
    rows, report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert report.written == 4  # type: ignore[attr-defined]
    assert [r["content_group"] for r in rows] == ["waterloo-ivc-4k/1"] * 2 + ["waterloo-ivc-4k/2"] * 2
    assert all(r["split"] is None for r in rows)
    # the sample drop lists every encode of source 1 before source 2: its clips share one content
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "drop", clips=3, seed=1)
    sample_rows, _ = _run(plugin_registry, drop.root, tmp_path / "sample.jsonl")
    assert {r["content_group"] for r in sample_rows} == {"waterloo-ivc-4k/1"}


def test_raw_clip_that_is_not_a_whole_number_of_frames_is_broken(
    plugin_registry: Registry, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    spec = ClipSpec(width=160, height=90, frames=4)
    good = write_raw_clip(root / "H264_1_90p_1.yuv", spec, seed=1)
    short = write_raw_clip(root / "H264_1_90p_2.yuv", spec, seed=2)
    with open(short, "r+b") as fh:  # cut the last frame in half
        fh.truncate(short.stat().st_size - raw_frame_bytes(160, 90, "yuv420p") // 2)
    (root / "scores.txt").write_text("H264,1,90p,1,40\nH264,1,90p,2,41\n")
    rows, report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert report.written == 1 and report.skipped == {"broken-clip": 1}  # type: ignore[attr-defined]
    assert rows[0]["src"] == good.name and rows[0]["duration_s"] == pytest.approx(4 / 30)
    (rejection,) = _rejections(tmp_path / "shard.jsonl")
    assert rejection["reason"] == "broken-clip"
    assert rejection["origin"] == "scores.txt:2"
    assert "not a whole number of 160x90 yuv420p frames" in str(rejection["detail"])


def test_encoded_clip_of_a_row_is_probed_like_any_container(
    plugin_registry: Registry, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    write_clip(root / "HEVC" / "HEVC_2_180p_3.mp4", ClipSpec(width=320, height=180, frames=5), seed=4)
    write_raw_clip(root / "AV1_2_180p_3.yuv", ClipSpec(width=320, height=180, frames=3), seed=5)
    (root / "scores.txt").write_text("HEVC,2,180p,3,55.5\nAV1,2,180p,3,57\n")
    rows, report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert report.written == 2  # type: ignore[attr-defined]
    encoded, raw = rows
    assert encoded["src"] == "HEVC/HEVC_2_180p_3.mp4"
    assert encoded["encoder_upstream"] == "h264" and encoded["framerate"] == 25.0
    assert (encoded["width"], encoded["height"]) == (320, 180)
    assert raw["encoder_upstream"] == "rawvideo" and raw["duration_s"] == pytest.approx(0.1)


def test_pixel_format_override_reaches_the_rows(
    plugin_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "data"
    spec = ClipSpec(width=256, height=144, frames=3, pix_fmt="yuv420p10le", fps=Fraction(60))
    write_raw_clip(root / "VP9_1_144p_1.yuv", spec, seed=6)
    (root / "scores.txt").write_text("VP9,1,144p,1,70\n")
    monkeypatch.setenv(PIX_FMT_VARIABLE, "yuv420p10le")
    monkeypatch.setenv("VQA_WATERLOO_IVC_4K_FRAMERATE", "60")
    (row,), _ = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert row["pix_fmt"] == "yuv420p10le" and row["framerate"] == 60.0
    assert row["duration_s"] == pytest.approx(3 / 60)


def test_changing_an_override_between_runs_redoes_the_rows_it_touches(
    plugin_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "data"
    write_raw_clip(root / "VP9_1_144p_1.yuv", ClipSpec(width=256, height=144, frames=6), seed=6)
    (root / "scores.txt").write_text("VP9,1,144p,1,70\n")
    monkeypatch.setenv("VQA_WATERLOO_IVC_4K_FRAMERATE", "30")
    (row,), _ = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert row["duration_s"] == pytest.approx(6 / 30)
    monkeypatch.setenv("VQA_WATERLOO_IVC_4K_FRAMERATE", "60")
    (row,), report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert report.processed == 1  # type: ignore[attr-defined]
    assert row["framerate"] == 60.0 and row["duration_s"] == pytest.approx(6 / 60)


def test_unparsable_and_out_of_scale_mos_are_counted_with_file_and_line(
    plugin_registry: Registry, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    for level in (1, 2, 3, 4):
        write_raw_clip(root / f"AVS2_9_90p_{level}.yuv", ClipSpec(width=160, height=90, frames=2), seed=level)
    (root / "scores.txt").write_text(
        "AVS2,9,90p,1,50\nAVS2,9,90p,2,inf\nAVS2,9,90p,3,-3\nAVS2,9,90p,4,abc\nAVS2,9\n"
    )
    rows, report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert len(rows) == 1
    assert report.skipped == {"bad-mos": 3, "bad-row": 1}  # type: ignore[attr-defined]
    origins = {r["origin"]: r["reason"] for r in _rejections(tmp_path / "shard.jsonl")}
    assert origins == {
        "scores.txt:2": "bad-mos",
        "scores.txt:3": "bad-mos",
        "scores.txt:4": "bad-mos",
        "scores.txt:5": "bad-row",
    }


def test_full_size_file_records_the_published_edition(plugin_registry: Registry, tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    lines = [
        f"{enc},{video},{res},{level},{(video * 7 + level) % 100}\n"
        for video in range(1, 21)
        for enc in ("H264", "HEVC", "VP9", "AVS2", "AV1")
        for res in ("540p", "1080p", "2160p")
        for level in range(1, 5)
    ]
    assert len(lines) == 1200
    (root / "scores.txt").write_text("".join(lines))
    _, report = _run(plugin_registry, root, tmp_path / "shard.jsonl", max_rows=3, offline=True)
    assert report.editions == {"scores.txt": "waterloo-ivc-4k-201908"}  # type: ignore[attr-defined]
    assert report.skipped == {"missing-clip": 3}  # type: ignore[attr-defined]
    manifest = json.loads((tmp_path / "shard.manifest.json").read_text())
    assert manifest["editions"] == {"scores.txt": "waterloo-ivc-4k-201908"}


def test_file_with_another_corpus_row_count_is_refused_naming_it(tmp_path: Path) -> None:
    reg = Registry.from_plugins(
        [("vqa-waterloo-ivc", vqa_waterloo_ivc), ("other", other_corpus_plugin("other-vqa", "mos.csv", 4))]
    )
    root = tmp_path / "data"
    root.mkdir()
    (root / "scores.txt").write_text("H264,1,540p,1,1\nH264,1,540p,2,2\nH264,1,540p,3,3\nH264,1,540p,4,4\n")
    with pytest.raises(MetadataError, match=r"4 data rows, the size of other-vqa's mos\.csv") as info:
        _run(reg, root, tmp_path / "shard.jsonl")
    assert "vqa ingest other-vqa" in str(info.value)
    assert not (tmp_path / "shard.jsonl").exists()
