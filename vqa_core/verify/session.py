"""The SQLite state of a run: its tables, its fingerprint, and starting or continuing a check."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import orjson

from vqa_core.errors import StateError
from vqa_core.runner.state import StateStore
from vqa_core.verify.config import VerifyConfig

_STATE_KIND: Final = "verify"
_STATE_VERSION: Final = "1"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS verify_wanted (idx INTEGER PRIMARY KEY, size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS verify_wanted_by_size ON verify_wanted(size);
CREATE TABLE IF NOT EXISTS verify_files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT,
    walk INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS verify_files_by_size ON verify_files(size);
CREATE INDEX IF NOT EXISTS verify_files_by_sha ON verify_files(sha256);
"""


def _fingerprint(config: VerifyConfig, shard_sha: str) -> str:
    return orjson.dumps(
        {"shard_sha256": shard_sha, "root": os.path.realpath(config.root), "probe": config.probe},
        option=orjson.OPT_SORT_KEYS,
    ).decode()


def _clear(state: StateStore) -> None:
    for table in ("rows", "meta", "verify_wanted", "verify_files"):
        state.db.execute(f"DELETE FROM {table}")
    state.commit()


def _open_session(state: StateStore, report: Path, fingerprint: str, restart: bool) -> None:
    """Start a new check, or continue the interrupted one this state holds."""
    state.db.executescript(_SCHEMA)
    if restart:
        _clear(state)
        report.unlink(missing_ok=True)
    ours = False  # the report beside this state was written by a finished check
    if not state.is_empty():
        if state.get_meta("kind") != _STATE_KIND:
            raise StateError(f"{state.path} is not the state of a vqa verify run; choose another -o")
        if state.get_meta("complete") == "1":
            _clear(state)  # that check finished: this run checks again from the start
            ours = True
        elif (
            state.get_meta("state_version") != _STATE_VERSION or state.get_meta("fingerprint") != fingerprint
        ):
            raise StateError(
                f"{state.path.name} holds an unfinished check of another shard, root or --probe setting; "
                "rerun with those, or pass --restart to start this one"
            )
    if state.is_empty():
        if report.exists() and not ours:
            raise StateError(
                f"{report} exists but has no verify state ({state.path.name}); "
                "remove it, choose another -o, or pass --restart"
            )
        state.set_meta("kind", _STATE_KIND)
        state.set_meta("state_version", _STATE_VERSION)
        state.set_meta("fingerprint", fingerprint)
    state.commit()
