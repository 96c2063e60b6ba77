"""Agreement between predicted and subjective MOS, with 95 % confidence intervals.

* PLCC — Pearson's linear correlation.
* SROCC — Spearman's rank correlation, tie-aware: tied values get the mean of
  their ranks, then Pearson on the ranks.
* KROCC — Kendall's τ-b, which corrects for ties in either variable.
* RMSE — root mean squared error on the 1–5 axis.

The point values are :mod:`vqa_core.evaluation.metrics`'s (KROCC in O(n log n)
time and O(n) memory); this module adds the intervals training reports.

Intervals (docs/decisions/0034-training-metrics-and-gate.md): the three
correlations use the Fisher z-transform, ``z = atanh(r)`` with standard error
``sqrt(1/(n−3))`` for PLCC, ``sqrt(1.06/(n−3))`` for SROCC and
``sqrt(0.437/(n−4))`` for KROCC (Fieller, Hartley & Pearson 1957), mapped back
with ``tanh``; RMSE uses a percentile bootstrap (2,000 resamples, fixed seed).
A metric that is undefined (fewer than 2 rows, a constant vector) is ``None``,
and so is an interval with too few rows.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from vqa_core.evaluation.metrics import krocc, plcc, rmse, srocc
from vqa_core.evaluation.metrics import midranks as rank

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vector = npt.NDArray[np.float64]

__all__ = [
    "Z_95",
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "plcc",
    "srocc",
    "krocc",
    "rmse",
    "rank",
    "evaluate",
]

#: Two-sided 95 % quantile of the standard normal distribution.
Z_95: Final = 1.959963984540054
BOOTSTRAP_RESAMPLES: Final = 2000
BOOTSTRAP_SEED: Final = 20260508


def _fisher_interval(r: float | None, n: int, variance: float, offset: int) -> list[float] | None:
    if r is None or n <= offset:
        return None
    if abs(r) >= 1.0:
        return [r, r]
    half = Z_95 * math.sqrt(variance / (n - offset))
    z = math.atanh(r)
    return [math.tanh(z - half), math.tanh(z + half)]


def _rmse_interval(predicted: Vector, observed: Vector) -> list[float] | None:
    import numpy as np

    n = predicted.size
    if n < 2:
        return None
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    squared = (predicted - observed) ** 2
    per_chunk = max(1, 4_000_000 // n)  # bounded memory whatever the validation size
    parts = []
    for start in range(0, BOOTSTRAP_RESAMPLES, per_chunk):
        count = min(per_chunk, BOOTSTRAP_RESAMPLES - start)
        picks = rng.integers(0, n, size=(count, n))
        parts.append(np.sqrt(squared[picks].mean(axis=1)))
    samples = np.concatenate(parts)
    low, high = np.percentile(samples, [2.5, 97.5])
    return [float(low), float(high)]


def evaluate(predicted: Vector, observed: Vector) -> dict[str, Any]:
    """``{n, plcc, srocc, krocc, rmse}`` and ``<metric>_ci95`` (``[low, high]`` or ``None``)."""
    import numpy as np

    p = np.asarray(predicted, dtype=np.float64)
    o = np.asarray(observed, dtype=np.float64)
    n = int(p.size)
    r_p, r_s, r_k = plcc(p, o), srocc(p, o), krocc(p, o)
    return {
        "n": n,
        "plcc": r_p,
        "plcc_ci95": _fisher_interval(r_p, n, 1.0, 3),
        "srocc": r_s,
        "srocc_ci95": _fisher_interval(r_s, n, 1.06, 3),
        "krocc": r_k,
        "krocc_ci95": _fisher_interval(r_k, n, 0.437, 4),
        "rmse": rmse(p, o),
        "rmse_ci95": _rmse_interval(p, o) if n >= 2 else None,
    }
