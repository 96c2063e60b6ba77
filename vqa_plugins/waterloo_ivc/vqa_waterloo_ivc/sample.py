"""A synthetic Waterloo IVC 4K drop: a headerless ``scores.txt`` and raw ``.yuv`` clips.

The file is written exactly as published (no header, comma-separated, one
``encoder,video_number,resolution,distortion_level,mos`` line per clip, the
first line starting with ``H264``); the clips are headerless ``yuv420p`` at 30
frames/s, the geometry the plugin assumes for raw clips. Real resolution tokens
would mean 4K frames, so the sample uses the ``<N>p`` rule of
:mod:`vqa_waterloo_ivc.geometry` with tiny 16:9 heights (``90p`` → 160 × 90,
``144p`` → 256 × 144, ``180p`` → 320 × 180); the writer checks that every clip
has exactly the size its token maps to. Scores follow the picture: MOS is
``100·quality`` plus a little rater noise.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path
from typing import Final

from vqa_core.plugin import ClipSpec, SampleDrop, write_raw_clip
from vqa_waterloo_ivc.clips import RAW_SUFFIX, clip_stem
from vqa_waterloo_ivc.geometry import DEFAULT_FRAMERATE, DEFAULT_PIX_FMT, size_for_token
from vqa_waterloo_ivc.scores import METADATA_NAME

__all__ = ["ENCODERS", "SAMPLE_RESOLUTIONS", "write_waterloo_ivc_4k"]

#: The five encoders of the database, in the order the sample lists them.
ENCODERS: Final = ("H264", "HEVC", "VP9", "AVS2", "AV1")
#: Tiny stand-ins for 540p / 1080p / 2160p, mapped to sizes by the ``<N>p`` rule.
SAMPLE_RESOLUTIONS: Final = ("90p", "144p", "180p")
_FRAMES: Final = 10


def _mos(rng: random.Random, quality: float) -> float:
    return round(min(96.0, max(4.0, 100.0 * quality + rng.gauss(0.0, 3.0))), 4)


def write_waterloo_ivc_4k(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(clips):
        # Every (encoder, resolution, level) combination of one source before the next source.
        encoder = ENCODERS[i % len(ENCODERS)]
        resolution = SAMPLE_RESOLUTIONS[(i // len(ENCODERS)) % len(SAMPLE_RESOLUTIONS)]
        level = 1 + (i // (len(ENCODERS) * len(SAMPLE_RESOLUTIONS))) % 4
        video = 1 + i // (len(ENCODERS) * len(SAMPLE_RESOLUTIONS) * 4)
        size = size_for_token(resolution)
        assert size is not None, resolution
        quality = rng.random()
        spec = ClipSpec(
            width=size[0],
            height=size[1],
            fps=Fraction(DEFAULT_FRAMERATE),
            frames=_FRAMES,
            pix_fmt=DEFAULT_PIX_FMT,
            quality=quality,
        )
        stem = clip_stem(encoder, str(video), resolution, str(level))
        write_raw_clip(directory / (stem + RAW_SUFFIX), spec, seed=seed * 1000 + i)
        lines.append(f"{encoder},{video},{resolution},{level},{_mos(rng, quality)}\n")
    scores = directory / METADATA_NAME
    with open(scores, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
    return SampleDrop(root=directory, metadata=(scores,), clips=clips)
