"""A synthetic BVI-DVC metric cache: a few libvmaf-style JSON logs, no clips.

The files follow libvmaf's JSON log layout (``version``, ``fps``, ``frames`` with
per-frame ``metrics``, ``pooled_metrics`` with ``min``/``max``/``mean``/
``harmonic_mean`` plus ``stddev`` as the cached logs carry it,
``aggregate_metrics``), with modern ``integer_*`` feature names. Sequence
names follow the corpus's pattern but name no real sequence; every value is
drawn from a seeded generator, so the same seed writes the same bytes.
"""

from __future__ import annotations

import random
import statistics
from pathlib import Path
from typing import Any, Final

import orjson

from vqa_core.plugin import SampleDrop

__all__ = ["FRAMES", "sample_names", "write_sample"]

#: Frames per sequence, as in the published corpus.
FRAMES: Final = 64

_TIERS: Final = (
    ("A", 3840, 2176, 60),
    ("B", 1920, 1088, 50),
    ("C", 960, 544, 30),
    ("D", 480, 272, 120),
)
_PATTERNS: Final = ("Gradient", "Noise", "Bars", "Ramp", "Checker", "Sweep")
_FEATURES: Final = {
    "integer_adm2": (0.80, 0.99),
    "integer_vif_scale0": (0.40, 0.80),
    "integer_vif_scale1": (0.60, 0.95),
    "integer_vif_scale2": (0.70, 0.97),
    "integer_vif_scale3": (0.75, 0.98),
    "integer_motion2": (0.0, 12.0),
}


def sample_names(count: int) -> list[str]:
    """``count`` synthetic sequence keys in the corpus's naming pattern: each content at the
    four resolution classes (A–D) before the next, as the corpus holds them, so two or more
    names already share a content."""
    names = []
    for i in range(count):
        tier, width, height, fps = _TIERS[i % len(_TIERS)]
        content = i // len(_TIERS)
        pattern = _PATTERNS[content % len(_PATTERNS)]
        names.append(f"{tier}Synthetic{pattern}{content:02d}Vqa_{width}x{height}_{fps}fps_10bit_420")
    return names


def _pooled(values: list[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 6),
        "max": round(max(values), 6),
        "mean": round(statistics.fmean(values), 6),
        "harmonic_mean": round(statistics.harmonic_mean([max(v, 1e-6) for v in values]), 6),
        "stddev": round(statistics.pstdev(values), 6),
    }


def _log(rng: random.Random, fps: int) -> dict[str, Any]:
    level = rng.uniform(40.0, 95.0)
    frames = []
    series: dict[str, list[float]] = {name: [] for name in (*_FEATURES, "vmaf")}
    for number in range(FRAMES):
        metrics = {}
        for name, (lo, hi) in _FEATURES.items():
            metrics[name] = round(rng.uniform(lo, hi), 6)
        metrics["vmaf"] = round(min(100.0, max(0.0, rng.gauss(level, 3.0))), 6)
        for name, value in metrics.items():
            series[name].append(value)
        frames.append({"frameNum": number, "metrics": metrics})
    return {
        "version": "3.0.0",
        "fps": float(fps),
        "frames": frames,
        "pooled_metrics": {name: _pooled(values) for name, values in series.items()},
        "aggregate_metrics": {},
    }


def write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    """Write ``clips`` metric logs into ``directory`` (which must exist)."""
    rng = random.Random(seed)
    written = []
    for name in sample_names(clips):
        fps = int(name.split("_")[2].removesuffix("fps"))
        path = directory / f"{name}.json"
        path.write_bytes(orjson.dumps(_log(rng, fps), option=orjson.OPT_INDENT_2) + b"\n")
        written.append(path)
    return SampleDrop(root=directory, metadata=tuple(written), clips=len(written))
