"""Small file-system primitives every writer uses: hashing and atomic replacement."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

__all__ = [
    "CHUNK_BYTES",
    "sha256_file",
    "atomic_writer",
    "atomic_write_bytes",
    "manifest_path_for",
    "fsync_dir",
]

#: Read size for hashing: 1 MiB, the reference shard format's chunk.
CHUNK_BYTES: Final = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Lowercase hex SHA-256 of a file, streamed in 1 MiB chunks (memory stays flat)."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


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
    error the temporary file is removed and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_writer(path) as fh:
        fh.write(data)


def manifest_path_for(output: Path) -> Path:
    """``shard.jsonl`` → ``shard.manifest.json``: the output with its suffix replaced."""
    return output.with_suffix(".manifest.json")
