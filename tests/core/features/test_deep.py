"""The deep-frame route takes the float formulas' very operations: its numbers are theirs, bit for bit.

:mod:`vqa_core.features.deep` writes into reused work arrays instead of fresh
ones; every comparison here is ``==`` on the float the formula returns, on
rescaled 10-, 12- and 16-bit pictures and on arbitrary float32 pictures.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from vqa_core.features import deep, formulas
from vqa_core.features.scratch import Scratch

#: One set of work arrays for every test, as a clip lends them from frame to frame, sizes changing.
SCRATCH = Scratch()
SHAPES = [(1, 1), (2, 5), (3, 3), (37, 65), (36, 64), (181, 321), (1080, 1920)]


def _assert_luma_features_equal(luma: np.ndarray, before: np.ndarray) -> None:
    assert deep.spatial_information(luma, SCRATCH) == formulas.spatial_information(luma)
    assert deep.laplacian_variance(luma, SCRATCH) == formulas.laplacian_variance(luma)
    assert deep.spread(luma, SCRATCH) / 255.0 == formulas.rms_contrast(luma)
    assert float(deep.mean(luma)) == formulas.brightness(luma)
    assert deep.temporal_information(before, luma, SCRATCH) == formulas.temporal_information(before, luma)


@pytest.mark.parametrize("bits", [10, 12, 16])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rescaled_luma_features_equal_the_float_formulas(shape: tuple[int, int], bits: int) -> None:
    rng = np.random.default_rng(bits + shape[1])
    top = (1 << bits) - 1
    scale = 255.0 / top
    stored = rng.integers(0, top + 1, (2, *shape), dtype=np.uint16)
    luma, before = (deep.rescaled(s, scale, f"luma{i}", SCRATCH) for i, s in enumerate(stored))
    assert np.array_equal(luma, stored[0].astype(np.float32) * np.float32(scale))
    _assert_luma_features_equal(luma, before)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_colourfulness_equals_the_float_formula(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(shape[0])
    rgb16 = rng.integers(0, 65536, (*shape, 3), dtype=np.uint16)
    expected = formulas.colourfulness(rgb16.astype(np.float32) * np.float32(255.0 / 65535.0))
    assert deep.colourfulness(rgb16, SCRATCH) == expected


@settings(derandomize=True, database=None, max_examples=150, deadline=None)
@given(
    luma=hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=30),
        elements={"min_value": 0.0, "max_value": 255.0},
    )
)
def test_any_small_float_picture(luma: np.ndarray) -> None:
    _assert_luma_features_equal(luma, luma[::-1].copy())
