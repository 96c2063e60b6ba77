"""YouTube UGC source rows: fields, clips on disk or to download, DMOS, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from vqa_youtube_ugc import rows as ugc_rows

from vqa_core.errors import MetadataError
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec

BUCKET_FILE = "https://storage.googleapis.com/ugc-dataset/original_videos/{}"


def _spec(root: Path, *metadata: Path, base_url: str | None = None) -> SourceSpec:
    return SourceSpec(
        root=root, metadata=tuple(metadata), clips_dir=root / "original_videos", base_url=base_url
    )


def _items(root: Path, *metadata: Path, base_url: str | None = None) -> list[SourceRow | RowRejection]:
    return list(ugc_rows.source_rows(_spec(root, *metadata, base_url=base_url)).rows)


def test_fields_come_from_the_published_columns(tmp_path: Path, kit) -> None:
    kit.clip(tmp_path / "original_videos" / "Gaming" / "1080P" / "Gaming_1080P-0ce6.mkv", seed=1)
    path = kit.xlsx(
        tmp_path / "original_videos_MOS_for_YouTube_UGC_dataset.xlsx",
        [kit.row("Gaming_1080P-0ce6", 3.52, subjects=112, std=0.81, chunks=(3.4, None, None))],
    )
    source = ugc_rows.source_rows(_spec(tmp_path))  # found under the root by its published name
    assert [(f.path, f.rows) for f in source.files] == [(path, 1)]
    (row,) = source.rows
    assert isinstance(row, SourceRow)
    assert (row.clip, row.mos, row.mos_std_dev, row.n_ratings, row.url) == (
        "Gaming/1080P/Gaming_1080P-0ce6.mkv",
        3.52,
        0.81,
        112,
        None,
    )
    assert row.extras == {
        "ugc_category": "Gaming",
        "ugc_resolution": 1080,
        "ugc_mos_chunk00": 3.4,
        "ugc_mos_chunk05": None,  # NaN chunk of a video shorter than 20 s
        "ugc_mos_chunk10": None,
    }
    assert str(row.origin) == "original_videos_MOS_for_YouTube_UGC_dataset.xlsx[MOS]:2"


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_gives_the_same_rows_as_the_spreadsheet(tmp_path: Path, kit, delimiter: str) -> None:
    table = [kit.row("Gaming_1080P-0ce6", 3.52, chunks=(3.4, "NaN", "")), kit.row("Vlog_360P-00ff", 1.25)]
    xlsx = [r for r in _items(tmp_path, kit.xlsx(tmp_path / "m.xlsx", table)) if isinstance(r, SourceRow)]
    text = kit.csv(tmp_path / "m.csv", table, delimiter=delimiter)
    from_csv = [r for r in _items(tmp_path, text) if isinstance(r, SourceRow)]
    assert len(xlsx) == len(from_csv) == 2
    for a, b in zip(xlsx, from_csv, strict=True):
        assert (a.clip, a.mos, a.mos_std_dev, a.n_ratings, a.url, dict(a.extras)) == (
            b.clip,
            b.mos,
            b.mos_std_dev,
            b.n_ratings,
            b.url,
            dict(b.extras),
        )


def test_clips_are_matched_whatever_their_suffix(tmp_path: Path, kit) -> None:
    videos = tmp_path / "original_videos"
    kit.clip(videos / "Sports_2160P-4e9f_crf_10_ss_00_t_20.0.mp4", seed=1)
    kit.clip(videos / "Vlog_720P-1a2b.mp4", seed=2)
    kit.clip(videos / "Gaming_1080P-0ce6.mkv", seed=3)
    path = kit.xlsx(
        tmp_path / "m.xlsx",
        [kit.row("Sports_2160P-4e9f"), kit.row("Vlog_720P-1a2b"), kit.row("Gaming_1080P-0ce6")],
    )
    assert [r.clip for r in _items(tmp_path, path) if isinstance(r, SourceRow)] == [
        "Sports_2160P-4e9f_crf_10_ss_00_t_20.0.mp4",
        "Vlog_720P-1a2b.mp4",
        "Gaming_1080P-0ce6.mkv",
    ]


def test_a_missing_clip_gets_the_bucket_url_in_the_layout_on_disk(tmp_path: Path, kit) -> None:
    path = kit.xlsx(tmp_path / "m.xlsx", [kit.row("HowTo_480P-7c1d")])
    (row,) = _items(tmp_path, path)  # nothing on disk: the bucket's folders
    assert isinstance(row, SourceRow)
    assert row.clip == "HowTo/480P/HowTo_480P-7c1d.mkv"
    assert row.url == BUCKET_FILE.format("HowTo/480P/HowTo_480P-7c1d.mkv")
    kit.clip(tmp_path / "original_videos" / "Gaming_1080P-0ce6.mkv", seed=1)  # a flat copy
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow) and row.clip == "HowTo_480P-7c1d.mkv"
    (row,) = _items(tmp_path, path, base_url="http://127.0.0.1:9/m")
    assert (
        isinstance(row, SourceRow)
        and row.url == "http://127.0.0.1:9/m/original_videos/HowTo/480P/HowTo_480P-7c1d.mkv"
    )


def test_a_url_column_is_used_as_given(tmp_path: Path, kit) -> None:
    path = kit.csv(
        tmp_path / "m.csv",
        [[*kit.row("HowTo_480P-7c1d"), "https://mirror.example/ugc/HowTo_480P-7c1d.mp4"]],
        header=[*kit.header, "url"],
    )
    (row,) = _items(tmp_path, path, base_url="http://127.0.0.1:9")
    assert isinstance(row, SourceRow)
    assert row.url == "https://mirror.example/ugc/HowTo_480P-7c1d.mp4"  # another host: no rewrite
    assert row.clip == "HowTo/480P/HowTo_480P-7c1d.mp4"


def test_category_and_resolution_fall_back_to_the_vid(tmp_path: Path, kit) -> None:
    path = kit.csv(tmp_path / "m.csv", [["Lecture_360P-2f3e", 3.1]], header=["vid", "MOS full"])
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow)
    assert (row.extras["ugc_category"], row.extras["ugc_resolution"]) == ("Lecture", 360)
    assert (row.mos_std_dev, row.n_ratings) == (None, None)  # not published in this table
    assert row.url == BUCKET_FILE.format("Lecture/360P/Lecture_360P-2f3e.mkv")


def test_a_vid_of_another_shape_without_category_has_no_url(tmp_path: Path, kit) -> None:
    path = kit.csv(tmp_path / "m.csv", [["my-video", 3.1]], header=["vid", "MOS full"])
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow) and (row.clip, row.url) == ("my-video.mkv", None)


def test_a_dmos_column_is_never_taken_as_mos(tmp_path: Path, kit) -> None:
    only_dmos = kit.csv(tmp_path / "dmos.csv", [["Gaming_1080P-0ce6", 12.5]], header=["vid", "DMOS"])
    source = ugc_rows.source_rows(_spec(tmp_path, only_dmos))
    with pytest.raises(MetadataError, match=r"has 'DMOS' but no MOS column; a DMOS .* is not taken as MOS"):
        list(source.rows)
    both = kit.csv(
        tmp_path / "both.csv", [["Gaming_1080P-0ce6", 12.5, 3.75]], header=["vid", "DMOS", "MOS full"]
    )
    (row,) = _items(tmp_path, both)
    assert isinstance(row, SourceRow) and row.mos == 3.75


def test_a_table_without_vid_or_mos(tmp_path: Path, kit) -> None:
    path = kit.csv(tmp_path / "m.csv", [["a", "b"]], header=["name_of_thing", "score"])
    source = ugc_rows.source_rows(_spec(tmp_path, path))
    assert source.files[0].rows == 1  # counted before the header is judged
    with pytest.raises(MetadataError, match="lacks vid and 'MOS full'"):
        list(source.rows)


def test_bad_rows_are_counted_with_their_row(tmp_path: Path, kit) -> None:
    table = [
        kit.row("Gaming_1080P-0001"),
        ["", "Gaming", 1080, 100, 3.0],  # no vid
        kit.row("Gaming_1080P-0002", "good"),
        kit.row("Gaming_1080P-0003", None),
        kit.row("Gaming_1080P-0004", chunks=(3.0, 7.5, None)),
        kit.row("Gaming_1080P-0005", chunks=(3.0, "x", None)),
        kit.row("Gaming_1080P-0006", std="wide"),
        kit.row("Gaming_1080P-0007", subjects=12.5),
        [*kit.row("Gaming_1080P-0008")[:2], "HD", *kit.row("Gaming_1080P-0008")[3:]],
        kit.row("Gaming_1080P-0009", 9.5),  # out of scale: passed through, the engine rejects it
    ]
    items = _items(tmp_path, kit.xlsx(tmp_path / "m.xlsx", table))
    found = [(i.origin.line, i.reason) for i in items if isinstance(i, RowRejection)]
    assert found == [
        (3, "bad-row"),
        (4, "bad-mos"),
        (5, "bad-mos"),
        (6, "bad-mos"),
        (7, "bad-mos"),
        (8, "bad-std-dev"),
        (9, "bad-row"),
        (10, "bad-row"),
    ]
    details = {i.origin.line: i.detail for i in items if isinstance(i, RowRejection)}
    assert details[3] == "no vid"
    assert details[5] == "MOS full empty"
    assert "chunk05 7.5 is outside" in details[6]
    assert "not a whole number" in details[9]
    assert "resolution 'HD'" in details[10]
    assert [i.origin.line for i in items if isinstance(i, SourceRow)] == [2, 11]


def test_no_mos_table_under_the_root(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="no YouTube UGC MOS table"):
        ugc_rows.source_rows(_spec(tmp_path))


def test_the_csv_export_is_found_when_the_spreadsheet_is_not(tmp_path: Path, kit) -> None:
    path = kit.csv(tmp_path / "original_videos_MOS_for_YouTube_UGC_dataset.csv", [kit.row("Vlog_360P-00ff")])
    assert ugc_rows.source_rows(_spec(tmp_path)).files[0].path == path
