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

from vqa_core.errors import MetadataError
from vqa_core.parsing import Table, open_table, reject, to_float
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import MetadataFile, SourceRows, SourceSpec

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


def _clip_index(clips_dir: Path) -> dict[str, str]:
    """flickr_id → file name, for clips named ``<id>.mp4`` or with an older ``<id>_…`` name."""
    index: dict[str, str] = {}
    try:
        entries = sorted(os.scandir(clips_dir), key=lambda e: e.name)
    except OSError:
        return index
    for entry in entries:
        stem = entry.name.split(".", 1)[0]
        flickr_id = stem.split("_", 1)[0]
        if flickr_id.isdigit() and (flickr_id not in index or stem == flickr_id):
            index[flickr_id] = entry.name
    return index


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
    index = _clip_index(clips_dir)
    decimal_comma = table.delimiter == ";"  # a semicolon export writes 3,41 for 3.41
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
            clip=index.get(flickr_id, f"{flickr_id}.mp4"),
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
