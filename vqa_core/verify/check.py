"""One clip: what the shard says about it, and whether the file at its ``src`` still matches.

Pure functions of a task and the file system, safe on any worker thread.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Final

import attrs

from vqa_core.fsutil import sha256_file
from vqa_core.ingest.probe import ProbeError, ProbeResult, probe_clip
from vqa_core.runner.watchdog import beat
from vqa_core.verify.statuses import _PENDING_CHANGED, _PENDING_MISSING, CHANGED, OK, UNREADABLE

#: Seconds one probe read may take (as ingest); a clip without progress for twice this is unreadable.
PROBE_TIMEOUT_S: Final = 30.0


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
        probed = probe_clip(Path(path), timeout_s=task.probe_timeout_s, read_packets=False, on_packet=beat)
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
