"""Phase 2: find where the content of clips not at their ``src`` went.

The root is walked once into the state; only files whose size equals an
unresolved clip's are hashed; each unresolved clip is resolved by a lookup on the hash.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Final

import attrs
import orjson

from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.runner.executor import Work, run_ordered
from vqa_core.runner.lock import lock_path_for
from vqa_core.runner.progress import ProgressSink
from vqa_core.runner.state import Outcome, StateStore, state_path_for
from vqa_core.runner.watchdog import StalledTask, beat
from vqa_core.verify.config import VerifyConfig
from vqa_core.verify.report import _line
from vqa_core.verify.statuses import _PENDING_CHANGED, _PENDING_MISSING, CHANGED, MISSING, MOVED

log = logging.getLogger("vqa.verify")

#: Files recorded per commit while walking the root.
_WALK_BATCH: Final = 1024


def _hash_candidate(path: str) -> str:
    """SHA-256 of a file found under the root; ``""`` (matches no clip) when it cannot be read."""
    try:
        return sha256_file(path, on_chunk=beat)
    except OSError:
        return ""


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
