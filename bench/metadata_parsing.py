"""How long the Waterloo IVC 4K, LIVE-VQC and CHUG parsers take on full-size metadata.

Writes synthetic metadata of the published size and shape (1,200-line
``scores.txt`` with 1,200 clip files in five encoder folders; a 585-entry
``data.mat``; a 5,992-row ``chug.csv``) into a temporary directory, then times
reading every row through each plugin's ``source_rows`` against a baseline in
the same process: a bare ``csv.reader`` pass over the same text file (for the
MAT-file: a bare ``scipy.io.loadmat``). Best of five runs each.

    .venv/bin/python bench/metadata_parsing.py
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.io import loadmat, savemat
from vqa_chug.manifest import HEADER
from vqa_chug.manifest import source_rows as chug_rows
from vqa_live_vqc.source import source_rows as live_rows
from vqa_waterloo_ivc.scores import source_rows as waterloo_rows

from vqa_core.sources import SourceSpec

ENCODERS = ("H264", "HEVC", "VP9", "AVS2", "AV1")


def best_of(fn: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def csv_pass(path: Path) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        for _ in csv.reader(fh):
            pass


def report(name: str, rows: int, measured: float, baseline: float, what: str) -> None:
    print(
        f"{name:<16} {rows:>6,} rows  {measured * 1000:8.1f} ms  "
        f"({measured / rows * 1e6:6.1f} µs/row, {measured / baseline:5.1f}× {what})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        waterloo = root / "waterloo"
        lines = []
        for video in range(1, 21):
            for encoder in ENCODERS:
                (waterloo / encoder).mkdir(parents=True, exist_ok=True)
                for resolution in ("540p", "1080p", "2160p"):
                    for level in range(1, 5):
                        (waterloo / encoder / f"{encoder}_{video}_{resolution}_{level}.yuv").touch()
                        lines.append(
                            f"{encoder},{video},{resolution},{level},{(video * 7 + level) % 100}.25\n"
                        )
        (waterloo / "scores.txt").write_text("".join(lines))
        spec = SourceSpec(root=waterloo, metadata=(), clips_dir=waterloo)
        report(
            "waterloo-ivc-4k",
            1200,
            best_of(lambda: list(waterloo_rows(spec).rows)),
            best_of(lambda: csv_pass(waterloo / "scores.txt")),
            "csv.reader",
        )

        names = np.empty((585, 1), dtype=object)
        for i in range(585):
            names[i, 0] = f"A{i + 1:03d}.mp4"
        mat = root / "data.mat"
        savemat(mat, {"video_list": names, "mos": np.linspace(6.2, 94.3, 585).reshape(-1, 1)})
        mat_spec = SourceSpec(root=root, metadata=(mat,), clips_dir=root / "Video")
        report(
            "live-vqc",
            585,
            best_of(lambda: list(live_rows(mat_spec).rows)),
            best_of(lambda: loadmat(str(mat))),
            "loadmat",
        )

        chug = root / "chug.csv"
        with open(chug, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(HEADER)
            for i in range(5992):
                content = f"Files_Nov8_IMG_{i}_38_48.mp4"
                writer.writerow(
                    [
                        f"{i:032x}",
                        repr(14.1 + (i % 66) + 0.049499805225982),
                        "2.819771537946058",
                        "0",
                        f"360p_0.2M_#{content}",
                        "360p_0.2M_",
                        "360p",
                        "0.2M",
                        "Landscape",
                        "29.97002997002997",
                        content,
                        "360",
                        "640",
                    ]
                )
        chug_spec = SourceSpec(root=root, metadata=(chug,), clips_dir=root / "videos")
        report(
            "chug",
            5992,
            best_of(lambda: list(chug_rows(chug_spec).rows)),
            best_of(lambda: csv_pass(chug)),
            "csv.reader",
        )


if __name__ == "__main__":
    main()
