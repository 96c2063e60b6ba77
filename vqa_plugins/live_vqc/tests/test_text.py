"""filename,mos text: headerless, with a header, and the ways such files go wrong."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from vqa_live_vqc.text import detect_shape, open_scores, text_rows

from vqa_core.errors import MetadataError
from vqa_core.schema import RowRejection, SourceRow


def _read(path: Path) -> tuple[int, list[SourceRow | RowRejection]]:
    shape, table = open_scores(path)
    return table.data_lines, list(text_rows(shape, table))


@pytest.mark.parametrize(
    ("lines", "shape"),
    [
        ([["A001.mp4", "45.2"]], "headerless"),
        ([["A001", "80"]], "headerless"),
        ([["A001.mp4", "45.2", ""]], "headerless"),
        ([["filename", "mos"]], "header"),
        ([["Video", "MOS", "std"]], "header"),
        ([["A001.mp4", "oops"], ["A002.mp4", "50"]], "header"),
        ([["A001.mp4", "45", "x"], ["A002.mp4", "50"]], "headerless"),
        ([["A001.mp4", "45.2", "3"]], "unknown"),
        ([["H264", "1", "540p", "1", "20"]], "unknown"),
        ([], "unknown"),
    ],
)
def test_shape_is_detected_from_content(lines: list[list[str]], shape: str) -> None:
    assert detect_shape(lines) == shape


def test_headerless_filename_mos(tmp_path: Path) -> None:
    path = tmp_path / "mos.txt"
    path.write_text("A001.mp4,45.2\nA002,80.07\r\n\nB003.mp4 , 6.224\n", encoding="utf-8")
    count, rows = _read(path)
    assert count == 3
    assert [r.clip for r in rows] == ["A001.mp4", "A002.mp4", "B003.mp4"]
    assert [r.mos for r in rows if isinstance(r, SourceRow)] == [45.2, 80.07, 6.224]
    assert [r.origin.line for r in rows] == [1, 2, 4]
    assert all(isinstance(r, SourceRow) and r.mos_std_dev is None and r.n_ratings is None for r in rows)


def test_header_with_aliases_std_and_counts_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "mos.csv"
    path.write_bytes("\ufeffFile_Name,MOS,std,n_ratings\nA001,45.5,12.25,240\nA002.mp4,50,,\n".encode())
    count, rows = _read(path)
    assert count == 2
    first, second = rows
    assert isinstance(first, SourceRow) and isinstance(second, SourceRow)
    assert (first.clip, first.mos, first.mos_std_dev, first.n_ratings) == ("A001.mp4", 45.5, 12.25, 240)
    assert (second.mos_std_dev, second.n_ratings) == (None, None)
    assert first.origin.line == 2


def test_semicolons_with_decimal_commas(tmp_path: Path) -> None:
    headerless = tmp_path / "mos.txt"
    headerless.write_text("A001.mp4;45,2\nA002.mp4;50\n")
    _, rows = _read(headerless)
    assert [r.mos for r in rows if isinstance(r, SourceRow)] == [45.2, 50.0]
    with_header = tmp_path / "mos.csv"
    with_header.write_text("filename;mos\nA001.mp4;71,17\n")
    _, rows = _read(with_header)
    assert [r.mos for r in rows if isinstance(r, SourceRow)] == [71.17]


def test_bad_lines_are_counted_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mos.txt"
    path.write_text(
        "A001.mp4,45.2\n"  # 1
        "A002.mp4\n"  # 2 one field
        "A003.mp4,50,7\n"  # 3 three fields
        ",50\n"  # 4 no name
        "A005.mp4,high\n"  # 5 MOS not a number
        "A006.mp4,nan\n"  # 6 NaN passed on to the engine
        "A007.mp4,-4\n"  # 7 out of scale passed on unclamped
        "\x00oops\n"  # 8 NUL
        ",,,,,,,,,,\n"  # 9 empty ragged line
        "not a row at all;;;\n"  # 10 one field
        "A011.mp4,61,\n"  # 11 trailing delimiter is harmless
    )
    count, items = _read(path)
    assert count == 11
    by_line = {i.origin.line: i for i in items}
    expected = {
        2: "bad-row",
        3: "bad-row",
        4: "bad-row",
        5: "bad-mos",
        8: "bad-row",
        9: "bad-row",
        10: "bad-row",
    }
    for line, reason in expected.items():
        item = by_line[line]
        assert isinstance(item, RowRejection) and item.reason == reason, (line, item)
        assert item.origin.file == "mos.txt"
    for line in (1, 6, 7, 11):
        assert isinstance(by_line[line], SourceRow), line
    nan_row = by_line[6]
    assert isinstance(nan_row, SourceRow) and nan_row.mos is not None and math.isnan(nan_row.mos)
    assert str(by_line[5]) == "mos.txt:5: bad-mos: MOS 'high' is not a number"


def test_header_rows_with_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "mos.csv"
    path.write_text("filename,mos,std,n_ratings\nA001,x,,\nA002,3,y,\nA003,3,1,many\n,3,1,2\nA005,,1,2\n")
    _, items = _read(path)
    assert [i.reason for i in items if isinstance(i, RowRejection)] == [
        "bad-mos",
        "bad-std-dev",
        "bad-row",
        "bad-row",
        "bad-mos",
    ]


def test_wrong_header_is_refused_after_counting(tmp_path: Path) -> None:
    path = tmp_path / "mos.csv"
    path.write_text("flickr_id,dmos\n1,2\n")
    shape, table = open_scores(path)
    assert table.data_lines == 1
    with pytest.raises(MetadataError, match=r"mos\.csv:1: header 'flickr_id,dmos' is not LIVE-VQC's"):
        list(text_rows(shape, table))


def test_unknown_shape_is_refused_after_counting(tmp_path: Path) -> None:
    path = tmp_path / "mos.txt"
    path.write_text("H264,1,540p,1,20\nHEVC,1,540p,1,21\n")
    shape, table = open_scores(path)
    assert (shape, table.data_lines) == ("unknown", 2)
    with pytest.raises(MetadataError, match="neither filename,mos lines"):
        list(text_rows(shape, table))
