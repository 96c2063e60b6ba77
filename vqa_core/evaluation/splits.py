"""Splits that keep every content group on one side.

A *content group* is what identifies the source of a clip (the source video of
a bitrate ladder, a Waterloo IVC 4K video number; for a corpus that declares
none, the clip itself). Rows of one group look alike, so a split that put some of them in the
training rows and some in the test rows would measure recall, not prediction.
Every split the project makes — the folds of ``vqa train mos-head`` and
``vqa evaluate --protocol kfold``, the repeats of ``repeated-holdout`` — is made
here, over groups, never over rows.

All functions are pure: the same groups and seed give the same splits on any
machine (numpy's PCG64 generator, stable sorts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from vqa_core.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Indices = npt.NDArray[np.int64]

__all__ = [
    "Split",
    "GroupCodes",
    "Grouping",
    "group_codes",
    "grouping_of",
    "grouped_kfold",
    "grouped_holdout",
    "shared_groups",
]


@attrs.frozen
class Split:
    """One training / test partition: row indices (sorted) into the rows the codes were made from."""

    name: str
    train: Indices
    test: Indices
    #: Seed of the model trained on ``train`` (each split gets its own, derived from the run's seed).
    seed: int


@attrs.frozen
class GroupCodes:
    """Dense group numbers, one per row (0 … ``n_groups`` − 1, in sorted key order)."""

    codes: Indices
    n_groups: int

    @property
    def sizes(self) -> Indices:
        import numpy as np

        return np.asarray(np.bincount(self.codes, minlength=self.n_groups), dtype=np.int64)

    @property
    def largest(self) -> int:
        """Rows in the largest group (1 when every row is its own group)."""
        return int(self.sizes.max()) if self.n_groups else 0


def group_codes(keys: Sequence[str | None]) -> GroupCodes:
    """Number the groups of ``keys``; a row without a key (``None`` or ``""``) is a group of its own.

    Codes follow the sorted order of the keys, not their order in the table, so
    reordering the rows of a table does not change which rows share a fold.
    """
    import numpy as np

    named = sorted({k for k in keys if k})
    index = {k: i for i, k in enumerate(named)}
    codes = np.empty(len(keys), dtype=np.int64)
    loose = len(named)
    for row, key in enumerate(keys):
        if key:
            codes[row] = index[key]
        else:
            codes[row] = loose
            loose += 1
    return GroupCodes(codes, loose)


@attrs.frozen
class Grouping:
    """How the rows of one run are grouped, and what a sidecar says about it."""

    codes: GroupCodes
    #: Splits follow the table's ``content_group`` column.
    grouped: bool
    #: Grouping was turned off although some rows share a content: splits may leak.
    leaky: bool
    by: str
    #: Rows whose content group holds another row too (by the table's column).
    rows_sharing_a_group: int
    #: Why the rows are not grouped by content, for the user; ``None`` when they are.
    warning: str | None = None

    def summary(self) -> dict[str, object]:
        return {
            "grouped": self.grouped,
            "leaky": self.leaky,
            "by": self.by,
            "n_groups": self.codes.n_groups,
            "largest_group": self.codes.largest,
            "rows_sharing_a_group": self.rows_sharing_a_group,
        }


def grouping_of(keys: Sequence[str | None] | None, rows: int, *, ignore_groups: bool) -> Grouping:
    """The one grouping rule of every split the project makes.

    ``keys`` is the ``content_group`` of each of the ``rows`` rows, or ``None`` when
    the table has no such column (each row is then its own group, and the warning
    says so).
    ``ignore_groups`` makes each row its own group on request; the result is
    ``leaky`` when some rows did share a content.
    """
    declared = group_codes(keys) if keys is not None else None
    sharing = int(declared.sizes[declared.sizes > 1].sum()) if declared is not None else 0
    if keys is None:
        return Grouping(
            group_codes([""] * rows),
            grouped=False,
            leaky=False,
            by="row (no content_group column)",
            rows_sharing_a_group=0,
            warning="the table has no content_group column: every row is its own group "
            "(tables made from current shards carry it)",
        )
    assert declared is not None
    if not ignore_groups:
        return Grouping(declared, grouped=True, leaky=False, by="content_group", rows_sharing_a_group=sharing)
    return Grouping(
        group_codes([""] * rows),
        grouped=False,
        leaky=sharing > 0,
        by="row (grouping turned off)",
        rows_sharing_a_group=sharing,
        warning=(
            f"grouping turned off: {sharing:,} of {rows:,} rows share a content group with another row, so "
            "clips of one content can fall on both sides of a split and the metrics are inflated"
            if sharing
            else "grouping turned off; no content group holds more than one row in this table"
        ),
    )


def _rows_of(codes: Indices, chosen: npt.NDArray[np.bool_]) -> Indices:
    import numpy as np

    return np.asarray(np.flatnonzero(chosen[codes]), dtype=np.int64)


def grouped_kfold(groups: GroupCodes, folds: int, seed: int, *, name: str = "fold") -> list[Split]:
    """K folds over whole groups, as equal in rows as the group sizes allow.

    Groups are shuffled with ``seed``, then, largest first (ties in shuffled
    order), each goes to the fold holding the fewest rows so far. With one row
    per group this is a seeded random partition into K near-equal folds.
    Fold ``i`` (1-based) trains with seed ``seed + i``.
    """
    import numpy as np

    if folds < 2:
        raise UsageError(f"--folds must be at least 2, got {folds}")
    if groups.n_groups < folds:
        raise UsageError(
            f"{groups.n_groups} content groups are too few for {folds} folds (each fold needs a group)"
        )
    order = np.random.default_rng(seed).permutation(groups.n_groups)
    sizes = groups.sizes
    order = order[np.argsort(-sizes[order], kind="stable")]
    fold_of = np.empty(groups.n_groups, dtype=np.int64)
    load = np.zeros(folds, dtype=np.int64)
    for group in order:
        target = int(np.argmin(load))  # first of the least-loaded folds: deterministic
        fold_of[group] = target
        load[target] += sizes[group]
    splits = []
    for i in range(folds):
        in_fold = fold_of == i
        splits.append(
            Split(
                f"{name}-{i + 1}",
                _rows_of(groups.codes, ~in_fold),
                _rows_of(groups.codes, in_fold),
                seed + i + 1,
            )
        )
    return splits


def grouped_holdout(groups: GroupCodes, test_fraction: float, seed: int, *, name: str = "holdout") -> Split:
    """One random split of whole groups with about ``test_fraction`` of the rows on the test side.

    Groups are shuffled with ``seed`` and taken into the test side while that
    brings its row count closer to the target; both sides keep at least one group.
    """
    import numpy as np

    if not 0.0 < test_fraction < 1.0:
        raise UsageError(f"--test-fraction must be between 0 and 1 (exclusive), got {test_fraction}")
    if groups.n_groups < 2:
        raise UsageError("a holdout split needs at least 2 content groups")
    order = np.random.default_rng(seed).permutation(groups.n_groups)
    sizes = groups.sizes
    target = test_fraction * int(sizes.sum())
    cumulative = np.cumsum(sizes[order])
    # the prefix of shuffled groups whose row count is nearest the target (at least 1, at most n-1 groups)
    take = int(np.argmin(np.abs(cumulative[:-1] - target))) + 1
    in_test = np.zeros(groups.n_groups, dtype=bool)
    in_test[order[:take]] = True
    return Split(name, _rows_of(groups.codes, ~in_test), _rows_of(groups.codes, in_test), seed)


def shared_groups(groups: GroupCodes, first: Indices, second: Indices) -> int:
    """How many groups have rows on both sides (0 for any split made here)."""
    import numpy as np

    return int(np.intersect1d(groups.codes[first], groups.codes[second]).size)
