"""LIVE-VQC scores as text: ``filename,mos`` without a header, or the same with one.

Headerless (the form the scores are usually passed around in)::

    A001.mp4,45.2
    A002,80.07          (a bare name gets .mp4)

With a header, columns are found by name (case-insensitive): the clip name in
``filename`` / ``file_name`` / ``name`` / ``video`` / ``video_name``, the score in
``mos`` / ``mos_score`` / ``score``, optionally ``mos_std_dev`` / ``std`` and
``n_ratings``. Comma, tab and semicolon delimiters are recognised; with
semicolons a decimal comma (``45,2``) is read as a decimal point.

The shape is decided from content: a line of two fields whose second is a
number is a data line; a first line without any number is a header (this
corpus's, found by its column names, or another file's, refused by name).
Up to three lines are looked at, so a damaged first data line that still holds
a number does not make the whole file unreadable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final, Literal

from vqa_core.plugin import (
    MetadataError,
    Record,
    RowRejection,
    SourceRow,
    Table,
    open_table,
    reject,
    to_float,
    to_int,
)
from vqa_live_vqc.rows import make_row

__all__ = ["COLUMNS", "Shape", "detect_shape", "open_scores", "text_rows"]

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "filename": ("filename", "file_name", "name", "video", "video_name", "video_list"),
    "mos": ("mos", "mos_score", "score"),
    "mos_std_dev": ("mos_std_dev", "std", "sd", "mos_std"),
    "n_ratings": ("n_ratings", "num_ratings", "ratings"),
}
#: Ties in the first line go to the earlier delimiter: ``A001;45,2`` is semicolon-separated.
_DELIMITERS: Final = (";", "\t", ",")
_PEEK_LINES: Final = 3

Shape = Literal["headerless", "header", "unknown"]


def _is_number(text: str, decimal_comma: bool = False) -> bool:
    try:
        to_float(text, decimal_comma=decimal_comma)
    except ValueError:
        return False
    return True


def _trimmed(cells: Sequence[str]) -> list[str]:
    values = [c.strip().strip('"').strip() for c in cells]
    while len(values) > 2 and not values[-1]:
        values.pop()  # a line ending in a delimiter
    return values


def _is_data_line(cells: Sequence[str], decimal_comma: bool) -> bool:
    values = _trimmed(cells)
    return len(values) == 2 and bool(values[0]) and _is_number(values[1], decimal_comma)


def detect_shape(lines: Sequence[Sequence[str]], *, decimal_comma: bool = False) -> Shape:
    """The shape of a text file from the cells of its first non-blank lines."""
    if not lines:
        return "unknown"
    first = lines[0]
    if _is_data_line(first, decimal_comma):
        return "headerless"
    if not any(_is_number(c, decimal_comma) for c in first if c.strip()):
        return "header"  # a header of this corpus, or someone else's, refused by name after counting
    if any(_is_data_line(cells, decimal_comma) for cells in lines[1:_PEEK_LINES]):
        return "headerless"
    return "unknown"


def open_scores(path: Path) -> tuple[Shape, Table]:
    """Detect the shape of ``path`` and open it accordingly (rows counted, not yet parsed)."""
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


def _headerless(table: Table) -> Iterator[SourceRow | RowRejection]:
    decimal_comma = table.decimal_comma
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        cells = _trimmed(record.cells)
        if len(cells) != 2:
            yield reject(record, "bad-row", f"{len(cells)} fields; a line has 2 (filename,mos)")
            continue
        name, mos_text = cells
        mos: float | str
        try:
            mos = to_float(mos_text, decimal_comma=decimal_comma)
        except ValueError as exc:
            mos = str(exc)
        yield make_row(record.origin, name or None, mos)


def _with_header(table: Table) -> Iterator[SourceRow | RowRejection]:
    header = table.header
    assert header is not None
    if not header.has(*COLUMNS["filename"]) or not header.has(*COLUMNS["mos"]):
        raise MetadataError(
            f"{table.path}:1: header {table.delimiter.join(header.names)!r} is not LIVE-VQC's: it needs a "
            f"file-name column ({', '.join(COLUMNS['filename'])}) and a MOS column "
            f"({', '.join(COLUMNS['mos'])})",
            path=str(table.path),
            line=1,
        )
    decimal_comma = table.decimal_comma
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        yield _header_row(record, decimal_comma)


def _header_row(record: Record, decimal_comma: bool) -> SourceRow | RowRejection:
    name = record.get(*COLUMNS["filename"])
    mos: float | str | None = None
    text = record.get(*COLUMNS["mos"])
    if text is not None:
        try:
            mos = to_float(text, decimal_comma=decimal_comma)
        except ValueError as exc:
            mos = str(exc)
    std = n_ratings = None
    std_text = record.get(*COLUMNS["mos_std_dev"])
    if std_text is not None:
        try:
            std = to_float(std_text, decimal_comma=decimal_comma)
        except ValueError as exc:
            return reject(record, "bad-std-dev", f"std dev {exc}")
    n_text = record.get(*COLUMNS["n_ratings"])
    if n_text is not None:
        try:
            n_ratings = to_int(n_text)
        except ValueError as exc:
            return reject(record, "bad-row", f"n_ratings {exc}")
    return make_row(record.origin, name, mos, mos_std_dev=std, n_ratings=n_ratings)


def text_rows(shape: Shape, table: Table) -> Iterator[SourceRow | RowRejection]:
    """Rows of a text file opened by :func:`open_scores`."""
    if shape == "unknown":
        raise MetadataError(
            f"{table.path}:1: neither filename,mos lines (e.g. A001.mp4,45.2) nor a header naming "
            "a file-name and a MOS column",
            path=str(table.path),
            line=1,
        )
    if shape == "headerless":
        yield from _headerless(table)
    else:
        yield from _with_header(table)
