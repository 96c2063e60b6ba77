from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from vqa_core.evaluation import metrics
from vqa_core.evaluation.metrics import (
    LogisticFit,
    _WeightedMetrics,
    evaluate,
    fit_logistic,
    krocc,
    midranks,
    plcc,
    plcc_logistic,
    rmse,
    srocc,
)

Vector = npt.NDArray[np.float64]

# few distinct values, so most examples are full of ties in both vectors
tied_pairs = st.integers(min_value=2, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 6).map(lambda v: v / 2), min_size=n, max_size=n),
        st.lists(st.integers(0, 4).map(float), min_size=n, max_size=n),
    )
)


def _kendall_brute(x: Vector, y: Vector) -> float:
    """τ-b by its definition over every pair."""
    score = ties_x = ties_y = 0
    for i, j in combinations(range(x.size), 2):
        sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        score += int(sx * sy)
        ties_x += sx == 0
        ties_y += sy == 0
    n0 = x.size * (x.size - 1) / 2
    return score / math.sqrt((n0 - ties_x) * (n0 - ties_y))


def _tied_sample(n: int, seed: int) -> tuple[Vector, Vector]:
    rng = np.random.default_rng(seed)
    observed = np.round(rng.uniform(1, 5, n), 1)
    predicted = np.round(observed + rng.normal(0, 0.7, n), 1)
    return predicted, observed


@settings(derandomize=True, database=None, max_examples=300, deadline=None)
@given(tied_pairs)
def test_correlations_agree_with_scipy_on_tied_data(pair: tuple[list[float], list[float]]) -> None:
    x, y = np.array(pair[0]), np.array(pair[1])
    if x.min() == x.max() or y.min() == y.max():
        assert plcc(x, y) is None and srocc(x, y) is None and krocc(x, y) is None
        return
    assert plcc(x, y) == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-9)
    assert srocc(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-9)
    assert krocc(x, y) == pytest.approx(stats.kendalltau(x, y, variant="b").statistic, abs=1e-9)
    assert krocc(x, y) == pytest.approx(_kendall_brute(x, y), abs=1e-9)
    assert rmse(x, y) == pytest.approx(math.sqrt(np.mean((x - y) ** 2)), abs=1e-12)


def test_correlations_agree_with_scipy_on_a_large_tied_sample() -> None:
    p, o = _tied_sample(20_000, seed=1)
    assert plcc(p, o) == pytest.approx(stats.pearsonr(p, o).statistic, abs=1e-9)
    assert srocc(p, o) == pytest.approx(stats.spearmanr(p, o).statistic, abs=1e-9)
    assert krocc(p, o) == pytest.approx(stats.kendalltau(p, o, variant="b").statistic, abs=1e-9)
    small_p, small_o = p[:300], o[:300]
    assert krocc(small_p, small_o) == pytest.approx(_kendall_brute(small_p, small_o), abs=1e-9)


def test_midranks_share_ties() -> None:
    np.testing.assert_array_equal(midranks([3.0, 1.0, 3.0, 2.0, 3.0]), [4.0, 1.0, 4.0, 2.0, 4.0])
    values = np.round(np.random.default_rng(2).normal(size=500), 1)
    np.testing.assert_array_equal(midranks(values), stats.rankdata(values))


def test_undefined_metrics_are_none_never_nan() -> None:
    for x, y in [([], []), ([2.0], [3.0]), ([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]), ([1.0, 2.0, 3.0], [0.1] * 3)]:
        assert plcc(x, y) is None and srocc(x, y) is None and krocc(x, y) is None
    assert rmse([], []) is None
    assert rmse([2.0], [3.0]) == 1.0  # one row is enough for an error
    assert rmse([1.0, 1.0], [1.0, 3.0]) == pytest.approx(math.sqrt(2))


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="predicted has 2 values, observed 3"):
        plcc([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        srocc([1.0, math.nan, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="1-D"):
        krocc([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="groups has 2 keys for 3 rows"):
        evaluate([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], groups=["a", "b"])


def _curve(x: Vector, b1: float, b2: float, b3: float, b4: float) -> Vector:
    return b2 + (b1 - b2) / (1 + np.exp(-(x - b3) / abs(b4)))


def test_logistic_fit_recovers_known_parameters() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 800)
    y = _curve(x, 4.6, 1.2, 5.5, 1.3) + rng.normal(0, 0.02, x.size)
    fit = fit_logistic(x, y)
    assert fit.converged and fit.reason is None and fit.params is not None
    assert fit.params == pytest.approx((4.6, 1.2, 5.5, 1.3), abs=0.05)
    np.testing.assert_allclose(fit.apply(x), _curve(x, *fit.params), atol=1e-12)
    r, same = plcc_logistic(x, y)
    assert same == fit and r == pytest.approx(plcc(_curve(x, *fit.params), y), abs=1e-12)
    assert r is not None and r > 0.999 > (plcc(x, y) or 0.0)  # the curve is what linear PLCC misses


@pytest.mark.parametrize("n", [12, 42, 500])
def test_logistic_fit_converges_on_a_nearly_straight_relation(n: int) -> None:
    # unbounded, both asymptotes run off to infinity on such data and the fit never converges
    rng = np.random.default_rng(n)
    x = rng.uniform(0, 100, n)
    y = 0.8 * x + rng.normal(0, 10, n)
    fit = fit_logistic(x, y)
    assert fit.converged and fit.reason is None
    r = plcc_logistic(x, y)[0]
    assert r is not None and r >= (plcc(x, y) or 0.0) - 1e-3


def test_logistic_fit_states_why_it_fell_back(monkeypatch: pytest.MonkeyPatch) -> None:
    few = fit_logistic([1.0, 2.0, 3.0], [1.0, 2.0, 2.5])
    assert not few.converged and few.params is None and few.reason == "too few points: 3 < 5"
    flat = fit_logistic([2.0] * 6, [1.0, 2.0, 3.0, 4.0, 5.0, 3.0])
    assert flat.reason == "constant input: every prediction is the same"
    assert fit_logistic([1.0, 2.0, 3.0, 4.0, 5.0], [3.0] * 5).reason is not None

    p, o = _tied_sample(200, seed=7)
    monkeypatch.setattr(metrics, "LOGISTIC_MAX_EVALUATIONS", 1)
    r, fit = plcc_logistic(p, o)
    assert not fit.converged and fit.reason is not None and fit.reason.startswith("did not converge:")
    np.testing.assert_array_equal(fit.apply(p), p)  # identity: the linear fallback
    assert r == plcc(p, o)
    out = evaluate(p, o, resamples=50)
    assert out["logistic"] == {"converged": False, "params": None, "reason": fit.reason}
    assert out["plcc_logistic"] == out["plcc"] and out["plcc_logistic_ci"] == out["plcc_ci"]


def test_logistic_fit_is_an_attrs_value() -> None:
    fit = LogisticFit(params=(5.0, 1.0, 0.0, 1.0), converged=True)
    np.testing.assert_allclose(fit.apply([0.0]), [3.0])
    assert fit.as_dict() == {"converged": True, "params": [5.0, 1.0, 0.0, 1.0], "reason": None}


def test_evaluate_reports_every_key() -> None:
    p, o = _tied_sample(120, seed=3)
    out = evaluate(p, o, resamples=100)
    assert set(out) == {
        "n",
        "srocc",
        "srocc_ci",
        "krocc",
        "krocc_ci",
        "plcc",
        "plcc_ci",
        "plcc_logistic",
        "plcc_logistic_ci",
        "rmse",
        "rmse_ci",
        "logistic",
        "ci",
    }
    assert out["n"] == 120 and out["srocc"] == srocc(p, o) and out["krocc"] == krocc(p, o)
    assert out["plcc"] == plcc(p, o) and out["rmse"] == rmse(p, o)
    assert out["ci"] == {
        "method": "percentile bootstrap",
        "resamples": 100,
        "over": "clips",
        "n_groups": 120,
        "confidence": 0.95,
    }
    for name in ("srocc", "krocc", "plcc", "plcc_logistic", "rmse"):
        low, high = out[f"{name}_ci"]
        assert low < out[name] < high


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    p, o = _tied_sample(300, seed=4)
    groups = [i // 3 for i in range(300)]
    first = evaluate(p, o, groups, resamples=80, seed=11)
    assert evaluate(p, o, groups, resamples=80, seed=11) == first
    assert evaluate(p, o, groups, resamples=80, seed=12)["plcc_ci"] != first["plcc_ci"]


def test_intervals_are_none_when_they_say_nothing() -> None:
    tiny = evaluate([1.0, 2.0], [1.0, 3.0], resamples=20)
    assert tiny["plcc"] == pytest.approx(1.0) and tiny["plcc_ci"] is None and tiny["rmse_ci"] is None
    flat = evaluate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2.0] * 6, resamples=20)
    assert flat["srocc"] is None and flat["srocc_ci"] is None and flat["plcc_ci"] is None
    assert flat["rmse_ci"] is not None
    p, o = _tied_sample(40, seed=8)
    two_groups = evaluate(p, o, ["a"] * 20 + ["b"] * 20, resamples=20)
    assert two_groups["ci"]["over"] == "groups" and two_groups["ci"]["n_groups"] == 2
    assert all(two_groups[f"{name}_ci"] is None for name in ("srocc", "krocc", "plcc", "rmse"))
    # three rows with ties: some resample is constant, so the correlation intervals cannot be honest
    few = evaluate([1.0, 2.0, 2.0], [1.0, 1.0, 3.0], resamples=200)
    assert few["plcc"] is not None and few["plcc_ci"] is None and few["rmse_ci"] is not None


def test_singleton_groups_resample_clips() -> None:
    p, o = _tied_sample(50, seed=9)
    out = evaluate(p, o, [f"clip-{i}" for i in range(50)], resamples=40)
    assert out["ci"]["over"] == "clips" and out["ci"]["n_groups"] == 50
    assert out["plcc_ci"] == evaluate(p, o, resamples=40)["plcc_ci"]


def test_group_bootstrap_keeps_groups_whole() -> None:
    p, o = _tied_sample(60, seed=10)
    copies = 5
    dup_p, dup_o = np.repeat(p, copies), np.repeat(o, copies)
    groups = np.repeat(np.arange(60), copies).tolist()
    by_group = evaluate(dup_p, dup_o, groups, resamples=300)
    by_clip = evaluate(dup_p, dup_o, resamples=300)
    assert by_group["ci"]["over"] == "groups" and by_group["ci"]["n_groups"] == 60
    for name in ("srocc", "krocc", "plcc", "rmse"):
        group_width = by_group[f"{name}_ci"][1] - by_group[f"{name}_ci"][0]
        clip_width = by_clip[f"{name}_ci"][1] - by_clip[f"{name}_ci"][0]
        assert group_width > 1.5 * clip_width, name
    # drawing whole groups of identical copies is drawing the 60 originals: PLCC, SROCC and
    # RMSE do not change when every row is repeated the same number of times
    original = evaluate(p, o, resamples=300)
    for name in ("srocc", "plcc", "rmse"):
        assert by_group[f"{name}_ci"] == pytest.approx(original[f"{name}_ci"], abs=1e-9), name


def _materialised(p: Vector, o: Vector, fit: LogisticFit, weights: npt.NDArray[np.int64]) -> dict[str, Any]:
    rows = np.repeat(np.arange(p.size), weights)
    rp, ro = p[rows], o[rows]
    return {
        "srocc": srocc(rp, ro),
        "krocc": krocc(rp, ro),
        "plcc": plcc(rp, ro),
        "plcc_logistic": plcc(fit.apply(rp), ro),
        "rmse": rmse(rp, ro),
    }


@pytest.mark.parametrize("seed", range(6))
def test_weighted_resample_equals_the_materialised_resample(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    p, o = _tied_sample(n, seed=100 + seed)
    fit = fit_logistic(p, o)
    frame = _WeightedMetrics(p, o, fit.apply(p))
    clip_weights = np.bincount(rng.integers(0, n, n), minlength=n)
    group_ids = rng.integers(0, max(2, n // 4), n)
    units = int(group_ids.max()) + 1
    group_weights = np.bincount(rng.integers(0, units, units), minlength=units)[group_ids]
    sparse = np.zeros(n, dtype=np.int64)
    sparse[[0, n - 1]] = [3, 1]  # two rows: often tied in one vector, so undefined there
    for weights in (clip_weights, group_weights, sparse):
        fast, slow = frame.metrics(weights), _materialised(p, o, fit, weights)
        assert fast.keys() == slow.keys()
        for name, value in slow.items():
            if value is None:
                assert fast[name] is None, name
            else:
                assert fast[name] == pytest.approx(value, abs=1e-9), name


def test_evaluate_intervals_equal_a_materialised_bootstrap() -> None:
    """The documented draw protocol, replayed with every resample materialised."""
    p, o = _tied_sample(90, seed=12)
    groups = [i // 3 for i in range(90)]
    resamples, seed = 60, 77
    out = evaluate(p, o, groups, resamples=resamples, seed=seed, confidence=0.9)
    fit = fit_logistic(p, o)
    rng = np.random.default_rng(seed)
    gid = np.array(groups)
    samples: dict[str, list[float]] = {
        name: [] for name in ("srocc", "krocc", "plcc", "plcc_logistic", "rmse")
    }
    for _ in range(resamples):
        weights = np.bincount(rng.integers(0, 30, 30), minlength=30)[gid]
        for name, value in _materialised(p, o, fit, weights).items():
            samples[name].append(value)
    for name, values in samples.items():
        expected = np.percentile(values, [5.0, 95.0])
        assert out[f"{name}_ci"] == pytest.approx(expected, abs=1e-9), name
