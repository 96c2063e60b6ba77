"""Benchmark of ``vqa aggregate``: 200,000 rows from 5 generated shards.

Generates five JSONL corpus shards (one corpus each, on their own native
scales: konvid-1k 1–5, live-vqc 0–100, youtube-ugc 1–5, lsvq 0–100, chug 1–5;
10 % of the rows repeat a clip of another corpus; about 1 % are out of range;
one extension column per shard), then times, in this one process:

* ``vqa_core.aggregate.aggregate`` (pyarrow + numpy, orjson writer), and
* a pure-Python baseline with the standard ``json`` module doing the same job
  (same conversions, range check, dedup rule, sort and wire format),

and checks that both write the same bytes. Peak RSS of each engine is measured
in a fresh interpreter that runs it once (its ``VmHWM``), next to one that only
imports for reference. Not run by the test suite.

    .venv/bin/python bench/aggregate_bench.py [--rows 200000] [--reps 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import vqa_chug
import vqa_konvid
import vqa_live_vqc
import vqa_lsvq
import vqa_youtube_ugc

from vqa_core.aggregate import aggregate
from vqa_core.registry import Registry
from vqa_core.scales import RANGE_SLACK

WORK = Path(__file__).resolve().parent / ".work" / "aggregate"
STAMP = "2026-03-01T12:00:00+00:00"
CORPORA = ("konvid-1k", "live-vqc", "youtube-ugc", "lsvq", "chug")
PLUGINS = [
    ("vqa-konvid", vqa_konvid),
    ("vqa-live-vqc", vqa_live_vqc),
    ("vqa-youtube-ugc", vqa_youtube_ugc),
    ("vqa-lsvq", vqa_lsvq),
    ("vqa-chug", vqa_chug),
]


def generate(registry: Registry, rows: int, seed: int = 42) -> list[Path]:
    """Five shards of ``rows // 5`` rows each; the same seed writes the same bytes."""
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    per = rows // len(CORPORA)
    uniques = [[hashlib.sha256(f"{c}/{i}".encode()).hexdigest() for i in range(per)] for c in CORPORA]
    paths = []
    for k, corpus in enumerate(CORPORA):
        scale = registry.corpus(corpus).declaration.scale
        path = WORK / f"{corpus}.jsonl"
        lines = []
        for i in range(per):
            sha = uniques[k][i]
            if rng.random() < 0.10:  # the same clip in another corpus
                sha = uniques[(k + 1 + rng.randrange(len(CORPORA) - 1)) % len(CORPORA)][rng.randrange(per)]
            mos = rng.uniform(scale.lo, scale.hi)
            if rng.random() < 0.01:
                mos = scale.hi + rng.uniform(0.1, 1.0)
            std = 0.0 if rng.random() < 0.2 else rng.uniform(0.01, 0.15) * (scale.hi - scale.lo)
            row = {
                "src": f"batch{rng.randrange(20)}/{corpus}-{i}.mp4",
                "src_sha256": sha,
                "src_size_bytes": rng.randrange(10**5, 10**8),
                "width": rng.choice((640, 960, 1280, 1920, 3840)),
                "height": rng.choice((360, 540, 720, 1080, 2160)),
                "framerate": rng.choice((23.976023976023978, 25.0, 29.97002997002997, 30.0, 60.0)),
                "duration_s": round(rng.uniform(5, 20), 3),
                "pix_fmt": rng.choice(("yuv420p", "yuv420p10le")),
                "encoder_upstream": rng.choice(("h264", "hevc", "vp9", "av1")),
                "mos": round(mos, 4),
                "mos_std_dev": round(std, 4),
                "n_ratings": rng.randrange(0, 200),
                "corpus": corpus,
                "corpus_version": registry.corpus(corpus).declaration.version,
                "ingested_at_utc": "2026-02-01T00:00:00+00:00",
                f"{corpus.split('-')[0]}_extra": rng.randrange(1000),
            }
            lines.append(json.dumps(row, sort_keys=True, separators=(",", ":")) + "\n")
        path.write_text("".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def baseline(registry: Registry, shards: list[Path], output: Path) -> None:
    """The same job in pure Python with the standard json module, one dict per row."""
    table: dict[str, Any] = {}
    for corpus in CORPORA:
        conversion = registry.scale_conversion(corpus)
        assert conversion is not None
        scale = conversion.native
        table[corpus] = (conversion, scale.lo - RANGE_SLACK, scale.hi + RANGE_SLACK, scale.name)
    order = sorted(shards, key=lambda p: str(p.resolve()))
    rows = []
    for index, path in enumerate(order):
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh):
                if not line.strip():
                    continue
                r = json.loads(line)
                conversion, lo, hi, name = table[r["corpus"]]
                mos = r["mos"]
                if not (math.isfinite(mos) and lo <= mos <= hi):
                    continue
                std = r["mos_std_dev"] or 0.0
                rows.append(
                    {
                        "src": r["src"],
                        "src_sha256": r["src_sha256"],
                        "src_size_bytes": r["src_size_bytes"],
                        "width": r["width"],
                        "height": r["height"],
                        "framerate": r["framerate"],
                        "duration_s": r["duration_s"],
                        "pix_fmt": r["pix_fmt"],
                        "encoder_upstream": r["encoder_upstream"],
                        "mos": conversion.slope * mos + conversion.intercept,
                        "mos_native": mos,
                        "mos_native_scale": name,
                        "mos_std_dev": abs(conversion.slope) * std,
                        "n_ratings": r["n_ratings"] or 0,
                        "corpus": r["corpus"],
                        "corpus_source": r["corpus"],
                        "corpus_version": r["corpus_version"],
                        "ingested_at_utc": r["ingested_at_utc"],
                        "aggregated_at_utc": STAMP,
                        "_key": (index, number),
                    }
                )

    def rank(r: dict[str, Any]) -> tuple[Any, ...]:
        spread = r["mos_std_dev"] or math.inf
        return (
            spread,
            r["corpus_source"],
            r["src"],
            r["mos_native"],
            r["corpus"],
            r["corpus_version"],
            r["ingested_at_utc"],
            r["width"],
            r["height"],
            r["framerate"],
            r["duration_s"],
            r["pix_fmt"],
            r["encoder_upstream"],
            r["src_size_bytes"],
            r["n_ratings"],
            r["_key"],
        )

    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        current = best.get(r["src_sha256"])
        if current is None or rank(r) < rank(current):
            best[r["src_sha256"]] = r
    kept = sorted(best.values(), key=lambda r: (r["corpus_source"], r["src_sha256"]))
    with open(output, "w", encoding="utf-8") as fh:
        for r in kept:
            del r["_key"]
            fh.write(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")


def ours(registry: Registry, shards: list[Path], output: Path) -> None:
    aggregate(registry, shards, output, timestamp=STAMP)


def peak_rss_mb(engine: str) -> float:
    """Peak RSS, in MiB, of a fresh interpreter that runs one engine once on the shards
    (``none``: imports and plugin registry only). Read from the child's own
    ``VmHWM``: ``ru_maxrss`` of a child starts from the parent's peak on Linux."""
    done = subprocess.run(
        [sys.executable, __file__, "--engine", engine], check=True, capture_output=True, text=True
    )
    return int(done.stdout.split()[-1]) / 1024


def _vm_hwm_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")


def run_engine(engine: str) -> None:
    registry = Registry.from_plugins(PLUGINS)
    shards = [WORK / f"{corpus}.jsonl" for corpus in CORPORA]
    if engine == "ours":
        ours(registry, shards, WORK / "rss-unified.jsonl")
    elif engine == "baseline":
        baseline(registry, shards, WORK / "rss-baseline.jsonl")
    print(_vm_hwm_kib())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--engine", choices=("ours", "baseline", "none"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        run_engine(args.engine)
        return
    registry = Registry.from_plugins(PLUGINS)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    shards = generate(registry, args.rows)
    size = sum(p.stat().st_size for p in shards)
    took = time.perf_counter() - t0
    print(f"generated {args.rows:,} rows in {len(shards)} shards, {size / 1e6:.1f} MB, {took:.1f} s")
    out_ours, out_base = WORK / "unified.jsonl", WORK / "baseline.jsonl"
    times: dict[str, list[float]] = {"vqa aggregate": [], "pure Python json": []}
    cpu: dict[str, list[float]] = {"vqa aggregate": [], "pure Python json": []}
    for _ in range(args.reps):  # interleaved, so load on the machine hits both alike
        for name, job, out in (("vqa aggregate", ours, out_ours), ("pure Python json", baseline, out_base)):
            start, start_cpu = time.perf_counter(), time.process_time()
            job(registry, shards, out)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    same = out_ours.read_bytes() == out_base.read_bytes()
    rows_out = out_ours.read_bytes().count(b"\n")
    start = time.perf_counter()
    aggregate(registry, shards, WORK / "unified.parquet", timestamp=STAMP)
    parquet_s = time.perf_counter() - start
    idle = peak_rss_mb("none")
    rss = {"vqa aggregate": peak_rss_mb("ours"), "pure Python json": peak_rss_mb("baseline")}
    print(f"rows out {rows_out:,}; outputs identical: {same}; python {sys.version.split()[0]}")
    print(f"load average before: {load:.2f}, after: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(
        f"{'engine':<18} {'wall min s':>10} {'wall median s':>14} {'CPU median s':>13} {'peak RSS MiB':>13}"
    )
    for name, values in times.items():
        print(
            f"{name:<18} {min(values):>10.2f} {statistics.median(values):>14.2f} "
            f"{statistics.median(cpu[name]):>13.2f} {rss[name]:>13.0f}"
        )
    ratio = statistics.median(times["pure Python json"]) / statistics.median(times["vqa aggregate"])
    print(f"interpreter + imports alone: {idle:.0f} MiB; Parquet output: {parquet_s:.2f} s")
    best = min(times["pure Python json"]) / min(times["vqa aggregate"])
    print(f"speed-up over the pure-Python json baseline: {ratio:.1f}x (medians), {best:.1f}x (minima)")
    if not same:
        raise SystemExit("the two engines disagree")


if __name__ == "__main__":
    main()
