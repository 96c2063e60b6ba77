"""Resume state of one output, in SQLite (WAL) beside the output.

``<output>.state.sqlite`` holds one record per input row decided so far,
keyed by what the job names the row by (for ingest the clip path relative to
the dataset root, or ``@file:line`` for a line that names no clip): its
position in the input, its outcome (written, rejected with a reason,
duplicate), the clip's size, mtime and SHA-256, and the finished output row.
Rows are committed in batches; a ``kill -9`` loses at most the uncommitted
batch, which the next run simply decides again. The output file is rendered
from this store when a run completes, so it is never torn.

The ``meta`` table says whose state it is: every job records its ``kind``
(``ingest``, ``features``, ``verify``) and ``state_version``, and adds what
identifies its input (:func:`begin`). A SQLite error that comes from the disk
(full, file-size limit, read-only) ends the run as
:class:`~vqa_core.errors.OutputError` naming the state file; what was committed
stays, so a rerun once the disk has room continues where the run stopped. The
store takes no lock: whoever opens it holds the output's
(:func:`~vqa_core.runner.lock.output_lock`) first.

Why SQLite and not a JSONL journal: lookups by path and by content hash stay
O(log n) without holding an index of every clip in memory, and the final output
can be streamed in input order (docs/decisions/0002-resume-state-store.md).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Final

import attrs

from vqa_core.errors import OutputError, StateError
from vqa_core.fsutil import write_failure_hint

__all__ = [
    "Outcome",
    "StateStore",
    "StateKind",
    "begin",
    "state_path_for",
    "WRITTEN",
    "REJECTED",
    "DUPLICATE",
]

WRITTEN: Final = "written"
REJECTED: Final = "rejected"
DUPLICATE: Final = "duplicate"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    key TEXT PRIMARY KEY,
    idx INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    origin TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    size INTEGER,
    mtime_ns INTEGER,
    sha256 TEXT,
    row BLOB,
    inputs TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS rows_by_idx ON rows(idx);
CREATE INDEX IF NOT EXISTS rows_by_sha ON rows(sha256) WHERE status = 'written';
"""


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """A state written before a column was added gets it, empty: such states stay resumable."""
    have = {str(r[1]) for r in db.execute("PRAGMA table_info(rows)")}
    if "note" not in have:
        db.execute("ALTER TABLE rows ADD COLUMN note TEXT")


def state_path_for(output: Path) -> Path:
    return output.with_name(output.name + ".state.sqlite")


#: SQLite result codes (primary, the low byte) that mean the disk refused a write.
_DISK_CODES: Final = frozenset({10, 13, 8, 14})  # SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY, SQLITE_CANTOPEN


def _storage_error(path: Path, exc: sqlite3.Error) -> OutputError | StateError:
    """The error to raise for a SQLite failure on ``path``: the disk's (OutputError) or the file's."""
    code = getattr(exc, "sqlite_errorcode", None)
    name = getattr(exc, "sqlite_errorname", None)
    if code is not None and code & 0xFF in _DISK_CODES:
        hint = write_failure_hint(path)
        return OutputError(
            f"cannot write the resume state {path}: {exc} ({name})"
            + (f"; {hint}" if hint else "")
            + "; what was decided so far is kept: rerun once the disk has room"
        )
    return StateError(f"resume state {path} is unreadable ({exc}); remove it or rerun with --restart")


@attrs.frozen
class Outcome:
    """What a row ended as. ``status`` is written, rejected or duplicate."""

    key: str
    idx: int
    status: str
    reason: str | None = None
    detail: str | None = None
    origin: str | None = None
    attempts: int = 0
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    row: bytes | None = None
    #: Digest of what the plugin said about the row (label, extras, hints): a change means redo.
    inputs: str | None = None
    #: A short tag the job keeps with the row for its manifest (ingest: how the clip was probed).
    note: str | None = None


_COLUMNS: Final = tuple(a.name for a in attrs.fields(Outcome))


class StateStore:
    """The resume state of one output; use as a context manager, under the output's lock."""

    def __init__(self, output: Path, *, commit_every: int = 256, commit_seconds: float = 1.0) -> None:
        self.output = output
        self.path = state_path_for(output)
        self._commit_every = commit_every
        self._commit_seconds = commit_seconds
        self._pending = 0
        self._last_commit = time.monotonic()
        self._db: sqlite3.Connection | None = None

    # -- lifecycle ----------------------------------------------------------

    def __enter__(self) -> StateStore:
        try:
            self._db = sqlite3.connect(self.path, isolation_level="DEFERRED", check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a process crash never loses a committed batch; only power loss may.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            _add_missing_columns(self._db)
            self._db.commit()
        except sqlite3.Error as exc:
            self.close()
            raise _storage_error(self.path, exc) from None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):
            # why: every statement of a run may meet a full disk; one place turns that into one line
            raise _storage_error(self.path, exc) from None

    def close(self) -> None:
        """Commit and close (idempotent); the file then has its final size."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.commit()
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("StateStore used outside its context")
        return self._db

    # -- metadata -----------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM meta LIMIT 1").fetchone() is None

    # -- rows -----------------------------------------------------------------

    def get(self, key: str) -> Outcome | None:
        row = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM rows WHERE key = ?", (key,)).fetchone()
        return None if row is None else Outcome(*row)

    def written_with_sha(self, sha256: str) -> Outcome | None:
        row = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM rows WHERE sha256 = ? AND status = 'written' "
            "ORDER BY idx LIMIT 1",
            (sha256,),
        ).fetchone()
        return None if row is None else Outcome(*row)

    def put(self, outcome: Outcome) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO rows({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            attrs.astuple(outcome, recurse=False),
        )
        self._pending += 1
        if (
            self._pending >= self._commit_every
            or time.monotonic() - self._last_commit >= self._commit_seconds
        ):
            self.commit()

    def delete(self, key: str) -> None:
        self.db.execute("DELETE FROM rows WHERE key = ?", (key,))

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0
        self._last_commit = time.monotonic()

    def outcomes(self, *, below_idx: int, status: str | None = None) -> Iterator[Outcome]:
        """Outcomes of the first ``below_idx`` metadata rows, in metadata order."""
        where = "idx < ?" + (" AND status = ?" if status else "")
        params: tuple[object, ...] = (below_idx, status) if status else (below_idx,)
        cursor = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM rows WHERE {where} ORDER BY idx", params)
        while batch := cursor.fetchmany(1024):
            for row in batch:
                yield Outcome(*row)

    def note_counts(self, *, below_idx: int) -> dict[str, int]:
        """``note`` → count over the first ``below_idx`` metadata rows that carry one."""
        cursor = self.db.execute(
            "SELECT note, COUNT(*) FROM rows WHERE idx < ? AND note IS NOT NULL GROUP BY note", (below_idx,)
        )
        return {str(n): int(c) for n, c in cursor}

    def counts(self, *, below_idx: int) -> dict[tuple[str, str | None], int]:
        """``(status, reason)`` → count over the first ``below_idx`` metadata rows."""
        cursor = self.db.execute(
            "SELECT status, reason, COUNT(*) FROM rows WHERE idx < ? GROUP BY status, reason", (below_idx,)
        )
        return {(str(s), r): int(n) for s, r, n in cursor}


@attrs.frozen
class StateKind:
    """Whose state a store holds: the job's ``name``, how a message calls it, its rows' ``version``."""

    name: str
    #: "an ingest", "a feature extraction".
    title: str
    #: Raised when what a finished row holds changes; a state of another version is refused.
    version: int


#: The kind of a state that records none: ingest states written before every job recorded its kind.
_UNMARKED: Final = "ingest"


def begin(state: StateStore, output: Path, kind: StateKind) -> bool:
    """Start a state of ``kind`` or continue one; ``True`` when it is new.

    A new state records ``kind`` and ``state_version``; the job then adds what
    identifies its input. Refused in one line: an ``output`` that exists without
    a state, another job's state, and one written by another version.
    """
    if state.is_empty():
        if output.exists():
            raise StateError(
                f"{output} exists but has no resume state ({state.path.name}); "
                "remove it, choose another output, or pass --restart"
            )
        state.set_meta("kind", kind.name)
        state.set_meta("state_version", str(kind.version))
        return True
    if (state.get_meta("kind") or _UNMARKED) != kind.name:
        raise StateError(f"{state.path} is not the resume state of {kind.title}; choose another output")
    if state.get_meta("state_version") != str(kind.version):
        raise StateError(f"{state.path.name} was written by another version of vqa; rerun with --restart")
    return False
