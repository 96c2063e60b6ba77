"""A synthetic CHUG drop: ``chug.csv`` as published and 10-bit HDR HEVC clips.

``chug.csv`` has the published header, comma separation, no quoting, LF line
ends and rows sorted by ``mos_j`` ascending; every row carries a 32-digit hex
``Video`` id, one of the seven ladder rungs with its ``name``
(``<bitladder>#<content_name>``), ``resolution`` and ``bitrate`` labels (``ref``
for the reference rung), the orientation and the manifest height and width of
the published clip. The clips in ``videos/<Video>.mp4`` are tiny 10-bit HEVC
(``yuv420p10le``, BT.2020 / PQ signalling) in the orientation of their row.
Scores follow the picture: higher rungs get cleaner clips and higher ``mos_j``.
"""

from __future__ import annotations

import csv
import random
from fractions import Fraction
from pathlib import Path
from typing import Final

from vqa_chug.manifest import HEADER, METADATA_NAME
from vqa_core.plugin import ClipSpec, SampleDrop, write_clip

__all__ = ["RUNGS", "write_chug"]

#: The seven bitrate-ladder rungs: (bitladder, resolution label, bitrate label, height).
RUNGS: Final = (
    ("360p_0.2M_", "360p", "0.2M", 360),
    ("720p_0.5M_", "720p", "0.5M", 720),
    ("720p_2M_", "720p", "2M", 720),
    ("1080p_0.5M_", "1080p", "0.5M", 1080),
    ("1080p_1M_", "1080p", "1M", 1080),
    ("1080p_3M_", "1080p", "3M", 1080),
    ("1080p_ref_", "ref", "ref", 1080),
)
#: Frame rates as the manifest writes them, with the rate the clip is encoded at.
_RATES: Final = (
    ("30.0", Fraction(30)),
    ("29.97", Fraction(2997, 100)),
    ("29.97002997002997", Fraction(30000, 1001)),
    ("59.94", Fraction(5994, 100)),
)
_MONTHS: Final = ("Oct30", "Nov4", "Nov8", "Nov12", "Dec11", "Dec19", "Jan15")


def _content_name(rng: random.Random) -> str:
    start = rng.randrange(0, 60)
    return f"Files_{rng.choice(_MONTHS)}_IMG_{rng.randrange(1000, 9999)}_{start}_{start + 10}.mp4"


def write_chug(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    videos = directory / "videos"
    rows: list[list[str]] = []
    scores: list[float] = []
    content = _content_name(rng)
    content_quality = rng.uniform(0.3, 0.7)
    orientation = rng.choice(("Landscape", "Portrait"))
    rate_text, rate = rng.choice(_RATES)
    for i in range(clips):
        rung_index = i % len(RUNGS)
        if i and rung_index == 0:  # a new content after all seven rungs of the previous one
            content = _content_name(rng)
            content_quality = rng.uniform(0.3, 0.7)
            orientation = rng.choice(("Landscape", "Portrait"))
            rate_text, rate = rng.choice(_RATES)
        bitladder, resolution, bitrate, height = RUNGS[rung_index]
        quality = min(1.0, max(0.0, content_quality + (rung_index - 3) * 0.08 + rng.gauss(0.0, 0.03)))
        video_id = f"{rng.getrandbits(128):032x}"
        landscape = orientation == "Landscape"
        size = (256, 144) if landscape else (144, 256)
        spec = ClipSpec(
            width=size[0],
            height=size[1],
            fps=rate,
            frames=12,
            codec="libx265",
            pix_fmt="yuv420p10le",
            hdr=True,
            quality=quality,
        )
        write_clip(videos / f"{video_id}.mp4", spec, seed=seed * 1000 + i)
        mos_j = min(85.0, max(10.0, 15.0 + 70.0 * quality + rng.gauss(0.0, 2.0)))
        sos_j = rng.uniform(1.4, 4.6)
        long_side = height * 16 // 9
        manifest_h, manifest_w = (height, long_side) if landscape else (long_side, height)
        rows.append(
            [
                video_id,
                repr(mos_j),
                repr(sos_j),
                "1" if bitladder == "1080p_ref_" else "0",
                f"{bitladder}#{content}",
                bitladder,
                resolution,
                bitrate,
                orientation,
                rate_text,
                content,
                str(manifest_h),
                str(manifest_w),
            ]
        )
        scores.append(mos_j)
    order = sorted(range(len(rows)), key=lambda k: scores[k])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / METADATA_NAME
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(HEADER)
        writer.writerows(rows[k] for k in order)
    return SampleDrop(root=directory, metadata=(path,), clips=clips)
