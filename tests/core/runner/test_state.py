"""The resume state's ``meta``: whose state it is (kind), which version, and what ``begin`` refuses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from vqa_core.errors import StateError
from vqa_core.runner.state import Outcome, StateKind, StateStore, begin, state_path_for

FEATURES = StateKind("features", "a feature extraction", 1)
INGEST = StateKind("ingest", "an ingest", 3)


def test_a_new_state_records_its_kind_and_version(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    with StateStore(out) as state:
        assert begin(state, out, FEATURES) is True
        assert (state.get_meta("kind"), state.get_meta("state_version")) == ("features", "1")
    with StateStore(out) as state:
        assert begin(state, out, FEATURES) is False


def test_an_output_without_a_state_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    out.write_text("precious\n")
    with StateStore(out) as state, pytest.raises(StateError, match="exists but has no resume state"):
        begin(state, out, FEATURES)


def test_another_jobs_state_is_refused_naming_the_job(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    with StateStore(out) as state:
        begin(state, out, FEATURES)
    with StateStore(out) as state, pytest.raises(StateError, match="is not the resume state of an ingest"):
        begin(state, out, INGEST)


def test_another_version_is_refused_with_restart(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    with StateStore(out) as state:
        begin(state, out, INGEST)
    other = StateKind("ingest", "an ingest", 4)
    with (
        StateStore(out) as state,
        pytest.raises(StateError, match="another version of vqa; rerun with --restart"),
    ):
        begin(state, out, other)


def test_a_state_without_a_kind_is_an_ingest_of_before(tmp_path: Path) -> None:
    """Ingest states recorded no kind before every job did; they resume, and are no one else's."""
    out = tmp_path / "o.jsonl"
    with StateStore(out) as state:
        begin(state, out, INGEST)
        state.put(Outcome(key="a.mp4", idx=0, status="written", row=b"{}"))
    with sqlite3.connect(state_path_for(out)) as db:
        db.execute("DELETE FROM meta WHERE key = 'kind'")
    with StateStore(out) as state:
        assert begin(state, out, INGEST) is False
        assert state.get("a.mp4") is not None
    with (
        StateStore(out) as state,
        pytest.raises(StateError, match="not the resume state of a feature extraction"),
    ):
        begin(state, out, FEATURES)


def test_close_is_final_and_idempotent(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    with StateStore(out) as state:
        state.put(Outcome(key="a", idx=0, status="rejected", reason="x"))
        state.close()
        size = state.path.stat().st_size
        state.close()
        with pytest.raises(RuntimeError, match="outside its context"):
            state.get("a")
    assert state.path.stat().st_size == size
    with StateStore(out) as state:
        assert state.get("a") == Outcome(key="a", idx=0, status="rejected", reason="x")
