"""``vqa verify`` killed with ``SIGKILL`` mid-check, in each phase, then rerun: the report of an
uninterrupted run, byte for byte, with the work already done reused."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import orjson
import pytest

CLIPS = 200
#: Holes per clip (sparse on disk, read as zeros): makes each hash take real time without disk space.
SPARSE = 16 << 20


@pytest.fixture(scope="module")
def damaged(
    konvid_drop_factory: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """``(root, shard)``: a drop of tiny sparse clips, ingested, then one clip deleted and one moved."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry

    base = tmp_path_factory.mktemp("verify-kill")
    root = konvid_drop_factory(base / "drop", CLIPS, sparse_bytes=SPARSE)
    shard = base / "k1.jsonl"
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)], strict=True)
    ingest(
        registry,
        IngestConfig(
            corpus_id="konvid-1k", root=root, output=shard, workers=2, timestamp="2026-01-01T00:00:00Z"
        ),
    )
    srcs = [orjson.loads(line)["src"] for line in shard.read_bytes().splitlines()]
    (root / srcs[CLIPS // 3]).unlink()
    (root / "moved").mkdir()
    (root / srcs[-1]).rename(root / "moved" / "last.mp4")
    return root, shard


def _count(state: Path, sql: str) -> int:
    """A count from a (possibly running) check's state; 0 before the table exists."""
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.1) as db:
            return int(db.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_when(kit: ModuleType, args: list[str | Path], state: Path, sql: str) -> None:
    """Start ``vqa ARGS``; ``SIGKILL`` it as soon as ``sql`` counts at least one row in its state."""
    proc = subprocess.Popen(
        kit.vqa_command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=kit.vqa_env()
    )
    try:
        while _count(state, sql) < 1:
            assert proc.poll() is None, (
                f"the check ended (exit {proc.returncode}) before its state showed: {sql}"
            )
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_killed_in_each_phase_then_rerun_gives_the_uninterrupted_report(
    kit: ModuleType, damaged: tuple[Path, Path], tmp_path: Path
) -> None:
    root, shard = damaged
    reference = tmp_path / "reference.jsonl"
    first = kit.run_vqa("verify", shard, "--root", root, "-o", reference, "--workers", "2", "-q")
    assert first.returncode == 3, first.stderr
    statuses = [orjson.loads(line)["status"] for line in reference.read_bytes().splitlines()]
    assert statuses.count("ok") == CLIPS - 2 and statuses[-1] == "moved" and statuses[CLIPS // 3] == "missing"

    report = tmp_path / "resumed.jsonl"
    state = report.with_name(report.name + ".state.sqlite")
    args: list[str | Path] = ["verify", shard, "--root", root, "-o", report, "--workers", "2", "-q"]
    # phase 1: some clips decided (committed), the shard not yet read to its end
    _kill_when(kit, args, state, "SELECT COUNT(*) FROM rows")
    decided = _count(state, "SELECT COUNT(*) FROM rows")
    assert 0 < decided < CLIPS
    assert not report.exists()
    # phase 2: the root walked, some files of the moved clip's size hashed, not yet resolved
    _kill_when(kit, args, state, "SELECT COUNT(*) FROM verify_files WHERE sha256 IS NOT NULL")
    assert not report.exists()
    assert _count(state, "SELECT COUNT(*) FROM rows") == CLIPS

    final = kit.run_vqa(*args)
    assert final.returncode == 3, final.stderr
    assert "Traceback" not in final.stderr
    assert report.read_bytes() == reference.read_bytes()
    run = orjson.loads(report.with_name("resumed.manifest.json").read_bytes())["run"]
    assert run["reused_from_state"] == CLIPS and run["checked"] == 0  # phase 1 was not redone
    reference_run = orjson.loads(reference.with_name("reference.manifest.json").read_bytes())["run"]
    assert run["files_hashed"] < reference_run["files_hashed"]  # nor the hashes phase 2 had paid for
