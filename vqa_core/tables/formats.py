"""Which suffix means which table format (case-insensitive); each reader says which it takes."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Final, Literal

__all__ = ["TableFormat", "SUFFIXES", "format_of"]

TableFormat = Literal["jsonl", "parquet", "json", "csv"]

#: Every table suffix vqa knows, in the order error messages list them.
SUFFIXES: Final[dict[str, TableFormat]] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".csv": "csv",
}


def format_of(path: Path, accepted: Collection[str]) -> TableFormat | None:
    """The format of ``path`` if its suffix is one of ``accepted``, else ``None``."""
    suffix = path.suffix.lower()
    return SUFFIXES[suffix] if suffix in accepted else None
