"""A synthetic LIVE-VQC drop: the published ``data.mat`` and ``Video/A001.mp4`` … clips.

``data.mat`` is written with :func:`scipy.io.savemat` in the published shape:
``video_list`` an n×1 cell array of names, ``mos`` an n×1 double array on
0–100. The MAT header normally carries the time of writing; the sample writes
a fixed header text instead, so the same seed gives the same bytes. Clips are
small H.264 MP4s, landscape and portrait like the phone videos of the corpus,
and MOS is ``100·quality`` plus a little rater noise.
"""

from __future__ import annotations

import io
import random
from fractions import Fraction
from pathlib import Path
from typing import Final

from vqa_core.plugin import ClipSpec, SampleDrop, write_clip

__all__ = ["MAT_HEADER", "mat_bytes", "write_live_vqc"]

#: The 116-byte descriptive text at the start of the sample's MAT-file.
MAT_HEADER: Final = b"MATLAB 5.0 MAT-file, written by vqa sample live-vqc"
_GEOMETRIES: Final = ((320, 180), (144, 256), (256, 144))
_RATES: Final = (Fraction(30), Fraction(30000, 1001), Fraction(25))


def _mos(rng: random.Random, quality: float) -> float:
    return min(94.0, max(6.0, 100.0 * quality + rng.gauss(0.0, 3.0)))


def mat_bytes(variables: dict[str, object]) -> bytes:
    """A MAT 5 file of ``variables`` with a fixed header text (reproducible bytes)."""
    from scipy.io import savemat

    buffer = io.BytesIO()
    savemat(buffer, variables)
    data = bytearray(buffer.getvalue())
    data[:116] = MAT_HEADER.ljust(116, b" ")
    return bytes(data)


def write_live_vqc(directory: Path, clips: int, seed: int, bad_rows: int = 0) -> SampleDrop:
    """``clips`` good entries, then ``bad_rows`` entries with a non-finite score (no clip)."""
    import numpy as np

    rng = random.Random(seed)
    videos = directory / "Video"
    names = np.empty((clips + bad_rows, 1), dtype=object)
    scores = np.empty((clips + bad_rows, 1), dtype=np.float64)
    for i in range(clips):
        name = f"A{i + 1:03d}.mp4"
        quality = rng.random()
        width, height = _GEOMETRIES[i % len(_GEOMETRIES)]
        spec = ClipSpec(width=width, height=height, fps=rng.choice(_RATES), frames=15, quality=quality)
        write_clip(videos / name, spec, seed=seed * 1000 + i)
        names[i, 0] = name
        scores[i, 0] = _mos(rng, quality)
    for k in range(bad_rows):
        names[clips + k, 0] = f"A{clips + k + 1:03d}.mp4"
        scores[clips + k, 0] = np.nan
    data = directory / "data.mat"
    data.write_bytes(mat_bytes({"video_list": names, "mos": scores}))
    return SampleDrop(root=directory, metadata=(data,), clips=clips, bad_rows=bad_rows)
