from __future__ import annotations

import math

import numpy as np
import pytest

from vqa_core.features import formulas
from vqa_core.features.clip import VQA_NR_V1, summarise


def test_flat_frame_has_no_spatial_information_contrast_or_sharpness() -> None:
    flat = np.full((36, 64), 117.0)
    assert formulas.spatial_information(flat) == 0.0
    assert formulas.rms_contrast(flat) == 0.0
    assert formulas.laplacian_variance(flat) == 0.0
    assert formulas.brightness(flat) == 117.0


def test_linear_gradient_has_constant_sobel_magnitude() -> None:
    ramp = np.tile(np.arange(64, dtype=np.float64) * 3.0, (36, 1))
    magnitude = formulas.sobel_magnitude(ramp)
    assert magnitude.shape == (34, 62)
    np.testing.assert_allclose(magnitude, 8 * 3.0)  # (F[x+1] - F[x-1]) · (1 + 2 + 1)
    assert formulas.spatial_information(ramp) == pytest.approx(0.0, abs=1e-9)
    assert formulas.laplacian_variance(ramp) == pytest.approx(0.0, abs=1e-9)
    assert formulas.brightness(ramp) == pytest.approx(3.0 * 63 / 2)


def test_step_edge_spatial_information() -> None:
    edge = np.zeros((5, 8))
    edge[:, 4:] = 100.0
    # interior columns 1..6: the two beside the edge see 4·100, the four others 0
    assert formulas.spatial_information(edge) == pytest.approx(400 * math.sqrt(1 / 3 * 2 / 3))


def test_temporal_information() -> None:
    rng = np.random.default_rng(0)
    frame = rng.uniform(0, 255, size=(20, 30))
    assert formulas.temporal_information(frame, frame) == 0.0  # static clip
    assert formulas.temporal_information(frame, frame + 12.0) == pytest.approx(0.0, abs=1e-9)
    checker = (np.indices((20, 30)).sum(axis=0) % 2) * 2.0 - 1.0  # ±1
    assert formulas.temporal_information(frame, frame + 7.0 * checker) == pytest.approx(7.0)


def test_colourfulness() -> None:
    grey = np.full((10, 10, 3), 90.0)
    assert formulas.colourfulness(grey) == 0.0
    red = np.zeros((10, 10, 3))
    red[..., 0] = 255.0
    # rg = 255, yb = 127.5, no spread: M = 0.3 · sqrt(255² + 127.5²)
    assert formulas.colourfulness(red) == pytest.approx(0.3 * math.hypot(255.0, 127.5))


def test_rms_contrast_of_black_and_white_halves() -> None:
    frame = np.zeros((10, 10))
    frame[:, 5:] = 255.0
    assert formulas.rms_contrast(frame) == pytest.approx(0.5)


def test_laplacian_variance_of_an_impulse() -> None:
    frame = np.zeros((5, 5))
    frame[2, 2] = 10.0
    # interior 3×3: centre −4v, four neighbours v, four corners 0 → var = 20v²/9
    assert formulas.laplacian_variance(frame) == pytest.approx(20 * 100 / 9)


def test_summary_statistics_over_time() -> None:
    series = {"si": [1.0, 2.0, 3.0, 4.0], "ti": []}
    out = summarise(series)
    assert out["si_mean"] == 2.5
    assert out["si_std"] == pytest.approx(math.sqrt(1.25))
    assert out["si_p10"] == pytest.approx(1.3)
    assert out["si_p90"] == pytest.approx(3.7)
    assert out["si_max"] == 4.0
    assert out["ti_mean"] is None  # a one-frame clip has no TI: missing, not zero
    assert list(out) == list(VQA_NR_V1)
