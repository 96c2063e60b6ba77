from __future__ import annotations

import math

import numpy as np
import pytest

from vqa_core.train.metrics import Z_95, evaluate, krocc, plcc, rank, rmse, srocc


def test_perfect_and_reversed_agreement() -> None:
    x = np.array([1.0, 2.0, 3.5, 4.0, 4.5])
    assert plcc(x, x) == pytest.approx(1.0)
    assert srocc(x, x) == pytest.approx(1.0) and krocc(x, x) == pytest.approx(1.0)
    assert rmse(x, x) == 0.0
    assert srocc(x, -x) == pytest.approx(-1.0) and krocc(x, -x) == pytest.approx(-1.0)


def test_ranks_share_ties() -> None:
    np.testing.assert_array_equal(rank(np.array([3.0, 1.0, 3.0, 2.0, 3.0])), [4.0, 1.0, 4.0, 2.0, 4.0])


def test_srocc_and_krocc_account_for_ties() -> None:
    x = np.array([1.0, 2.0, 2.0, 3.0])
    y = np.array([1.0, 2.0, 3.0, 4.0])
    # mean ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]: 4.5 / sqrt(4.5 · 5)
    assert srocc(x, y) == pytest.approx(4.5 / math.sqrt(4.5 * 5))
    # τ-b: 5 concordant pairs, 1 tied in x: 5 / sqrt((6 − 1)(6 − 0))
    assert krocc(x, y) == pytest.approx(5 / math.sqrt(30))


def test_undefined_metrics_are_none() -> None:
    flat = np.ones(5)
    assert plcc(flat, np.arange(5.0)) is None and krocc(flat, np.arange(5.0)) is None
    out = evaluate(np.array([2.0]), np.array([3.0]))
    assert out["plcc"] is None and out["plcc_ci95"] is None and out["rmse"] == 1.0


def test_fisher_intervals() -> None:
    rng = np.random.default_rng(3)
    observed = rng.uniform(1, 5, size=28)
    predicted = observed + rng.normal(0, 0.4, size=28)
    out = evaluate(predicted, observed)
    r = out["plcc"]
    half = Z_95 * math.sqrt(1 / 25)
    assert out["plcc_ci95"] == pytest.approx(
        [math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)]
    )
    s = out["srocc"]
    half_s = Z_95 * math.sqrt(1.06 / 25)
    assert out["srocc_ci95"] == pytest.approx(
        [math.tanh(math.atanh(s) - half_s), math.tanh(math.atanh(s) + half_s)]
    )
    k = out["krocc"]
    half_k = Z_95 * math.sqrt(0.437 / 24)
    assert out["krocc_ci95"] == pytest.approx(
        [math.tanh(math.atanh(k) - half_k), math.tanh(math.atanh(k) + half_k)]
    )
    low, high = out["rmse_ci95"]
    assert low < out["rmse"] < high
    assert evaluate(predicted, observed)["rmse_ci95"] == [low, high]  # fixed bootstrap seed
