"""How large an .xlsx sheet says it is, read before the spreadsheet reader sees it.

python-calamine sizes its grid from a sheet's used range: the ``<dimension
ref="A1:XFD1048576"/>`` claim and the cells' own ``r="…"`` references. A hostile
or broken workbook claiming the whole 16,384 × 1,048,576 grid makes it allocate
that grid and the process aborts, with no Python exception to catch. So every
worksheet part of the zip is streamed first (bounded: at most
:data:`MAX_SHEET_XML_BYTES` decompressed, one row kept in memory at a time) and
a sheet beyond :data:`MAX_ROWS` × :data:`MAX_COLUMNS` is refused with one line
naming the file, the sheet part and the claimed range.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from vqa_core.plugin import MetadataError

__all__ = ["MAX_ROWS", "MAX_COLUMNS", "MAX_SHEET_XML_BYTES", "check_sheet_extent", "parse_ref"]

#: The published MOS sheet has about 1,400 rows and a dozen columns; these leave room for any
#: honest edition and keep calamine's grid (rows × columns cells) small.
MAX_ROWS: Final = 100_000
MAX_COLUMNS: Final = 200
#: Decompressed sheet XML read at most (the published sheet is well under 1 MiB).
MAX_SHEET_XML_BYTES: Final = 256 << 20
_CHUNK: Final = 64 << 10

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"XFD1048576"`` → ``(1048576, 16384)`` (row, column, 1-based); ``None`` if not a cell reference."""
    match = _REF.match(ref.strip())
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(zf: zipfile.ZipFile, member: str, path: Path) -> Iterator[tuple[str, Element]]:
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    read = 0
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            read += len(chunk)
            if read > MAX_SHEET_XML_BYTES:
                raise MetadataError(
                    f"{path}: sheet {member} holds more than {MAX_SHEET_XML_BYTES >> 20} MiB of XML; "
                    "this is not the published MOS sheet",
                    path=str(path),
                )
            parser.feed(chunk)
            yield from _pending(parser)
    parser.close()
    yield from _pending(parser)


def _pending(parser: XMLPullParser[Element]) -> Iterator[tuple[str, Element]]:
    # only "start"/"end" were asked for: each event is (name, element)
    for item in parser.read_events():
        event, element = cast(tuple[str, Element], item)
        yield event, element


def _check_member(zf: zipfile.ZipFile, member: str, path: Path) -> None:
    def refuse(claim: str) -> MetadataError:
        return MetadataError(
            f"{path}: sheet {member} claims cells up to {claim}, beyond the {MAX_ROWS:,} rows × "
            f"{MAX_COLUMNS} columns a MOS sheet can hold; refusing to read it",
            path=str(path),
        )

    row = column = 0
    sheet_data: Element | None = None
    for event, element in _events(zf, member, path):
        tag = _local(element.tag)
        attrib = element.attrib
        if event == "start" and tag == "dimension":
            # "A1:XFD1048576" or a single "A1"; its last corner is the extent it claims
            last = attrib.get("ref", "").split(":")[-1]
            corner = parse_ref(last)
            if corner is not None and (corner[0] > MAX_ROWS or corner[1] > MAX_COLUMNS):
                raise refuse(attrib.get("ref", ""))
        elif event == "start" and tag == "sheetData":
            sheet_data = element
        elif event == "start" and tag == "row":
            # r is optional: a row without one follows the previous row
            row = int(attrib["r"]) if attrib.get("r", "").isdigit() else row + 1
            column = 0
            if row > MAX_ROWS:
                raise refuse(f"row {row:,}")
        elif event == "start" and tag == "c":
            cell = parse_ref(attrib.get("r", ""))
            if cell is not None:
                row, column = max(row, cell[0]), cell[1]
            else:
                column += 1
            if row > MAX_ROWS or column > MAX_COLUMNS:
                raise refuse(attrib.get("r") or f"row {row:,} column {column:,}")
        elif event == "end" and tag == "row" and sheet_data is not None:
            sheet_data.clear()  # one row in memory at a time


def check_sheet_extent(path: Path) -> None:
    """Refuse ``path`` (an .xlsx/.xlsm) if any worksheet claims more than the limits allow.

    Files that are not zip workbooks are left to the spreadsheet reader's own errors.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with zf:
        for member in zf.namelist():
            if not _WORKSHEET.match(member):
                continue
            try:
                _check_member(zf, member, path)
            except ParseError as exc:
                raise MetadataError(
                    f"{path}: sheet {member} is not well-formed XML ({exc})", path=str(path)
                ) from None
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise MetadataError(
                    f"{path}: sheet {member} cannot be read ({exc})", path=str(path)
                ) from None
