"""``Tally``: the first skipped rows of a reason are logged in full, the rest announced and counted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from vqa_core.runner.accounting import LOG_PER_REASON, Tally, tally
from vqa_core.runner.state import Outcome, StateStore


def test_the_rows_past_the_first_of_a_reason_go_to_the_rejections_file(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    rejections = tmp_path / "o.rejections.jsonl"
    counted = Tally(logging.getLogger("vqa.test"), rejections)
    caplog.set_level(logging.WARNING, "vqa.test")
    n = LOG_PER_REASON + 3
    for i in range(n):
        counted.count(Outcome(key=f"{i}.mp4", idx=i, status="rejected", reason="missing-clip", detail="gone"))
    counted.count(
        Outcome(key="x.mp4", idx=n, status="rejected", reason="unsafe-path", origin="m.csv:9", detail="up")
    )
    counted.count(Outcome(key="ok.mp4", idx=n + 1, status="written"))
    assert (counted.written, counted.skipped) == (1, n + 1)
    counted.close({"missing-clip": n, "unsafe-path": 1})
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:LOG_PER_REASON] == [f"{i}.mp4: missing-clip: gone" for i in range(LOG_PER_REASON)]
    assert messages[LOG_PER_REASON:] == [
        f"further missing-clip rows are listed in {rejections}",
        "m.csv:9: unsafe-path: up",
        f"missing-clip: {n} rows in all (see {rejections})",
    ]


def test_the_final_tally_must_add_up(tmp_path: Path) -> None:
    with StateStore(tmp_path / "o.jsonl") as state:
        state.put(Outcome(key="a", idx=0, status="written"))
        state.put(Outcome(key="b", idx=1, status="rejected", reason="bad-row"))
        state.put(Outcome(key="c", idx=2, status="duplicate", reason="duplicate"))
        state.put(Outcome(key="d", idx=3, status="rejected"))
        assert tally(state, 4) == (1, {"bad-row": 1, "duplicate": 1, "rejected": 1})
        assert tally(state, 2) == (1, {"bad-row": 1})
        with pytest.raises(Exception, match="internal accounting mismatch"):
            tally(state, 5)
