"""One writer per output: an advisory lock file beside the output.

Every command that writes an output (``ingest``, ``features extract``,
``aggregate``, ``merge-grid``) holds ``<output>.lock`` with ``flock`` for as
long as it writes, so two runs aimed at one output never interleave: the second
is refused at once with a message naming the first one's process id. The lock
is released by the kernel when its holder exits, even after ``kill -9``; the
file itself stays (removing it would let a third process lock a different file
of the same name). While the lock is held, temporary files a killed writer left
beside the output are removed (docs/decisions/0046-one-writer-per-output.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from vqa_core.errors import StateError
from vqa_core.fsutil import ensure_directory, output_error, remove_stale_temporaries

__all__ = ["OutputLock", "lock_path_for"]


def lock_path_for(output: Path) -> Path:
    """``shard.jsonl`` → ``shard.jsonl.lock``."""
    return output.with_name(output.name + ".lock")


class OutputLock:
    """Hold the lock of ``output`` (a context manager); :class:`StateError` when another process has it.

    ``companions`` are the other files the command writes beside the output
    (manifest, rejections): their stale temporaries are cleaned up as well.
    """

    def __init__(self, output: Path, *, companions: tuple[Path, ...] = ()) -> None:
        self.output = output
        self.path = lock_path_for(output)
        self.companions = companions
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def acquire(self) -> None:
        ensure_directory(self.path.parent)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise output_error(self.path, exc, action="create the lock file") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            os.close(fd)
            # why: the holder writes its pid just after locking; a reader can come in between
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise StateError(
                f"{self.output} is being written by another vqa process{who}; "
                "wait for it to finish or choose another output"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise output_error(self.path, exc, action="lock") from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError as exc:
            os.close(fd)
            raise output_error(self.path, exc) from None
        self._fd = fd
        remove_stale_temporaries(self.output, *self.companions)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
