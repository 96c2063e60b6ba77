"""MosScale's own arithmetic onto and off the unified 0–100 axis."""

from __future__ import annotations

import random

import numpy as np
import pytest

from vqa_core.scales import ACR_1_5, CONTINUOUS_0_100, NO_MOS, MosScale, ScaleConversion


def _values(lo: float, hi: float) -> list[float]:
    rng = random.Random(16)
    rounded = [round(rng.uniform(lo, hi), digits) for digits in (0, 1, 2, 3, 4, 6) for _ in range(500)]
    return [lo, hi, *rounded, *(rng.uniform(lo, hi) for _ in range(500))]


def test_acr_arithmetic_is_bit_identical_to_the_hand_written_formulas() -> None:
    # The formulas labels, training, datasets and CHUG used before going through the scale.
    for v in _values(1.0, 5.0):
        assert ACR_1_5.to_unified(v) == (v - 1.0) * 25.0
    for u in _values(0.0, 100.0):
        assert ACR_1_5.from_unified(u) == 1.0 + 4.0 * u / 100.0
        assert ACR_1_5.std_from_unified(u) == 4.0 * u / 100.0
    assert ACR_1_5.std_from_unified(1.0) == 0.04


def test_elementwise_on_arrays_matches_floats_and_keeps_nan() -> None:
    native = np.array([1.0, 1.3, 2.7182, 4.999, 5.0, np.nan])
    unified = np.array([0.0, 12.34, 50.0, 87.6543, 100.0, np.nan])
    to = ACR_1_5.to_unified(native)
    back = ACR_1_5.from_unified(unified)
    spread = ACR_1_5.std_from_unified(unified)
    assert isinstance(to, np.ndarray) and to.dtype == np.float64
    np.testing.assert_array_equal(to, (native - 1.0) * 25.0)
    np.testing.assert_array_equal(back, 1.0 + 4.0 * unified / 100.0)
    np.testing.assert_array_equal(spread, 4.0 * unified / 100.0)
    assert [ACR_1_5.to_unified(float(v)) for v in native[:-1]] == to[:-1].tolist()


def test_round_trip_and_agreement_with_the_affine_conversion() -> None:
    conversion = ScaleConversion.affine(ACR_1_5)
    for v in _values(1.0, 5.0):
        assert ACR_1_5.from_unified(ACR_1_5.to_unified(v)) == pytest.approx(v, rel=0, abs=1e-12)
        assert ACR_1_5.to_unified(v) == pytest.approx(conversion.convert(v), rel=0, abs=1e-12)
    assert CONTINUOUS_0_100.to_unified(42.5) == 42.5
    assert CONTINUOUS_0_100.from_unified(42.5) == 42.5


def test_dmos_is_reversed_and_unlabelled_scales_refuse() -> None:
    dmos = MosScale(0, 10, kind="dmos")
    assert dmos.to_unified(0.0) == 100.0
    assert dmos.to_unified(10.0) == 0.0
    assert dmos.from_unified(25.0) == 7.5
    assert dmos.std_from_unified(10.0) == 1.0
    assert dmos.to_unified(2.0) == pytest.approx(ScaleConversion.affine(dmos).convert(2.0))
    for method in (NO_MOS.to_unified, NO_MOS.from_unified, NO_MOS.std_from_unified):
        with pytest.raises(ValueError, match="no unified axis"):
            method(1.0)
