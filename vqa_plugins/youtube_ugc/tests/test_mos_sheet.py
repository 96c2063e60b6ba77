"""Opening the MOS table: the published spreadsheet and its CSV exports."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from vqa_youtube_ugc.mos_sheet import open_sheet

from vqa_core.errors import MetadataError


def test_the_mos_sheet_is_found_by_name_not_position(tmp_path: Path, kit) -> None:
    path = kit.xlsx(tmp_path / "m.xlsx", [kit.row("Gaming_1080P-0ce6"), kit.row("Vlog_720P-1a2b")])
    sheet = open_sheet(path)
    assert sheet.header == tuple(kit.header)
    assert sheet.data_rows == 2
    rows = list(sheet.rows())
    assert [str(r.origin) for r in rows] == ["m.xlsx[MOS]:2", "m.xlsx[MOS]:3"]
    assert rows[0].cells[0] == "Gaming_1080P-0ce6"
    assert rows[0].cells[4] == 3.52  # a spreadsheet number, not text


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(tmp_path: Path, kit) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "MOS"
    sheet["B3"] = "vid"  # the table starts at B3
    sheet["C3"] = "MOS full"
    sheet["B4"] = "Gaming_360P-0001"
    sheet["C4"] = 2.5
    sheet["B7"] = "Gaming_360P-0002"  # two blank rows before it
    sheet["C7"] = 3.5
    workbook.save(tmp_path / "m.xlsx")
    opened = open_sheet(tmp_path / "m.xlsx")
    assert opened.data_rows == 2
    assert [(r.origin.line, r.cells[1:3]) for r in opened.rows()] == [
        (4, ("Gaming_360P-0001", 2.5)),
        (7, ("Gaming_360P-0002", 3.5)),
    ]


def test_a_workbook_without_a_mos_sheet_names_the_sheets_it_has(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    assert workbook.active is not None
    workbook.active.title = "diff2"
    workbook.create_sheet("readme")
    workbook.save(tmp_path / "m.xlsx")
    with pytest.raises(MetadataError, match=r"no sheet named 'MOS' \(sheets: 'diff2', 'readme'\)"):
        open_sheet(tmp_path / "m.xlsx")


def test_an_empty_mos_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    assert workbook.active is not None
    workbook.active.title = "MOS"
    workbook.save(tmp_path / "m.xlsx")
    with pytest.raises(MetadataError, match="sheet 'MOS' is empty"):
        open_sheet(tmp_path / "m.xlsx")


@pytest.mark.parametrize("content", [b"", b"vid,MOS full\n", b"PK\x03\x04 not really a zip"])
def test_a_file_that_is_not_a_spreadsheet(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.xlsx"
    path.write_bytes(content)
    with pytest.raises(MetadataError, match="not a readable spreadsheet"):
        open_sheet(path)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_exports_comma_and_semicolon(tmp_path: Path, kit, delimiter: str) -> None:
    path = kit.csv(tmp_path / "m.csv", [kit.row("Gaming_1080P-0ce6")], delimiter=delimiter)
    sheet = open_sheet(path)
    assert sheet.header == tuple(kit.header)
    assert sheet.data_rows == 1
    assert sheet.decimal_comma is (delimiter == ";")
    (row,) = sheet.rows()
    assert row.cells[0] == "Gaming_1080P-0ce6" and str(row.origin) == "m.csv:2"
    assert row.cells[4] == ("3,52" if delimiter == ";" else "3.52")


def test_a_short_csv_line_is_ragged(tmp_path: Path, kit) -> None:
    path = tmp_path / "m.csv"
    path.write_text(",".join(kit.header) + "\nGaming_1080P-0ce6,Gaming,1080,112,3.5\n", encoding="utf-8")
    (row,) = open_sheet(path).rows()
    assert row.problem == "ragged line: 5 fields, the header has 12"
