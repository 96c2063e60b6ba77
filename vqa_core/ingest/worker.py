"""The per-clip work: make sure the clip is on disk, hash it, probe it.

:func:`process_clip` is a pure function of its :class:`ClipTask` (plus the
file system and network), picklable, and safe to run on threads, processes or
Dask workers. It never raises for a clip problem: it returns a
:class:`ClipResult` whose ``reason`` says what went wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from vqa_core.errors import DownloadError
from vqa_core.fsutil import is_inside, sha256_file
from vqa_core.ingest.download import DOWNLOAD_FAILED, DOWNLOAD_STALLED, Downloader, DownloadPolicy, part_path
from vqa_core.ingest.probe import ProbeError, ProbeResult, ProbeTimeout, probe_clip
from vqa_core.runner.watchdog import beat
from vqa_core.schema import RawVideoHints

__all__ = ["ClipTask", "ClipResult", "WorkerSettings", "process_clip"]


@attrs.frozen
class WorkerSettings:
    """Settings shared by every task of a run."""

    offline: bool = False
    probe_timeout_s: float = 30.0
    verify: bool = True
    download: DownloadPolicy = attrs.field(factory=DownloadPolicy)


@attrs.frozen
class ClipTask:
    idx: int
    key: str
    path: str
    #: The directory the clip must stay inside once symlinks are resolved.
    base: str
    url: str | None = None
    hints: RawVideoHints | None = None
    #: Why ``url`` may not be fetched (a scheme or host the run does not allow): a clip that
    #: is not on disk is then ``url-not-allowed``; one on disk never needed the URL.
    url_refused: str | None = None


@attrs.frozen
class ClipResult:
    idx: int
    key: str
    reason: str | None = None
    detail: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    probe: ProbeResult | None = None
    downloaded: int = 0
    transient: bool = False

    @property
    def ok(self) -> bool:
        return self.reason is None


# One downloader per process: its connection pools are shared by the worker threads.
_DOWNLOADERS: dict[DownloadPolicy, Downloader] = {}


def _downloader(policy: DownloadPolicy) -> Downloader:
    if policy not in _DOWNLOADERS:
        _DOWNLOADERS[policy] = Downloader(policy)
    return _DOWNLOADERS[policy]


def _kept(path: Path) -> str:
    """What a stalled download leaves for the next run to resume from."""
    try:
        size = os.lstat(part_path(path)).st_size
    except OSError:
        return ""
    return f"; {size:,} bytes kept in {part_path(path).name} to resume from (--retry-failed)"


def process_clip(task: ClipTask, settings: WorkerSettings) -> ClipResult:  # noqa: C901  # why: the worker's ordered chain of early refusals, each a ClipResult the caller records
    """Locate (or download), hash and probe one clip."""

    def fail(reason: str, detail: str, **extra: object) -> ClipResult:
        return ClipResult(task.idx, task.key, reason=reason, detail=detail, **extra)  # type: ignore[arg-type]

    path = Path(task.path)
    downloaded = 0
    try:
        os.lstat(path)
        present = True
    except PermissionError as exc:  # a folder on the way may not be searched: there, but unreadable
        return fail("unreadable-clip", f"{task.key}: {exc.strerror or exc}")
    except OSError:
        present = False
    if present and not is_inside(task.path, task.base):
        return fail("unsafe-path", f"{task.key} resolves outside {task.base} (symlink)")
    if not path.exists():
        if present:
            return fail("missing-clip", f"{task.key} is a dangling symlink")
        if task.url_refused:
            return fail("url-not-allowed", f"{task.key}: {task.url_refused}; nothing was fetched")
        if not task.url:
            return fail("missing-clip", f"{task.key} is not on disk and the metadata gives no download URL")
        if settings.offline:
            return fail("missing-clip", f"{task.key} is not on disk (--offline: not downloading {task.url})")
        try:
            downloaded = _downloader(settings.download).fetch(task.url, path, within=task.base)
        except DownloadError as exc:
            detail = str(exc)
            if exc.reason == DOWNLOAD_STALLED:
                detail += _kept(path)
            return fail(exc.reason, detail, transient=exc.transient)
        except OSError as exc:
            return fail(DOWNLOAD_FAILED, f"cannot write {path}: {exc.strerror or exc}", transient=True)
    try:
        st = path.stat()
    except OSError as exc:
        return fail("missing-clip", f"{task.key}: {exc.strerror or exc}")
    if not path.is_file():
        return fail("broken-clip", f"{task.key} is not a regular file")
    if st.st_size == 0:
        return fail("broken-clip", f"{task.key} is empty (0 bytes)", size=0, mtime_ns=st.st_mtime_ns)
    try:
        sha = sha256_file(path, on_chunk=beat)
    except OSError as exc:
        return fail(
            "unreadable-clip", f"{task.key}: {exc.strerror or exc}", size=st.st_size, mtime_ns=st.st_mtime_ns
        )
    try:
        probe = probe_clip(
            path,
            hints=task.hints,
            size=st.st_size,
            timeout_s=settings.probe_timeout_s,
            read_packets=settings.verify,
            on_packet=beat,
        )
    except ProbeTimeout as exc:
        return fail(
            "probe-timeout", f"{task.key}: {exc}", size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha
        )
    except ProbeError as exc:
        return fail("broken-clip", f"{task.key}: {exc}", size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha)
    return ClipResult(
        task.idx,
        task.key,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        sha256=sha,
        probe=probe,
        downloaded=downloaded,
    )
