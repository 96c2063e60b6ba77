"""Throughput of ``vqa features extract`` against decoding alone, in the same process.

    .venv/bin/python bench/features_bench.py [clips] [frames]

Writes ``clips`` synthetic 480x270 clips (``frames`` frames each) under
bench/.work/, then times, on the same clips: a decode-only pass (PyAV, every
frame, no features) as the baseline, and feature extraction with 1 and 2 thread
workers, 2 process workers, and 1 thread worker at 5 fps sampling. Prints
seconds, clips/s and the ratio to the baseline.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import av
import orjson

from vqa_core.features import FeatureConfig, extract_features
from vqa_core.fsutil import sha256_file
from vqa_core.samples import ClipSpec, write_clip

WORK = Path(__file__).parent / ".work" / "features"


def main() -> None:
    clips = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    shutil.rmtree(WORK, ignore_errors=True)
    root = WORK / "root"
    rows = []
    for i in range(clips):
        path = write_clip(
            root / f"c{i:03d}.mp4", ClipSpec(width=480, height=270, frames=frames, quality=i / clips), seed=i
        )
        rows.append({"src": path.name, "src_sha256": sha256_file(path), "corpus": "bench"})
    shard = WORK / "shard.jsonl"
    shard.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))

    started = time.perf_counter()
    for row in rows:
        with av.open(str(root / row["src"])) as container:
            for _ in container.decode(video=0):
                pass
    baseline = time.perf_counter() - started
    print(f"decode only (1 thread): {baseline:.2f} s, {clips / baseline:.1f} clips/s, ratio 1.00")
    for label, kwargs in (
        ("features, 1 thread", {"workers": 1}),
        ("features, 2 threads", {"workers": 2}),
        ("features, 2 processes", {"workers": 2, "executor": "process"}),
        ("features, 1 thread, --sample-fps 5", {"workers": 1, "sample_fps": 5.0}),
    ):
        out = WORK / f"out-{len(label)}.jsonl"
        started = time.perf_counter()
        extract_features(FeatureConfig(shard=shard, root=root, output=out, restart=True, **kwargs))  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        print(f"{label}: {elapsed:.2f} s, {clips / elapsed:.1f} clips/s, ratio {elapsed / baseline:.2f}")


if __name__ == "__main__":
    main()
