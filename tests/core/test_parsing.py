from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vqa_core.errors import MetadataError
from vqa_core.parsing import MAX_LINE_CHARS, MAX_RECORD_LINES, open_table, to_float, to_int


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


# --- RFC 4180: quoted fields that hold delimiters, doubled quotes and line ends ---------------


def test_a_quoted_newline_stays_in_its_field_and_later_lines_keep_their_numbers(tmp_path: Path) -> None:
    data = 'name,note,mos\r\na,"two\nlines",1\r\nb,"crlf\r\ninside, and ""quotes""",2\r\nc,plain,3\r\n\r\nd,x,4\r\n'
    table = open_table(_write(tmp_path, data))
    assert table.data_lines == 4  # records, not physical lines
    assert [(r.origin.line, r.cells, r.problem) for r in table.records()] == [
        (2, ("a", "two\nlines", "1"), None),
        (4, ("b", 'crlf\r\ninside, and "quotes"', "2"), None),
        (6, ("c", "plain", "3"), None),
        (8, ("d", "x", "4"), None),
    ]


def test_a_multi_line_header_and_semicolon_decimal_commas_still_work(tmp_path: Path) -> None:
    table = open_table(_write(tmp_path, 'name;"MOS\n(1-5)"\nclip;"3,41"\n'), delimiters=(",", ";"))
    assert table.header is not None and table.header.names == ("name", "MOS\n(1-5)")
    [record] = list(table.records())
    assert record.origin.line == 3 and to_float(record.cell(1), decimal_comma=table.decimal_comma) == 3.41


def test_an_unterminated_quote_costs_its_own_line_only(tmp_path: Path) -> None:
    # The quote on line 3 never closes: that line is rejected, the rest is read as records again.
    table = open_table(_write(tmp_path, 'a,b\n1,2\n3,"oops\n4,5\n6,7\n'))
    records = [(r.origin.line, r.cells, r.problem) for r in table.records()]
    assert records == [
        (2, ("1", "2"), None),
        (3, (), "a quoted field opened on this line is never closed"),
        (4, ("4", "5"), None),
        (5, ("6", "7"), None),
    ]
    assert table.data_lines == len(records)


def test_a_quote_open_for_too_many_lines_is_rejected_and_the_lines_read_again(tmp_path: Path) -> None:
    lines = MAX_RECORD_LINES + 5
    data = 'a,b\n1,"open\n' + "".join(f"{i},{i}\n" for i in range(lines)) + 'late,"closes"\n'
    table = open_table(_write(tmp_path, data))
    records = list(table.records())
    assert records[0].origin.line == 2 and records[0].problem is not None
    assert f"not closed within {MAX_RECORD_LINES:,} lines" in records[0].problem
    assert [(r.origin.line, r.cells) for r in records[1:3]] == [(3, ("0", "0")), (4, ("1", "1"))]
    assert (records[-1].origin.line, records[-1].cells) == (lines + 3, ("late", "closes"))
    assert all(r.problem is None for r in records[1:])
    assert table.data_lines == len(records) == lines + 2


def test_an_over_long_line_inside_a_quote_is_rejected_on_its_own(tmp_path: Path) -> None:
    long_line = "y" * (MAX_LINE_CHARS + 10)
    table = open_table(_write(tmp_path, f'a,b\n1,"x\n{long_line}\n2,3\n'))
    assert [(r.origin.line, r.problem) for r in table.records()] == [
        (
            2,
            f"a quoted field opened on this line runs into line 3, which is longer than {MAX_LINE_CHARS:,} characters",
        ),
        (3, f"line longer than {MAX_LINE_CHARS:,} characters"),
        (4, None),
    ]


def test_a_header_whose_quote_never_closes_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(
        MetadataError, match=r"m\.csv:1: the header cannot be read: a quoted field .* never closed"
    ):
        open_table(_write(tmp_path, 'name,"mos\nclip,1\n'))


# Pieces, not characters: "\r\n" must be able to appear whole inside a field. No lone "\r":
# csv.writer with an LF terminator leaves it unquoted, and an unquoted CR is a line end to any reader.
_FIELD = st.lists(
    st.sampled_from(["a", "Z", " ", ",", ";", '"', '""', "\n", "\r\n", "é", "\t", "\x0c"]), max_size=6
).map("".join)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(rows=st.lists(st.lists(_FIELD, min_size=2, max_size=4), min_size=1, max_size=8), crlf=st.booleans())
def test_round_trip_through_the_csv_writer(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], crlf: bool
) -> None:
    path = tmp_path_factory.mktemp("rt") / "m.csv"
    header = ["id", "f1", "f2", "f3", "f4"]
    written = [[f"r{i}", *row] + [""] * (4 - len(row)) for i, row in enumerate(rows)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(written)
    # Each record starts one line after the previous record's line ends (LF, CRLF or CR).
    expected_lines, line = [], 2
    for row in written:
        expected_lines.append(line)
        line += sum(len(re.findall(r"\r\n|\r|\n", cell)) for cell in row) + 1
    table = open_table(path)
    records = list(table.records())
    assert table.data_lines == len(rows)
    assert [r.cells for r in records] == [tuple(row) for row in written]
    assert [r.origin.line for r in records] == expected_lines
    assert all(r.problem is None for r in records)
