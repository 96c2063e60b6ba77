"""Synthetic KoNViD-1k and KonVid-150k drops in the published layouts.

Scores follow the picture: each clip gets a quality in [0, 1] that drives its
noise, blockiness and encoder CRF, and its MOS is ``1 + 4·quality`` plus a
little rater noise, so features computed from the clips can predict it.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from vqa_core.plugin import ClipSpec, SampleDrop, write_clip
from vqa_konvid.konvid_1k import METADATA_NAMES
from vqa_konvid.konvid_150k import PART_FILES

__all__ = ["write_konvid_1k", "write_konvid_150k"]

_GEOMETRIES = ((320, 180), (480, 270), (240, 136))


def _mos(rng: random.Random, quality: float) -> float:
    return round(min(4.7, max(1.2, 1.0 + 4.0 * quality + rng.gauss(0.0, 0.12))), 4)


def write_konvid_1k(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    videos = directory / "KoNViD_1k_videos"
    meta_dir = directory / "KoNViD_1k_metadata"
    meta_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(clips):
        flickr_id = str(rng.randrange(3_000_000_000, 13_000_000_000))
        quality = rng.random()
        width, height = _GEOMETRIES[i % len(_GEOMETRIES)]
        spec = ClipSpec(width=width, height=height, fps=rng.choice((24, 25, 30)), frames=20, quality=quality)
        write_clip(videos / f"{flickr_id}.mp4", spec, seed=seed * 1000 + i)
        kind = rng.choice(("original", "cut"))
        rows.append(
            {
                "flickr_id": flickr_id,
                "download_id": str(i + 1),
                "file_name": f"{flickr_id}_{kind}_centercrop_960x540_8s.mp4",
                "MOS": f"{_mos(rng, quality)}",
                "ti": f"{rng.uniform(5, 40):.4f}",
                "si": f"{rng.uniform(20, 90):.4f}",
                "colorfulness": f"{rng.uniform(0, 0.2):.6f}",
                "contrast": f"{rng.uniform(0.1, 0.4):.6f}",
                "blur": f"{rng.uniform(0.2, 0.6):.6f}",
                "vniqe": f"{rng.uniform(3, 12):.6f}",
            }
        )
    # The published attributes file is sorted by MOS, ascending.
    rows.sort(key=lambda r: float(r["MOS"]))
    attributes = meta_dir / METADATA_NAMES[0]
    with open(attributes, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # The MOS-only file quotes every value and is sorted descending.
    with open(meta_dir / METADATA_NAMES[1], "w", newline="", encoding="utf-8") as fh:
        quoted = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        quoted.writerow(["flickr_id", "mos"])
        for row in sorted(rows, key=lambda r: -float(r["MOS"])):
            quoted.writerow([row["flickr_id"], f"{float(row['MOS']):.10f}"])
    return SampleDrop(root=directory, metadata=(attributes,), clips=clips)


def write_konvid_150k(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    parts = {"a": [], "b": []}  # type: dict[str, list[list[str]]]
    for i in range(clips):
        part = "a" if i % 3 != 2 else "b"
        video_id = rng.randrange(3_000_000_000, 53_000_000_000)
        name = f"orig_{video_id}_540_5s.mp4"
        quality = rng.random()
        width, height = _GEOMETRIES[i % len(_GEOMETRIES)]
        spec = ClipSpec(width=width, height=height, fps=rng.choice((25, 30)), frames=15, quality=quality)
        write_clip(directory / f"k150k{part}_extracted" / name, spec, seed=seed * 1000 + i)
        score = _mos(rng, quality)
        if part == "a":
            parts["a"].append([name, f"{score}"])
        else:
            vote_mean = round(min(4.7, max(1.2, score + rng.gauss(0.0, 0.1))), 4)
            parts["b"].append([name, f"{vote_mean}", f"{score}"])
    written = []
    headers = {"a": ["video_name", "video_score"], "b": ["video_name", "mos", "video_score"]}
    for part, rows in parts.items():
        if not rows:
            continue
        path = directory / PART_FILES[part]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(headers[part])
            writer.writerows(rows)
        written.append(path)
    return SampleDrop(root=directory, metadata=tuple(written), clips=clips)
