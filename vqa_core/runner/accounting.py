"""How a job counts its rows: live, for the progress display and the log, and finally, from the store.

Every row a job reads is either written or skipped under one reason. While
the job runs, :class:`Tally` counts each outcome as it is recorded and logs
the first :data:`LOG_PER_REASON` skipped rows of each reason in full; the rest
of a reason are announced once and listed only in the rejections file, and
:meth:`Tally.close` says how many there were in all. At the end :func:`tally`
recounts from the resume state, which also holds the rows an earlier,
interrupted run decided.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from vqa_core.errors import StateError
from vqa_core.runner.state import WRITTEN, Outcome, StateStore

__all__ = ["Tally", "tally", "LOG_PER_REASON"]

#: Skipped rows of one reason logged in full before the rest go only to the rejections file.
LOG_PER_REASON: Final = 20


class Tally:
    """Rows written and skipped so far in this run; logs skipped rows to ``log``."""

    def __init__(self, log: logging.Logger, rejections: Path) -> None:
        self.log = log
        self.rejections = rejections
        self.written = 0
        self.skipped = 0
        self._logged: Counter[str] = Counter()

    def count(self, outcome: Outcome) -> None:
        if outcome.status == WRITTEN:
            self.written += 1
            return
        self.skipped += 1
        reason = outcome.reason or outcome.status
        self._logged[reason] += 1
        n = self._logged[reason]
        if n <= LOG_PER_REASON:
            self.log.warning("%s: %s: %s", outcome.origin or outcome.key, reason, outcome.detail)
        elif n == LOG_PER_REASON + 1:
            self.log.warning("further %s rows are listed in %s", reason, self.rejections)

    def close(self, skipped: Mapping[str, int]) -> None:
        """Say how many rows of each reason not logged in full were skipped in all (``skipped``: by reason)."""
        for reason, n in sorted(skipped.items()):
            if n > LOG_PER_REASON:
                self.log.warning("%s: %s rows in all (see %s)", reason, f"{n:,}", self.rejections)


def tally(state: StateStore, rows_read: int) -> tuple[int, dict[str, int]]:
    """``(written, skipped by reason)`` of the rows below ``rows_read``; they must add up to it."""
    counts = state.counts(below_idx=rows_read)
    written = counts.get((WRITTEN, None), 0)
    skipped: dict[str, int] = {}
    for (status, reason), n in counts.items():
        if status != WRITTEN:
            key = reason or status
            skipped[key] = skipped.get(key, 0) + n
    if written + sum(skipped.values()) != rows_read:
        raise StateError(
            f"internal accounting mismatch: {written} written + {sum(skipped.values())} skipped "
            f"!= {rows_read} read; rerun with --restart"
        )
    return written, dict(sorted(skipped.items()))
