"""YouTube UGC source rows: the MOS table joined with the clips on disk.

Fields: ``mos`` from ``MOS full`` (1–5, whole video), ``mos_std_dev`` from
``std full``, ``n_ratings`` from ``# subjects``; extension columns
``ugc_category``, ``ugc_resolution`` and the three chunk scores (``None``
where the video is too short for the chunk). A clip not on disk gets
the download URL of the public bucket (``--base-url`` replaces its host) unless
the table has a URL column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from vqa_core.plugin import (
    MetadataError,
    MetadataFile,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    apply_base_url,
)
from vqa_youtube_ugc.clips import (
    VIDEO_SUFFIXES,
    ClipIndex,
    bucket_url,
    index_clips,
    parse_resolution,
    split_vid,
)
from vqa_youtube_ugc.columns import COLUMNS, Columns, map_columns, number, optional_number, text
from vqa_youtube_ugc.declarations import BUCKET, YOUTUBE_UGC
from vqa_youtube_ugc.mos_sheet import CSV_EXPORT, SPREADSHEET, Sheet, SheetRow, open_sheet

__all__ = ["METADATA_NAMES", "find_metadata", "source_rows"]

#: Looked for under the root, then under the clips folder, in this order.
METADATA_NAMES = (SPREADSHEET, CSV_EXPORT)


def find_metadata(root: Path, clips_dir: Path) -> Path:
    for folder in (root, clips_dir):
        for name in METADATA_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise MetadataError(
        f"no YouTube UGC MOS table under {root} (looked for {' or '.join(METADATA_NAMES)})", path=str(root)
    )


def _reject(row: SheetRow, reason: str, detail: str, clip: str | None = None) -> RowRejection:
    return RowRejection(reason=reason, detail=detail, origin=row.origin, clip=clip)


def _check_header(sheet: Sheet, columns: Columns) -> None:
    missing = [role for role in ("vid", "mos") if columns[role] is None]
    if not missing:
        return
    if columns["mos"] is None and columns.dmos:
        raise MetadataError(
            f"{sheet.path}: the table has {', '.join(repr(c) for c in columns.dmos)} but no MOS column; "
            "a DMOS (difference score) is not taken as MOS — give the MOS table "
            f"(columns {', '.join(COLUMNS[:5])}, …)",
            path=str(sheet.path),
        )
    shown = ", ".join(repr(c) for c in sheet.header[:12])
    needs = " and ".join("vid" if r == "vid" else "'MOS full'" for r in missing)
    raise MetadataError(
        f"{sheet.path}: header {shown} is not YouTube UGC's MOS table (it lacks {needs}; "
        f"expected {', '.join(COLUMNS)})",
        path=str(sheet.path),
    )


def _strip_suffix(vid: str) -> str:
    path = PurePosixPath(vid)
    return vid[: -len(path.suffix)] if path.suffix.lower() in VIDEO_SUFFIXES else vid


def _download(
    vid: str,
    category: str | None,
    resolution: int | None,
    url: str | None,
    index: ClipIndex,
    spec: SourceSpec,
) -> tuple[str, str | None]:
    """Where a clip not on disk goes (relative to the clips folder) and its URL, if any.

    The file lands in the bucket's ``<category>/<resolution>P/`` folders unless the clips
    already on disk are flat; a URL column's file keeps its container suffix.
    """
    suffix = ".mkv"
    if url:
        given = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
        suffix = given if given in VIDEO_SUFFIXES else suffix
    known = category is not None and resolution is not None
    if known and not url:
        assert category is not None and resolution is not None
        url = bucket_url(category, resolution, vid)
    folder = f"{category}/{resolution}P/" if known and index.nested else ""
    return folder + vid + suffix, apply_base_url(url, spec.base_url, BUCKET) if url else None


def _row(
    sheet: Sheet, row: SheetRow, cols: Columns, index: ClipIndex, spec: SourceSpec
) -> SourceRow | RowRejection:
    if row.problem:
        return _reject(row, "bad-row", row.problem)
    cells = row.cells
    raw_vid = text(cells, cols["vid"])
    if raw_vid is None:
        return _reject(row, "bad-row", "no vid")
    vid = _strip_suffix(raw_vid)
    comma = sheet.decimal_comma
    try:
        mos = number(cells, cols["mos"], decimal_comma=comma)
    except ValueError as exc:
        return _reject(row, "bad-mos", f"MOS full {exc}", clip=vid)
    chunks: dict[str, float | None] = {}
    for role in ("chunk00", "chunk05", "chunk10"):
        try:
            value = optional_number(cells, cols[role], decimal_comma=comma)
        except ValueError as exc:
            return _reject(row, "bad-mos", f"MOS {role} {exc}", clip=vid)
        if value is not None and not YOUTUBE_UGC.scale.contains(value):
            return _reject(row, "bad-mos", f"MOS {role} {value:g} is outside the 1-5 scale", clip=vid)
        chunks[f"ugc_mos_{role}"] = value
    try:
        std = optional_number(cells, cols["std"], decimal_comma=comma)
    except ValueError as exc:
        return _reject(row, "bad-std-dev", f"std full {exc}", clip=vid)
    n_ratings: int | None = None
    try:
        subjects = optional_number(cells, cols["n_ratings"], decimal_comma=comma)
    except ValueError as exc:
        return _reject(row, "bad-row", f"# subjects {exc}", clip=vid)
    if subjects is not None:
        if subjects != int(subjects):
            return _reject(row, "bad-row", f"# subjects {subjects:g} is not a whole number", clip=vid)
        n_ratings = int(subjects)
    vid_category, vid_resolution = split_vid(vid)
    category = text(cells, cols["category"]) or vid_category
    shown_resolution = text(cells, cols["resolution"])
    resolution = parse_resolution(shown_resolution)
    if resolution is None:
        if shown_resolution is not None:
            return _reject(
                row, "bad-row", f"resolution {shown_resolution!r} is not a height like 1080", clip=vid
            )
        resolution = vid_resolution
    clip = index.find(vid)
    url = None
    if clip is None:
        clip, url = _download(vid, category, resolution, text(cells, cols["url"]), index, spec)
    return SourceRow(
        clip=clip,
        mos=mos,
        origin=row.origin,
        mos_std_dev=std,
        n_ratings=n_ratings,
        url=url,
        extras={"ugc_category": category, "ugc_resolution": resolution, **chunks},
    )


def _rows(sheets: list[Sheet], spec: SourceSpec) -> Iterator[SourceRow | RowRejection]:
    index: ClipIndex | None = None
    for sheet in sheets:
        columns = map_columns(sheet.header)
        _check_header(sheet, columns)
        if index is None:
            index = index_clips(spec.clips_dir)
        for row in sheet.rows():
            yield _row(sheet, row, columns, index, spec)


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = list(spec.metadata) or [find_metadata(spec.root, spec.clips_dir)]
    sheets = [open_sheet(path) for path in paths]
    return SourceRows(files=[MetadataFile(s.path, s.data_rows) for s in sheets], rows=_rows(sheets, spec))
