"""The disk and the file system misbehave: full disk, read-only data, vanishing and unreadable files.

A full disk is a per-process file-size limit (``RLIMIT_FSIZE``), so a write
fails with ``EFBIG`` at a chosen size in a real subprocess; no filesystem is
mounted. Permission cases drop the capabilities that let root ignore
permission bits, so they mean the same in CI (root) as on a workstation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
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
    from vqa_core.gridrows import GRID_KEYS

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


def test_a_read_only_dataset_root_works_for_ingest_and_features(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, bits_apply: Any
) -> None:
    data = Path(shutil.copytree(drop, tmp_path / "data"))
    _read_only(data)
    before = kit.snapshot(data)
    try:
        out = tmp_path / "out"
        kit.run_vqa(*kit.ingest_args(data, out / "k.jsonl"), preexec_fn=bits_apply).assert_ok()
        kit.run_vqa(
            *_features_args(kit, data, out / "k.jsonl", out / "f.jsonl"), preexec_fn=bits_apply
        ).assert_ok()
        assert kit.snapshot(data) == before
        # src is relative to the root, so a copy elsewhere gives the same bytes
        _same_outputs(out, reference, "k.jsonl", "f.jsonl")
    finally:
        _writable(data)


def test_one_unreadable_clip_is_counted_and_the_others_are_written(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, bits_apply: Any
) -> None:
    data = Path(shutil.copytree(drop, tmp_path / "data"))
    clip = sorted((data / "KoNViD_1k_videos").iterdir())[5]
    clip.chmod(0o000)
    out = tmp_path / "k.jsonl"
    done = kit.run_vqa(*kit.ingest_args(data, out), preexec_fn=bits_apply)
    done.assert_ok()
    assert f"{N_CLIPS - 1} written" in done.stdout and "1 unreadable-clip" in done.stdout
    rejection = orjson.loads((tmp_path / "k.rejections.jsonl").read_bytes())
    assert rejection["reason"] == "unreadable-clip" and "Permission denied" in rejection["detail"]
    assert rejection["key"] == f"KoNViD_1k_videos/{clip.name}"
    reference_rows = (reference / "k.jsonl").read_bytes().splitlines()
    assert out.read_bytes().splitlines() == [r for r in reference_rows if clip.name.encode() not in r]

    features = tmp_path / "f.jsonl"
    done = kit.run_vqa(*_features_args(kit, data, reference / "k.jsonl", features), preexec_fn=bits_apply)
    done.assert_ok()
    assert "1 unreadable-clip" in done.stdout
    clip.chmod(0o644)


def test_an_unreadable_metadata_file_or_root_is_one_line(
    kit: ModuleType, drop: Path, tmp_path: Path, bits_apply: Any
) -> None:
    data = Path(shutil.copytree(drop, tmp_path / "data"))
    metadata = data / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    metadata.chmod(0o000)
    failed = kit.run_vqa(*kit.ingest_args(data, tmp_path / "a.jsonl"), preexec_fn=bits_apply)
    failed.assert_clean_error(str(metadata), "Permission denied")
    metadata.chmod(0o644)
    (data / "KoNViD_1k_videos").chmod(0o000)
    try:
        done = kit.run_vqa(*kit.ingest_args(data, tmp_path / "b.jsonl"), preexec_fn=bits_apply)
        done.assert_ok()
        assert f"skipped: {N_CLIPS} unreadable-clip" in done.stdout
    finally:
        (data / "KoNViD_1k_videos").chmod(0o755)
    unwritable = tmp_path / "closed"
    unwritable.mkdir(mode=0o555)
    failed = kit.run_vqa(*kit.ingest_args(data, unwritable / "k.jsonl"), preexec_fn=bits_apply)
    failed.assert_clean_error("Permission denied", str(unwritable))


# -- files that vanish mid-run ------------------------------------------------------------------


def test_clips_vanishing_mid_run_are_counted_and_a_rerun_gives_the_full_shard(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path
) -> None:
    data = Path(shutil.copytree(drop, tmp_path / "data"))
    clips = sorted((data / "KoNViD_1k_videos").iterdir())
    out = tmp_path / "k.jsonl"
    stash = tmp_path / "stash"
    stash.mkdir()
    proc = subprocess.Popen(
        kit.vqa_command(*kit.ingest_args(data, out, "--workers", "1")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit.vqa_env(),
    )

    def vanish() -> None:  # every fifth clip disappears while the run goes on
        for clip in reversed(clips[::5]):
            shutil.move(clip, stash / clip.name)
            time.sleep(0.002)

    thread = threading.Thread(target=vanish)
    thread.start()
    _, stderr = proc.communicate(timeout=120)
    thread.join()
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    manifest = orjson.loads((tmp_path / "k.manifest.json").read_bytes())["stats"]
    assert manifest["rows_read"] == N_CLIPS
    assert manifest["written"] + manifest["skipped_total"] == N_CLIPS
    assert set(manifest["skipped"]) <= {"missing-clip"}
    written = out.read_bytes().splitlines()
    assert len(written) == manifest["written"] == len(set(written))
    assert set(written) <= set((reference / "k.jsonl").read_bytes().splitlines())
    for clip in stash.iterdir():
        shutil.move(clip, data / "KoNViD_1k_videos" / clip.name)
    kit.run_vqa(*kit.ingest_args(data, out)).assert_ok()
    _same_outputs(tmp_path, reference, "k.jsonl", "k.rejections.jsonl")


def test_metadata_vanishing_after_it_was_opened_is_one_clear_error(
    drop: Path, reference: Path, tmp_path: Path
) -> None:
    """The plugin reads its rows lazily; the file goes between the row count and the first row."""
    import vqa_konvid

    from vqa_core.errors import MetadataError
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry

    data = Path(shutil.copytree(drop, tmp_path / "data"))
    metadata = data / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    saved = metadata.read_bytes()

    class Vanish:
        def start(self, total: int | None, description: str) -> None:
            metadata.unlink()

        def advance(self, written: int, skipped: int) -> None:
            pass

        def finish(self) -> None:
            pass

    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)])
    config = IngestConfig(
        "konvid-1k", root=data, output=tmp_path / "k.jsonl", timestamp="2026-03-04T05:06:07Z", workers=2
    )
    with pytest.raises(MetadataError, match=r"KoNViD_1k_attributes\.csv") as info:
        ingest(registry, config, progress=Vanish())
    assert "\n" not in str(info.value) and "No such file" in str(info.value)
    metadata.write_bytes(saved)
    ingest(registry, config)
    _same_outputs(tmp_path, reference, "k.jsonl")


def test_a_lock_file_left_by_a_killed_run_does_not_block(kit: ModuleType, drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.jsonl"
    (tmp_path / "k.jsonl.lock").write_text(str(os.getpid() + 10_000_000))  # a holder that is long gone
    kit.run_vqa(*kit.ingest_args(drop, out)).assert_ok()


def test_an_unreadable_input_shard_is_one_line_for_every_command(
    kit: ModuleType, drop: Path, reference: Path, tmp_path: Path, bits_apply: Any
) -> None:
    shard = tmp_path / "k.jsonl"
    shutil.copy(reference / "k.jsonl", shard)
    grid = tmp_path / "g.jsonl"
    grid.write_bytes(orjson.dumps(_grid_row(1)) + b"\n")
    for path in (shard, grid):
        path.chmod(0o000)
    commands: list[list[str | Path]] = [
        ["aggregate", shard, "-o", tmp_path / "u.jsonl"],
        ["merge-grid", grid, reference / "k.jsonl", "-o", tmp_path / "m.jsonl"],
        _features_args(kit, drop, shard, tmp_path / "f.jsonl"),
    ]
    for args in commands:
        result = kit.run_vqa(*args, preexec_fn=bits_apply)
        if "Usage:" in result.stderr:  # click checked the argument first: its own one-line reason
            assert result.returncode == 2 and "is not readable" in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
        else:
            result.assert_clean_error("Permission denied")
