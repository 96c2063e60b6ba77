"""Soak: ingest of 150,000 rows with 150,000 tiny clips — memory, time, and the cost of a resume.

Usage (from the repository root, after ``make .venv/.installed-test``)::

    .venv/bin/python bench/reliability_soak.py [--rows 150000] [--small 10000] [--work bench/.work/soak]

Builds KoNViD-1k drops (published layout, every clip a real 32×18 H.264 clip
made unique by an MP4 ``free`` box, ~2 KB each) with the same writer as
``tests/reliability`` and runs the real CLI (``python -m vqa_core ingest``,
2 workers) in subprocesses, measuring each child's peak RSS (its own ``VmHWM``;
``ru_maxrss`` would also count the memory it had before ``exec``, a copy of
this process):

1. an uninterrupted run of ``--small`` rows and of ``--rows`` rows (peak RSS, wall time);
2. a rerun over the finished state of ``--rows`` (nothing left);
3. a run of ``--rows`` killed with SIGKILL once half the rows are decided, then resumed;
   the resumed shard must equal the uninterrupted one byte for byte.

Prints a Markdown table for docs/reliability.md. ``tests/reliability/test_load.py``
is the scaled version the test suite runs (10,000 and 40,000 rows).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMESTAMP = "2026-03-04T05:06:07Z"


def _kit() -> object:
    """The reliability suite's helpers (drop writer, CLI runner), loaded from its conftest."""
    spec = importlib.util.spec_from_file_location(
        "reliability_kit", REPO / "tests" / "reliability" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bases(work: Path) -> list[bytes]:
    from vqa_core.samples import ClipSpec, write_clip

    folder = work / "bases"
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_clip(folder / f"b{i}.mp4", ClipSpec(width=32, height=18, frames=3 + i), seed=i).read_bytes()
        for i in range(4)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / ".work" / "soak")
    args = parser.parse_args()
    kit = _kit()
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    bases = _bases(work)
    table = []

    def timed(*cli: object) -> tuple[float, int, object]:
        started = time.monotonic()
        result, rss = kit.run_measured(*cli)  # type: ignore[attr-defined]
        result.assert_ok()
        return time.monotonic() - started, rss, result

    drops = {}
    for n in (args.small, args.rows):
        started = time.monotonic()
        drops[n] = kit.write_konvid_drop(work / f"drop-{n}", bases, n)  # type: ignore[attr-defined]
        print(f"wrote {n:,} clips in {time.monotonic() - started:.1f} s", file=sys.stderr)
        out = work / f"out-{n}" / "k.jsonl"
        seconds, rss, _ = timed(*kit.ingest_args(drops[n], out))  # type: ignore[attr-defined]
        table.append((f"ingest {n:,} rows, uninterrupted", seconds, rss))
    big = args.rows
    reference = work / f"out-{big}" / "k.jsonl"
    seconds, rss, _ = timed(*kit.ingest_args(drops[big], reference))  # type: ignore[attr-defined]
    table.append((f"rerun of {big:,} rows, nothing left", seconds, rss))

    out = work / "resumed" / "k.jsonl"
    proc = subprocess.Popen(
        kit.vqa_command(*kit.ingest_args(drops[big], out)),  # type: ignore[attr-defined]
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=kit.vqa_env(),  # type: ignore[attr-defined]
    )
    state = out.with_name(out.name + ".state.sqlite")
    killed_at = time.monotonic()
    decided = kit.decided_rows  # type: ignore[attr-defined]
    while proc.poll() is None and decided(state) < big // 2:
        time.sleep(0.1)
    killed_at = time.monotonic() - killed_at
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = decided(state)
    table.append((f"run killed after {done:,} decided rows", killed_at, 0))
    seconds, rss, _ = timed(*kit.ingest_args(drops[big], out))  # type: ignore[attr-defined]
    table.append((f"resume with {big - done:,} rows left", seconds, rss))
    if out.read_bytes() != reference.read_bytes():
        raise SystemExit("the resumed shard differs from the uninterrupted one")

    print("| run | wall | peak RSS |")
    print("|---|---:|---:|")
    for name, seconds, rss in table:
        print(f"| {name} | {seconds:.1f} s | {f'{rss / 1024:.1f} MiB' if rss else '–'} |")
    small_rss, big_rss = table[0][2], table[1][2]
    print(
        f"\npeak RSS growth {args.small:,} → {big:,} rows: {(big_rss - small_rss) / 1024:+.1f} MiB "
        f"({(big_rss - small_rss) * 1024 / (big - args.small):+.0f} bytes per extra row); resumed shard identical"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
