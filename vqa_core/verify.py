"""``vqa verify``: are the clips on disk still the ones a shard describes?

Every shard row names a clip (``src``, relative to the dataset root) and its
content (``src_sha256``, ``src_size_bytes``). A run re-hashes the file at
``root/src`` and gives each row one status:

* ``ok`` — the same SHA-256 (and, with ``probe``, the same geometry);
* ``moved`` — not at ``src``, but a file with the same SHA-256 lies elsewhere
  under the root (``found_at``);
* ``missing`` — no file at ``src`` and the content nowhere else;
* ``changed`` — a file at ``src`` with other bytes and the content nowhere else,
  or (``probe``) the same bytes now probed with another width, height, frame
  rate or pixel format;
* ``unreadable`` — something is at ``src`` but cannot be read (permission, I/O
  error, not a regular file, no progress for the stall time);
* ``invalid`` — the shard row names no usable clip (``file:line`` in the detail).

Two phases, both resumable from a SQLite state beside the report (the store
ingest uses, :class:`~vqa_core.ingest.state.StateStore`, which also holds the
report's lock). Phase 1 streams the shard and checks each clip at its ``src``
on the watched thread pool, recording outcomes in shard order. Only if some
clips are not at their ``src``, phase 2 walks the root once, records every
regular file's path and size in the state, hashes only the files whose size
equals an unresolved clip's ``src_size_bytes``, and resolves each unresolved
clip by a lookup on the hash. Memory stays flat in the row count and in the
number of files under the root: rows, files and hashes live in SQLite.

The report is rendered from the state in shard order when every row is
decided, so a run killed at any instant and rerun writes the same bytes as an
uninterrupted one. A run that completed is not reused: the next run checks again
(bit rot changes no size or mtime).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

import attrs
import orjson

from vqa_core.errors import (
    DatasetNotFoundError,
    OutputError,
    ShardError,
    StateError,
    UsageError,
    VerificationError,
)
from vqa_core.fsutil import atomic_writer, ensure_directory, manifest_path_for, sha256_file
from vqa_core.ingest.executor import Ready, Work, opened_executor, run_ordered, slots
from vqa_core.ingest.outputs import NoProgress, ProgressSink
from vqa_core.ingest.probe import ProbeError, ProbeResult, probe_clip
from vqa_core.ingest.state import Outcome, StateStore, lock_path_for, state_path_for
from vqa_core.ingest.watchdog import StalledTask, beat
from vqa_core.provenance import build_manifest, describe_file, write_manifest
from vqa_core.shardio import count_shard_rows, iter_shard_rows, probe_columns
from vqa_core.timestamps import run_timestamp

__all__ = [
    "STATUSES",
    "VerifyConfig",
    "VerifyReport",
    "verify",
    "default_report_path",
    "write_json_document",
    "Expected",
    "ClipCheck",
    "CheckResult",
    "check_clip",
    "geometry_differences",
]

log = logging.getLogger("vqa.verify")

OK: Final = "ok"
MISSING: Final = "missing"
CHANGED: Final = "changed"
MOVED: Final = "moved"
UNREADABLE: Final = "unreadable"
INVALID: Final = "invalid"
#: Every status a report line can carry, in the order summaries list them.
STATUSES: Final = (OK, MOVED, MISSING, CHANGED, UNREADABLE, INVALID)
#: Phase 1 outcomes that phase 2 turns into moved, or into missing / changed.
_PENDING_MISSING: Final = "pending-missing"
_PENDING_CHANGED: Final = "pending-changed"

MANIFEST_SCHEMA: Final = "vqa-verify-manifest-v1"
_STATE_KIND: Final = "verify"
_STATE_VERSION: Final = "1"
#: Seconds one probe read may take (as ingest); a clip without progress for twice this is unreadable.
PROBE_TIMEOUT_S: Final = 30.0
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
#: Non-ok clips printed as warnings per status before the rest go only to the report.
LOG_PER_STATUS: Final = 20
#: Files recorded per commit while walking the root.
_WALK_BATCH: Final = 1024

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


def default_report_path(shard: Path) -> Path:
    """``shards/k1.jsonl`` (or ``.parquet``) → ``shards/k1.verify.jsonl``, beside the shard."""
    return shard.with_name(f"{shard.stem}.verify.jsonl")


def _positive_workers(_: object, __: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and value < 1:
        raise UsageError(f"--workers must be at least 1, got {value}")


def _positive_seconds(_: object, __: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"the probe timeout must be a positive number of seconds, got {value}")


@attrs.frozen
class VerifyConfig:
    shard: Path
    root: Path
    #: Default: :func:`default_report_path` of the shard.
    report: Path | None = None
    workers: int | None = attrs.field(default=None, validator=_positive_workers)
    probe: bool = False
    restart: bool = False
    probe_timeout_s: float = attrs.field(default=PROBE_TIMEOUT_S, validator=_positive_seconds)
    #: Items in flight at once; default 4 × workers.
    window: int | None = None

    @property
    def report_path(self) -> Path:
        return self.report if self.report is not None else default_report_path(self.shard)


@attrs.frozen
class VerifyReport:
    shard: Path
    root: Path
    report: Path
    manifest: Path
    rows: int
    #: Clips per status; every status of :data:`STATUSES` is present.
    counts: dict[str, int]
    #: Rows whose outcome an interrupted run had already decided.
    reused: int
    checked: int
    files_walked: int
    files_hashed: int
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return self.counts[OK] == self.rows

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[s]:,} {s}" for s in STATUSES if self.counts[s]) or "no clips"
        return f"verify: {self.rows:,} clips: {parts} ({self.elapsed_s:.1f} s) -> {self.report}"

    def failure(self) -> VerificationError | None:
        """The error a caller raises to say "not every clip is ok" (exit 3), or ``None``."""
        if self.ok:
            return None
        bad = ", ".join(f"{self.counts[s]:,} {s}" for s in STATUSES if s != OK and self.counts[s])
        return VerificationError(
            f"{self.rows - self.counts[OK]:,} of {self.rows:,} clips are not as {self.shard} describes "
            f"({bad}); see {self.report}",
            counts=dict(self.counts),
        )


# ---------------------------------------------------------------------------
# One clip: pure functions of a task and the file system, safe on any worker thread.
# ---------------------------------------------------------------------------


@attrs.frozen
class Expected:
    """What the shard says about one clip."""

    src: str
    sha256: str
    size: int
    width: int | None = None
    height: int | None = None
    framerate: float | None = None
    pix_fmt: str | None = None
    #: Headerless raw video: its geometry came from the corpus, not from the bytes, so never probed.
    raw: bool = False


@attrs.frozen
class ClipCheck:
    idx: int
    path: str
    expected: Expected
    probe: bool = False
    probe_timeout_s: float = PROBE_TIMEOUT_S


@attrs.frozen
class CheckResult:
    idx: int
    status: str
    detail: str | None = None
    #: The file at ``src`` when the check ran (``None`` when there was none): resume compares it.
    size: int | None = None
    mtime_ns: int | None = None


def geometry_differences(expected: Expected, probed: ProbeResult) -> list[str]:
    """``["width is 64, the shard says 32", …]`` for each described field the probe reads otherwise."""
    found: list[str] = []
    pairs: tuple[tuple[str, object, object], ...] = (
        ("width", expected.width, probed.width),
        ("height", expected.height, probed.height),
        ("pix_fmt", expected.pix_fmt, probed.pix_fmt),
    )
    for name, want, got in pairs:
        if want is not None and want != got:
            found.append(f"{name} is {got}, the shard says {want}")
    if expected.framerate is not None and not math.isclose(
        expected.framerate, probed.framerate, rel_tol=1e-6
    ):
        found.append(f"framerate is {probed.framerate:g}, the shard says {expected.framerate:g}")
    return found


def _probe_problems(path: str, task: ClipCheck) -> list[str]:
    if not task.probe or task.expected.raw:
        return []
    try:
        probed = probe_clip(Path(path), timeout_s=task.probe_timeout_s, verify=False, on_packet=beat)
    except ProbeError as exc:
        return [f"it does not open as video ({exc})"]
    return geometry_differences(task.expected, probed)


def check_clip(task: ClipCheck) -> CheckResult:
    """Hash (and with ``probe``, probe) the clip at ``task.path``; never raises for a clip problem."""
    want = task.expected
    try:
        st = os.stat(task.path)
    except (FileNotFoundError, NotADirectoryError):
        return CheckResult(task.idx, _PENDING_MISSING, f"no file at {want.src}")
    except OSError as exc:
        return CheckResult(task.idx, UNREADABLE, f"{want.src}: {exc.strerror or exc}")
    size, mtime = st.st_size, st.st_mtime_ns
    if not stat.S_ISREG(st.st_mode):
        return CheckResult(task.idx, UNREADABLE, f"{want.src} is not a regular file", size, mtime)
    try:
        sha = sha256_file(task.path, on_chunk=beat)
    except OSError as exc:
        return CheckResult(task.idx, UNREADABLE, f"{want.src}: {exc.strerror or exc}", size, mtime)
    problems = _probe_problems(task.path, task)
    probed = f"; probed: {'; '.join(problems)}" if problems else ""
    if sha == want.sha256:
        if problems:
            return CheckResult(
                task.idx, CHANGED, f"{want.src} has the shard's bytes, but {'; '.join(problems)}", size, mtime
            )
        return CheckResult(task.idx, OK, None, size, mtime)
    detail = (
        f"{want.src} has other bytes: SHA-256 {sha[:16]}…, the shard says {want.sha256[:16]}…; "
        f"{size:,} bytes, the shard says {want.size:,}{probed}"
    )
    return CheckResult(task.idx, _PENDING_CHANGED, detail, size, mtime)


def _hash_candidate(path: str) -> str:
    """SHA-256 of a file found under the root; ``""`` (matches no clip) when it cannot be read."""
    try:
        return sha256_file(path, on_chunk=beat)
    except OSError:
        return ""


# ---------------------------------------------------------------------------
# Reading the shard: one row → what to check, or why it cannot be checked.
# ---------------------------------------------------------------------------


def _expected(row: dict[str, Any]) -> Expected | str:
    src = row.get("src")
    if not isinstance(src, str) or not src:
        return "the row has no src"
    posix = PurePosixPath(src)
    if "\x00" in src or posix.is_absolute() or ".." in posix.parts:
        return f"src {src!r} leaves the dataset root"
    sha = row.get("src_sha256")
    if not isinstance(sha, str) or not _HEX64.fullmatch(sha):
        return f"{src}: src_sha256 is not a SHA-256 hex digest"
    size = row.get("src_size_bytes")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return f"{src}: src_size_bytes is not a byte count"

    def number(name: str, kind: type) -> Any:
        value = row.get(name)
        if kind is str:
            return value if isinstance(value, str) and value else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return kind(value) if math.isfinite(value) else None

    raw = posix.suffix.lower() == ".yuv" or row.get("encoder_upstream") == "rawvideo"
    return Expected(
        src=src,
        sha256=sha,
        size=size,
        width=number("width", int),
        height=number("height", int),
        framerate=number("framerate", float),
        pix_fmt=number("pix_fmt", str),
        raw=raw,
    )


def _line(src: object, status: str, detail: str | None, found_at: str | None = None) -> bytes:
    return orjson.dumps(
        {
            "src": src if isinstance(src, str) else None,
            "status": status,
            "detail": detail,
            "found_at": found_at,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def _signature(path: Path) -> tuple[int | None, int | None] | None:
    """``(size, mtime_ns)`` of the file at ``path``, ``(None, None)`` when there is none, ``None`` when
    that cannot be told (a recorded outcome is then decided again)."""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except (OSError, ValueError):
        return None
    return st.st_size, st.st_mtime_ns


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


class _Run:
    """Phase 1 of one run: shard rows in, outcomes recorded in shard order."""

    def __init__(self, config: VerifyConfig, state: StateStore) -> None:
        self.config = config
        self.state = state
        self.rows_read = 0
        self.reused = 0
        self.checked = 0
        self.ok = 0
        self.not_ok = 0
        #: idx → (src, expected SHA-256, expected size, file:line) of the rows in flight (at most the window)
        self.inflight: dict[int, tuple[str, str, int, str]] = {}

    def plan(self) -> Iterator[Ready[Outcome | CheckResult] | Work[ClipCheck]]:
        for where, row, problem in iter_shard_rows(self.config.shard):
            idx = self.rows_read
            self.rows_read += 1
            expected = _expected(row) if row is not None else (problem or "unreadable")
            if isinstance(expected, str):
                src = row.get("src") if row is not None else None
                detail = f"{where}: {expected}"
                yield Ready(
                    Outcome(
                        key=str(idx),
                        idx=idx,
                        status=INVALID,
                        detail=detail,
                        origin=where,
                        row=_line(src, INVALID, detail),
                    )
                )
                continue
            path = self.config.root / expected.src
            prior = self.state.get(str(idx))
            if (
                prior is not None
                and prior.status not in (INVALID, UNREADABLE)
                and prior.sha256 == expected.sha256
                and prior.origin == where
                and _signature(path) == (prior.size, prior.mtime_ns)
            ):
                yield Ready(prior)
                continue
            self.inflight[idx] = (expected.src, expected.sha256, expected.size, where)
            yield Work(
                ClipCheck(
                    idx=idx,
                    path=str(path),
                    expected=expected,
                    probe=self.config.probe,
                    probe_timeout_s=self.config.probe_timeout_s,
                )
            )

    def record(self, item: Outcome | CheckResult) -> None:
        if isinstance(item, Outcome):
            if self.state.get(item.key) == item:
                self.reused += 1
            else:
                self.state.put(item)
            self._count(item.status)
            return
        self.checked += 1
        src, sha, size, where = self.inflight.pop(item.idx)
        db = self.state.db
        # why: before put(), which may commit: the outcome and its wanted entry land together
        db.execute("DELETE FROM verify_wanted WHERE idx = ?", (item.idx,))
        if item.status in (_PENDING_MISSING, _PENDING_CHANGED):
            db.execute("INSERT INTO verify_wanted(idx, size) VALUES (?, ?)", (item.idx, size))
        self.state.put(
            Outcome(
                key=str(item.idx),
                idx=item.idx,
                status=item.status,
                detail=item.detail,
                origin=where,
                size=item.size,
                mtime_ns=item.mtime_ns,
                sha256=sha,
                row=_line(src, item.status, item.detail),
            )
        )
        self._count(item.status)

    def _count(self, status: str) -> None:
        if status == OK:
            self.ok += 1
        else:
            self.not_ok += 1


def _failed_check(task: ClipCheck, exc: Exception, stall_s: float) -> CheckResult:
    """A clip the watchdog abandoned is unreadable (with a fixed text: the report must not depend on
    timing); anything else a task raised is a bug and stops the run, state kept."""
    if isinstance(exc, StalledTask):
        return CheckResult(
            task.idx,
            UNREADABLE,
            f"{task.expected.src}: no progress for {stall_s:g} s while reading; abandoned",
        )
    raise exc


def _failed_hash(_: str, exc: Exception) -> str:
    if isinstance(exc, StalledTask):
        return ""
    raise exc


def _walk(
    root: Path, skip_dir: str, skip_names: frozenset[str], skip_prefixes: tuple[str, ...]
) -> Iterator[tuple[str, int, int]]:
    """``(path relative to root, size, mtime_ns)`` of every regular file under ``root``.

    Symlinks are not followed (a link can loop or lead off the root); unreadable
    folders are passed over with a warning. Only a stack of folders is held.
    """
    top = os.path.abspath(root)
    stack = [top]
    while stack:
        folder = stack.pop()
        own = folder == skip_dir
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if own and (entry.name in skip_names or entry.name.startswith(skip_prefixes)):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                            continue
                        if not entry.is_file(follow_symlinks=False):
                            continue
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    rel = os.path.relpath(entry.path, top)
                    yield PurePosixPath(*Path(rel).parts).as_posix(), st.st_size, st.st_mtime_ns
        except OSError as exc:
            log.warning("cannot list %s while looking for moved clips: %s", folder, exc.strerror or exc)


def _own_files(report: Path) -> tuple[str, frozenset[str], tuple[str, ...]]:
    """The report's folder, and the names (and temporary-file prefixes) this run writes there."""
    names = [report, state_path_for(report), lock_path_for(report), manifest_path_for(report)]
    state = state_path_for(report).name
    plain = frozenset([*(p.name for p in names), state + "-wal", state + "-shm", state + "-journal"])
    return os.path.abspath(report.parent), plain, tuple(f".{p.name}." for p in names)


class _Search:
    """Phase 2: find where the content of unresolved clips went."""

    def __init__(self, config: VerifyConfig, state: StateStore, executor: Any, window: int) -> None:
        self.config = config
        self.state = state
        self.executor = executor
        self.window = window
        self.walked = 0
        self.hashed = 0

    def unresolved(self) -> bool:
        row = self.state.db.execute(
            "SELECT 1 FROM rows WHERE status IN (?, ?) LIMIT 1", (_PENDING_MISSING, _PENDING_CHANGED)
        ).fetchone()
        return row is not None

    def walk(self) -> None:
        db = self.state.db
        generation = int(self.state.get_meta("walk") or 0) + 1
        self.state.set_meta("walk", str(generation))
        skip = _own_files(self.config.report_path)
        pending = 0
        for path, size, mtime in _walk(self.config.root, *skip):
            # why: a file unchanged since an interrupted run keeps the hash that run paid for
            db.execute(
                "INSERT INTO verify_files(path, size, mtime_ns, sha256, walk) VALUES (?, ?, ?, NULL, ?) "
                "ON CONFLICT(path) DO UPDATE SET walk = excluded.walk, "
                "sha256 = CASE WHEN size = excluded.size AND mtime_ns = excluded.mtime_ns THEN sha256 END, "
                "size = excluded.size, mtime_ns = excluded.mtime_ns",
                (path, size, mtime, generation),
            )
            self.walked += 1
            pending += 1
            if pending >= _WALK_BATCH:
                self.state.commit()
                pending = 0
        db.execute("DELETE FROM verify_files WHERE walk != ?", (generation,))
        self.state.commit()

    _TO_HASH: Final = (
        "FROM verify_files WHERE sha256 IS NULL AND size IN ("
        "SELECT w.size FROM verify_wanted w JOIN rows r ON r.idx = w.idx WHERE r.status IN (?, ?))"
    )

    def to_hash(self) -> int:
        row = self.state.db.execute(
            f"SELECT COUNT(*) {self._TO_HASH}", (_PENDING_MISSING, _PENDING_CHANGED)
        ).fetchone()
        return int(row[0])

    def _candidates(self) -> Iterator[Work[str]]:
        """Files of a wanted size not hashed yet, in path order, a page at a time."""
        after = ""
        while True:
            page = self.state.db.execute(
                f"SELECT path {self._TO_HASH} AND path > ? ORDER BY path LIMIT 256",
                (_PENDING_MISSING, _PENDING_CHANGED, after),
            ).fetchall()
            if not page:
                return
            for (path,) in page:
                yield Work(path)
            after = page[-1][0]

    def hash_candidates(self, progress: ProgressSink) -> None:
        total = self.to_hash()
        if not total:
            return
        log.info(
            "hashing %s files under %s whose size matches a clip not at its src",
            f"{total:,}",
            self.config.root,
        )
        progress.start(total, "verify: search for moved clips")
        root = os.path.abspath(self.config.root)
        paths: dict[int, str] = {}

        def tasks() -> Iterator[Work[str]]:
            for n, work in enumerate(self._candidates()):
                paths[n] = work.task
                yield Work(os.path.join(root, work.task))

        unreadable = 0
        try:
            for n, sha in enumerate(
                run_ordered(
                    self.executor, _hash_candidate, tasks(), window=self.window, on_error=_failed_hash
                )
            ):
                self.state.db.execute(
                    "UPDATE verify_files SET sha256 = ? WHERE path = ?", (sha, paths.pop(n))
                )
                # one commit per file: hashing a clip-sized file costs far more than a WAL commit
                self.state.commit()
                self.hashed += 1
                unreadable += not sha
                progress.advance(self.hashed - unreadable, unreadable)
        finally:
            progress.finish()

    def resolve(self) -> None:
        """Each unresolved clip becomes moved (the first path holding its content) or missing/changed."""
        db = self.state.db
        after = -1
        while True:
            page = db.execute(
                "SELECT key FROM rows WHERE status IN (?, ?) AND idx > ? ORDER BY idx LIMIT 256",
                (_PENDING_MISSING, _PENDING_CHANGED, after),
            ).fetchall()
            if not page:
                return
            for (key,) in page:
                outcome = self.state.get(key)
                assert outcome is not None and outcome.row is not None
                after = outcome.idx
                self.state.put(self._resolved(outcome))
            self.state.commit()

    def _resolved(self, outcome: Outcome) -> Outcome:
        src = orjson.loads(outcome.row or b"{}").get("src")
        wanted = self.state.db.execute(
            "SELECT size FROM verify_wanted WHERE idx = ?", (outcome.idx,)
        ).fetchone()
        found = None
        if wanted is not None:
            hit = self.state.db.execute(
                "SELECT path FROM verify_files WHERE sha256 = ? AND size = ? ORDER BY path LIMIT 1",
                (outcome.sha256, wanted[0]),
            ).fetchone()
            found = None if hit is None else str(hit[0])
        if found is not None:
            why = "no file there" if outcome.status == _PENDING_MISSING else "the file there has other bytes"
            detail = f"not at {src} ({why}); the shard's content is at {found}"
            return attrs.evolve(outcome, status=MOVED, detail=detail, row=_line(src, MOVED, detail, found))
        status = MISSING if outcome.status == _PENDING_MISSING else CHANGED
        kept = (
            outcome.detail
            if status == CHANGED
            else f"no file at {src}, and its content is nowhere under the root"
        )
        return attrs.evolve(outcome, status=status, detail=kept, row=_line(src, status, kept))


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _check_inputs(config: VerifyConfig) -> Path:
    """Everything that can be refused before the state is touched; returns the report path."""
    shard, root = config.shard, config.root
    if shard.suffix.lower() not in (".jsonl", ".parquet"):
        raise ShardError(f"shard {shard} must be a .jsonl or .parquet corpus shard", path=str(shard))
    if not shard.is_file():
        what = "is not a file" if shard.exists() else "does not exist"
        raise ShardError(f"shard {shard} {what}", path=str(shard))
    columns = probe_columns(shard)
    lacking = [c for c in ("src", "src_sha256", "src_size_bytes") if c not in columns]
    if columns and lacking:
        raise ShardError(
            f"{shard} is not a corpus shard: its rows lack {', '.join(lacking)} (write one with vqa ingest)",
            path=str(shard),
        )
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise DatasetNotFoundError(f"dataset root {root} {what}", path=str(root))
    report = config.report_path
    if report.suffix.lower() != ".jsonl":
        raise OutputError(f"report {report} must end in .jsonl")
    if report.exists() and report.resolve() == shard.resolve():
        raise UsageError(f"the report {report} would overwrite the shard; choose another -o")
    if config.report is None and _inside(report.parent, root):
        raise UsageError(
            f"the default report {report} lies inside the dataset root {root}; "
            "pass -o to put the report somewhere else"
        )
    return report


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


def _render(state: StateStore, report: Path, rows: int) -> dict[str, int]:
    """Write the report from the state in shard order; warn about the first non-ok clips per status."""
    counts: Counter[str] = Counter()
    with atomic_writer(report) as fh:
        chunk: list[bytes] = []
        for outcome in state.outcomes(below_idx=rows):
            if outcome.status not in STATUSES or outcome.row is None:
                raise StateError(f"row {outcome.idx + 1} is still undecided in {state.path}; rerun")
            counts[outcome.status] += 1
            if outcome.status != OK and counts[outcome.status] <= LOG_PER_STATUS:
                log.warning("%s: %s: %s", outcome.origin, outcome.status, outcome.detail)
            elif outcome.status != OK and counts[outcome.status] == LOG_PER_STATUS + 1:
                log.warning("further %s clips are listed in %s", outcome.status, report)
            chunk.append(outcome.row + b"\n")
            if len(chunk) >= 1024:
                fh.write(b"".join(chunk))
                chunk = []
        fh.write(b"".join(chunk))
    if sum(counts.values()) != rows:
        raise StateError(f"{state.path} holds {sum(counts.values())} of {rows} rows; rerun with --restart")
    return {status: counts[status] for status in STATUSES}


def verify(
    config: VerifyConfig,
    *,
    progress: ProgressSink | None = None,
    search_progress: ProgressSink | None = None,
) -> VerifyReport:
    """Check every clip of ``config.shard`` under ``config.root`` (see the module docstring).

    Returns the report whatever the clips' statuses; :meth:`VerifyReport.failure`
    gives the error to raise when not every clip is ok. Bad input raises a
    :class:`~vqa_core.errors.VqaError` before anything is written.
    """
    started = time.monotonic()
    progress = progress or NoProgress()
    search_progress = search_progress or NoProgress()
    report_path = _check_inputs(config)
    fingerprint = _fingerprint(config, sha256_file(config.shard))
    manifest = manifest_path_for(report_path)
    ensure_directory(report_path.parent)
    stall_s = 2 * config.probe_timeout_s
    with (
        opened_executor("thread", config.workers, None, stall_s=stall_s, paths=(config.root,)) as executor,
        # a commit at least every quarter second: a kill loses little hashing, even of tiny clips
        StateStore(report_path, commit_seconds=0.25, companions=(manifest,)) as state,
    ):
        workers = slots(executor, config.workers)
        window = config.window or max(8, 4 * workers)
        _open_session(state, report_path, fingerprint, config.restart)
        run = _Run(config, state)
        progress.start(count_shard_rows(config.shard), "verify")
        try:
            for item in run_ordered(
                executor,
                check_clip,
                run.plan(),
                window=window,
                on_error=lambda task, exc: _failed_check(task, exc, stall_s),
            ):
                run.record(item)
                progress.advance(run.ok, run.not_ok)
        finally:
            state.commit()
            progress.finish()
        state.set_meta("rows_read", str(run.rows_read))
        state.commit()
        search = _Search(config, state, executor, window)
        if search.unresolved():
            search.walk()
            search.hash_candidates(search_progress)
            search.resolve()
        counts = _render(state, report_path, run.rows_read)
        result = VerifyReport(
            shard=config.shard,
            root=config.root,
            report=report_path,
            manifest=manifest,
            rows=run.rows_read,
            counts=counts,
            reused=run.reused,
            checked=run.checked,
            files_walked=search.walked,
            files_hashed=search.hashed,
            elapsed_s=time.monotonic() - started,
        )
        _write_manifest(config, result, workers)
        state.set_meta("complete", "1")
        state.commit()
    return result


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    found: dict[str, str | None] = {}
    for name in ("vqa-core", "av", "pyarrow"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _write_manifest(config: VerifyConfig, result: VerifyReport, workers: int) -> None:
    manifest = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=run_timestamp(None),
        versions=_versions(),
        inputs={"shard": describe_file(config.shard)},
        outputs={
            "report": describe_file(result.report),
            "state": describe_file(state_path_for(result.report), hash_file=False),
        },
        root=config.root,
        counts=result.counts,
        stats={"clips": result.rows, "ok": result.ok},
        run={
            "checked": result.checked,
            "reused_from_state": result.reused,
            "files_walked": result.files_walked,
            "files_hashed": result.files_hashed,
            "elapsed_s": round(result.elapsed_s, 3),
        },
        config={"probe": config.probe, "workers": workers, "probe_timeout_s": config.probe_timeout_s},
    )
    write_manifest(result.manifest, manifest)


def write_json_document(result: VerifyReport, out: IO[str]) -> None:
    """``{"shard", "root", "report", "counts", "clips": [{"src", "status"}, …]}`` on ``out``,
    streamed from the report file (one clip in memory at a time)."""
    head = {"shard": str(result.shard), "root": str(result.root), "report": str(result.report)}
    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write(f'  "counts": {json.dumps(result.counts, sort_keys=True)},\n  "clips": [')
    first = True
    with open(result.report, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            entry = orjson.loads(line)
            clip = json.dumps({"src": entry["src"], "status": entry["status"]}, ensure_ascii=False)
            out.write(("\n    " if first else ",\n    ") + clip)
            first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")
