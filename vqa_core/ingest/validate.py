"""Checks a row must pass before it is written; each failure is a counted reason."""

from __future__ import annotations

import math

from vqa_core.declarations import CorpusDeclaration
from vqa_core.ingest.probe import ProbeResult
from vqa_core.scales import RANGE_SLACK
from vqa_core.schema import SourceRow

__all__ = ["label_problem", "geometry_problem"]


def label_problem(row: SourceRow, corpus: CorpusDeclaration) -> tuple[str, str] | None:
    """``(reason, detail)`` when the row's label fields are unusable, else ``None``.

    MOS must be finite and inside the declared scale ± 0.05 (never clipped); a
    published std dev must be finite and ≥ 0; a rating count ≥ 0.
    """
    scale = corpus.scale
    if scale.has_labels:
        if row.mos is None:
            return "bad-mos", "no MOS value"
        if not math.isfinite(row.mos):
            return "bad-mos", f"MOS {row.mos!r} is not finite"
        if not scale.contains(row.mos):
            return (
                "bad-mos",
                f"MOS {row.mos:g} is outside the declared {scale.name} scale (± {RANGE_SLACK} allowed)",
            )
    if row.mos_std_dev is not None and (not math.isfinite(row.mos_std_dev) or row.mos_std_dev < 0):
        return "bad-std-dev", f"std dev {row.mos_std_dev!r} must be finite and ≥ 0"
    if row.n_ratings is not None and row.n_ratings < 0:
        return "bad-row", f"rating count {row.n_ratings} is negative"
    return None


def geometry_problem(probe: ProbeResult) -> str | None:
    """Why probed geometry cannot describe a real clip, or ``None``."""
    if probe.width <= 0 or probe.height <= 0:
        return f"geometry {probe.width}x{probe.height} is not positive"
    if not (math.isfinite(probe.framerate) and probe.framerate > 0):
        return f"frame rate {probe.framerate!r} is not positive"
    if not (math.isfinite(probe.duration_s) and probe.duration_s > 0):
        return f"duration {probe.duration_s!r} s is not positive"
    if probe.width > 65536 or probe.height > 65536:
        return f"geometry {probe.width}x{probe.height} is absurd"
    return None
