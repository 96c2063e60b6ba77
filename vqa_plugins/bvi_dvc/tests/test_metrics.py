"""BVI-DVC: libvmaf logs → encode-grid rows, the sample drop, and both hooks through the registry."""

from __future__ import annotations

import hashlib
import statistics
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from vqa_bvi_dvc.metrics import parse_sequence_name, row_for
from vqa_bvi_dvc.sample import FRAMES, sample_names

from vqa_core.errors import DatasetNotFoundError, MetadataError
from vqa_core.gridrows import GRID_KEYS, grid_row_problems
from vqa_core.registry import Registry
from vqa_core.schema import RowRejection
from vqa_core.sources import GridSettings, SampleDrop, SourceSpec

SETTINGS = GridSettings(timestamp="2026-03-01T12:00:00+00:00")
KEY = "DBookcaseBVITexture_480x272_120fps_10bit_420"


def log(frames: list[dict[str, float]], pooled: dict[str, dict[str, float]] | None = None) -> bytes:
    doc: dict[str, Any] = {
        "version": "3.0.0",
        "fps": 12.5,
        "frames": [{"frameNum": i, "metrics": m} for i, m in enumerate(frames)],
        "pooled_metrics": pooled or {},
        "aggregate_metrics": {},
    }
    return orjson.dumps(doc)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (KEY, (480, 272, 120.0, 10, "420", "yuv420p10le")),
        (
            "AAdvertisingMassagesBangkokVidevo_3840x2176_25fps_10bit_420",
            (3840, 2176, 25.0, 10, "420", "yuv420p10le"),
        ),
        ("Some_name_with_parts_1920x1080_59.94fps_8bit_444", (1920, 1080, 59.94, 8, "444", "yuv444p")),
    ],
)
def test_sequence_names_give_the_geometry(key: str, expected: tuple[Any, ...]) -> None:
    seq = parse_sequence_name(key)
    assert seq is not None
    assert (seq.width, seq.height, seq.fps, seq.bit_depth, seq.chroma, seq.pix_fmt) == expected


@pytest.mark.parametrize(
    "key", ["Bookcase", "X_480x272_120fps_10bit", "X_0x272_120fps_10bit_420", "X_480x272_0fps_10bit_420"]
)
def test_other_names_are_not_sequences(key: str) -> None:
    assert parse_sequence_name(key) is None


def test_pooled_mean_and_stddev_are_used_and_the_row_is_complete(tmp_path: Path) -> None:
    pooled = {"vmaf": {"mean": 88.5, "stddev": 2.5}, "integer_adm2": {"mean": 0.95, "stddev": 0.01}}
    data = log([{"vmaf": 80.0, "integer_adm2": 0.9}] * 4, pooled)
    row = row_for(tmp_path / f"{KEY}.json", data, SETTINGS)
    assert isinstance(row, dict)
    assert grid_row_problems(row) == []
    assert set(GRID_KEYS) <= set(row)
    assert (row["vmaf_score"], row["adm2_mean"], row["adm2_std"]) == (88.5, 0.95, 0.01)
    assert (row["width"], row["height"], row["framerate"]) == (480, 272, 120.0)
    assert row["duration_s"] == pytest.approx(4 / 120)
    assert row["src"] == f"bvi-dvc:{KEY}"
    assert row["src_sha256"] == hashlib.sha256(KEY.encode()).hexdigest() and row["src_sha256_kind"] == "name"
    assert row["vmaf_binary_version"] == "3.0.0" and row["timestamp"] == SETTINGS.timestamp
    assert (row["encoder"], row["preset"], row["crf"], row["pix_fmt"]) == (
        "libx264",
        "fast",
        35,
        "yuv420p10le",
    )
    assert (row["bvi_bit_depth"], row["bvi_chroma"], row["bvi_frames"]) == (10, "420", 4)
    assert row["bvi_metrics_sha256"] == hashlib.sha256(data).hexdigest()
    # features never measured are null, never NaN
    assert row["motion2_mean"] is None and row["vif_scale3_std"] is None
    assert row["enc_internal_qp_mean"] is None and row["encode_size_bytes"] is None
    assert b"NaN" not in orjson.dumps(row)


def test_missing_pooled_values_come_from_the_frames(tmp_path: Path) -> None:
    frames = [
        {"vmaf": v, "motion2": m, "vif_scale0": None} for v, m in ((80.0, 1.0), (90.0, 3.0), (85.0, 2.0))
    ]
    row = row_for(tmp_path / f"{KEY}.json", log(frames), SETTINGS)  # type: ignore[arg-type]
    assert isinstance(row, dict)
    assert row["vmaf_score"] == pytest.approx(85.0)
    assert row["motion2_mean"] == pytest.approx(2.0)
    assert row["motion2_std"] == pytest.approx(statistics.pstdev([1.0, 3.0, 2.0]))
    assert row["vif_scale0_mean"] is None  # libvmaf writes null for a non-finite score


def test_run_id_is_deterministic_and_follows_the_settings(tmp_path: Path) -> None:
    data = log([{"vmaf": 80.0}])
    first = row_for(tmp_path / f"{KEY}.json", data, SETTINGS)
    again = row_for(tmp_path / f"{KEY}.json", data, SETTINGS)
    other = row_for(tmp_path / f"{KEY}.json", data, GridSettings(timestamp=SETTINGS.timestamp, preset="slow"))
    assert isinstance(first, dict) and isinstance(again, dict) and isinstance(other, dict)
    assert first["run_id"] == again["run_id"] != other["run_id"]


@pytest.mark.parametrize(
    ("name", "data", "reason", "line"),
    [
        (f"{KEY}.json", b'{\n  "frames": [\n    {"frameNum": 0\n', "invalid-json", 4),
        (f"{KEY}.json", b"[1, 2]", "not-a-libvmaf-log", 1),
        (f"{KEY}.json", orjson.dumps({"frames": {"a": 1}}), "not-a-libvmaf-log", 1),
        (f"{KEY}.json", log([{"integer_adm2": 0.9}]), "no-vmaf-score", 1),
        ("bookcase.json", log([{"vmaf": 80.0}]), "unparsable-name", 1),
    ],
)
def test_unusable_files_are_rejections_with_file_and_line(
    tmp_path: Path, name: str, data: bytes, reason: str, line: int
) -> None:
    rejection = row_for(tmp_path / name, data, SETTINGS)
    assert isinstance(rejection, RowRejection)
    assert (rejection.reason, rejection.origin.line, rejection.origin.file) == (
        reason,
        line,
        str(tmp_path / name),
    )


def test_hook_vqa_encode_grid_rows(plugin_registry: Registry, tmp_path: Path) -> None:
    plugin_registry.write_sample("bvi-dvc", tmp_path, 2, seed=5)
    spec = SourceSpec(root=tmp_path, metadata=(), clips_dir=tmp_path)
    rows = list(plugin_registry.encode_grid_rows("bvi-dvc", spec, SETTINGS))
    assert len(rows) == 2 and all(isinstance(r, dict) and not grid_row_problems(r) for r in rows)
    one = SourceSpec(root=tmp_path, metadata=(sorted(tmp_path.glob("*.json"))[0],), clips_dir=tmp_path)
    assert len(list(plugin_registry.encode_grid_rows("bvi-dvc", one, SETTINGS))) == 1
    with pytest.raises(DatasetNotFoundError):
        plugin_registry.encode_grid_rows("bvi-dvc", SourceSpec(tmp_path / "x", (), tmp_path), SETTINGS)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MetadataError, match=r"no .json metric files"):
        plugin_registry.encode_grid_rows("bvi-dvc", SourceSpec(empty, (), empty), SETTINGS)


def test_hook_vqa_write_sample(plugin_registry: Registry, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    drop = plugin_registry.write_sample("bvi-dvc", a, 5, seed=11)
    plugin_registry.write_sample("bvi-dvc", b, 5, seed=11)
    assert isinstance(drop, SampleDrop) and drop.clips == 5 and drop.root == a and drop.bad_rows == 0
    assert [p.name for p in drop.metadata] == [f"{n}.json" for n in sample_names(5)]
    assert all((a / p.name).read_bytes() == (b / p.name).read_bytes() for p in drop.metadata)
    doc = orjson.loads(drop.metadata[0].read_bytes())
    assert len(doc["frames"]) == FRAMES and {"mean", "stddev"} <= set(doc["pooled_metrics"]["vmaf"])
    assert all(parse_sequence_name(p.stem) is not None for p in drop.metadata)
    assert not list(a.glob("*.yuv")) and not list(a.glob("*.mp4"))


@pytest.mark.parametrize(
    ("key", "content"),
    [
        (KEY, "BookcaseBVITexture"),
        ("ABookcaseBVITexture_3840x2176_60fps_10bit_420", "BookcaseBVITexture"),
        ("Some_name_with_parts_1920x1080_59.94fps_8bit_444", "Some_name_with_parts"),  # no class letter
    ],
)
def test_the_content_is_the_sequence_name_without_its_resolution_class(key: str, content: str) -> None:
    sequence = parse_sequence_name(key)
    assert sequence is not None and sequence.content == content
    row = row_for(Path(f"{key}.json"), log([{"vmaf": 80.0}]), SETTINGS)
    assert isinstance(row, dict) and row["content_group"] == f"bvi-dvc/{content}"


def test_the_four_classes_of_one_sequence_stay_one_content_through_ingest_and_merge(
    plugin_registry: Registry, tmp_path: Path
) -> None:
    from vqa_core.grid import ingest_grid
    from vqa_core.merge import merge_grid

    cache = tmp_path / "cache"
    cache.mkdir()
    plugin_registry.write_sample("bvi-dvc", cache, 5, seed=2)  # classes A–D of content 00, then A of 01
    grid, other = tmp_path / "grid.jsonl", tmp_path / "crf23.jsonl"
    ingest_grid(plugin_registry, "bvi-dvc", SourceSpec(cache, (), cache), SETTINGS, grid)
    ingest_grid(
        plugin_registry, "bvi-dvc", SourceSpec(cache, (), cache), attrs.evolve(SETTINGS, crf=23), other
    )
    merged = tmp_path / "merged.jsonl"
    assert merge_grid([grid, other], merged, timestamp=SETTINGS.timestamp).rows_out == 10
    for path in (grid, merged):
        rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        groups: dict[str, set[int]] = {}
        for row in rows:
            groups.setdefault(row["content_group"], set()).add(row["height"])
        assert groups == {
            "bvi-dvc/SyntheticGradient00Vqa": {2176, 1088, 544, 272},
            "bvi-dvc/SyntheticNoise01Vqa": {2176},
        }
