"""Reading the YouTube UGC MOS table: the published spreadsheet, or the same columns as CSV.

The dataset publishes ``original_videos_MOS_for_YouTube_UGC_dataset.xlsx``; its
sheet ``MOS`` holds one row per original video (a ``readme`` sheet explains the
columns). The spreadsheet is read with python-calamine (a Rust reader; see
docs/decisions/0022-youtube-ugc-spreadsheet-reader.md); a CSV export of the same
columns, comma- or semicolon-delimited, is read with the core text-table reader.

Both give :class:`Sheet`: a data-row count known before iteration (the engine
matches it against the known editions) and rows of raw cell values with their
origin (``file.xlsx[MOS]:17``, the row number as a spreadsheet shows it, or
``file.csv:17``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

import attrs

from vqa_core.plugin import MetadataError, Origin, open_table
from vqa_youtube_ugc.sheet_extent import check_sheet_extent

__all__ = [
    "SPREADSHEET",
    "CSV_EXPORT",
    "SHEET",
    "SPREADSHEET_SUFFIXES",
    "Cell",
    "SheetRow",
    "Sheet",
    "open_sheet",
]

SPREADSHEET: Final = "original_videos_MOS_for_YouTube_UGC_dataset.xlsx"
CSV_EXPORT: Final = "original_videos_MOS_for_YouTube_UGC_dataset.csv"
SHEET: Final = "MOS"
#: Files read as spreadsheets; anything else is read as delimited text.
SPREADSHEET_SUFFIXES: Final = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")

#: A cell as read: text from CSV, or what the spreadsheet holds (number, text, bool, date).
Cell = object


@attrs.frozen
class SheetRow:
    """One data row: its cells in header order, where it is, and what is wrong with it."""

    cells: tuple[Cell, ...]
    origin: Origin
    problem: str | None = None


@attrs.frozen
class Sheet:
    """The MOS table of one file, opened: header, data-row count, lazy rows."""

    path: Path
    header: tuple[str, ...]
    data_rows: int
    #: ``;``-delimited CSV may write decimals with a comma (``3,41``).
    decimal_comma: bool
    _rows: Callable[[], Iterator[SheetRow]]

    def rows(self) -> Iterator[SheetRow]:
        return self._rows()


def open_sheet(path: Path) -> Sheet:
    """Open the MOS table in ``path`` (spreadsheet or CSV); ``MetadataError`` for a whole-file problem."""
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return _open_spreadsheet(path)
    return _open_csv(path)


def _blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _open_spreadsheet(path: Path) -> Sheet:
    import python_calamine

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # before calamine: an absurd used range makes it abort the process, not raise
        check_sheet_extent(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.CalamineError as exc:
        raise MetadataError(f"{path}: not a readable spreadsheet ({exc})", path=str(path)) from None
    except OSError as exc:
        raise MetadataError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from None
    names = list(workbook.sheet_names)
    chosen = next((n for n in names if n == SHEET), None) or next(
        (n for n in names if n.strip().lower() == SHEET.lower()), None
    )
    if chosen is None:
        raise MetadataError(
            f"{path}: no sheet named {SHEET!r} (sheets: {', '.join(repr(n) for n in names) or 'none'}); "
            "the published spreadsheet keeps the scores in its MOS sheet",
            path=str(path),
        )
    try:
        # the whole grid from A1, so list positions are spreadsheet row numbers
        grid = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except python_calamine.CalamineError as exc:
        raise MetadataError(f"{path}: sheet {chosen!r} cannot be read ({exc})", path=str(path)) from None
    header_at = next((i for i, row in enumerate(grid) if not _blank(row)), None)
    if header_at is None:
        raise MetadataError(f"{path}: sheet {chosen!r} is empty", path=str(path))
    header = tuple("" if c is None else str(c).strip() for c in grid[header_at])
    label = f"{path.name}[{chosen}]"
    data_rows = sum(1 for row in grid[header_at + 1 :] if not _blank(row))

    def rows() -> Iterator[SheetRow]:
        for i in range(header_at + 1, len(grid)):
            row = grid[i]
            if not _blank(row):
                yield SheetRow(tuple(row), Origin(label, i + 1))

    return Sheet(path, header, data_rows, False, rows)


def _open_csv(path: Path) -> Sheet:
    table = open_table(path, delimiters=(",", ";"))
    assert table.header is not None
    width = len(table.header.names)

    def rows() -> Iterator[SheetRow]:
        for record in table.records():
            problem = record.problem
            if problem is None and len(record.cells) < width:
                problem = f"ragged line: {len(record.cells)} fields, the header has {width}"
            yield SheetRow(tuple(record.cells), record.origin, problem)

    return Sheet(path, table.header.names, table.data_lines, table.decimal_comma, rows)
