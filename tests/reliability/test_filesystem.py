"""The disk and the file system misbehave: full disk, read-only data, vanishing and unreadable files.

A full disk is a per-process file-size limit (``RLIMIT_FSIZE``), so a write
fails with ``EFBIG`` at a chosen size in a real subprocess; no filesystem is
mounted. Permission cases drop the capabilities that let root ignore
permission bits, so they mean the same in CI (root) as on a workstation.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

N_CLIPS = 120  # the shard (~52 KB) outgrows SQLite's 32 KB shared-memory file, so each file can fail first


@pytest.fixture(scope="module")
def drop(kit: ModuleType, tmp_path_factory: pytest.TempPathFactory, konvid_drop_factory: Any) -> Path:
    return konvid_drop_factory(tmp_path_factory.mktemp("fs-drop"), N_CLIPS)


@pytest.fixture(scope="module")
def reference(kit: ModuleType, drop: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted ingest, then features of its shard: the bytes every rerun must give."""
    out = tmp_path_factory.mktemp("fs-reference")
    kit.run_vqa(*kit.ingest_args(drop, out / "k.jsonl")).assert_ok()
    kit.run_vqa(*_features_args(kit, drop, out / "k.jsonl", out / "f.jsonl")).assert_ok()
    return out


def _features_args(kit: ModuleType, root: Path, shard: Path, out: Path) -> list[str | Path]:
    return [
        "features",
        "extract",
        shard,
        "--root",
        root,
        "-o",
        out,
        "--timestamp",
        kit.TIMESTAMP,
        "--workers",
        "2",
        "-q",
    ]


def _same_outputs(a: Path, b: Path, *names: str) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# -- a full disk -----------------------------------------------------------------------------------

#: File-size limits for a fresh ingest: below SQLite's shared-memory file, inside the state's growth.
FRESH_LIMITS = (4_096, 40_000, 70_000, 100_000, 140_000)


@pytest.mark.parametrize("limit", FRESH_LIMITS)
def test_a_full_disk_during_ingest_is_one_line_and_a_rerun_completes_the_same_shard(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, limit: int
) -> None:
    out = tmp_path / "k.jsonl"
    failed = kit.run_vqa(*kit.ingest_args(drop, out), preexec_fn=kit.file_size_limit(limit))
    if failed.returncode:
        line = failed.assert_clean_error("cannot write")
        assert "k.jsonl" in line and ("File too large" in line or "file-size limit" in line)
    kit.run_vqa(*kit.ingest_args(drop, out)).assert_ok()
    _same_outputs(out.parent, reference, "k.jsonl", "k.rejections.jsonl")
    assert kit.temporaries(tmp_path) == []


@pytest.mark.parametrize("limit", [36_000, 48_000])
def test_a_full_disk_while_the_shard_is_rendered_leaves_no_partial_shard(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, limit: int
) -> None:
    """Every row decided already (the state is complete); only the shard (~52 KB) does not fit."""
    shutil.copy(reference / "k.jsonl.state.sqlite", tmp_path / "k.jsonl.state.sqlite")
    out = tmp_path / "k.jsonl"
    failed = kit.run_vqa(*kit.ingest_args(drop, out), preexec_fn=kit.file_size_limit(limit))
    failed.assert_clean_error(f"cannot write {out}: File too large")
    assert not out.exists() and kit.temporaries(tmp_path) == []
    kit.run_vqa(*kit.ingest_args(drop, out)).assert_ok()
    _same_outputs(tmp_path, reference, "k.jsonl", "k.rejections.jsonl")


def test_a_manifest_that_cannot_be_written_is_one_line_and_a_rerun_completes(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, bits_apply: Any
) -> None:
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0o555)
    out = tmp_path / "k.jsonl"
    failed = kit.run_vqa(
        *kit.ingest_args(drop, out, "--manifest-out", str(closed / "k.manifest.json")), preexec_fn=bits_apply
    )
    failed.assert_clean_error(f"cannot write {closed / 'k.manifest.json'}: Permission denied")
    assert out.read_bytes() == (reference / "k.jsonl").read_bytes()  # the shard was final before
    kit.run_vqa(*kit.ingest_args(drop, out)).assert_ok()
    manifest = orjson.loads((tmp_path / "k.manifest.json").read_bytes())
    assert manifest["stats"]["written"] == N_CLIPS


@pytest.mark.parametrize("limit", [40_000, 90_000])
def test_a_full_disk_during_features_is_one_line_and_a_rerun_completes(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, limit: int
) -> None:
    out = tmp_path / "f.jsonl"
    args = _features_args(kit, drop, reference / "k.jsonl", out)
    failed = kit.run_vqa(*args, preexec_fn=kit.file_size_limit(limit))
    failed.assert_clean_error("cannot write", "f.jsonl")
    kit.run_vqa(*args).assert_ok()
    _same_outputs(tmp_path, reference, "f.jsonl", "f.rejections.jsonl")


def test_a_full_disk_during_aggregate_and_merge_leaves_the_previous_output(
    kit: ModuleType, reference: Path, tmp_path: Path
) -> None:
    unified = tmp_path / "u.jsonl"
    args = ["aggregate", reference / "k.jsonl", "-o", unified, "--timestamp", kit.TIMESTAMP]
    unified.write_text("previous\n")
    failed = kit.run_vqa(*args, preexec_fn=kit.file_size_limit(20_000))
    failed.assert_clean_error(f"cannot write {unified}: File too large")
    assert unified.read_text() == "previous\n" and kit.temporaries(tmp_path) == []
    kit.run_vqa(*args).assert_ok()
    assert unified.read_bytes().count(b"\n") == N_CLIPS

    grids = []
    for part in range(2):
        grid = tmp_path / f"g{part}.jsonl"
        grid.write_bytes(b"".join(orjson.dumps(_grid_row(i + part * 100)) + b"\n" for i in range(100)))
        grids.append(grid)
    merged = tmp_path / "m.jsonl"
    failed = kit.run_vqa(
        "merge-grid",
        *grids,
        "-o",
        merged,
        "--timestamp",
        kit.TIMESTAMP,
        preexec_fn=kit.file_size_limit(60_000),
    )
    failed.assert_clean_error(f"cannot write {merged}: File too large")
    assert not merged.exists() and kit.temporaries(tmp_path) == []
    kit.run_vqa("merge-grid", *grids, "-o", merged, "--timestamp", kit.TIMESTAMP).assert_ok()
    assert merged.read_bytes().count(b"\n") == 200


def _grid_row(i: int) -> dict[str, object]:
    from vqa_core.grid import GRID_KEYS

    row: dict[str, object] = dict.fromkeys(GRID_KEYS, 0.5)
    row.update(src=f"s{i}.yuv", src_sha256=f"{i:064x}", encoder="libx264", preset="fast", crf=35)
    return row


def test_outputs_are_created_with_the_umask_like_any_new_file(
    kit: ModuleType, reference: Path, tmp_path: Path
) -> None:
    """Not 0600: a lab shares its shards through group permissions."""
    mask = os.umask(0o022)
    os.umask(mask)
    expected = 0o666 & ~mask
    for name in ("k.jsonl", "k.rejections.jsonl", "k.manifest.json", "f.jsonl", "f.manifest.json"):
        assert (reference / name).stat().st_mode & 0o777 == expected, name


def test_an_output_folder_that_cannot_be_made_is_one_line(
    kit: ModuleType, drop: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    kit.run_vqa(*kit.ingest_args(drop, blocker / "sub" / "k.jsonl")).assert_clean_error(
        "cannot create the folder", str(blocker)
    )


# -- permissions ----------------------------------------------------------------------------------


def _read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _writable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_lock_file_left_by_a_killed_run_does_not_block(kit: ModuleType, drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.jsonl"
    (tmp_path / "k.jsonl.lock").write_text(str(os.getpid() + 10_000_000))  # a holder that is long gone
    kit.run_vqa(*kit.ingest_args(drop, out)).assert_ok()
