"""Grouped splits: a content group never sits on both sides; same seed, same splits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vqa_core.errors import UsageError
from vqa_core.evaluation.splits import group_codes, grouped_holdout, grouped_kfold, grouping_of, shared_groups

group_keys = st.lists(
    st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "", None]), min_size=8, max_size=60
)


def test_codes_follow_sorted_keys_and_loose_rows_are_their_own_group() -> None:
    codes = group_codes(["b", "a", None, "b", ""])
    assert codes.codes.tolist() == [1, 0, 2, 1, 3]
    assert codes.n_groups == 4 and codes.largest == 2


@settings(derandomize=True, max_examples=150, deadline=None)
@given(keys=group_keys, folds=st.integers(2, 5), seed=st.integers(0, 2**32 - 1))
def test_kfold_keeps_groups_whole_and_covers_every_row_once(
    keys: list[str | None], folds: int, seed: int
) -> None:
    codes = group_codes(keys)
    if codes.n_groups < folds:
        with pytest.raises(UsageError, match="too few"):
            grouped_kfold(codes, folds, seed)
        return
    splits = grouped_kfold(codes, folds, seed)
    tested = np.concatenate([s.test for s in splits])
    assert sorted(tested.tolist()) == list(range(len(keys)))
    for s in splits:
        assert s.test.size > 0
        assert np.intersect1d(s.train, s.test).size == 0
        assert s.train.size + s.test.size == len(keys)
        assert shared_groups(codes, s.train, s.test) == 0
    assert [s.seed for s in splits] == [seed + i + 1 for i in range(folds)]


def test_kfold_is_deterministic_and_depends_on_the_seed() -> None:
    codes = group_codes([f"g{i // 3}" for i in range(90)])
    first = [s.test.tolist() for s in grouped_kfold(codes, 5, 7)]
    assert first == [s.test.tolist() for s in grouped_kfold(codes, 5, 7)]
    assert first != [s.test.tolist() for s in grouped_kfold(codes, 5, 8)]


def test_kfold_folds_are_balanced_in_rows() -> None:
    codes = group_codes([f"g{i % 40}" for i in range(200)])  # 40 groups of 5
    sizes = [s.test.size for s in grouped_kfold(codes, 5, 1)]
    assert sizes == [40] * 5
    singletons = group_codes([None] * 103)
    sizes = sorted(s.test.size for s in grouped_kfold(singletons, 5, 1))
    assert sizes == [20, 20, 21, 21, 21]


def test_kfold_does_not_depend_on_row_order() -> None:
    keys = [f"g{i % 17}" for i in range(85)]
    order = np.random.default_rng(3).permutation(len(keys))
    shuffled = [keys[i] for i in order]
    original = {frozenset(keys[i] for i in s.test) for s in grouped_kfold(group_codes(keys), 5, 11)}
    moved = {frozenset(shuffled[i] for i in s.test) for s in grouped_kfold(group_codes(shuffled), 5, 11)}
    assert original == moved


@settings(derandomize=True, max_examples=100, deadline=None)
@given(keys=group_keys, fraction=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_holdout_keeps_groups_whole(keys: list[str | None], fraction: float, seed: int) -> None:
    codes = group_codes(keys)
    if codes.n_groups < 2:
        return
    split = grouped_holdout(codes, fraction, seed)
    assert split.train.size and split.test.size
    assert split.train.size + split.test.size == len(keys)
    assert shared_groups(codes, split.train, split.test) == 0


def test_holdout_fraction_is_near_the_target() -> None:
    codes = group_codes([f"g{i // 2}" for i in range(1000)])
    split = grouped_holdout(codes, 0.2, 5)
    assert abs(split.test.size - 200) <= 2


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_holdout_refuses_a_fraction_outside_0_1(fraction: float) -> None:
    with pytest.raises(UsageError, match="test-fraction"):
        grouped_holdout(group_codes(["a", "b"]), fraction, 0)


def test_one_grouping_rule_for_every_split() -> None:
    keys = ["a", "a", "b", None]
    grouped = grouping_of(keys, 4, ignore_groups=False)
    assert (grouped.grouped, grouped.leaky, grouped.codes.n_groups, grouped.warning) == (True, False, 3, None)
    off = grouping_of(keys, 4, ignore_groups=True)
    assert (off.grouped, off.leaky, off.codes.n_groups, off.rows_sharing_a_group) == (False, True, 4, 2)
    assert off.warning is not None and "2 of 4 rows share" in off.warning
    harmless = grouping_of(["a", "b"], 2, ignore_groups=True)
    assert not harmless.leaky and harmless.warning is not None
    absent = grouping_of(None, 3, ignore_groups=False)
    assert (absent.grouped, absent.leaky, absent.codes.n_groups) == (False, False, 3)
    assert absent.warning is not None and "no content_group column" in absent.warning
