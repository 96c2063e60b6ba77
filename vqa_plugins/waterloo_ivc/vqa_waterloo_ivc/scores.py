"""Waterloo IVC 4K metadata: the headerless ``scores.txt`` and its header CSV variant.

The published file has no header; each line is::

    encoder,video_number,resolution,distortion_level,mos
    H264,1,540p,1,24.31

(1,200 lines: 20 sources × 5 encoders × 3 resolutions × 4 levels; MOS on 0–100).
The variant with a header names its columns (case-insensitive, aliases in
:data:`COLUMNS`) and may add ``mos_std_dev``, ``n_ratings``, a ``filename``
column naming the clip directly, and per-row raw geometry (``width``,
``height``, ``pix_fmt``, ``framerate``).

Which shape a file has is decided from its content, not from the encoder name
(encoders such as ``H264`` and ``AV1`` contain digits): a line of five fields
whose video number and level are whole numbers and whose last field is a number
is a ``scores.txt`` row; a first line without any number is a header (this
corpus's, found by its column names, or another file's, refused by name). Up
to three lines are looked at, so a damaged first row that still holds numbers
does not make the whole file unreadable. Anything else is refused as a whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final, Literal

from vqa_core.plugin import (
    MetadataError,
    MetadataFile,
    Origin,
    RawVideoHints,
    Record,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    open_table,
    reject,
    to_float,
    to_int,
)
from vqa_waterloo_ivc.clips import ClipIndex, clip_stem, is_raw
from vqa_waterloo_ivc.geometry import RawDefaults, known_pix_fmt, parse_framerate, size_for_token

__all__ = ["METADATA_NAME", "SCORES_COLUMNS", "COLUMNS", "Shape", "detect_shape", "source_rows"]

log = logging.getLogger("vqa.waterloo_ivc")

METADATA_NAME: Final = "scores.txt"
#: The five fields of a headerless scores.txt line, in order.
SCORES_COLUMNS: Final = ("encoder", "video_number", "resolution", "distortion_level", "mos")
#: Column names of the header variant, with the aliases accepted for each.
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "encoder": ("encoder", "codec"),
    "video_number": ("video_number", "video", "video_id", "source"),
    "resolution": ("resolution",),
    "distortion_level": ("distortion_level", "level", "distortion"),
    "mos": ("mos", "mos_score"),
    "mos_std_dev": ("mos_std_dev", "std", "sd", "mos_std"),
    "n_ratings": ("n_ratings", "num_ratings", "ratings"),
    "filename": ("filename", "file_name", "name", "video_name"),
    "width": ("width",),
    "height": ("height",),
    "pix_fmt": ("pix_fmt", "pixel_format"),
    "framerate": ("framerate", "fps", "frame_rate"),
}
_DELIMITERS: Final = (",", "\t", ";")
_PEEK_LINES: Final = 3

Shape = Literal["scores", "header", "unknown"]


def _is_int(text: str) -> bool:
    try:
        to_int(text)
    except ValueError:
        return False
    return True


def _is_number(text: str, decimal_comma: bool = False) -> bool:
    try:
        to_float(text, decimal_comma=decimal_comma)
    except ValueError:
        return False
    return True


def _is_scores_line(cells: Sequence[str], decimal_comma: bool = False) -> bool:
    values = [c.strip().strip('"') for c in cells]
    return (
        len(values) == 5
        and bool(values[0])
        and _is_int(values[1])
        and bool(values[2])
        and _is_int(values[3])
        and _is_number(values[4], decimal_comma)
    )


def detect_shape(lines: Sequence[Sequence[str]], *, decimal_comma: bool = False) -> Shape:
    """The shape of a file from the cells of its first non-blank lines (at most three used);
    ``decimal_comma`` for a ``;``-delimited file, whose numbers may read ``84,59``."""
    if not lines:
        return "unknown"
    first = lines[0]
    if _is_scores_line(first, decimal_comma):
        return "scores"
    if not any(_is_number(c, decimal_comma) for c in first if c.strip()):
        return "header"  # a header of this corpus, or someone else's, refused by name after counting
    if any(_is_scores_line(cells, decimal_comma) for cells in lines[1:_PEEK_LINES]):
        return "scores"
    return "unknown"


def _peek(path: Path) -> tuple[Shape, Table]:
    table = open_table(path, header=False, delimiters=_DELIMITERS)
    lines: list[tuple[str, ...]] = []
    for record in table.records():
        lines.append(record.cells)
        if len(lines) >= _PEEK_LINES:
            break
    shape = detect_shape(lines, decimal_comma=table.decimal_comma)
    if shape == "header":
        table = open_table(path, header=True, delimiters=_DELIMITERS)
    return shape, table


def find_metadata(root: Path) -> Path:
    candidate = root / METADATA_NAME
    if candidate.is_file():
        return candidate
    raise MetadataError(
        f"no Waterloo IVC 4K metadata under {root} (looked for {METADATA_NAME})", path=str(root)
    )


class _RowBuilder:
    """Turns the fields of one line into a row or a rejection (shared by both shapes)."""

    def __init__(self, index: ClipIndex, defaults: RawDefaults, *, decimal_comma: bool = False) -> None:
        self.index = index
        self.defaults = defaults
        #: A ``;``-delimited file may write decimals with a comma (``84,59``).
        self.decimal_comma = decimal_comma

    def build(  # noqa: C901  # why: one early rejection per field; helpers would return rejections for the caller to check again
        self,
        origin: Origin,
        fields: dict[str, str | None],
    ) -> SourceRow | RowRejection:
        def bad(reason: str, detail: str, clip: str | None = None) -> RowRejection:
            return RowRejection(reason=reason, detail=detail, origin=origin, clip=clip)

        filename = fields.get("filename")
        tokens = [fields.get(k) for k in ("encoder", "video_number", "resolution", "distortion_level")]
        if filename and not all(tokens):
            parts = filename.rsplit("/", 1)[-1].split(".", 1)[0].split("_")
            if len(parts) == 4:
                tokens = [t or p for t, p in zip(tokens, parts, strict=True)]
        encoder, video, resolution, level = tokens
        if not filename:
            for name, value in zip(SCORES_COLUMNS, tokens, strict=False):
                if not value:
                    return bad("bad-row", f"no {name}")
        video_number = level_number = None
        if video:
            try:
                video_number = to_int(video)
            except ValueError:
                return bad("bad-row", f"video_number {video!r} is not a whole number")
        if level:
            try:
                level_number = to_int(level)
            except ValueError:
                return bad("bad-row", f"distortion_level {level!r} is not a whole number")
        if filename:
            clip = self.index.for_name(filename) if "." in filename else self.index.for_stem(filename)
        else:
            assert encoder and video and resolution and level
            clip = self.index.for_stem(clip_stem(encoder, video, resolution, level))
        try:
            mos = to_float(fields.get("mos"), decimal_comma=self.decimal_comma)
        except ValueError as exc:
            return bad("bad-mos", f"mos {exc}", clip)
        std = n_ratings = None
        if fields.get("mos_std_dev"):
            try:
                std = to_float(fields["mos_std_dev"], decimal_comma=self.decimal_comma)
            except ValueError as exc:
                return bad("bad-std-dev", f"mos_std_dev {exc}", clip)
        if fields.get("n_ratings"):
            try:
                n_ratings = to_int(fields["n_ratings"])
            except ValueError as exc:
                return bad("bad-row", f"n_ratings {exc}", clip)
        hints: RawVideoHints | None = None
        if is_raw(clip):
            hints_or_problem = self._hints(fields, resolution)
            if isinstance(hints_or_problem, str):
                return bad("bad-row", f"{clip}: {hints_or_problem}", clip)
            hints = hints_or_problem
        return SourceRow(
            clip=clip,
            mos=mos,
            origin=origin,
            mos_std_dev=std,
            n_ratings=n_ratings,
            hints=hints,
            # all 60 encodes of one source share its number; without one the clip is its own content
            content_group=None if video_number is None else str(video_number),
            extras={
                "waterloo_encoder": encoder or None,
                "waterloo_video_number": video_number,
                "waterloo_resolution": resolution or None,
                "waterloo_distortion_level": level_number,
            },
        )

    def _hints(self, fields: dict[str, str | None], resolution: str | None) -> RawVideoHints | str:
        """Raw-clip hints for a row, or why there are none."""
        width, height = fields.get("width"), fields.get("height")
        size: tuple[int, int] | None
        if width or height:
            try:
                size = (to_int(width), to_int(height))
            except ValueError:
                return f"width {width!r} / height {height!r} are not whole numbers"
            if size[0] <= 0 or size[1] <= 0:
                return f"geometry {size[0]}x{size[1]} is not positive"
        else:
            size = size_for_token(resolution) if resolution else None
            if size is None:
                return (
                    f"resolution {resolution!r} names no frame size (use 540p, 1080p, 2160p, <N>p or <W>x<H>), "
                    "so the raw clip's geometry is unknown"
                )
        pix_fmt = fields.get("pix_fmt")
        if pix_fmt and not known_pix_fmt(pix_fmt):
            return f"pix_fmt {pix_fmt!r} is not a pixel format FFmpeg knows"
        rate_text = fields.get("framerate")
        framerate = None
        if rate_text:
            try:
                framerate = parse_framerate(rate_text)
            except ValueError as exc:
                return f"framerate {exc}"
        return self.defaults.hints(size, pix_fmt=pix_fmt, framerate=framerate)


def _scores_rows(table: Table, builder: _RowBuilder) -> Iterator[SourceRow | RowRejection]:
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        cells = [c.strip().strip('"').strip() for c in record.cells]
        while len(cells) > 5 and not cells[-1]:
            cells.pop()  # a line ending in a delimiter
        if len(cells) != 5:
            yield reject(
                record,
                "bad-row",
                f"{len(cells)} fields; a scores.txt line has 5 ({','.join(SCORES_COLUMNS)})",
            )
            continue
        yield builder.build(record.origin, dict(zip(SCORES_COLUMNS, [c or None for c in cells], strict=True)))


def _header_rows(table: Table, builder: _RowBuilder) -> Iterator[SourceRow | RowRejection]:
    header = table.header
    assert header is not None
    has = {key: header.has(*aliases) for key, aliases in COLUMNS.items()}
    tokens = ("encoder", "video_number", "resolution", "distortion_level")
    if not has["mos"] or not (has["filename"] or all(has[k] for k in tokens)):
        raise MetadataError(
            f"{table.path}:1: header {','.join(header.names)!r} is not Waterloo IVC 4K's: it needs a mos "
            f"column and either {', '.join(tokens)} or a filename column (or use the headerless "
            f"scores.txt: {','.join(SCORES_COLUMNS)})",
            path=str(table.path),
            line=1,
        )
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        yield builder.build(record.origin, _fields(record))


def _fields(record: Record) -> dict[str, str | None]:
    return {key: record.get(*aliases) for key, aliases in COLUMNS.items()}


def _rows(
    shape: Shape, table: Table, spec: SourceSpec, defaults: RawDefaults
) -> Iterator[SourceRow | RowRejection]:
    if shape == "unknown":
        raise MetadataError(
            f"{table.path}:1: neither a headerless scores.txt ({','.join(SCORES_COLUMNS)}, e.g. "
            "H264,1,540p,1,45.3) nor a CSV whose first line names its columns",
            path=str(table.path),
            line=1,
        )
    builder = _RowBuilder(ClipIndex(spec.clips_dir), defaults, decimal_comma=table.decimal_comma)
    if shape == "scores":
        yield from _scores_rows(table, builder)
    else:
        yield from _header_rows(table, builder)


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = spec.metadata or (find_metadata(spec.root),)
    if len(paths) != 1:
        raise MetadataError(
            "Waterloo IVC 4K has one metadata file (scores.txt); give --metadata once", path=str(paths[1])
        )
    defaults = RawDefaults.from_environment()
    log.info(
        "raw clips without per-row geometry are read as %s at %g frames/s (%s)",
        defaults.pix_fmt,
        defaults.framerate,
        "from the environment" if defaults.overridden else "assumed; not published with scores.txt",
    )
    shape, table = _peek(paths[0])
    return SourceRows(
        files=[MetadataFile(paths[0], table.data_lines)], rows=_rows(shape, table, spec, defaults)
    )
