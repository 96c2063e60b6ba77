"""vqa merge-grid: key validation, dedup by value, conflicts, manifest — library and CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import OutputError, ShardError, UsageError
from vqa_core.fsutil import sha256_file
from vqa_core.gridrows import GRID_KEYS
from vqa_core.merge import DEDUP_KEY, merge_grid, normalise_setting
from vqa_core.registry import Registry

STAMP = "2026-03-01T12:00:00+00:00"


def grid_row(
    n: int, *, crf: object = 23, preset: object = "fast", vmaf: float | None = 90.0, **extra: Any
) -> dict:
    row: dict[str, Any] = dict.fromkeys(GRID_KEYS)
    row.update(
        schema_version=3,
        run_id=f"run{n}",
        timestamp=STAMP,
        src=f"clip{n}.y4m",
        src_sha256=f"{n:064x}",
        width=1920,
        height=1080,
        pix_fmt="yuv420p",
        framerate=25.0,
        encoder="libx264",
        preset=preset,
        crf=crf,
        vmaf_score=vmaf,
        vmaf_model="vmaf_v0.6.1",
    )
    row.update(extra)
    return row


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_grid_keys_are_the_54_of_schema_v3_in_order() -> None:
    assert len(GRID_KEYS) == len(set(GRID_KEYS)) == 54
    assert GRID_KEYS[:5] == ("schema_version", "run_id", "timestamp", "src", "src_sha256")
    assert GRID_KEYS[32:38] == tuple(
        f"{f}_mean" for f in ("adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2")
    )
    assert GRID_KEYS[38] == "adm2_std" and GRID_KEYS[-1] == "enc_internal_skip_ratio"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (23, 23),
        ("23", 23),
        (23.0, 23),
        (" 23.0 ", 23),
        ("23.5", 23.5),
        ("fast", "fast"),
        (" slow ", "slow"),
        ("8", 8),
    ],
)
def test_settings_compare_by_value(value: object, expected: object) -> None:
    assert normalise_setting(value) == expected


@pytest.mark.parametrize("value", [None, True, [23], {"crf": 23}])
def test_settings_must_be_scalars(value: object) -> None:
    with pytest.raises(TypeError):
        normalise_setting(value)


def test_merge_dedups_by_key_with_crf_and_preset_by_value(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(i) for i in range(5)])
    b = write(
        tmp_path / "b.jsonl",
        [
            grid_row(4, crf="23"),
            grid_row(3, crf=23.0, preset=" fast"),
            *(grid_row(i) for i in range(5, 8)),
            grid_row(1, crf=30),
        ],
    )
    out = tmp_path / "m.jsonl"
    result = merge_grid([a, b], out, timestamp=STAMP)
    assert (result.rows_in, result.rows_out, result.duplicates, result.unique_sources) == (11, 9, 2, 8)
    rows = lines(out)
    assert [r["src"] for r in rows] == [f"clip{i}.y4m" for i in range(5)] + [
        f"clip{i}.y4m" for i in (5, 6, 7, 1)
    ]
    assert all(set(GRID_KEYS) <= set(r) for r in rows)
    assert all(list(r) == sorted(r) for r in rows)
    manifest = orjson.loads((tmp_path / "m.manifest.json").read_bytes())
    assert manifest["schema"] == "vqa-merge-grid-manifest-v1"
    assert manifest["dedup_key"] == list(DEDUP_KEY)
    assert manifest["stats"] == {
        "rows_in": 11,
        "rows_out": 9,
        "duplicates": 2,
        "conflicts": 0,
        "unique_sources": 8,
    }
    assert [g["sha256"] for g in manifest["inputs"]["grids"]] == [sha256_file(a), sha256_file(b)]
    assert manifest["inputs"]["grids"][1]["duplicates"] == 2
    assert manifest["outputs"]["grid"]["sha256"] == sha256_file(out)


def test_superset_rows_keep_their_extra_keys(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1, bvi_sequence="X")])
    b = write(tmp_path / "b.jsonl", [grid_row(2)])
    merge_grid([a, b], tmp_path / "m.jsonl", timestamp=STAMP)
    assert lines(tmp_path / "m.jsonl")[0]["bvi_sequence"] == "X"


def test_a_conflicting_duplicate_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1, vmaf=91.2)])
    b = write(tmp_path / "b.jsonl", [grid_row(2), grid_row(1, crf="23", vmaf=90.8)])
    with pytest.raises(ShardError) as info:
        merge_grid([a, b], tmp_path / "m.jsonl", timestamp=STAMP)
    message = str(info.value)
    assert f"{b}:2 repeats {a}:1" in message and "vmaf_score 91.2 vs 90.8" in message
    assert "--on-conflict keep-first" in message
    assert not (tmp_path / "m.jsonl").exists() and not (tmp_path / "m.manifest.json").exists()


def test_equal_scores_within_tolerance_are_not_a_conflict(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1, vmaf=91.2, adm2_mean=0.9)])
    b = write(tmp_path / "b.jsonl", [grid_row(1, vmaf=91.2 + 1e-9, adm2_mean=0.9)])
    result = merge_grid([a, b], tmp_path / "m.jsonl", timestamp=STAMP)
    assert (result.duplicates, result.conflicts) == (1, ())


def test_keep_first_records_every_conflict(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1, vmaf=91.2), grid_row(2, adm2_mean=0.9)])
    b = write(tmp_path / "b.jsonl", [grid_row(1, vmaf=None), grid_row(2, adm2_mean=0.8)])
    result = merge_grid([a, b], tmp_path / "m.jsonl", on_conflict="keep-first", timestamp=STAMP)
    assert len(result.conflicts) == 2 and result.rows_out == 2
    assert lines(tmp_path / "m.jsonl")[0]["vmaf_score"] == 91.2
    manifest = orjson.loads((tmp_path / "m.manifest.json").read_bytes())
    assert manifest["stats"]["conflicts"] == 2
    assert manifest["conflicts"][0]["differences"] == ["vmaf_score 91.2 vs None"]
    assert manifest["conflicts"][1]["second"] == f"{b}:2"


def test_every_input_is_validated_before_anything_is_written(tmp_path: Path) -> None:
    incomplete = grid_row(2)
    del incomplete["vmaf_model"], incomplete["hdr_forced"]
    a = write(tmp_path / "a.jsonl", [grid_row(1)])
    b = tmp_path / "b.jsonl"
    b.write_bytes(orjson.dumps(grid_row(3)) + b"\n\n" + orjson.dumps(incomplete) + b"\n{broken\n")
    with pytest.raises(ShardError) as info:
        merge_grid([a, b], tmp_path / "m.jsonl", timestamp=STAMP)
    message = str(info.value)
    assert f"{b}:3: missing 2 of the 54 encode-grid keys: vmaf_model, hdr_forced" in message
    assert f"{b}:4: invalid JSON" in message
    assert not (tmp_path / "m.jsonl").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("src_sha256", None, "src_sha256 must be a non-empty string"),
        ("crf", [23], "crf: expected a string or number"),
    ],
)
def test_key_fields_must_be_usable(tmp_path: Path, field: str, value: object, message: str) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1, **{field: value})])
    b = write(tmp_path / "b.jsonl", [grid_row(2)])
    with pytest.raises(ShardError, match=message):
        merge_grid([a, b], tmp_path / "m.jsonl", timestamp=STAMP)


def test_argument_errors(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1)])
    b = write(tmp_path / "b.jsonl", [grid_row(2)])
    with pytest.raises(UsageError, match="at least two inputs"):
        merge_grid([a], tmp_path / "m.jsonl")
    with pytest.raises(UsageError, match="given twice"):
        merge_grid([a, tmp_path / "." / "a.jsonl"], tmp_path / "m.jsonl")
    with pytest.raises(ShardError, match="input not found"):
        merge_grid([a, tmp_path / "none.jsonl"], tmp_path / "m.jsonl")
    with pytest.raises(OutputError, match=r"writes .jsonl"):
        merge_grid([a, b], tmp_path / "m.parquet")
    with pytest.raises(UsageError, match="overwrite an input"):
        merge_grid([a, b], a)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls, strict=None: Registry.from_plugins([])))
    return CliRunner()


def test_cli_merges_and_reports(cli: CliRunner, tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1), grid_row(2)])
    b = write(tmp_path / "b.jsonl", [grid_row(2, crf="23"), grid_row(3)])
    result = cli.invoke(
        main, ["merge-grid", str(a), str(b), "-o", str(tmp_path / "m.jsonl"), "--timestamp", STAMP]
    )
    assert result.exit_code == 0, result.output
    assert "merged 4 rows from 2 inputs into 3 (1 duplicates, 0 conflicts, 3 sources)" in result.stdout


@pytest.mark.parametrize("count", [0, 1])
def test_cli_fewer_than_two_inputs_exits_2(cli: CliRunner, tmp_path: Path, count: int) -> None:
    inputs = [str(write(tmp_path / f"{i}.jsonl", [grid_row(i)])) for i in range(count)]
    result = cli.invoke(main, ["merge-grid", *inputs, "-o", str(tmp_path / "m.jsonl")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: merge-grid needs at least two inputs, got {count}"


def test_cli_conflict_exits_2_and_keep_first_exits_0(cli: CliRunner, tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1, vmaf=80.0)])
    b = write(tmp_path / "b.jsonl", [grid_row(1, vmaf=81.0)])
    out = str(tmp_path / "m.jsonl")
    failed = cli.invoke(main, ["merge-grid", str(a), str(b), "-o", out])
    assert failed.exit_code == 2 and "1 conflicting duplicate" in failed.stderr
    kept = cli.invoke(main, ["merge-grid", str(a), str(b), "-o", out, "--on-conflict", "keep-first"])
    assert kept.exit_code == 0 and "warning: kept the first row" in kept.stderr


def test_the_manifest_never_overwrites_an_input_manifest(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", [grid_row(1)])
    b = write(tmp_path / "b.jsonl", [grid_row(2)])
    (tmp_path / "sub").mkdir()
    with pytest.raises(UsageError, match="would overwrite the manifest of input"):
        merge_grid(
            [a, b], tmp_path / "sub" / ".." / "a.jsonl.jsonl", manifest_out=tmp_path / "a.manifest.json"
        )
