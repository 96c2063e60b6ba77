"""The evaluation protocols of ``vqa evaluate``: which models to train, where to test each.

A protocol turns the usable rows of a labelled table into :class:`Fit` s — a
training set, a seed, and the named test sets that model is scored on:

* ``kfold`` — grouped K-fold; every row is predicted once, by the fold that held
  it out, and the pooled predictions are scored (``all``, and each corpus when
  the table holds several).
* ``repeated-holdout`` — R grouped random splits; each split's test rows are
  scored, and a result row reports the median and interquartile range over the
  repeats (the usual protocol for small corpora).
* ``official`` — per corpus that publishes splits: train on its ``train`` split,
  test on each other split it publishes (LSVQ: ``test``, ``test-1080p``).
* ``cross-corpus`` — train once on ``--train SET``, test on each ``--test SET``;
  a SET is ``corpus`` or ``corpus:split``.

Planning is pure (numpy only); the runner trains and scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal

import attrs

from vqa_core.errors import UsageError
from vqa_core.evaluation.splits import GroupCodes, grouped_holdout, grouped_kfold

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Indices = npt.NDArray[np.int64]

__all__ = [
    "PROTOCOLS",
    "Protocol",
    "RowFacts",
    "TestSet",
    "Fit",
    "Plan",
    "parse_set",
    "plan_protocol",
]

Protocol = Literal["kfold", "repeated-holdout", "official", "cross-corpus"]
PROTOCOLS: Final[tuple[str, ...]] = ("kfold", "repeated-holdout", "official", "cross-corpus")
#: The split a corpus trains on under ``official``.
TRAIN_SPLIT: Final = "train"
ALL: Final = "all"


@attrs.frozen
class RowFacts:
    """What the planner knows of each usable row."""

    corpus: tuple[str, ...]
    #: ``""`` where the table gives no split.
    split: tuple[str, ...]
    groups: GroupCodes
    #: Content hash per row (``""`` unknown): a test row sharing one with a training row is left out.
    sha256: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.corpus)


@attrs.frozen
class TestSet:
    name: str
    rows: Indices


@attrs.frozen
class Fit:
    """One model: trained on ``train`` with ``seed``, scored on each of ``tests``."""

    name: str
    train: Indices
    seed: int
    tests: tuple[TestSet, ...]


@attrs.frozen
class Plan:
    protocol: str
    fits: tuple[Fit, ...]
    #: ``pooled``: one prediction per row over all fits, scored per result set (kfold);
    #: ``repeated``: each fit scored alone, then summarised over fits;
    #: ``direct``: each (fit, test set) is one result row.
    scoring: Literal["pooled", "repeated", "direct"]
    #: For ``pooled`` and ``repeated``: the result sets (name → rows of the table they cover).
    result_sets: tuple[TestSet, ...] = ()
    #: Rows left out of a test set because they share content with the training rows.
    overlap_removed: dict[str, int] = attrs.field(factory=dict)
    notes: tuple[str, ...] = ()


def parse_set(text: str) -> tuple[str, str | None]:
    """``corpus`` → ``(corpus, None)``; ``corpus:split`` → ``(corpus, split)``."""
    corpus, sep, split = text.strip().partition(":")
    if not corpus or (sep and not split):
        raise UsageError(f"a test or training set is CORPUS or CORPUS:SPLIT, got {text!r}")
    return corpus, (split if sep else None)


def _select(facts: RowFacts, text: str) -> Indices:
    import numpy as np

    corpus, split = parse_set(text)
    corpora = np.asarray(facts.corpus, dtype=object)
    chosen = corpora == corpus
    if not chosen.any():
        present = ", ".join(sorted(set(facts.corpus))) or "none"
        raise UsageError(
            f"set {text!r}: no usable row of corpus {corpus!r} (corpora in the table: {present})"
        )
    if split is not None:
        splits = np.asarray(facts.split, dtype=object)
        in_split = chosen & (splits == split)
        if not in_split.any():
            published = sorted(
                {s for s, c in zip(facts.split, facts.corpus, strict=True) if c == corpus and s}
            )
            hint = f"its splits: {', '.join(published)}" if published else f"{corpus} publishes no split"
            raise UsageError(f"set {text!r}: no usable row in split {split!r} ({hint})")
        chosen = in_split
    return np.asarray(np.flatnonzero(chosen), dtype=np.int64)


def _without_overlap(facts: RowFacts, train: Indices, test: Indices) -> tuple[Indices, int]:
    """``test`` minus rows whose content group or hash also appears among ``train``."""
    import numpy as np

    train_groups = np.unique(facts.groups.codes[train])
    keep = ~np.isin(facts.groups.codes[test], train_groups)
    train_sha = {facts.sha256[i] for i in train} - {""}
    if train_sha:
        keep &= np.asarray([facts.sha256[i] not in train_sha for i in test], dtype=bool)
    return np.asarray(test[keep], dtype=np.int64), int((~keep).sum())


def _result_sets(facts: RowFacts, rows: Indices) -> tuple[TestSet, ...]:
    """``all`` and, when the rows span several corpora, one set per corpus."""
    import numpy as np

    sets = [TestSet(ALL, rows)]
    corpora = sorted({facts.corpus[i] for i in rows})
    if len(corpora) > 1:
        column = np.asarray(facts.corpus, dtype=object)[rows]
        sets += [TestSet(c, np.asarray(rows[column == c], dtype=np.int64)) for c in corpora]
    return tuple(sets)


def plan_protocol(
    protocol: str,
    facts: RowFacts,
    *,
    seed: int,
    folds: int = 5,
    repeats: int = 10,
    test_fraction: float = 0.2,
    train_set: str | None = None,
    test_sets: Sequence[str] = (),
) -> Plan:
    """The fits of ``protocol`` over ``facts`` (see the module docstring)."""
    import numpy as np

    everything = np.arange(len(facts), dtype=np.int64)
    if protocol != "cross-corpus" and (train_set or test_sets):
        raise UsageError("--train and --test belong to --protocol cross-corpus")
    if protocol == "kfold":
        splits = grouped_kfold(facts.groups, folds, seed)
        fits = tuple(Fit(s.name, s.train, s.seed, (TestSet(ALL, s.test),)) for s in splits)
        return Plan(protocol, fits, "pooled", _result_sets(facts, everything))
    if protocol == "repeated-holdout":
        if repeats < 1:
            raise UsageError(f"--repeats must be at least 1, got {repeats}")
        holdouts = [
            grouped_holdout(facts.groups, test_fraction, seed + r + 1, name=f"repeat-{r + 1}")
            for r in range(repeats)
        ]
        fits = tuple(Fit(s.name, s.train, s.seed, (TestSet(ALL, s.test),)) for s in holdouts)
        return Plan(protocol, fits, "repeated", _result_sets(facts, everything))
    if protocol == "official":
        return _official(facts, seed)
    if protocol == "cross-corpus":
        if not train_set or not test_sets:
            raise UsageError("--protocol cross-corpus needs --train SET and --test SET[,SET…]")
        train = _select(facts, train_set)
        tests, removed = [], {}
        for name in test_sets:
            rows, dropped = _without_overlap(facts, train, _select(facts, name))
            if dropped:
                removed[name] = dropped
            if rows.size == 0:
                raise UsageError(
                    f"test set {name!r} shares all its content with the training set {train_set!r}"
                )
            tests.append(TestSet(name, rows))
        return Plan(
            protocol,
            (Fit(f"train:{train_set}", train, seed, tuple(tests)),),
            "direct",
            overlap_removed=removed,
        )
    raise UsageError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")


def _official(facts: RowFacts, seed: int) -> Plan:
    import numpy as np

    fits, notes, removed = [], [], {}
    corpora = np.asarray(facts.corpus, dtype=object)
    splits = np.asarray(facts.split, dtype=object)
    for corpus in sorted(set(facts.corpus)):
        mine = corpora == corpus
        published = sorted({str(s) for s in splits[mine] if s})
        if not published:
            notes.append(f"{corpus} publishes no split; not evaluated under --protocol official")
            continue
        if TRAIN_SPLIT not in published:
            notes.append(f"{corpus} has no {TRAIN_SPLIT!r} split among its rows ({', '.join(published)})")
            continue
        train = np.asarray(np.flatnonzero(mine & (splits == TRAIN_SPLIT)), dtype=np.int64)
        tests = []
        for split in (s for s in published if s != TRAIN_SPLIT):
            name = f"{corpus}:{split}"
            rows = np.asarray(np.flatnonzero(mine & (splits == split)), dtype=np.int64)
            rows, dropped = _without_overlap(facts, train, rows)
            if dropped:
                removed[name] = dropped
            if rows.size:
                tests.append(TestSet(name, rows))
        if tests:
            fits.append(Fit(f"{corpus}:{TRAIN_SPLIT}", train, seed, tuple(tests)))
        else:
            notes.append(f"{corpus} has no test split besides {TRAIN_SPLIT!r}")
    if not fits:
        raise UsageError(
            "--protocol official needs a corpus with published splits (a train split and a test split) "
            "in the table: " + "; ".join(notes)
        )
    return Plan("official", tuple(fits), "direct", overlap_removed=removed, notes=tuple(notes))
