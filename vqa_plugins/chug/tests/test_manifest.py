"""chug.csv: the published header, the 0–100 → 1–5 contract, typed extras, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from vqa_chug.manifest import EXTENSION_COLUMNS, HEADER, source_rows, stored_mos, stored_std, video_url

from vqa_core.errors import MetadataError
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec

PUBLISHED_HEADER = (
    "Video,mos_j,sos_j,ref,name,bitladder,resolution,bitrate,orientation,framerate,content_name,height,width"
)
ID_A = "0123456789abcdef0123456789abcdef"
ID_B = "fedcba9876543210fedcba9876543210"


def _spec(root: Path, *metadata: Path, base_url: str | None = None) -> SourceSpec:
    return SourceSpec(root=root, metadata=tuple(metadata), clips_dir=root / "videos", base_url=base_url)


def _csv(path: Path, *lines: str) -> Path:
    path.write_text(PUBLISHED_HEADER + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _items(root: Path, *metadata: Path, base_url: str | None = None) -> list[SourceRow | RowRejection]:
    return list(source_rows(_spec(root, *metadata, base_url=base_url)).rows)


def test_published_header_is_the_documented_one() -> None:
    assert ",".join(HEADER) == PUBLISHED_HEADER
    assert [name for name, _ in EXTENSION_COLUMNS][-1] == "mos_raw_0_100"


def test_scale_contract() -> None:
    assert stored_mos(0.0) == 1.0 and stored_mos(50.0) == 3.0 and stored_mos(100.0) == 5.0
    assert stored_std(2.5) == pytest.approx(0.1)


def test_rows_map_every_published_column(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "chug.csv",
        f"{ID_A},50,2.5,0,360p_0.2M_#Files_Nov8_IMG_3220_38_48.mp4,360p_0.2M_,360p,0.2M,Landscape,30.0,"
        "Files_Nov8_IMG_3220_38_48.mp4,360,640",
        f"{ID_B},73.40265548910453,2.2673165046827126,1,"
        "1080p_ref_#Files_Jan15_PXL_20240108_053002824 2024-01-14 03_1_11.mp4,1080p_ref_,ref,ref,Portrait,"
        "29.97002997002997,Files_Jan15_PXL_20240108_053002824 2024-01-14 03_1_11.mp4,1920,1080",
    )
    source = source_rows(_spec(tmp_path, path))
    assert [f.rows for f in source.files] == [2]
    first, second = list(source.rows)
    assert isinstance(first, SourceRow) and isinstance(second, SourceRow)
    assert first.clip == f"{ID_A}.mp4"
    assert first.mos == 3.0 and first.mos_std_dev == pytest.approx(0.1) and first.n_ratings is None
    assert first.url == f"https://ugchdrmturk.s3.us-east-2.amazonaws.com/videos/{ID_A}.mp4"
    assert first.origin.file == "chug.csv" and first.origin.line == 2
    assert first.extras == {
        "chug_video_id": ID_A,
        "chug_ref": 0,
        "chug_name": "360p_0.2M_#Files_Nov8_IMG_3220_38_48.mp4",
        "chug_bitladder": "360p_0.2M_",
        "chug_resolution": "360p",
        "chug_bitrate_label": "0.2M",
        "chug_orientation": "Landscape",
        "chug_framerate_manifest": 30.0,
        "chug_content_name": "Files_Nov8_IMG_3220_38_48.mp4",
        "chug_height_manifest": 360,
        "chug_width_manifest": 640,
        "chug_sos_raw": 2.5,
        "mos_raw_0_100": 50.0,
    }
    assert set(first.extras) == {name for name, _ in EXTENSION_COLUMNS}
    assert second.mos == pytest.approx(1 + 4 * 73.40265548910453 / 100)
    assert second.extras["mos_raw_0_100"] == 73.40265548910453
    assert second.extras["chug_ref"] == 1 and second.extras["chug_resolution"] == "ref"
    assert second.extras["chug_framerate_manifest"] == 29.97002997002997
    assert second.extras["chug_orientation"] == "Portrait"
    assert (second.extras["chug_height_manifest"], second.extras["chug_width_manifest"]) == (1920, 1080)


def test_base_url_replaces_the_published_host(tmp_path: Path) -> None:
    path = _csv(tmp_path / "chug.csv", f"{ID_A},50,2,0,n,b,r,b,Landscape,30.0,c,360,640")
    (row,) = _items(tmp_path, path, base_url="http://127.0.0.1:8000/mirror/")
    assert isinstance(row, SourceRow) and row.url == f"http://127.0.0.1:8000/mirror/{ID_A}.mp4"
    assert video_url(ID_B) == f"https://ugchdrmturk.s3.us-east-2.amazonaws.com/videos/{ID_B}.mp4"


def test_scale_ends_are_kept_and_out_of_scale_is_rejected_not_clamped(tmp_path: Path) -> None:
    ids = [f"{i:032x}" for i in range(1, 9)]
    raw = ["0", "100", "100.0001", "-0.5", "nan", "inf", "abc", ""]
    path = _csv(
        tmp_path / "chug.csv",
        *(f"{i},{r},2,0,n,b,r,b,Landscape,30.0,c,360,640" for i, r in zip(ids, raw, strict=True)),
    )
    items = _items(tmp_path, path)
    low, high, *bad = items
    assert isinstance(low, SourceRow) and low.mos == 1.0 and low.extras["mos_raw_0_100"] == 0.0
    assert isinstance(high, SourceRow) and high.mos == 5.0
    assert all(isinstance(b, RowRejection) and b.reason == "bad-mos" for b in bad), bad
    assert "outside" not in bad[0].detail and "0–100" in bad[0].detail
    assert [b.origin.line for b in bad] == [4, 5, 6, 7, 8, 9]
    assert bad[0].clip == f"{ids[2]}.mp4"


def test_bad_rows_are_counted_with_reasons(tmp_path: Path) -> None:
    good = "50,2,0,n,b,r,b,Landscape,30.0,c,360,640"
    path = _csv(
        tmp_path / "chug.csv",
        f"{ID_A},{good}",  # 2
        f"not-hex,{good}",  # 3
        f",{good}",  # 4
        f"{ID_A[:-1]},{good}",  # 5 31 digits
        f"{ID_B},50,-1,0,n,b,r,b,Landscape,30.0,c,360,640",  # 6 negative spread
        f"{ID_B},50,wide,0,n,b,r,b,Landscape,30.0,c,360,640",  # 7 spread not a number
        f"{ID_B},50,2,2,n,b,r,b,Landscape,30.0,c,360,640",  # 8 ref neither 0 nor 1
        f"{ID_B},50,2,0,n,b,r,b,Landscape,fast,c,360,640",  # 9 frame rate
        f"{ID_B},50,2,0,n,b,r,b,Landscape,30.0,c,tall,640",  # 10 height
        f"{ID_B},50,2,0,n,b,r,b,Landscape,30.0,c,360,640,extra",  # 11 ragged
        "\x00oops",  # 12
        f"{ID_B},50,,,,,,,,,,,",  # 13 only id and MOS: fine, extras unknown
    )
    items = _items(tmp_path, path)
    reasons = {i.origin.line: (i.reason if isinstance(i, RowRejection) else "ok") for i in items}
    assert reasons == {
        2: "ok",
        3: "bad-row",
        4: "bad-row",
        5: "bad-row",
        6: "bad-std-dev",
        7: "bad-std-dev",
        8: "bad-row",
        9: "bad-row",
        10: "bad-row",
        11: "bad-row",
        12: "bad-row",
        13: "ok",
    }
    last = items[-1]
    assert isinstance(last, SourceRow) and last.mos_std_dev is None
    assert last.extras["chug_sos_raw"] is None and last.extras["chug_ref"] is None


def test_wrong_header_is_refused_after_counting(tmp_path: Path) -> None:
    path = tmp_path / "chug.csv"
    path.write_text("Video,mos,sos\n" + f"{ID_A},50,2\n")
    source = source_rows(_spec(tmp_path, path))
    assert [f.rows for f in source.files] == [1]
    with pytest.raises(
        MetadataError, match=r"chug\.csv:1: header 'Video,mos,sos' is not CHUG's: it lacks mos_j"
    ):
        list(source.rows)


def test_metadata_is_found_under_the_root_or_reported(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match=r"no CHUG metadata under .* chug\.csv"):
        source_rows(_spec(tmp_path))
    _csv(tmp_path / "chug.csv", f"{ID_A},50,2,0,n,b,r,b,Landscape,30.0,c,360,640")
    assert [f.path.name for f in source_rows(_spec(tmp_path)).files] == ["chug.csv"]


def test_the_clip_bucket_is_the_declared_download_host() -> None:
    from vqa_chug.declarations import CHUG, VIDEO_BASE

    from vqa_core.ingest.download import url_host

    assert CHUG.download_hosts == (url_host(VIDEO_BASE),)
