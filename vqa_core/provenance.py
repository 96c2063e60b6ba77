"""Manifest sidecars: what command, inputs and versions produced an output.

Every output ``X.ext`` gets ``X.manifest.json``, written atomically *after* the
output is final, with sorted keys, two-space indent and a trailing newline.
Common fields: ``schema`` (manifest schema id), ``created_at_utc``, ``argv``,
``versions`` (vqa-core and plugins), ``inputs`` and ``outputs`` (path, size,
sha256); each command adds its own sections (``stats``, ``config`` …).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from vqa_core.fsutil import atomic_write_bytes, sha256_file

__all__ = ["describe_file", "build_manifest", "write_manifest", "argv", "json_safe"]


def describe_file(path: Path, *, hash_file: bool = True) -> dict[str, Any]:
    """``{path, exists, size_bytes, sha256}`` of one file (``sha256`` omitted when not hashed)."""
    entry: dict[str, Any] = {"path": str(path)}
    try:
        st = path.stat()
    except OSError:
        entry.update(exists=False)
        return entry
    entry.update(exists=True, size_bytes=st.st_size)
    if hash_file and path.is_file():
        entry["sha256"] = sha256_file(path)
    return entry


def argv() -> list[str]:
    """The command line, without the program path (stable across install locations)."""
    return [str(a) for a in sys.argv[1:]]


def json_safe(value: Any) -> Any:
    """Paths to strings, tuples to lists, non-finite floats to ``None`` (strict JSON)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the common leaves, without the cost of ABC checks
    if kind is dict:
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [json_safe(v) for v in value]
    return value


def build_manifest(
    schema: str,
    *,
    created_at_utc: str,
    versions: Mapping[str, str | None],
    inputs: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "schema": schema,
        "created_at_utc": created_at_utc,
        "argv": argv(),
        "cwd": os.getcwd(),
        "python": sys.version.split()[0],
        "versions": dict(versions),
        "inputs": dict(inputs or {}),
        "outputs": dict(outputs or {}),
    }
    manifest.update(sections)
    return json_safe(manifest)  # type: ignore[no-any-return]


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    atomic_write_bytes(
        path, orjson.dumps(json_safe(manifest), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )
