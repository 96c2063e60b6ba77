"""Finding clips by vid whatever their suffix, and the bucket's download URLs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vqa_youtube_ugc import clips


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")


def test_every_published_naming_is_found(tmp_path: Path) -> None:
    _touch(tmp_path / "Gaming" / "1080P" / "Gaming_1080P-0ce6.mkv")
    _touch(tmp_path / "Sports_2160P-4e9f_crf_10_ss_00_t_20.0.mp4")
    _touch(tmp_path / "Vlog_720P-1a2b.mp4")
    _touch(tmp_path / "Vlog_720P-1a2b.mp4.part")  # an unfinished download is not a clip
    _touch(tmp_path / "notes.txt")
    index = clips.index_clips(tmp_path)
    assert index.find("Gaming_1080P-0ce6") == "Gaming/1080P/Gaming_1080P-0ce6.mkv"
    assert index.find("Sports_2160P-4e9f") == "Sports_2160P-4e9f_crf_10_ss_00_t_20.0.mp4"
    assert index.find("Vlog_720P-1a2b") == "Vlog_720P-1a2b.mp4"
    assert index.find("Vlog_720P-1a2") is None  # a prefix inside a name part is not a match
    assert index.find("HowTo_360P-0000") is None
    assert len(index) == 3


def test_the_original_wins_over_derived_files(tmp_path: Path) -> None:
    _touch(tmp_path / "Gaming_1080P-0ce6_crf_10_ss_00_t_20.0.mp4")
    _touch(tmp_path / "Gaming_1080P-0ce6.mp4")
    _touch(tmp_path / "Gaming" / "1080P" / "Gaming_1080P-0ce6.mkv")
    assert clips.index_clips(tmp_path).find("Gaming_1080P-0ce6") == "Gaming/1080P/Gaming_1080P-0ce6.mkv"


def test_layout_decides_where_downloads_go(tmp_path: Path) -> None:
    assert clips.index_clips(tmp_path / "missing").nested  # nothing yet: the bucket layout
    _touch(tmp_path / "flat" / "Gaming_1080P-0ce6.mkv")
    assert not clips.index_clips(tmp_path / "flat").nested
    _touch(tmp_path / "nested" / "Gaming" / "1080P" / "Gaming_1080P-0ce6.mkv")
    assert clips.index_clips(tmp_path / "nested").nested


def test_the_folder_is_walked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        _touch(tmp_path / "Gaming" / "360P" / f"Gaming_360P-{i:04x}.mkv")
    calls: list[object] = []
    real_walk = os.walk

    def counting_walk(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real_walk(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(clips.os, "walk", counting_walk)
    index = clips.index_clips(tmp_path)
    assert all(index.find(f"Gaming_360P-{i:04x}") for i in range(30))
    assert len(calls) == 1


@pytest.mark.parametrize(
    "cell, height",
    [("1080", 1080), ("1080.0", 1080), ("1080P", 1080), ("720p", 720), ("HD", None), (None, None)],
)
def test_parse_resolution(cell: str | None, height: int | None) -> None:
    assert clips.parse_resolution(cell) == height


def test_split_vid() -> None:
    assert clips.split_vid("TelevisionClip_2160P-3b9b") == ("TelevisionClip", 2160)
    assert clips.split_vid("my-own-video") == (None, None)


def test_bucket_url_and_base_url() -> None:
    assert clips.bucket_url("Gaming", 1080, "Gaming_1080P-0ce6") == (
        "https://storage.googleapis.com/ugc-dataset/original_videos/Gaming/1080P/Gaming_1080P-0ce6.mkv"
    )
    assert clips.bucket_url("Gaming", 1080, "Gaming_1080P-0ce6", "http://127.0.0.1:8000/mirror/") == (
        "http://127.0.0.1:8000/mirror/original_videos/Gaming/1080P/Gaming_1080P-0ce6.mkv"
    )
