"""Training at KonViD-150k's size: `vqa train mos-head` on 150,000 rows × 26 features, 5 folds.

Writes a generated vqa-nr-v1 table (26 features; MOS a noisy function of a few of
them; one content per clip, as KonViD-150k has), then runs the real command in a
child process with its default settings (100 epochs, batch 256, 5 grouped folds)
and reports its wall time and peak memory (the child's own VmHWM, read by a small
wrapper, not ru_maxrss, which a parent shares with every child it waited for).

Targets on a 2-core machine: ≤ 10 min wall, ≤ 2 GiB peak RSS.

    .venv/bin/python bench/train_bench.py [--rows 150000] [--epochs 100]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRAPPER = """
import sys
sys.argv = ["vqa", *sys.argv[1:]]
try:
    from vqa_core.cli import main
    main(prog_name="vqa")
finally:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("PEAK_KIB", int(line.split()[1]), file=sys.stderr)
"""


def write_table(path: Path, rows: int, seed: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vqa_core.train.schemas import feature_names

    names = feature_names("vqa-nr-v1")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, len(names)))
    score = 0.8 * x[:, 0] - 0.5 * x[:, 6] + 0.3 * x[:, 10] + rng.normal(0.0, 0.5, rows)
    mos = 3.0 + 1.6 * np.tanh(score / 2.0)
    columns = {name: pa.array(x[:, j]) for j, name in enumerate(names)}
    columns["mos"] = pa.array(np.round(mos, 3))
    columns["corpus"] = pa.array(["konvid-150k"] * rows)
    columns["content_group"] = pa.array([f"konvid-150k/{i}.mp4" for i in range(rows)])
    pq.write_table(pa.table(columns), path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--epochs", type=int, default=None, help="default: the command's own default")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vqa-train-bench-") as tmp:
        table = Path(tmp) / "table.parquet"
        write_table(table, args.rows, args.seed)
        command = [
            sys.executable,
            "-c",
            WRAPPER,
            "train",
            "mos-head",
            "--table",
            str(table),
            "--feature-schema",
            "vqa-nr-v1",
            "--out",
            str(Path(tmp) / "model"),
            "--timestamp",
            "2026-01-01T00:00:00Z",
        ]
        if args.epochs is not None:
            command += ["--epochs", str(args.epochs)]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if done.returncode not in (0,):
            sys.exit(f"vqa train mos-head failed ({done.returncode}):\n{done.stderr}")
        peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KIB"))
        sidecar = json.loads((Path(tmp) / "model" / "mos_head.manifest.json").read_text())
    pooled = sidecar["metrics"]["pooled"]
    result = {
        "rows": args.rows,
        "features": 26,
        "folds": sidecar["training"]["folds"],
        "epochs": sidecar["training"]["epochs"],
        "wall_s": round(wall, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "pooled_plcc": round(pooled["plcc"], 4),
        "pooled_krocc": round(pooled["krocc"], 4),
        "target_wall_s": 600,
        "target_peak_rss_mib": 2048,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
