"""Phase 1: stream the shard, check each clip at its ``src``, record outcomes in shard order."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Final

from vqa_core.runner.executor import Ready, Work
from vqa_core.runner.state import Outcome, StateStore
from vqa_core.runner.watchdog import StalledTask
from vqa_core.tables.shards import iter_shard_rows
from vqa_core.verify.check import CheckResult, ClipCheck, Expected
from vqa_core.verify.config import VerifyConfig
from vqa_core.verify.report import _line
from vqa_core.verify.statuses import _PENDING_CHANGED, _PENDING_MISSING, INVALID, OK, UNREADABLE

_HEX64: Final = re.compile(r"[0-9a-f]{64}")


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
