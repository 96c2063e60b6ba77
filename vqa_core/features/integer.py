"""The formulas of :mod:`vqa_core.features.formulas` on 8-bit planes, in integer arithmetic, bit for bit.

8-bit luma and RGB are integers, and so is every intermediate the formulas form
from them: Sobel and Laplacian responses, frame differences, ``R − G`` and
``2·yb = R + G − 2B`` all fit int16, and float32 holds each of them (and
``Gx² + Gy²`` < 2²⁴) exactly. Integer arithmetic on the stored planes therefore
gives the very numbers the float32 formulas give, without converting whole frames
to float32 first, and sums of integers are exact in any order, so every mean is
the same float64 division ``sum / n``.

The one step whose result depends on the order of additions is the float64 sum of
squared deviations (and the float32 Sobel magnitudes' spread): those are added exactly
as numpy's ``std(dtype=float64)`` adds them (:mod:`vqa_core.features.pairwise`).
tests/core/features/test_integer.py pins every function against :mod:`formulas` on
random and decoded frames, odd sizes and padded rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vqa_core.features import deep, pairwise

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vqa_core.features.scratch import Scratch

    Plane = npt.NDArray[np.uint8]
    Ints = npt.NDArray[np.integer[Any]]

__all__ = [
    "luma_moments",
    "spatial",
    "temporal_information",
    "colourfulness",
]


def _total(values: Ints, bound: int) -> int:
    """The exact sum of integers of magnitude at most ``bound``."""
    import numpy as np

    # int32 adds twice as fast; it holds the sum of a 4K frame of 8-bit differences
    dtype = np.int32 if values.size * bound < 2**31 else np.int64
    return int(np.add.reduce(values, axis=None, dtype=dtype))


def _squares(values: Ints, centre: float, scratch: Scratch) -> float:
    """``Σ (v − centre)²`` added as numpy's ``std(dtype=float64)`` adds it for ``values``."""
    return pairwise.sum_of_squares(values, centre, scratch)


def _moments(values: Ints, bound: int, scratch: Scratch) -> tuple[float, float]:
    """``(mean, Σ (v − mean)²)`` of integers, equal to numpy's on them as float32."""
    import numpy as np

    mean = float(np.float64(_total(values, bound)) / values.size)
    return mean, _squares(values, mean, scratch)


def _std(squares: float, n: int) -> float:
    import numpy as np

    return float(np.sqrt(np.float64(squares) / n))


def luma_moments(luma: Plane, scratch: Scratch) -> tuple[float, float]:
    """``(brightness, rms_contrast)`` of 8-bit luma: one mean serves both."""
    mean, squares = _moments(luma, 255, scratch)
    return mean, _std(squares, luma.size) / 255.0


def temporal_information(previous: Plane, current: Plane, scratch: Scratch) -> float:
    import numpy as np

    difference = scratch.array("difference", current.shape, np.int16)
    np.subtract(current, previous, out=difference, dtype=np.int16)
    return _std(_moments(difference, 255, scratch)[1], difference.size)


def spatial(luma: Plane, scratch: Scratch) -> tuple[float, float]:
    """``(SI, sharpness)``: the Sobel magnitude's spread and the Laplacian's variance share
    the sums of each pixel's vertical and horizontal neighbours."""
    import numpy as np

    h, w = luma.shape
    if h < 3 or w < 3:
        return 0.0, 0.0
    f = scratch.array("wide", (h, w), np.int16)
    np.copyto(f, luma)
    twice = np.add(f, f, out=scratch.array("twice", (h, w), np.int16))
    vertical = np.add(f[:-2], f[2:], out=scratch.array("vertical", (h - 2, w), np.int16))
    horizontal = np.add(f[:, :-2], f[:, 2:], out=scratch.array("horizontal", (h, w - 2), np.int16))
    inner = (h - 2, w - 2)
    laplacian = np.add(vertical[:, 1:-1], horizontal[1:-1], out=scratch.array("laplacian", inner, np.int16))
    laplacian -= twice[1:-1, 1:-1]
    laplacian -= twice[1:-1, 1:-1]
    sharpness = _moments(laplacian, 1020, scratch)[1] / laplacian.size
    # Sobel: the [1, 2, 1] smoothings are the neighbour sums plus twice the middle
    vertical += twice[1:-1]
    horizontal += twice[:, 1:-1]
    gradient = np.subtract(vertical[:, 2:], vertical[:, :-2], out=scratch.array("gradient", inner, np.int16))
    magnitude = scratch.array("magnitude", inner, np.float32)
    np.copyto(magnitude, gradient)
    np.square(magnitude, out=magnitude)
    np.subtract(horizontal[2:], horizontal[:-2], out=gradient)
    squared = scratch.array("squared", inner, np.float32)
    np.copyto(squared, gradient)
    np.square(squared, out=squared)
    magnitude += squared
    np.sqrt(magnitude, out=magnitude)
    return deep.spread(magnitude, scratch), sharpness


def colourfulness(rgb: npt.NDArray[np.uint8], scratch: Scratch) -> float:
    """Hasler–Süsstrunk M of an 8-bit RGB picture (H×W×3)."""
    import numpy as np

    shape = rgb.shape[:2]
    n = rgb.shape[0] * rgb.shape[1]
    # one contiguous plane per channel: arithmetic on interleaved channels runs 4× slower
    r, g, b = (scratch.array(name, shape, np.uint8) for name in "rgb")
    for k, channel in enumerate((r, g, b)):
        np.copyto(channel, rgb[..., k])
    rg = np.subtract(r, g, out=scratch.array("rg", shape, np.int16), dtype=np.int16)
    yb2 = np.add(r, g, out=scratch.array("yb2", shape, np.int16), dtype=np.int16)  # 2·yb = R + G − 2B
    yb2 -= b
    yb2 -= b
    mean_rg, squares_rg = _moments(rg, 255, scratch)
    mean_yb = float(np.float64(_total(yb2, 510)) * 0.5 / n)
    # Deviations of 2·yb from 2·mean are exactly twice those of yb, their squares and every
    # partial sum exactly four times theirs (scaling by a power of two rounds alike).
    squares_yb = _squares(yb2, 2.0 * mean_yb, scratch) * 0.25
    f64 = np.float64
    std_rg, std_yb = f64(_std(squares_rg, n)), f64(_std(squares_yb, n))
    return float(np.hypot(std_rg, std_yb) + 0.3 * np.hypot(f64(mean_rg), f64(mean_yb)))
