"""The integer route of the features gives the float formulas' numbers, bit for bit.

:mod:`vqa_core.features.integer` computes the formulas on 8-bit planes without
converting them to float32 first; nothing here is approximate: every comparison
is ``==`` on the float64 the formula returns, on random pictures of odd and even
sizes (large enough that numpy's pairwise sums split into blocks) and on extremes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from vqa_core.features import formulas, integer
from vqa_core.features.scratch import Scratch

#: One set of work arrays for every test, as a clip lends them from frame to frame, sizes changing.
SCRATCH = Scratch()
SHAPES = [(1, 1), (2, 5), (3, 3), (4, 3), (37, 65), (36, 64), (181, 321), (1080, 1920)]


def _pictures(shape: tuple[int, int]) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(sum(shape))
    yield rng.integers(0, 256, shape, dtype=np.uint8)
    yield (rng.integers(0, 2, shape) * 255).astype(np.uint8)  # 0/255 noise: the largest responses
    yield np.full(shape, 255, dtype=np.uint8)
    yield np.zeros(shape, dtype=np.uint8)
    yield np.broadcast_to(np.arange(shape[1], dtype=np.uint8), shape).copy()  # ramp (wraps past 255)


def _assert_luma_features_equal(luma: np.ndarray, before: np.ndarray) -> None:
    floats, previous = luma.astype(np.float32), before.astype(np.float32)
    assert integer.spatial(luma, SCRATCH) == (
        formulas.spatial_information(floats),
        formulas.laplacian_variance(floats),
    )
    assert integer.luma_moments(luma, SCRATCH) == (formulas.brightness(floats), formulas.rms_contrast(floats))
    assert integer.temporal_information(before, luma, SCRATCH) == formulas.temporal_information(
        previous, floats
    )


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_luma_features_equal_the_float_formulas(shape: tuple[int, int]) -> None:
    pictures = list(_pictures(shape))
    for luma, before in zip(pictures, pictures[1:] + pictures[:1], strict=True):
        _assert_luma_features_equal(luma, before)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_colourfulness_equals_the_float_formula(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(len(shape) + shape[0])
    for rgb in (
        rng.integers(0, 256, (*shape, 3), dtype=np.uint8),
        np.stack([np.full(shape, 255), np.zeros(shape), np.zeros(shape)], axis=-1).astype(np.uint8),
        (rng.integers(0, 2, (*shape, 3)) * 255).astype(np.uint8),
    ):
        assert integer.colourfulness(rgb, SCRATCH) == formulas.colourfulness(rgb.astype(np.float32))


def test_padded_rows_give_what_their_contiguous_copy_gives() -> None:
    """A plane view keeps the decoder's padded line size; only the visible columns count."""
    rng = np.random.default_rng(3)
    padded = rng.integers(0, 256, (37, 96), dtype=np.uint8)
    view = padded[:, :65]
    assert not view.flags.c_contiguous
    _assert_luma_features_equal(view, np.ascontiguousarray(padded[:, 7:72]))
    _assert_luma_features_equal(np.ascontiguousarray(view), np.ascontiguousarray(padded[:, 7:72]))


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(
    luma=hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40)),
    data=st.data(),
)
def test_any_small_picture(luma: np.ndarray, data: st.DataObject) -> None:
    before = data.draw(hnp.arrays(np.uint8, luma.shape))
    _assert_luma_features_equal(luma, before)
    rgb = data.draw(hnp.arrays(np.uint8, (*luma.shape, 3)))
    assert integer.colourfulness(rgb, SCRATCH) == formulas.colourfulness(rgb.astype(np.float32))
