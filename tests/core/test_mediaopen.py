"""``error_line``: the one line a rejection carries for an error raised while opening or reading a clip."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from vqa_core.mediaopen import MediaRefused, error_line, open_clip


def test_ffmpegs_own_text_without_the_file_name(tmp_path: Path) -> None:
    garbage = tmp_path / "clip.mp4"
    garbage.write_bytes(b"\x00not a video\x00" * 64)
    with pytest.raises(av.error.FFmpegError) as caught:
        open_clip(garbage, timeout_s=5)
    assert str(garbage) in str(caught.value)  # PyAV names the file...
    line = error_line(caught.value)
    assert line == caught.value.strerror and str(garbage) not in line  # ...the line does not


def test_an_os_error_gives_its_reason() -> None:
    assert (
        error_line(FileNotFoundError(2, "No such file or directory", "/x.mp4")) == "No such file or directory"
    )


def test_a_refusal_keeps_its_message() -> None:
    assert error_line(MediaRefused("an HLS playlist, not a video")) == "an HLS playlist, not a video"


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (ValueError("first\nsecond"), "first"),
        (ValueError(""), "ValueError"),
        (ValueError(": 'only a file name'"), "ValueError"),
    ],
)
def test_always_one_non_empty_line(exc: Exception, line: str) -> None:
    assert error_line(exc) == line
