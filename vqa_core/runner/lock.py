"""One writer per output: an advisory lock file beside the output.

Every command that writes an output holds ``<output>.lock`` with ``flock`` for
as long as it writes, through :func:`output_lock`, so two runs aimed at one
output never interleave: the second is refused at once with a message naming
the first one's process id. The lock is released by the kernel when its holder
exits, even after ``kill -9``; the file itself stays (removing it would let a
third process lock a different file of the same name). While the lock is held,
temporary files a killed writer left beside the output are removed
(docs/decisions/0046-one-writer-per-output.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from vqa_core.errors import OutputError, OutputLockedError
from vqa_core.fsutil import ensure_directory, output_error, remove_stale_temporaries

__all__ = ["output_lock", "lock_path_for"]


def lock_path_for(output: Path) -> Path:
    """``shard.jsonl`` → ``shard.jsonl.lock``; a folder given as ``.`` or ``..`` is named in full first."""
    if output.name in ("", ".."):
        output = Path(os.path.abspath(output))
    if not output.name:
        raise OutputError(f"{output} cannot be an output; choose a file or folder below it")
    return output.with_name(output.name + ".lock")


@contextlib.contextmanager
def output_lock(output: Path, *companions: Path) -> Iterator[Path]:
    """Hold the lock of ``output`` while the block writes it; yields the lock file's path.

    Raises :class:`OutputLockedError` (a :class:`StateError`, exit 5) at once when another
    process holds it.
    ``companions`` are the other files the command writes beside the output
    (manifest, rejections): their stale temporaries are cleaned up as well.
    """
    path = lock_path_for(output)
    fd = _acquire(path, output)
    try:
        remove_stale_temporaries(output, *companions)
        yield path
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(path: Path, output: Path) -> int:
    """The open, locked lock file holding this process's id."""
    ensure_directory(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise output_error(path, exc, action="create the lock file") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
        os.close(fd)
        # why: the holder writes its pid just after locking; a reader can come in between
        who = f" (pid {holder})" if holder.isdigit() else ""
        raise OutputLockedError(
            f"{output} is being written by another vqa process{who}; "
            "wait for it to finish or choose another output",
            output=str(output),
            pid=int(holder) if holder.isdigit() else None,
        ) from None
    except OSError as exc:
        os.close(fd)
        raise output_error(path, exc, action="lock") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
    except OSError as exc:
        os.close(fd)
        raise output_error(path, exc) from None
    return fd
