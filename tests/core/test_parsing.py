from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from vqa_core.errors import MetadataError
from vqa_core.parsing import MAX_LINE_CHARS, open_table, to_float, to_int


def _write(tmp_path: Path, data: bytes | str, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_records_carry_line_numbers_and_skip_blank_lines(tmp_path: Path) -> None:
    table = open_table(_write(tmp_path, "a,b\n1,2\n\n3,4\n"))
    assert table.data_lines == 2
    assert [(r.origin.line, r.cells) for r in table.records()] == [(2, ("1", "2")), (4, ("3", "4"))]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"Name,MOS\r\nclip,3.5\r\n",
        codecs.BOM_UTF16_LE + "Name,MOS\r\nclip,3.5\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "Name,MOS\nclip,3.5\n".encode("utf-16-be"),
        b"name,mos\rclip,3.5\r",
    ],
    ids=["utf8-bom-crlf", "utf16le-bom", "utf16be-bom", "old-mac-cr"],
)
def test_encodings_and_newlines_are_read(tmp_path: Path, data: bytes) -> None:
    [record] = list(open_table(_write(tmp_path, data)).records())
    assert record.get("NAME") == "clip" and record.get("mos") == "3.5"


def test_latin1_is_a_clear_error_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name,mos\nok,1\ncaf\xe9.mp4,2\n".encode("latin-1"))
    with pytest.raises(
        MetadataError, match=r"m\.csv:3: not valid UTF-8 text .*convert the file to UTF-8"
    ) as info:
        open_table(path)
    assert info.value.line == 3


def test_bad_lines_are_flagged_not_raised(tmp_path: Path) -> None:
    long_line = "x" * (MAX_LINE_CHARS + 10)
    path = _write(tmp_path, f"a,b\n1,2\n1,2,3\n1\nbad\x00line,1\n{long_line}\n5,6\n1,2,\n")
    records = list(open_table(path).records())
    problems = [(r.origin.line, r.problem) for r in records]
    assert problems == [
        (2, None),
        (3, "ragged line: 3 fields, the header has 2"),
        (4, "ragged line: 1 fields, the header has 2"),
        (5, "line contains a NUL byte"),
        (6, f"line longer than {MAX_LINE_CHARS:,} characters"),
        (7, None),
        (8, None),  # a trailing delimiter is harmless
    ]


def test_an_absurd_header_is_refused(tmp_path: Path) -> None:
    wide = _write(tmp_path, ",".join(f"c{i}" for i in range(5000)) + "\n1\n")
    with pytest.raises(MetadataError, match="the header has 5,000 columns"):
        open_table(wide)
    huge = _write(tmp_path, ",".join(f"c{i}" for i in range(1_000_000)) + "\n1\n", "huge.csv")
    with pytest.raises(MetadataError, match="the first line is longer than"):
        open_table(huge)


def test_a_duplicated_column_is_refused_when_read(tmp_path: Path) -> None:
    table = open_table(_write(tmp_path, "name,MOS,mos\na,1,2\n"))
    assert table.data_lines == 1  # the size is still known
    with pytest.raises(MetadataError, match=r"column 'mos' appears twice .*ambiguous"):
        list(table.records())


def test_headerless_data_read_as_a_header_gets_a_hint(tmp_path: Path) -> None:
    table = open_table(_write(tmp_path, "H264,1,540p,1,45.2\n"))
    with pytest.raises(MetadataError, match="headerless file of another corpus"):
        list(table.records())


def test_empty_files_are_refused_and_header_only_files_counted(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="the file is empty"):
        open_table(_write(tmp_path, "\n\n"))
    assert open_table(_write(tmp_path, "a,b\n", "h.csv")).data_lines == 0


@pytest.mark.parametrize(
    ("first", "expected"),
    [("a,b,c", ","), ("a;b;c", ";"), ("A001;45,2", ";"), ("a,b;c,d", ",")],
)
def test_the_delimiter_is_detected(tmp_path: Path, first: str, expected: str) -> None:
    assert open_table(_write(tmp_path, first + "\n"), delimiters=(",", ";")).delimiter == expected


def test_quoted_cells_keep_their_commas(tmp_path: Path) -> None:
    [record] = list(open_table(_write(tmp_path, 'name,p1,mos\nx,"[0, 319, 0, 179]",50.5\n')).records())
    assert record.get("p1") == "[0, 319, 0, 179]"


@pytest.mark.parametrize(
    ("text", "decimal_comma", "value"),
    [("3.5", False, 3.5), ('"3.5000000000"', False, 3.5), ("3,41", True, 3.41), (" 1e1 ", False, 10.0)],
)
def test_to_float(text: str, decimal_comma: bool, value: float) -> None:
    assert to_float(text, decimal_comma=decimal_comma) == value


@pytest.mark.parametrize("text", ["", None, "abc", "3,41"])
def test_to_float_refuses(text: str | None) -> None:
    with pytest.raises(ValueError):
        to_float(text)


def test_to_int() -> None:
    assert to_int("12.0") == 12 and to_int("7") == 7
    for bad in ("1.5", "nan", "x"):
        with pytest.raises(ValueError):
            to_int(bad)
