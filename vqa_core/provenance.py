"""Manifest sidecars: what command, inputs and versions produced an output.

Every output ``X.ext`` gets ``X.manifest.json``, written atomically *after* the
output is final, in the document wire format of :mod:`vqa_core.documents`.
Common fields (:class:`Manifest`): ``schema`` (manifest schema id),
``created_at_utc``, ``argv``, ``cwd``, ``python``, ``versions`` (vqa-core and
plugins), ``inputs`` and ``outputs`` (path, size, sha256: :class:`FileEntry`);
each command adds its own sections (``stats``, ``config`` …). A manifest that
vqa reads back is a subclass of :class:`Manifest`; one that is only written is
built by :func:`build_manifest` from the common fields and plain sections.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from vqa_core.documents import Timestamp, converter, json_safe, omit_none, write_document
from vqa_core.fsutil import sha256_file

__all__ = [
    "FileEntry",
    "Manifest",
    "describe_file",
    "provenance",
    "build_manifest",
    "write_manifest",
    "argv",
]


@omit_none
@attrs.frozen(kw_only=True)
class FileEntry:
    """One file as a manifest records it; ``size_bytes`` and ``sha256`` only when known."""

    path: str
    exists: bool
    size_bytes: int | None = None
    sha256: str | None = None

    @classmethod
    def of(cls, path: Path, *, hash_file: bool = True) -> FileEntry:
        """``path`` as it is now (``sha256`` left out when not hashed or not a file)."""
        try:
            st = path.stat()
        except OSError:
            return cls(path=str(path), exists=False)
        digest = sha256_file(path) if hash_file and path.is_file() else None
        return cls(path=str(path), exists=True, size_bytes=st.st_size, sha256=digest)


@attrs.frozen(kw_only=True)
class Manifest:
    """The fields every manifest has; a manifest read back subclasses it with its sections."""

    schema: str
    created_at_utc: Timestamp
    argv: list[str]
    cwd: str
    python: str
    versions: dict[str, str | None]
    inputs: dict[str, Any]
    outputs: dict[str, Any]


def describe_file(path: Path, *, hash_file: bool = True) -> dict[str, Any]:
    """``{path, exists, size_bytes, sha256}`` of one file (``sha256`` omitted when not hashed)."""
    return converter.unstructure(FileEntry.of(path, hash_file=hash_file))  # type: ignore[no-any-return]


def argv() -> list[str]:
    """The command line, without the program path (stable across install locations)."""
    return [str(a) for a in sys.argv[1:]]


def provenance(
    schema: str,
    *,
    created_at_utc: str,
    versions: Mapping[str, str | None],
    inputs: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The common fields of a manifest written now, as keyword arguments of a :class:`Manifest`."""
    return {
        "schema": schema,
        "created_at_utc": Timestamp(created_at_utc),
        "argv": argv(),
        "cwd": os.getcwd(),
        "python": sys.version.split()[0],
        "versions": dict(versions),
        "inputs": dict(inputs or {}),
        "outputs": dict(outputs or {}),
    }


def build_manifest(
    schema: str,
    *,
    created_at_utc: str,
    versions: Mapping[str, str | None],
    inputs: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """A manifest that is only written: the common fields and ``sections`` as plain JSON values."""
    common = provenance(
        schema, created_at_utc=created_at_utc, versions=versions, inputs=inputs, outputs=outputs
    )
    manifest = converter.unstructure(Manifest(**common))
    manifest.update(sections)
    return json_safe(manifest)  # type: ignore[no-any-return]


def write_manifest(path: Path, manifest: object) -> None:
    """Write a manifest (a :class:`Manifest` or a :func:`build_manifest` mapping) atomically."""
    write_document(path, manifest)
