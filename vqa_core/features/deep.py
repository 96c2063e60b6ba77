"""The float formulas on deeper (10–16 bit) frames, operation for operation, into reused arrays.

A deep frame's luma and RGB are rescaled to the 8-bit scale as float32 and are not
integers, so every rounding of the float formulas counts: these functions take the
very operations of :mod:`vqa_core.features.formulas`, in the same order and
precision, and only write their results into the work arrays of a
:class:`~vqa_core.features.scratch.Scratch` instead of fresh ones (a fresh 4K
float32 array costs its page faults on every frame). Spreads are taken step by
step as numpy's ``std(dtype=float64)`` takes them. tests/core/features/test_deep.py
pins each function against the formula, bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vqa_core.features import pairwise

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vqa_core.features.scratch import Scratch

    Floats = npt.NDArray[np.float32]

__all__ = [
    "rescaled",
    "spread",
    "mean",
    "spatial_information",
    "temporal_information",
    "colourfulness",
    "laplacian_variance",
]


def rescaled(stored: npt.NDArray[Any], scale: float, name: str, scratch: Scratch) -> Floats:
    """``stored.astype(float32) * float32(scale)`` into the work array ``name``."""
    import numpy as np

    out = scratch.array(name, stored.shape, np.float32)
    np.copyto(out, stored)
    np.multiply(out, np.float32(scale), out=out)
    return out


def spread(values: Floats, scratch: Scratch, *, squared: bool = False) -> float:
    """``values.std(dtype=float64)`` (``var`` when ``squared``), as numpy's ``_var`` takes it."""
    import numpy as np

    n = np.intp(values.size)
    centre = np.add.reduce(values, axis=None, dtype=np.float64, keepdims=True)
    np.true_divide(centre, n, out=centre, casting="unsafe")
    squares = pairwise.sum_of_squares(values, float(centre.reshape(-1)[0]), scratch)
    variance = np.float64(squares / n)
    return float(variance if squared else np.sqrt(variance))


def mean(values: Floats) -> Any:
    """``values.mean(dtype=float64)``, as numpy's ``_mean`` takes it (a float64 scalar)."""
    import numpy as np

    return np.float64(np.add.reduce(values, axis=None, dtype=np.float64) / np.intp(values.size))


def spatial_information(luma: Floats, scratch: Scratch) -> float:
    import numpy as np

    f = luma
    h, w = f.shape
    if h < 3 or w < 3:
        return 0.0
    # vertical = f[:-2] + 2 * f[1:-1] + f[2:], evaluated left to right as the formula is
    vertical = np.multiply(f[1:-1], 2, out=scratch.array("vertical", (h - 2, w), np.float32))
    np.add(f[:-2], vertical, out=vertical)
    np.add(vertical, f[2:], out=vertical)
    horizontal = np.multiply(f[:, 1:-1], 2, out=scratch.array("horizontal", (h, w - 2), np.float32))
    np.add(f[:, :-2], horizontal, out=horizontal)
    np.add(horizontal, f[:, 2:], out=horizontal)
    inner = (h - 2, w - 2)
    gx = np.subtract(vertical[:, 2:], vertical[:, :-2], out=scratch.array("gx", inner, np.float32))
    gy = np.subtract(horizontal[2:], horizontal[:-2], out=scratch.array("gy", inner, np.float32))
    np.multiply(gx, gx, out=gx)
    np.multiply(gy, gy, out=gy)
    np.add(gx, gy, out=gx)
    return spread(np.sqrt(gx, out=gx), scratch)


def temporal_information(previous: Floats, current: Floats, scratch: Scratch) -> float:
    import numpy as np

    difference = np.subtract(current, previous, out=scratch.array("difference", current.shape, np.float32))
    return spread(difference, scratch)


def laplacian_variance(luma: Floats, scratch: Scratch) -> float:
    import numpy as np

    f = luma
    h, w = f.shape
    if h < 3 or w < 3:
        return 0.0
    inner = (h - 2, w - 2)
    lap = np.add(f[:-2, 1:-1], f[2:, 1:-1], out=scratch.array("laplacian", inner, np.float32))
    np.add(lap, f[1:-1, :-2], out=lap)
    np.add(lap, f[1:-1, 2:], out=lap)
    centre = np.multiply(f[1:-1, 1:-1], 4.0, out=scratch.array("centre", inner, np.float32))
    np.subtract(lap, centre, out=lap)
    return spread(lap, scratch, squared=True)


def colourfulness(rgb16: npt.NDArray[np.uint16], scratch: Scratch) -> float:
    """Hasler–Süsstrunk M of a 16-bit RGB picture (H×W×3) rescaled to the 8-bit scale."""
    import numpy as np

    scale = 255.0 / 65535.0
    r, g, b = (rescaled(rgb16[..., k], scale, name, scratch) for k, name in enumerate("rgb"))
    shape = r.shape
    rg = np.subtract(r, g, out=scratch.array("rg", shape, np.float32))
    # yb = 0.5 * (r + g) - b
    yb = np.add(r, g, out=scratch.array("yb", shape, np.float32))
    np.multiply(yb, 0.5, out=yb)
    np.subtract(yb, b, out=yb)
    std_rg, std_yb = np.float64(spread(rg, scratch)), np.float64(spread(yb, scratch))
    return float(np.hypot(std_rg, std_yb) + 0.3 * np.hypot(mean(rg), mean(yb)))
