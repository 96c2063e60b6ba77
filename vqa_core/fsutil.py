"""Small file-system primitives every writer uses: hashing and atomic replacement.

A write that fails for a reason outside the program (no space left, the
file-size limit, a read-only or forbidden folder) raises
:class:`~vqa_core.errors.OutputError` naming the file and the operating
system's reason, so the CLI prints one line instead of an internal error
(docs/decisions/0045-output-write-failures.md).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Final

from vqa_core.errors import OutputError

__all__ = [
    "CHUNK_BYTES",
    "sha256_file",
    "atomic_writer",
    "atomic_write_bytes",
    "manifest_path_for",
    "fsync_dir",
    "ensure_directory",
    "output_error",
    "write_failure_hint",
    "remove_stale_temporaries",
    "WRITE_ERRNOS",
    "is_inside",
]

#: OS errors that can only mean a write did not fit or was not allowed (never a read problem).
WRITE_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})
#: Free space below this is reported as "no space left" when the OS did not say why a write failed.
_LOW_SPACE_BYTES: Final = 1 << 20

#: Read size for hashing: 1 MiB, the reference shard format's chunk.
CHUNK_BYTES: Final = 1 << 20


def sha256_file(path: Path | str, *, on_chunk: Callable[[], None] | None = None) -> str:
    """Lowercase hex SHA-256 of a file, streamed in 1 MiB chunks (memory stays flat).

    ``on_chunk`` is called after every chunk (a watchdog's heartbeat). Only a
    regular file is read: the file is opened without blocking and checked, so a
    FIFO or device put in its place raises ``OSError`` instead of waiting for a
    writer that never comes.
    """
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb", buffering=0) as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            if on_chunk is not None:
                on_chunk()
    return digest.hexdigest()


def write_failure_hint(path: Path) -> str:
    """Why writing beside ``path`` may have failed when the OS did not say (SQLite reports only
    "disk I/O error"): no free space, the file-size limit, or a read-only folder; "" if none applies."""
    import resource

    folder = path.parent
    hints = []
    try:
        st = os.statvfs(folder)
        if st.f_bavail * st.f_frsize < _LOW_SPACE_BYTES:
            hints.append(f"no space left on the device holding {folder}")
        if st.f_flag & os.ST_RDONLY:
            hints.append(f"{folder} is on a read-only file system")
    except OSError:
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        hints.append(f"the file-size limit (ulimit -f) is {soft:,} bytes")
    if not os.access(folder, os.W_OK):
        hints.append(f"{folder} is not writable")
    return "; ".join(hints)


def output_error(path: Path, exc: OSError, *, action: str = "write") -> OutputError:
    """A one-line :class:`OutputError` for a failed write of ``path``: the file and the OS's reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"cannot {action} {path}: {reason}")


def ensure_directory(folder: Path) -> None:
    """Create ``folder`` (and parents) for an output; :class:`OutputError` when that is not possible."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot create the folder {folder}: a file of that name exists") from None
    except OSError as exc:
        raise output_error(folder, exc, action="create the folder") from None


def _temporary(path: Path) -> tuple[int, str]:
    """Create the temporary file beside ``path``: mode 0o666 less the umask, like any new file
    (``mkstemp`` would make it 0o600, and the rename would keep that: outputs unreadable to the group)."""
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666
            ), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def remove_stale_temporaries(*paths: Path) -> int:
    """Remove temporary files an interrupted :func:`atomic_writer` left beside ``paths``.

    Call only while holding the output's lock (no other writer can be using them).
    Returns how many were removed.
    """
    removed = 0
    for path in paths:
        try:
            entries = list(os.scandir(path.parent))
        except OSError:
            continue
        prefix = f".{path.name}."
        for entry in entries:
            name = entry.name
            if name.startswith(prefix) and name.endswith(".tmp") and len(name) == len(prefix) + 12:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb") -> Iterator[IO[bytes]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` on success.

    Readers see the old file or the complete new one, never a torn one; on any
    error the temporary file is removed and ``path`` is untouched. A write that
    does not fit (no space, file-size limit, read-only file system) or a folder
    that cannot take the file raises :class:`OutputError` naming ``path``.
    """
    ensure_directory(path.parent)
    try:
        fd, tmp = _temporary(path)
    except OSError as exc:
        raise output_error(path, exc) from None
    fh = os.fdopen(fd, mode)
    try:
        try:
            yield fh
        except OSError as exc:
            # why: only errors that cannot come from reading are the output's; others pass through
            if exc.errno in WRITE_ERRNOS:
                raise output_error(path, exc) from None
            raise
        try:
            fh.flush()
            os.fsync(fh.fileno())
        except OSError as exc:
            raise output_error(path, exc) from None
        fh.close()
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise output_error(path, exc, action="replace") from None
        fsync_dir(path.parent)
    except BaseException:
        # why: closing flushes what is still buffered, which fails again on a full disk; the
        # first error is the one to report, and the temporary file goes either way
        with contextlib.suppress(OSError):
            fh.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_writer(path) as fh:
        fh.write(data)


def manifest_path_for(output: Path) -> Path:
    """``shard.jsonl`` → ``shard.manifest.json``: the output with its suffix replaced."""
    return output.with_suffix(".manifest.json")


def is_inside(path: Path | str, base: Path | str) -> bool:
    """Whether ``path``, once symlinks are resolved, is ``base`` or lies below it."""
    real = os.path.realpath(path)
    real_base = os.path.realpath(base)
    return real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep)
