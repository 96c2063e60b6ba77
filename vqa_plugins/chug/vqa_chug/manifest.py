"""CHUG's ``chug.csv``: one row per clip, scores on 0–100, stored on 1–5.

Published header (13 columns, comma-separated, no quoting)::

    Video,mos_j,sos_j,ref,name,bitladder,resolution,bitrate,orientation,framerate,content_name,height,width

5,992 rows: 856 contents × 7 bitrate-ladder rungs (``360p_0.2M_``, ``720p_0.5M_``,
``720p_2M_``, ``1080p_0.5M_``, ``1080p_1M_``, ``1080p_3M_``, ``1080p_ref_``), sorted
by ``mos_j``. ``Video`` is a 32-digit hex id; the clip is ``<Video>.mp4``, fetched
from the public bucket when missing.

Scale contract: the stored ``mos`` is ``1 + 4·mos_j/100`` (1–5) and
``mos_raw_0_100`` keeps ``mos_j`` as published; ``mos_std_dev`` is ``sos_j``
converted the same way (``×4/100``) so the two share one axis, and the raw
``sos_j`` is kept in ``chug_sos_raw``. A raw MOS that is not a finite number in
[0, 100] is a counted ``bad-mos`` rejection; nothing is clamped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from vqa_chug.declarations import VIDEO_BASE
from vqa_core.plugin import (
    Header,
    MetadataError,
    MetadataFile,
    MosScale,
    Record,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    apply_base_url,
    open_table,
    reject,
    to_float,
    to_int,
)

__all__ = [
    "METADATA_NAME",
    "HEADER",
    "EXTENSION_COLUMNS",
    "RAW_LO",
    "RAW_HI",
    "stored_mos",
    "stored_std",
    "video_url",
    "source_rows",
]

METADATA_NAME: Final = "chug.csv"
HEADER: Final = (
    "Video",
    "mos_j",
    "sos_j",
    "ref",
    "name",
    "bitladder",
    "resolution",
    "bitrate",
    "orientation",
    "framerate",
    "content_name",
    "height",
    "width",
)
#: Extension columns and their Arrow types, in the order of the published header.
EXTENSION_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("chug_video_id", "string"),
    ("chug_ref", "int64"),
    ("chug_name", "string"),
    ("chug_bitladder", "string"),
    ("chug_resolution", "string"),
    ("chug_bitrate_label", "string"),
    ("chug_orientation", "string"),
    ("chug_framerate_manifest", "float64"),
    ("chug_content_name", "string"),
    ("chug_height_manifest", "int64"),
    ("chug_width_manifest", "int64"),
    ("chug_sos_raw", "float64"),
    ("mos_raw_0_100", "float64"),
)
#: The published scale of ``mos_j``.
RAW_LO: Final = 0.0
RAW_HI: Final = 100.0
#: The scale the stored ``mos`` is on (the declared ``"1-5"``); core's arithmetic converts onto it.
STORED_SCALE: Final = MosScale(1, 5)

_VIDEO_ID: Final = re.compile(r"^[0-9a-fA-F]{32}$")
#: Text columns: published name → extension column.
_TEXT: Final = (
    ("name", "chug_name"),
    ("bitladder", "chug_bitladder"),
    ("resolution", "chug_resolution"),
    ("bitrate", "chug_bitrate_label"),
    ("orientation", "chug_orientation"),
    ("content_name", "chug_content_name"),
)


def stored_mos(raw: float) -> float:
    """``1 + 4·raw/100``: a published 0–100 score on the stored 1–5 axis."""
    return STORED_SCALE.from_unified(raw)


def stored_std(raw: float) -> float:
    """A published spread on the 0–100 axis, on the stored 1–5 axis (``×4/100``)."""
    return STORED_SCALE.std_from_unified(raw)


def video_url(video_id: str, base_url: str | None = None) -> str:
    """The download URL of a clip, with the published host replaced by ``base_url`` if given."""
    return apply_base_url(f"{VIDEO_BASE}/{video_id}.mp4", base_url, VIDEO_BASE)


def find_metadata(root: Path) -> Path:
    candidate = root / METADATA_NAME
    if candidate.is_file():
        return candidate
    raise MetadataError(f"no CHUG metadata under {root} (looked for {METADATA_NAME})", path=str(root))


class _BadValue(ValueError):
    """A cell that does not parse; carries the rejection reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class _Columns:
    """Positions of the published columns in one file's header (looked up once, not per row)."""

    def __init__(self, header: Header) -> None:
        self._index = {name: header.index(name) for name in HEADER}

    def get(self, record: Record, name: str) -> str | None:
        """The stripped cell of ``name``, or ``None`` when the column is absent or the cell empty."""
        index = self._index[name]
        return None if index is None else record.cell(index)


def _number(columns: _Columns, record: Record, column: str, *, whole: bool = False) -> float | int | None:
    text = columns.get(record, column)
    if text is None:
        return None
    try:
        value: float | int = to_int(text) if whole else to_float(text)
    except ValueError as exc:
        raise _BadValue("bad-row", f"{column} {exc}") from None
    return value


def _row(columns: _Columns, record: Record, base_url: str | None) -> SourceRow | RowRejection:
    video = columns.get(record, "Video")
    if video is None:
        return reject(record, "bad-row", "no Video id")
    if not _VIDEO_ID.match(video):
        return reject(record, "bad-row", f"Video {video!r} is not a 32-digit hex id")
    clip = f"{video}.mp4"
    try:
        raw = to_float(columns.get(record, "mos_j"))
    except ValueError as exc:
        return reject(record, "bad-mos", f"mos_j {exc}", clip=clip)
    if not math.isfinite(raw) or not RAW_LO <= raw <= RAW_HI:
        return reject(
            record, "bad-mos", f"mos_j {raw!r} is not a finite score on the published 0–100 scale", clip=clip
        )
    sos: float | None = None
    sos_text = columns.get(record, "sos_j")
    if sos_text is not None:
        try:
            sos = to_float(sos_text)
        except ValueError as exc:
            return reject(record, "bad-std-dev", f"sos_j {exc}", clip=clip)
        if not math.isfinite(sos) or sos < 0:
            return reject(record, "bad-std-dev", f"sos_j {sos!r} is not a finite spread ≥ 0", clip=clip)
    try:
        ref = _number(columns, record, "ref", whole=True)
        framerate = _number(columns, record, "framerate")
        height = _number(columns, record, "height", whole=True)
        width = _number(columns, record, "width", whole=True)
    except _BadValue as bad:
        return reject(record, bad.reason, str(bad), clip=clip)
    if ref is not None and ref not in (0, 1):
        return reject(record, "bad-row", f"ref {ref} is neither 0 nor 1", clip=clip)
    if framerate is not None and not (math.isfinite(framerate) and framerate > 0):
        return reject(record, "bad-row", f"framerate {framerate!r} is not a positive rate", clip=clip)
    extras: dict[str, object] = {
        "chug_video_id": video,
        "chug_ref": ref,
        "chug_framerate_manifest": None if framerate is None else float(framerate),
        "chug_height_manifest": height,
        "chug_width_manifest": width,
        "chug_sos_raw": sos,
        "mos_raw_0_100": raw,
    }
    for column, name in _TEXT:
        extras[name] = columns.get(record, column)
    # the seven rungs of one source video share its content_name; a row without one is its own content
    content = columns.get(record, "content_name")
    return SourceRow(
        clip=clip,
        mos=stored_mos(raw),
        origin=record.origin,
        mos_std_dev=None if sos is None else stored_std(sos),
        n_ratings=None,
        url=video_url(video, base_url),
        extras=extras,
        content_group=content,
    )


def _rows(table: Table, spec: SourceSpec) -> Iterator[SourceRow | RowRejection]:
    header = table.header
    assert header is not None
    missing = [c for c in ("Video", "mos_j") if not header.has(c)]
    if missing:
        raise MetadataError(
            f"{table.path}:1: header {','.join(header.names)!r} is not CHUG's: it lacks "
            f"{' and '.join(missing)} (published header: {','.join(HEADER)})",
            path=str(table.path),
            line=1,
        )
    columns = _Columns(header)
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        yield _row(columns, record, spec.base_url)


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = spec.metadata or (find_metadata(spec.root),)
    if len(paths) != 1:
        raise MetadataError("CHUG has one metadata file (chug.csv); give --metadata once", path=str(paths[1]))
    table = open_table(paths[0], delimiters=(",",))
    return SourceRows(files=[MetadataFile(paths[0], table.data_lines)], rows=_rows(table, spec))
