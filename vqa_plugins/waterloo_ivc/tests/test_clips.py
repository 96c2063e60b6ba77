from __future__ import annotations

from pathlib import Path

from vqa_waterloo_ivc.clips import ClipIndex, clip_stem, is_raw


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")


def test_stem_is_the_published_name() -> None:
    assert clip_stem("HEVC", "1", "540p", "1") == "HEVC_1_540p_1"


def test_raw_clip_wins_over_a_container_with_the_same_stem(tmp_path: Path) -> None:
    _touch(tmp_path / "AV1_3_1080p_2.yuv")
    _touch(tmp_path / "AV1_3_1080p_2.mp4")
    _touch(tmp_path / "VP9_1_540p_4.mkv")
    _touch(tmp_path / "VP9_1_540p_4.mp4")
    index = ClipIndex(tmp_path)
    assert index.for_stem("AV1_3_1080p_2") == "AV1_3_1080p_2.yuv"
    assert index.for_stem("VP9_1_540p_4") == "VP9_1_540p_4.mp4"  # .mp4 before .mkv


def test_clips_one_folder_down_are_found_top_level_first(tmp_path: Path) -> None:
    _touch(tmp_path / "HEVC" / "HEVC_1_540p_1.yuv")
    _touch(tmp_path / "H264" / "H264_2_2160p_3.mkv")
    _touch(tmp_path / "B" / "H264_2_2160p_3.yuv")
    _touch(tmp_path / "AVS2_5_540p_1.mp4")
    _touch(tmp_path / "X" / "AVS2_5_540p_1.yuv")
    _touch(tmp_path / "deep" / "er" / "AV1_1_540p_1.yuv")
    index = ClipIndex(tmp_path)
    assert index.for_stem("HEVC_1_540p_1") == "HEVC/HEVC_1_540p_1.yuv"
    assert index.for_stem("H264_2_2160p_3") == "B/H264_2_2160p_3.yuv"
    assert index.for_stem("AVS2_5_540p_1") == "AVS2_5_540p_1.mp4"
    # only one level down is searched
    assert index.for_stem("AV1_1_540p_1") == "AV1_1_540p_1.yuv"
    assert index.for_name("HEVC_1_540p_1.yuv") == "HEVC/HEVC_1_540p_1.yuv"
    assert index.for_name("nothing.yuv") == "nothing.yuv"


def test_missing_directory_maps_every_stem_to_its_published_name(tmp_path: Path) -> None:
    index = ClipIndex(tmp_path / "absent")
    assert index.for_stem("H264_1_540p_1") == "H264_1_540p_1.yuv"


def test_is_raw() -> None:
    assert is_raw("a/H264_1_540p_1.YUV")
    assert not is_raw("H264_1_540p_1.mp4")
