"""Benchmark of the evaluation metrics (``vqa_core.evaluation.metrics``).

Random data with ties (observed MOS uniform on 1–5 rounded to 0.01, predictions
= observed + N(0, 0.6) rounded to 0.01; fixed seed). Each measurement runs in a
fresh interpreter that reads its own peak RSS (``VmHWM`` in /proc/self/status):

* point metrics (PLCC, SROCC, KROCC, RMSE, PLCC after the logistic fit) at
  10k, 150k and 1M rows — targets at 1M: ≤ 5 s, ≤ 500 MiB;
* ``evaluate`` with the default 1,000 resamples at 10k and 150k rows, with the
  per-resample cost of KROCC against the four weighted metrics, and of
  materialising the resample and recomputing all five;
* interpreter + imports alone, for reference (scipy's import, ~0.5 s, is
  timed apart from the metrics in every child).

In this process: the former O(n²) blocked KROCC at 10k rows against the
current one. Not run by the test suite.

    .venv/bin/python bench/metrics_bench.py
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from vqa_core.evaluation import metrics

SEED = 20260508
POINT_SIZES = (10_000, 150_000, 1_000_000)
BOOTSTRAP_SIZES = (10_000, 150_000)
POINT = ("plcc", "srocc", "krocc", "rmse", "plcc_logistic")
Vector = npt.NDArray[np.float64]


def data(n: int) -> tuple[Vector, Vector]:
    rng = np.random.default_rng(SEED)
    observed = np.round(rng.uniform(1.0, 5.0, n), 2)
    predicted = np.round(observed + rng.normal(0.0, 0.6, n), 2)
    return predicted, observed


def vm_hwm_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status")


def old_krocc(predicted: Vector, observed: Vector) -> float | None:
    """The former training KROCC: every pair, in blocks of 2,048 rows (O(n²) time)."""
    n = predicted.size
    score = ties_x = ties_y = 0
    block = 2048
    for start in range(0, n, block):
        sx = np.sign(predicted[start : start + block, None] - predicted[None, :])
        sy = np.sign(observed[start : start + block, None] - observed[None, :])
        score += int((sx * sy).sum())
        ties_x += int((sx == 0).sum())
        ties_y += int((sy == 0).sum())
    n0 = n * (n - 1) / 2
    denominator = math.sqrt((n0 - (ties_x - n) / 2) * (n0 - (ties_y - n) / 2))
    return None if denominator == 0.0 else (score / 2) / denominator


def import_scipy() -> float:
    """Seconds to import the scipy modules the metrics use: paid once per process, reported apart."""
    start = time.perf_counter()
    import scipy.optimize
    import scipy.special
    import scipy.stats  # noqa: F401

    return time.perf_counter() - start


def child_point(n: int) -> dict[str, Any]:
    p, o = data(n)
    times = {}
    for name in POINT:
        start = time.perf_counter()
        getattr(metrics, name)(p, o)
        times[name] = time.perf_counter() - start
    return {"times": times, "total": sum(times.values())}


def child_bootstrap(n: int) -> dict[str, Any]:
    p, o = data(n)
    start = time.perf_counter()
    out = metrics.evaluate(p, o)
    total = time.perf_counter() - start
    # per-resample split, on a few resamples drawn the way evaluate draws them
    fit = metrics.fit_logistic(p, o)
    frame = metrics._WeightedMetrics(p, o, fit.apply(p))
    rng = np.random.default_rng(1)
    draws = [np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(10)]
    split = {}
    for label, which in (
        ("krocc", ("krocc",)),
        ("weighted four", ("srocc", "plcc", "plcc_logistic", "rmse")),
    ):
        start = time.perf_counter()
        for weights in draws:
            frame.metrics(weights, which)
        split[label] = (time.perf_counter() - start) / len(draws)
    start = time.perf_counter()
    for weights in draws[:3]:
        rows = np.repeat(np.arange(n), weights)
        rp, ro = p[rows], o[rows]
        metrics.srocc(rp, ro), metrics.krocc(rp, ro), metrics.plcc(rp, ro)
        metrics.plcc(fit.apply(rp), ro), metrics.rmse(rp, ro)
    split["materialised five"] = (time.perf_counter() - start) / 3
    return {"total": total, "resamples": out["ci"]["resamples"], "per_resample": split}


def run_child(mode: str, n: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(n)], check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, n = args.child[0], int(args.child[1])
        imported = import_scipy()
        result = child_point(n) if mode == "point" else child_bootstrap(n) if mode == "bootstrap" else {}
        print(json.dumps({**result, "import_s": imported, "peak_mib": vm_hwm_mib()}))
        return

    base = run_child("imports", 0)
    print(
        f"interpreter + numpy + scipy (imported in {base['import_s']:.2f} s) + vqa_core.evaluation.metrics: "
        f"peak {base['peak_mib']:.0f} MiB\n"
    )

    print("| rows | PLCC s | SROCC s | KROCC s | RMSE s | PLCC logistic s | total s | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in POINT_SIZES:
        r = run_child("point", n)
        t = r["times"]
        cells = " | ".join(f"{t[name]:.3f}" for name in POINT)
        print(f"| {n:,} | {cells} | {r['total']:.2f} | {r['peak_mib']:.0f} |")

    print(
        "\n| rows | resamples | evaluate s | per resample: KROCC ms | four weighted ms | materialised five ms | peak RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in BOOTSTRAP_SIZES:
        r = run_child("bootstrap", n)
        s = r["per_resample"]
        print(
            f"| {n:,} | {r['resamples']} | {r['total']:.1f} | {s['krocc'] * 1e3:.1f} | "
            f"{s['weighted four'] * 1e3:.1f} | {s['materialised five'] * 1e3:.1f} | {r['peak_mib']:.0f} |"
        )

    import_scipy()
    p, o = data(10_000)
    start = time.perf_counter()
    old = old_krocc(p, o)
    old_s = time.perf_counter() - start
    start = time.perf_counter()
    new = metrics.krocc(p, o)
    new_s = time.perf_counter() - start
    assert old is not None and new is not None and abs(old - new) < 1e-9, (old, new)
    print(
        f"\nKROCC at 10,000 rows: former O(n²) {old_s:.3f} s, now {new_s * 1e3:.1f} ms "
        f"({old_s / new_s:.0f}× faster; same value to 1e-9)"
    )


if __name__ == "__main__":
    main()
