"""Sums of squared deviations taken piece by piece are numpy's own sums, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from vqa_core.features import pairwise
from vqa_core.features.scratch import Scratch


def test_this_numpy_adds_as_the_pieces_assume() -> None:
    # if this fails, sum_of_squares falls back to whole arrays (still exact, only slower)
    assert pairwise.numpy_adds_as_split()


@pytest.mark.parametrize(
    "shape",
    [(1,), (8,), (pairwise.PIECE + 1,), (3 * pairwise.PIECE - 5,), (1078, 1918), (1080, 1920), (2160, 3840)],
    ids=str,
)
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_pieces_give_numpys_sum(shape: tuple[int, ...], dtype: type[np.generic]) -> None:
    rng = np.random.default_rng(shape[0])
    values = (rng.random(shape) * 255).astype(dtype)
    centre = float(values.mean(dtype=np.float64))
    expected = np.square(values - np.array([centre])[(None,) * (values.ndim - 1)]).sum(dtype=np.float64)
    assert pairwise.sum_of_squares(values, centre, Scratch()) == float(expected)


def test_a_view_with_padded_rows_is_added_in_row_order() -> None:
    rng = np.random.default_rng(5)
    padded = rng.integers(0, 256, (700, 1024), dtype=np.uint8)
    view = padded[:, :1001]
    centre = float(view.mean(dtype=np.float64))
    expected = float(np.square(np.ascontiguousarray(view) - np.array([[centre]])).sum(dtype=np.float64))
    assert pairwise.sum_of_squares(view, centre, Scratch()) == expected
