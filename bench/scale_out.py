"""Local pool vs Dask LocalCluster on one sample corpus, and per-clip costs for a projection.

Usage (from the repository root, after ``make .venv/.installed-test``)::

    .venv/bin/python bench/scale_out.py --clips 240 --workers 2 --repeat 3

What it measures, all on this machine and in this process:

1. ``vqa ingest`` throughput (clips/s) of one KoNViD-1k sample drop with the
   local thread pool, the local process pool and a ``distributed.LocalCluster``
   (processes, loopback, ``--workers`` workers of one thread each), best of
   ``--repeat`` fresh runs each: end to end (pool start-up or cluster connect
   included), and per additional clip (from a run of all clips minus a run of
   the first quarter). The dask shard is checked byte for byte against the
   thread run's.
2. Per-clip costs: SHA-256 throughput (MB/s, one file from the page cache),
   probe time (ms, with packet verification) of the sample clips and of one
   KoNViD-sized clip (960x540, 8 s, 30 fps), and the Dask round trip per task
   (a no-op through the same executor and window the engine uses).
3. A projection for N machines from those costs (see docs/scale-out.md).

Work files go to ``bench/.work/`` (ignored by git); results are printed as
Markdown and written to ``bench/.work/scale_out.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / ".work"
TIMESTAMP = "2024-01-01T00:00:00Z"


def make_drop(clips: int) -> tuple[Path, tuple[Path, ...]]:
    import vqa_konvid

    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    root = WORK / f"konvid-1k-{clips}"
    marker = root / ".complete"
    metadata = root / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        registry = Registry.from_plugins([("konvid", vqa_konvid)])
        write_sample(registry, "konvid-1k", root, clips=clips, seed=11)
        marker.touch()
    return root, (metadata,)


def ingest_once(
    root: Path,
    metadata: tuple[Path, ...],
    executor: str,
    workers: int,
    scheduler: str | None,
    max_rows: int | None = None,
) -> tuple[float, Path]:
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry

    out = WORK / f"out-{executor}" / "shard.jsonl"
    shutil.rmtree(out.parent, ignore_errors=True)
    config = IngestConfig(
        corpus_id="konvid-1k",
        root=root,
        output=out,
        metadata=metadata,
        executor=executor,
        workers=workers if executor != "dask" else None,
        scheduler=scheduler,
        timestamp=TIMESTAMP,
        max_rows=max_rows,
    )
    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    started = time.perf_counter()
    report = ingest(registry, config)
    elapsed = time.perf_counter() - started
    assert report.processed == report.rows_read, report.summary()
    return elapsed, out


def hash_rate_mb_s(size_mb: int = 256) -> float:
    from vqa_core.fsutil import sha256_file

    path = WORK / f"hash-{size_mb}.bin"
    if not path.exists() or path.stat().st_size != size_mb << 20:
        with open(path, "wb") as fh:
            for i in range(size_mb):
                fh.write(hashlib.sha256(str(i).encode()).digest() * (1 << 15))
    sha256_file(path)  # into the page cache
    best = min(_timed(lambda: sha256_file(path)) for _ in range(3))
    return size_mb * 1.048576 / best


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def probe_ms(paths: list[Path]) -> float:
    from vqa_core.ingest.probe import probe_clip

    for path in paths:
        probe_clip(path)  # warm the page cache and PyAV
    times = [_timed(lambda p=p: probe_clip(p, read_packets=True)) for p in paths for _ in range(3)]
    return 1000 * statistics.median(times)


def konvid_sized_clip() -> Path:
    from vqa_core.samples import ClipSpec, write_clip

    path = WORK / "konvid-sized-960x540-8s.mp4"
    if not path.exists():
        write_clip(path, ClipSpec(width=960, height=540, fps=30, frames=240, quality=0.7), seed=3)
    return path


def dask_round_trip_ms(scheduler: str, tasks: int) -> tuple[float, float]:
    """Wall and client-process CPU milliseconds per no-op task, through DaskExecutor and run_ordered."""
    import operator

    from vqa_core.runner.dask_executor import DaskExecutor
    from vqa_core.runner.executor import Work, run_ordered

    executor = DaskExecutor(scheduler)
    try:
        window = max(8, 4 * executor.workers)
        list(run_ordered(executor, operator.mul, (Work(i) for i in range(50)), window=window, args=(1,)))
        cpu = time.process_time()
        started = time.perf_counter()
        list(run_ordered(executor, operator.mul, (Work(i) for i in range(tasks)), window=window, args=(1,)))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        executor.shutdown()
    return 1000 * wall / tasks, 1000 * cpu / tasks


def projection(
    results: dict[str, Any], clip_mb: float, threads: int, link_mb_s: float, machines: list[int]
) -> list[dict[str, float]]:
    """Clips/s for N machines: min(N x per-machine rate, client+scheduler task rate).

    Per machine: min(threads / worker seconds per clip, link MB/s / clip MB), where a
    clip's worker time is hashing it at the measured SHA-256 rate plus probing a
    KoNViD-sized clip. The cluster is capped by the client and scheduler's CPU per task.
    """
    worker_s = clip_mb / results["sha256_mb_s"] + results["probe_ms_konvid_sized_clip"] / 1000
    cpu_bound = threads / worker_s
    link_bound = link_mb_s / clip_mb
    per_machine = min(cpu_bound, link_bound)
    cap = 1000 / results["dask_noop_task_ms"]["client_and_scheduler_cpu"]
    rows = []
    for n in machines:
        rows.append(
            {
                "machines": n,
                "clips_per_s": round(min(n * per_machine, cap), 1),
                "bound": "scheduler"
                if n * per_machine > cap
                else ("link" if link_bound < cpu_bound else "cpu"),
            }
        )
    results["projection_inputs"] = {
        "clip_mb": clip_mb,
        "threads_per_machine": threads,
        "link_mb_s": link_mb_s,
        "worker_ms_per_clip": round(1000 * worker_s, 2),
        "per_machine_cpu_bound_clips_per_s": round(cpu_bound, 1),
        "per_machine_link_bound_clips_per_s": round(link_bound, 1),
        "client_and_scheduler_cap_tasks_per_s": round(cap, 1),
    }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=240)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--noop-tasks", type=int, default=1000)
    parser.add_argument(
        "--clip-mb",
        type=float,
        default=7.8,
        help="Mean clip size to project for (KonViD-150k: 1.2 TB / ~155k).",
    )
    parser.add_argument("--threads-per-machine", type=int, default=8)
    parser.add_argument(
        "--link-mb-s", type=float, default=117.0, help="Each machine's read bandwidth (1 GbE ~ 117 MB/s)."
    )
    args = parser.parse_args()

    import dask
    from distributed import LocalCluster

    WORK.mkdir(parents=True, exist_ok=True)
    root, metadata = make_drop(args.clips)
    clips = sorted((root / "KoNViD_1k_videos").glob("*.mp4"))
    mean_clip_mb = statistics.mean(p.stat().st_size for p in clips) / 1e6

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "clips": args.clips,
        "workers": args.workers,
        "mean_sample_clip_mb": round(mean_clip_mb, 4),
        "load_average_before": os.getloadavg(),
    }
    rates: dict[str, float] = {}
    marginal: dict[str, float] = {}
    small = args.clips // 4
    with (
        dask.config.set({"distributed.scheduler.worker-saturation": 1.0}),
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # /metrics on a free port
        ) as cluster,
    ):
        reference = None
        for executor in ("thread", "process", "dask"):
            part = min(
                ingest_once(root, metadata, executor, args.workers, cluster.scheduler_address, small)[0]
                for _ in range(args.repeat)
            )
            best = min(
                ingest_once(root, metadata, executor, args.workers, cluster.scheduler_address)[0]
                for _ in range(args.repeat)
            )
            rates[executor] = args.clips / best
            marginal[executor] = (args.clips - small) / (best - part)
            out = WORK / f"out-{executor}" / "shard.jsonl"
            if reference is None:
                reference = out.read_bytes()
            assert out.read_bytes() == reference, f"{executor} shard differs from the thread run's"
        wall_ms, client_cpu_ms = dask_round_trip_ms(cluster.scheduler_address, args.noop_tasks)
    results["clips_per_s"] = {k: round(v, 1) for k, v in rates.items()}
    results["ratio_to_thread"] = {k: round(v / rates["thread"], 3) for k, v in rates.items()}
    results["marginal_clips_per_s"] = {k: round(v, 1) for k, v in marginal.items()}
    results["marginal_ratio_to_thread"] = {k: round(v / marginal["thread"], 3) for k, v in marginal.items()}
    results["dask_noop_task_ms"] = {
        "wall": round(wall_ms, 3),
        "client_and_scheduler_cpu": round(client_cpu_ms, 3),
    }
    results["sha256_mb_s"] = round(hash_rate_mb_s(), 1)
    results["probe_ms_sample_clip"] = round(probe_ms(clips[:24]), 3)
    big = konvid_sized_clip()
    results["konvid_sized_clip_mb"] = round(big.stat().st_size / 1e6, 3)
    results["probe_ms_konvid_sized_clip"] = round(probe_ms([big]), 3)
    results["load_average_after"] = os.getloadavg()
    rows = projection(results, args.clip_mb, args.threads_per_machine, args.link_mb_s, [1, 2, 4, 8, 16, 32])
    results["projection"] = rows
    (WORK / "scale_out.json").write_text(json.dumps(results, indent=2) + "\n")

    print(
        f"| executor ({args.workers} workers) | clips/s end to end | ratio | clips/s per extra clip | ratio |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, rate in rates.items():
        extra = marginal[name]
        print(
            f"| {name} | {rate:.1f} | {rate / rates['thread']:.2f} | {extra:.1f} | {extra / marginal['thread']:.2f} |"
        )
    print()
    print(
        f"| machines ({args.threads_per_machine} threads, {args.link_mb_s:g} MB/s each; {args.clip_mb:g} MB clips) | clips/s | bound by |"
    )
    print("|---:|---:|---|")
    for row in rows:
        print(f"| {row['machines']} | {row['clips_per_s']} | {row['bound']} |")
    print()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
