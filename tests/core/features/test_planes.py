"""Luma read from the decoder's planes, and a decoded frame's features, against the straightforward reading.

The Y plane is read as a view with the decoder's padded line size. These tests
write frames whose pixels are known through a lossless codec (FFV1) at odd sizes,
where the line size is padded, and check the view returns those pixels, and that
the features of real decoded frames (8-bit 4:2:0 and 4:4:4, full-range
``yuvj420p``, grey, RGB, 10 and 12 bit) are the float formulas' to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vqa_core.features import formulas, planes
from vqa_core.features.perframe import frame_features, read_luma
from vqa_core.features.scratch import Scratch


def _known_frames(width: int, height: int, pix_fmt: str, count: int) -> Iterator[av.VideoFrame]:
    """Frames whose Y plane is a known noise picture (chroma neutral)."""
    deep = pix_fmt != "yuv420p"
    dtype = np.dtype("<u2") if deep else np.dtype(np.uint8)
    top = 1023 if pix_fmt.endswith("10le") else 4095 if deep else 255
    rng = np.random.default_rng(width * height)
    for _ in range(count):
        frame = av.VideoFrame(width, height, pix_fmt)
        for index, plane in enumerate(frame.planes):
            row = plane.line_size // dtype.itemsize
            data = np.zeros((plane.height, row), dtype=dtype)
            data[:, : plane.width] = (
                rng.integers(0, top + 1, (plane.height, plane.width)) if index == 0 else top // 2
            )
            plane.update(data.tobytes())
        yield frame


def _roundtrip(path: Path, width: int, height: int, pix_fmt: str) -> list[tuple[np.ndarray, av.VideoFrame]]:
    """``(the Y plane written, the frame decoded)`` through FFV1, which is lossless."""
    written = []
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("ffv1", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        for frame in _known_frames(width, height, pix_fmt, 3):
            plane = frame.planes[0]
            dtype = np.dtype(np.uint8) if pix_fmt == "yuv420p" else np.dtype("<u2")
            row = plane.line_size // dtype.itemsize
            written.append(np.frombuffer(bytes(plane), dtype).reshape(plane.height, row)[:, :width].copy())
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with av.open(str(path)) as container:
        decoded = list(container.decode(video=0))
    return list(zip(written, decoded, strict=True))


@pytest.mark.parametrize(("width", "height"), [(65, 37), (97, 51), (2, 2), (129, 5)])
def test_the_plane_view_gives_the_pixels_written(tmp_path: Path, width: int, height: int) -> None:
    for known, frame in _roundtrip(tmp_path / "c.mkv", width, height, "yuv420p"):
        assert frame.planes[0].line_size > width  # the decoder pads its rows: the view must skip them
        view = planes.luma8(frame)
        assert view is not None and view.shape == (height, width)
        assert np.array_equal(view, known)
        assert np.array_equal(planes.luma(frame), known.astype(np.float32))


@pytest.mark.parametrize(("pix_fmt", "bits"), [("yuv420p10le", 10), ("yuv420p12le", 12)])
def test_deep_luma_is_the_plane_rescaled(tmp_path: Path, pix_fmt: str, bits: int) -> None:
    for known, frame in _roundtrip(tmp_path / "c.mkv", 66, 38, pix_fmt):
        assert planes.luma8(frame) is None  # rescaled luma is not integer: the float formulas read it
        expected = known.astype(np.float32) * np.float32(255.0 / ((1 << bits) - 1))
        assert np.array_equal(planes.luma(frame), expected)


def test_the_plane_view_is_what_to_ndarray_reads(tmp_path: Path) -> None:
    """Where PyAV converts the format itself (even sizes), it reads the same luma."""
    for pix_fmt in ("yuvj420p", "yuv420p10le"):
        path = tmp_path / f"{pix_fmt}.mkv"
        _write_coded(path, "libx264", pix_fmt, 66, 38)
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                stored = frame.to_ndarray()[:38]
                if pix_fmt == "yuvj420p":
                    assert np.array_equal(planes.luma8(frame), stored)
                else:
                    assert np.array_equal(
                        planes.luma(frame), stored.astype(np.float32) * np.float32(255 / 1023)
                    )


def _write_coded(path: Path, codec: str, pix_fmt: str, width: int, height: int, frames: int = 4) -> Path:
    rng = np.random.default_rng(width + height)
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream(codec, rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "30"}
        base = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        for t in range(frames):
            image = np.roll(base, t, axis=1)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _straightforward(frame: av.VideoFrame, before: av.VideoFrame | None) -> dict[str, float]:
    """The features as the float formulas compute them on float32 luma and RGB."""
    luma = planes.luma(frame)
    values = {
        "si": formulas.spatial_information(luma),
        "contrast": formulas.rms_contrast(luma),
        "brightness": formulas.brightness(luma),
        "sharpness": formulas.laplacian_variance(luma),
        "colourfulness": formulas.colourfulness(planes.rgb(frame)),
    }
    if before is not None:
        values["ti"] = formulas.temporal_information(planes.luma(before), luma)
    return values


@pytest.mark.parametrize(
    ("codec", "pix_fmt", "width", "height"),
    [
        ("ffv1", "yuv420p", 65, 37),
        ("libx264", "yuv420p", 320, 180),
        ("libx264", "yuvj420p", 66, 38),
        ("libx264", "yuv444p", 65, 37),
        ("ffv1", "gray", 97, 51),
        ("ffv1", "bgr0", 64, 36),
        ("libx264", "yuv420p10le", 66, 38),
        ("ffv1", "yuv420p12le", 66, 38),
    ],
)
def test_frame_features_are_the_float_formulas(
    tmp_path: Path, codec: str, pix_fmt: str, width: int, height: int
) -> None:
    path = _write_coded(tmp_path / "c.mkv", codec, pix_fmt, width, height)
    previous, scratch = None, Scratch()
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            before = None if previous is None else read_luma(previous)
            assert frame_features(frame, read_luma(frame), before, scratch) == _straightforward(
                frame, previous
            )
            previous = frame
