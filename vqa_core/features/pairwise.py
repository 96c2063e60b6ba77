"""Sums of squared deviations added in numpy's own order, one cache-sized piece at a time.

``x.std(dtype=float64)`` writes the squared deviations of a whole frame into a
float64 array (16 MB at 1080p) and adds it up pairwise; the last bits of every
spread depend on that order. Numpy's pairwise sum of ``n`` numbers splits them at
``n // 2`` rounded down to a multiple of 8 until a part is small enough to add
directly, so a part of the split is itself a pairwise sum numpy computes on that
part alone. :func:`sum_of_squares` follows the splits down to parts of
:data:`PIECE` numbers, has numpy square and add each part in a buffer that stays
in cache, and adds the parts' sums up the same tree: the very additions, in the
very order, without the frame-sized array going through memory three times.

That numpy splits this way is checked once per process on arrays of many sizes
(:func:`numpy_adds_as_split`); if it ever does not, every sum is taken over the
whole array as before, so the numbers never depend on the check.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vqa_core.features.scratch import Scratch

__all__ = ["PIECE", "sum_of_squares", "numpy_adds_as_split"]

#: Numbers per part: 512 KB of float64, which stays in a core's cache between squaring and adding.
PIECE: Final = 1 << 16


def _whole(values: npt.NDArray[Any], centre: float, scratch: Scratch) -> float:
    """The sum as numpy's ``_var`` takes it: every squared deviation in one C-ordered array."""
    import numpy as np

    deviations = scratch.array(f"deviations{values.shape}", values.shape, np.float64)
    # in float64 whatever the values' type, as numpy's _var subtracts a float64 mean array
    np.subtract(values, centre, out=deviations, dtype=np.float64)
    np.square(deviations, out=deviations)
    return float(np.add.reduce(deviations, axis=None, dtype=np.float64))


def _split(
    flat: npt.NDArray[Any], start: int, n: int, centre: float, piece: npt.NDArray[np.float64]
) -> float:
    import numpy as np

    if n <= PIECE:
        part = np.subtract(flat[start : start + n], centre, out=piece[:n], dtype=np.float64)
        np.square(part, out=part)
        return float(np.add.reduce(part))
    half = n // 2
    half -= half % 8  # numpy's split: half, rounded down to its unrolling of 8
    return _split(flat, start, half, centre, piece) + _split(flat, start + half, n - half, centre, piece)


def _pieces(values: npt.NDArray[Any], centre: float, scratch: Scratch) -> float:
    import numpy as np

    if values.flags.c_contiguous:
        flat = values.reshape(-1)
    else:  # a view with padded rows: the deviations are added in row order, so copy it in order
        flat = scratch.array("ordered", (values.size,), values.dtype.type)
        np.copyto(flat.reshape(values.shape), values)
    return _split(flat, 0, flat.size, centre, scratch.array("piece", (PIECE,), np.float64))


@functools.cache
def numpy_adds_as_split() -> bool:
    """Does this numpy add a float64 array as :func:`_split` assumes? Checked on sizes from one
    number to several levels of splits, odd and even, flat and two-dimensional."""
    import numpy as np

    from vqa_core.features.scratch import Scratch

    rng = np.random.default_rng(67)
    scratch = Scratch()
    shapes = [(1,), (7,), (8,), (129,), (PIECE,), (PIECE + 1,), (5 * PIECE + 13,), (517, 613), (1078, 1918)]
    for shape in shapes:
        for values in (
            rng.integers(-1020, 1021, shape).astype(np.int16),
            rng.random(shape, dtype=np.float32) * 255,
        ):
            centre = float(values.mean(dtype=np.float64)) + 0.1
            if _pieces(values, centre, scratch) != _whole(values, centre, scratch):
                return False
    return True


def sum_of_squares(values: npt.NDArray[Any], centre: float, scratch: Scratch) -> float:
    """``Σ (v − centre)²`` in float64, bit for bit what numpy's ``std(dtype=float64)`` adds up for
    ``values`` (integers, or float32 on the 8-bit scale) around ``centre``."""
    if values.size > PIECE and numpy_adds_as_split():
        return _pieces(values, centre, scratch)
    return _whole(values, centre, scratch)
