"""Decoding checked frame by frame: every frame of a ramp clip has its own grey level."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import torch

from vqa_core.data.decode import DecodeFailure, Sampling, decode_clip
from vqa_core.data.sampling import stride_start, uniform_indices


def levels(ramp: Any, frames: np.ndarray) -> list[int]:
    return list(ramp.levels(torch.from_numpy(frames)))


@pytest.mark.parametrize("gop", [250, 6], ids=["one-keyframe", "keyframe-every-6"])
def test_uniform_sampling_returns_the_frames_it_names(ramp: Any, gop: int) -> None:
    clip = ramp.clip("ramp.mp4", 100, gop=gop)
    decoded = decode_clip(clip, Sampling(frames=8), 0)
    assert decoded.clip_frames == 100
    assert decoded.indices == uniform_indices(100, 8)
    assert levels(ramp, decoded.frames) == list(decoded.indices)


@pytest.mark.parametrize("gop", [250, 6], ids=["one-keyframe", "keyframe-every-6"])
def test_stride_sampling_starts_where_the_seed_says(ramp: Any, gop: int) -> None:
    clip = ramp.clip("ramp.mp4", 100, gop=gop)
    for item in range(4):
        decoded = decode_clip(clip, Sampling(frames=6, stride=3, seed=9), item)
        start = stride_start(100, 6, 3, 9, item)
        assert levels(ramp, decoded.frames) == [start + 3 * k for k in range(6)]


def test_a_clip_shorter_than_the_window(ramp: Any) -> None:
    clip = ramp.clip("short.mp4", 5)
    assert levels(ramp, decode_clip(clip, Sampling(frames=8), 0).frames) == [0, 0, 1, 2, 2, 3, 4, 4]
    strided = decode_clip(clip, Sampling(frames=8, stride=2, seed=1), 3)
    assert levels(ramp, strided.frames) == [0, 2, 4, 4, 4, 4, 4, 4]


def test_resize_and_centre_crop_are_those_of_swscale_and_slicing(ramp: Any) -> None:
    # a frame with structure, so a misplaced crop cannot match
    clip = ramp.base / "pattern.mp4"
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=25, options={"qp": "0"})
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        rgb = np.zeros((96, 160, 3), dtype=np.uint8)
        rgb[..., 0] = np.arange(160, dtype=np.uint8)[None, :]
        rgb[..., 1] = np.arange(96, dtype=np.uint8)[:, None] * 2
        out.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(stream.encode(None))
    decoded = decode_clip(clip, Sampling(frames=1, short_side=48, crop=(40, 64)), 0)
    assert decoded.frames.shape == (1, 3, 40, 64)
    assert decoded.frames.dtype == np.uint8
    with av.open(str(clip)) as container:
        frame = next(container.decode(video=0))
        expected = frame.to_ndarray(width=80, height=48, format="rgb24")[4:44, 8:72].transpose(2, 0, 1)
    assert np.array_equal(decoded.frames[0], expected)


def test_a_crop_larger_than_the_resized_frame_is_a_decode_failure(ramp: Any) -> None:
    clip = ramp.clip("small.mp4", 3)
    with pytest.raises(DecodeFailure, match=r"64×48 after resizing, smaller than the crop 56×56") as caught:
        decode_clip(clip, Sampling(frames=2, short_side=None, crop=(56, 56)), 0)
    assert "\n" not in str(caught.value)


def test_truncated_and_foreign_files_fail_in_one_line(ramp: Any, tmp_path: Path) -> None:
    clip = ramp.clip("cut.mp4", 40)
    data = clip.read_bytes()
    clip.write_bytes(data[: len(data) // 2])
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n")
    for path in (clip, text, tmp_path / "missing.mp4"):
        with pytest.raises(DecodeFailure) as caught:
            decode_clip(path, Sampling(frames=4), 0)
        assert str(caught.value) and "\n" not in str(caught.value)
