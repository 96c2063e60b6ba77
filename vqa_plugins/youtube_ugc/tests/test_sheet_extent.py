"""A workbook claiming an absurd used range is one clear error, not an aborted process.

The hostile workbooks are real .xlsx files (written by openpyxl, then one part of
the zip patched) and are opened by the real reader in a child process: if the
check failed, calamine would abort that child, and the test would see it die
instead of pytest dying with it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from vqa_youtube_ugc.sheet_extent import MAX_COLUMNS, MAX_ROWS, parse_ref

SHEET_XML = "xl/worksheets/sheet1.xml"

#: The child opens the sheet and reads every row; a VqaError is printed as the CLI does.
#: Address space is capped so a reader that tries to allocate the whole grid fails fast.
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from pathlib import Path
from vqa_core.errors import VqaError
from vqa_youtube_ugc.mos_sheet import open_sheet
try:
    sheet = open_sheet(Path(sys.argv[1]))
    print(sheet.data_rows, len(list(sheet.rows())))
except VqaError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)
"""


def _workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "MOS"
    sheet.append(["vid", "MOS full"])
    sheet.append(["Gaming_360P-0001", 2.5])
    sheet.append(["Gaming_360P-0002", 3.5])
    workbook.save(path)
    return path


def _patch(path: Path, pattern: str, replacement: str) -> Path:
    """Rewrite ``path`` with ``pattern`` replaced (once) in the MOS sheet's XML."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    xml, count = re.subn(pattern, replacement, parts[SHEET_XML].decode(), count=1)
    assert count == 1, f"{pattern!r} not in the sheet"
    parts[SHEET_XML] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _open_in_child(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_an_honest_workbook_opens_in_the_child(tmp_path: Path) -> None:
    result = _open_in_child(_workbook(tmp_path / "m.xlsx"))
    assert (result.returncode, result.stdout.split()) == (0, ["2", "2"]), result.stderr


def test_a_dimension_claiming_the_whole_grid_is_one_line_error(tmp_path: Path) -> None:
    path = _patch(_workbook(tmp_path / "m.xlsx"), r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"')
    result = _open_in_child(path)
    assert result.returncode == 2, result.stderr  # an abort would be a negative signal number
    [line] = result.stderr.splitlines()
    assert str(path) in line and SHEET_XML in line and "A1:XFD1048576" in line
    assert f"{MAX_ROWS:,} rows × {MAX_COLUMNS} columns" in line


def test_a_cell_at_the_grid_corner_is_refused_even_with_an_honest_dimension(tmp_path: Path) -> None:
    path = _patch(
        _workbook(tmp_path / "m.xlsx"), r'<row r="3"><c r="A3"', '<row r="1048576"><c r="XFD1048576"'
    )
    result = _open_in_child(path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert "claims cells up to row 1,048,576" in line


def test_a_sheet_just_within_the_limits_is_read(tmp_path: Path) -> None:
    corner = f"GR{MAX_ROWS}"  # GR is column 200
    assert parse_ref(corner) == (MAX_ROWS, MAX_COLUMNS)
    path = _patch(_workbook(tmp_path / "m.xlsx"), r'<dimension ref="[^"]*"', f'<dimension ref="A1:{corner}"')
    result = _open_in_child(path)
    assert (result.returncode, result.stdout.split()) == (0, ["2", "2"]), result.stderr


@pytest.mark.parametrize(
    ("ref", "expected"),
    [("A1", (1, 1)), ("$B$7", (7, 2)), ("XFD1048576", (1_048_576, 16_384)), ("AA10", (10, 27)), ("A", None)],
)
def test_parse_ref(ref: str, expected: tuple[int, int] | None) -> None:
    assert parse_ref(ref) == expected
