"""KoNViD-1k metadata: ``KoNViD_1k_attributes.csv`` or ``KoNViD_1k_mos.csv``.

Published headers::

    flickr_id,download_id,file_name,MOS,ti,si,colorfulness,contrast,blur,vniqe
    "flickr_id","mos"                      (every value quoted)

Clips on disk are ``<flickr_id>.mp4`` in ``KoNViD_1k_videos/`` while the
``file_name`` column keeps older names (``<id>_original_centercrop_…mp4``), so
rows join clips by ``flickr_id``; a clip still carrying an old name is found
too. Headers are matched case-insensitively; a UTF-8 BOM is fine. The file
publishes neither a std dev nor a rating count.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from vqa_core.plugin import (
    MetadataError,
    MetadataFile,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    open_table,
    reject,
    to_float,
)

__all__ = ["METADATA_NAMES", "find_metadata", "source_rows"]

METADATA_NAMES = ("KoNViD_1k_attributes.csv", "KoNViD_1k_mos.csv")
_METADATA_DIRS = ("KoNViD_1k_metadata", "metadata", "")


def find_metadata(root: Path) -> Path:
    for name in METADATA_NAMES:
        for folder in _METADATA_DIRS:
            candidate = root / folder / name
            if candidate.is_file():
                return candidate
    raise MetadataError(
        f"no KoNViD-1k metadata under {root} (looked for {' or '.join(METADATA_NAMES)} in "
        f"{', '.join(d + '/' for d in _METADATA_DIRS if d)} and the root)",
        path=str(root),
    )


def _preferred(name: str, other: str | None, flickr_id: str) -> bool:
    """Whether ``name`` beats ``other`` as the clip of ``flickr_id``: a file named exactly
    ``<id>.<suffix>`` beats an older ``<id>_…`` name; among exact names the last by name wins,
    among older names the first."""
    if other is None:
        return True
    exact, other_exact = name.split(".", 1)[0] == flickr_id, other.split(".", 1)[0] == flickr_id
    if exact != other_exact:
        return exact
    return name > other if exact else name < other


class _ClipNames:
    """flickr_id → clip file name, for clips named ``<id>.mp4`` or with an older ``<id>_…`` name.

    Only names other than the published ``<id>.mp4`` are remembered, so a corpus in
    the published layout costs no memory per clip (150,000 rows: the index used to
    hold one entry per file, ~200 bytes each); a row looks ``<id>.mp4`` up on disk
    only when another name for its id was seen.
    """

    def __init__(self, clips_dir: Path) -> None:
        self.clips_dir = clips_dir
        self._other: dict[str, str] = {}
        try:
            entries = os.scandir(clips_dir)
        except OSError:
            return
        with entries:
            for entry in entries:  # unsorted, one entry at a time: the order is decided by _preferred
                name = entry.name
                flickr_id = name.split(".", 1)[0].split("_", 1)[0]
                if not flickr_id.isdigit() or name == f"{flickr_id}.mp4":
                    continue
                if _preferred(name, self._other.get(flickr_id), flickr_id):
                    self._other[flickr_id] = name

    def clip(self, flickr_id: str) -> str:
        published = f"{flickr_id}.mp4"
        other = self._other.get(flickr_id)
        if other is None:
            return published
        if (self.clips_dir / published).exists() and _preferred(published, other, flickr_id):
            return published
        return other


def _rows(table: Table, clips_dir: Path) -> Iterator[SourceRow | RowRejection]:
    header = table.header
    assert header is not None
    if not header.has("flickr_id") or not header.has("mos"):
        raise MetadataError(
            f"{table.path}: header {','.join(header.names)!r} is not KoNViD-1k's "
            "(needs flickr_id and MOS columns)",
            path=str(table.path),
            line=1,
        )
    names = _ClipNames(clips_dir)
    decimal_comma = table.decimal_comma
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        flickr_id = (record.get("flickr_id") or "").strip('"')
        if not flickr_id:
            yield reject(record, "bad-row", "no flickr_id")
            continue
        if not flickr_id.isdigit():
            yield reject(record, "bad-row", f"flickr_id {flickr_id!r} is not a number")
            continue
        try:
            mos = to_float(record.get("mos"), decimal_comma=decimal_comma)
        except ValueError as exc:
            yield reject(record, "bad-mos", f"MOS {exc}")
            continue
        yield SourceRow(
            clip=names.clip(flickr_id),
            mos=mos,
            origin=record.origin,
            extras={"konvid_flickr_id": flickr_id},
        )


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = spec.metadata or (find_metadata(spec.root),)
    if len(paths) != 1:
        raise MetadataError("KoNViD-1k has one metadata file; give --metadata once", path=str(paths[1]))
    table = open_table(paths[0], delimiters=(",", ";"))
    return SourceRows(files=[MetadataFile(paths[0], table.data_lines)], rows=_rows(table, spec.clips_dir))
