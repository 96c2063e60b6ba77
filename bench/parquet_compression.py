"""Parquet compression for the tables vqa writes: snappy against zstd.

Builds, in memory, two tables of 150,000 rows (``--rows``): the unified table
(the 21 columns of ``vqa_core.schema.UnifiedRow``, values drawn as a real
aggregate of five corpora draws them: distinct paths and SHA-256s, a few
resolutions, frame rates and codecs, MOS with four decimals) and a feature
table of the same length (a key column and the 33 float columns of
``vqa-nr-v1``-like features plus ``mos``). Each is written to a file
``--reps`` times with each codec, alternating, and read back once; the script
prints file size, the median and minimum write time and the median read time.
Not run by the test suite.

    .venv/bin/python bench/parquet_compression.py [--rows 150000] [--reps 7]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import statistics
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vqa_core.schema import unified_arrow_schema

WORK = Path(__file__).resolve().parent / ".work" / "parquet"
CODECS = ("snappy", "zstd")
CORPORA = ("konvid-1k", "live-vqc", "youtube-ugc", "lsvq", "chug")


def unified_table(rows: int, seed: int = 7) -> pa.Table:
    """``rows`` rows of the unified schema, as an aggregate of five corpora looks."""
    rng = random.Random(seed)
    columns: dict[str, list[object]] = {name: [] for name in unified_arrow_schema().names}
    for i in range(rows):
        corpus = CORPORA[i % len(CORPORA)]
        native = rng.uniform(1, 5)
        values = {
            "src": f"{corpus}/batch{rng.randrange(40)}/clip-{i:06d}.mp4",
            "src_sha256": hashlib.sha256(f"{corpus}/{i}".encode()).hexdigest(),
            "src_size_bytes": rng.randrange(10**5, 10**8),
            "width": rng.choice((640, 960, 1280, 1920, 3840)),
            "height": rng.choice((360, 540, 720, 1080, 2160)),
            "framerate": rng.choice((23.976023976023978, 25.0, 29.97002997002997, 30.0, 60.0)),
            "duration_s": round(rng.uniform(5, 20), 3),
            "pix_fmt": rng.choice(("yuv420p", "yuv420p10le")),
            "encoder_upstream": rng.choice(("h264", "hevc", "vp9", "av1")),
            "mos": round((native - 1) * 25, 4),
            "mos_native": round(native, 4),
            "mos_native_scale": "1-5",
            "mos_std_dev": round(rng.uniform(0.5, 20), 4),
            "n_ratings": rng.randrange(0, 200),
            "corpus": corpus,
            "corpus_source": corpus,
            "corpus_version": f"{corpus}-2017",
            "ingested_at_utc": "2026-02-01T00:00:00+00:00",
            "aggregated_at_utc": "2026-03-01T12:00:00+00:00",
            "content_group": f"{corpus}/clip-{i // 3:06d}",
            "split": rng.choice(("train", "val", "test", None)),
        }
        for name, value in values.items():
            columns[name].append(value)
    return pa.table(columns, schema=unified_arrow_schema())


def feature_table(rows: int, seed: int = 11) -> pa.Table:
    """``rows`` rows of a feature table: a key and 34 float columns of measured values."""
    rng = random.Random(seed)
    data: dict[str, list[object]] = {"src": [f"clip-{i:06d}.mp4" for i in range(rows)]}
    for k in range(33):
        data[f"feature_{k:02d}"] = [rng.gauss(0.5, 0.2) for _ in range(rows)]
    data["mos"] = [round(rng.uniform(1, 5), 4) for _ in range(rows)]
    return pa.table(data)


def measure(name: str, table: pa.Table, reps: int) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {c: [] for c in CODECS}
    for _ in range(reps):
        for codec in CODECS:
            path = WORK / f"{name}.{codec}.parquet"
            started = time.perf_counter()
            with open(path, "wb") as fh:
                pq.write_table(table, fh, compression=codec)
            times[codec].append(time.perf_counter() - started)
    print(
        f"\n{name}: {table.num_rows:,} rows, {table.num_columns} columns, {table.nbytes / 2**20:.1f} MiB in Arrow"
    )
    print("| codec | file MiB | write median s | write min s | read median s |")
    print("|---|---:|---:|---:|---:|")
    for codec in CODECS:
        path = WORK / f"{name}.{codec}.parquet"
        data = path.read_bytes()
        reads = []
        for _ in range(reps):
            started = time.perf_counter()
            back = pq.read_table(io.BytesIO(data))
            reads.append(time.perf_counter() - started)
        assert back.equals(table)
        print(
            f"| {codec} | {len(data) / 2**20:.2f} | {statistics.median(times[codec]):.3f} | "
            f"{min(times[codec]):.3f} | {statistics.median(reads):.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    measure("unified", unified_table(args.rows), args.reps)
    measure("features", feature_table(args.rows), args.reps)


if __name__ == "__main__":
    main()
