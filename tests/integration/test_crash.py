"""kill -9 at any instant, then a rerun, gives the shard of an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vqa_core.registry import Registry
from vqa_core.sample import write_sample

TIMESTAMP = "2026-03-04T05:06:07Z"


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import vqa_konvid

    root = tmp_path_factory.mktemp("crash-drop")
    write_sample(Registry.from_plugins([("vqa-konvid", vqa_konvid)]), "konvid-1k", root, clips=40, seed=21)
    return root


def _command(drop: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "vqa_core",
        "ingest",
        "konvid-1k",
        "--root",
        str(drop),
        "-o",
        str(out),
        "--timestamp",
        TIMESTAMP,
        "--workers",
        "2",
        "-q",
    ]


def _decided(state: Path) -> int:
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.1) as db:
            return int(db.execute("SELECT COUNT(*) FROM rows").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def reference(drop: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("reference") / "k1.jsonl"
    subprocess.run(_command(drop, out), check=True, capture_output=True)
    return out.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_sigkill_then_rerun_gives_the_uninterrupted_shard(
    drop: Path, reference: bytes, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    out = tmp_path / "k1.jsonl"
    state = tmp_path / "k1.jsonl.state.sqlite"
    kills = 0
    for _ in range(3):  # up to three kills at different points, each mid-run
        proc = subprocess.Popen(_command(drop, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        target = rng.randint(0, 35)
        deadline = time.monotonic() + 60
        while proc.poll() is None and _decided(state) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    final = subprocess.run(_command(drop, out), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert out.read_bytes() == reference
    assert kills >= 1
    lines = out.read_bytes().splitlines()
    assert len(lines) == len(set(lines)) == 40
