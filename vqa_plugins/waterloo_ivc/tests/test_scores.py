from __future__ import annotations

import math
from pathlib import Path

import pytest
from vqa_waterloo_ivc.scores import detect_shape, source_rows

from vqa_core.errors import MetadataError
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec

HEADER = "encoder,video_number,resolution,distortion_level,mos\n"


def _spec(root: Path, *metadata: Path) -> SourceSpec:
    return SourceSpec(root=root, metadata=tuple(metadata), clips_dir=root)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _items(root: Path, *metadata: Path) -> list[SourceRow | RowRejection]:
    return list(source_rows(_spec(root, *metadata)).rows)


@pytest.mark.parametrize(
    ("lines", "shape"),
    [
        ([["H264", "1", "540p", "1", "24.31"]], "scores"),
        ([["AV1", "20", "2160p", "4", "88"]], "scores"),
        ([["AVS2", "3", "1080p", "2", "51.5"]], "scores"),
        ([["HEVC", "1", "540p", "1", "nan"]], "scores"),
        ([HEADER.strip().split(",")], "header"),
        ([["Encoder", "Video", "Resolution", "Level", "MOS"]], "header"),
        ([["filename", "mos"]], "header"),
        # a damaged first row does not make the file a header file
        ([["H264", "1", "540p", "x", "24.3"], ["H264", "1", "540p", "2", "30"]], "scores"),
        ([["A001.mp4", "45.2"]], "unknown"),
        ([["A001.mp4", "45.2"], ["A002.mp4", "50"]], "unknown"),
        ([], "unknown"),
    ],
)
def test_shape_is_detected_from_content(lines: list[list[str]], shape: str) -> None:
    assert detect_shape(lines) == shape


def test_headerless_scores_whose_first_encoder_has_digits(tmp_path: Path) -> None:
    scores = _write(
        tmp_path / "scores.txt",
        "H264,1,540p,1,24.31\nAV1,1,1080p,2,61\nHEVC,20,2160p,4,88.125\r\nVP9,7,4K,3,0\nAVS2,2,540p,1,100\n",
    )
    source = source_rows(_spec(tmp_path, scores))
    assert [f.rows for f in source.files] == [5]
    rows = list(source.rows)
    assert all(isinstance(r, SourceRow) for r in rows)
    first = rows[0]
    assert isinstance(first, SourceRow)
    assert first.clip == "H264_1_540p_1.yuv"
    assert first.mos == 24.31
    assert (first.mos_std_dev, first.n_ratings, first.url) == (None, None, None)
    assert first.origin.file == "scores.txt" and first.origin.line == 1
    assert first.hints is not None
    assert (first.hints.width, first.hints.height, first.hints.pix_fmt, first.hints.framerate) == (
        960,
        540,
        "yuv420p",
        30.0,
    )
    assert first.extras == {
        "waterloo_encoder": "H264",
        "waterloo_video_number": 1,
        "waterloo_resolution": "540p",
        "waterloo_distortion_level": 1,
    }
    sizes = [(r.hints.width, r.hints.height) for r in rows if isinstance(r, SourceRow) and r.hints]
    assert sizes == [(960, 540), (1920, 1080), (3840, 2160), (3840, 2160), (960, 540)]
    assert [r.mos for r in rows if isinstance(r, SourceRow)] == [24.31, 61.0, 88.125, 0.0, 100.0]


def test_default_metadata_is_found_under_the_root(tmp_path: Path) -> None:
    _write(tmp_path / "scores.txt", "H264,1,540p,1,24.31\n")
    source = source_rows(_spec(tmp_path))
    assert [f.path.name for f in source.files] == ["scores.txt"]


def test_missing_metadata_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match=r"no Waterloo IVC 4K metadata under .* scores\.txt"):
        source_rows(_spec(tmp_path))


def test_only_one_metadata_file(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.txt", "H264,1,540p,1,24.31\n")
    b = _write(tmp_path / "b.txt", "H264,1,540p,2,24.31\n")
    with pytest.raises(MetadataError, match="give --metadata once"):
        source_rows(_spec(tmp_path, a, b))


def test_bad_lines_are_counted_rejections_with_file_and_line(tmp_path: Path) -> None:
    scores = _write(
        tmp_path / "scores.txt",
        "\n".join(
            [
                "H264,1,540p,1,24.31",  # 1 good
                "H264,1,540p,2",  # 2 ragged (4 fields)
                "H264,1,540p,3,24,9",  # 3 ragged (6 fields)
                ",1,540p,4,20",  # 4 no encoder
                "HEVC,one,540p,1,20",  # 5 video number not a number
                "HEVC,1,540p,low,20",  # 6 level not a number
                "HEVC,1,540p,2,good",  # 7 MOS not a number
                "HEVC,1,540p,3,",  # 8 MOS missing
                "HEVC,1,720i,4,20",  # 9 resolution without a size
                "HEVC,1,540p,4,nan",  # 10 non-finite MOS: passed on, the engine rejects it
                "HEVC,1,540p,4,150",  # 11 out of scale: passed on unclamped
                "VP9,1,540p,1,31.5,",  # 12 trailing delimiter is harmless
                "\x00oops",  # 13 NUL byte
            ]
        )
        + "\n",
    )
    items = _items(tmp_path, scores)
    assert len(items) == 13
    by_line = {i.origin.line: i for i in items}
    expected = {
        2: "bad-row",
        3: "bad-row",
        4: "bad-row",
        5: "bad-row",
        6: "bad-row",
        7: "bad-mos",
        8: "bad-mos",
        9: "bad-row",
        13: "bad-row",
    }
    for line, reason in expected.items():
        item = by_line[line]
        assert isinstance(item, RowRejection), line
        assert item.reason == reason, (line, item)
        assert item.origin.file == "scores.txt"
    assert "5 (encoder,video_number" in str(by_line[2])
    assert "no encoder" in by_line[4].detail
    assert "720i" in by_line[9].detail
    for line in (1, 10, 11, 12):
        assert isinstance(by_line[line], SourceRow), line
    nan_row, high_row = by_line[10], by_line[11]
    assert isinstance(nan_row, SourceRow) and nan_row.mos is not None and math.isnan(nan_row.mos)
    assert isinstance(high_row, SourceRow) and high_row.mos == 150.0


def test_header_variant_with_aliases_spread_and_counts(tmp_path: Path) -> None:
    scores = _write(
        tmp_path / "scores.csv",
        "Encoder;Video;Resolution;Level;MOS;std;n_ratings\nAV1;2;1080p;3;71.5;9.25;24\nH264;2;540p;1;12;;\n",
    )
    source = source_rows(_spec(tmp_path, scores))
    assert [f.rows for f in source.files] == [2]
    rows = list(source.rows)
    assert all(isinstance(r, SourceRow) for r in rows)
    a, b = rows
    assert isinstance(a, SourceRow) and isinstance(b, SourceRow)
    assert (a.clip, a.mos, a.mos_std_dev, a.n_ratings) == ("AV1_2_1080p_3.yuv", 71.5, 9.25, 24)
    assert a.origin.line == 2
    assert (b.mos_std_dev, b.n_ratings) == (None, None)
    assert b.extras["waterloo_distortion_level"] == 1


def test_header_variant_with_filename_and_per_row_geometry(tmp_path: Path) -> None:
    (tmp_path / "HEVC").mkdir()
    (tmp_path / "HEVC" / "HEVC_4_2160p_2.yuv").write_bytes(b"")
    scores = _write(
        tmp_path / "scores.csv",
        "filename,mos,width,height,pix_fmt,framerate\n"
        "HEVC_4_2160p_2.yuv,40,,,yuv420p10le,60\n"
        "custom_clip.yuv,41,320,180,,\n"
        "odd.yuv,42,,,,\n"
        "HEVC_4_2160p_3.yuv,43,,,yuv999,\n"
        "HEVC_4_2160p_4.mp4,44,,,,\n",
    )
    items = _items(tmp_path, scores)
    first, custom, odd, bad_fmt, encoded = items
    assert isinstance(first, SourceRow) and first.hints is not None
    assert first.clip == "HEVC/HEVC_4_2160p_2.yuv"
    assert (first.hints.width, first.hints.height, first.hints.pix_fmt, first.hints.framerate) == (
        3840,
        2160,
        "yuv420p10le",
        60.0,
    )
    assert first.extras["waterloo_encoder"] == "HEVC" and first.extras["waterloo_video_number"] == 4
    assert isinstance(custom, SourceRow) and custom.hints is not None
    assert (custom.hints.width, custom.hints.height) == (320, 180)
    assert custom.extras["waterloo_encoder"] is None
    assert isinstance(odd, RowRejection) and "geometry is unknown" in odd.detail
    assert isinstance(bad_fmt, RowRejection) and "yuv999" in bad_fmt.detail
    assert isinstance(encoded, SourceRow) and encoded.hints is None


def test_wrong_header_is_refused_after_the_rows_are_counted(tmp_path: Path) -> None:
    scores = _write(tmp_path / "scores.csv", "video,score,notes\nA001.mp4,3.2,x\n")
    source = source_rows(_spec(tmp_path, scores))
    assert [f.rows for f in source.files] == [1]
    with pytest.raises(MetadataError, match=r"scores\.csv:1: header 'video,score,notes' is not Waterloo"):
        list(source.rows)


def test_foreign_headerless_file_is_counted_then_refused(tmp_path: Path) -> None:
    other = _write(tmp_path / "mos.txt", "A001.mp4,45.2\nA002.mp4,50.1\nA003.mp4,61\n")
    source = source_rows(_spec(tmp_path, other))
    assert [f.rows for f in source.files] == [3]
    with pytest.raises(MetadataError, match=r"neither a headerless scores\.txt"):
        list(source.rows)


def test_encoded_clip_with_the_row_stem_gets_no_raw_hints(tmp_path: Path) -> None:
    (tmp_path / "VP9_1_540p_1.mkv").write_bytes(b"")
    scores = _write(tmp_path / "scores.txt", "VP9,1,540p,1,33\nVP9,1,540p,2,34\n")
    encoded, missing = _items(tmp_path, scores)
    assert isinstance(encoded, SourceRow) and encoded.clip == "VP9_1_540p_1.mkv" and encoded.hints is None
    assert isinstance(missing, SourceRow) and missing.clip == "VP9_1_540p_2.yuv" and missing.hints is not None
