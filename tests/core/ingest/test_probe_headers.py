"""The header path of the probe agrees with FFmpeg's full stream analysis on real encodings.

Every clip is made here with PyAV's bundled encoders (tiny: 64x64, 3 frames). For
H.264, HEVC, VP9 and AV1 the probe must read the pixel format from the codec's
parameter sets (``method == "header"``) and report exactly what the full analysis
reports (pixel format, geometry, rate, codec and duration); the other codecs go through the analysis (``method == "analysed"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from vqa_core.ingest.probe import ProbeError, probe_clip
from vqa_core.mediaopen import open_clip

AVAILABLE = set(av.codecs_available)
AV1 = "libsvtav1" if "libsvtav1" in AVAILABLE else "libaom-av1"

#: (name, encoder, pixel format, container, encoder options, full range)
ENCODINGS: list[tuple[str, str, str, str, dict[str, str], bool]] = [
    ("x264-420-mp4", "libx264", "yuv420p", "mp4", {}, False),
    ("x264-420-full-mp4", "libx264", "yuv420p", "mp4", {}, True),
    ("x264-420-full-mkv", "libx264", "yuv420p", "matroska", {}, True),
    ("x264-420-10-mkv", "libx264", "yuv420p10le", "matroska", {}, False),
    ("x264-422-mp4", "libx264", "yuv422p", "mp4", {}, False),
    ("x264-422-full-mkv", "libx264", "yuv422p", "matroska", {}, True),
    ("x264-422-10-mp4", "libx264", "yuv422p10le", "mp4", {}, False),
    ("x264-444-mkv", "libx264", "yuv444p", "matroska", {}, False),
    ("x264-444-full-mp4", "libx264", "yuv444p", "mp4", {}, True),
    ("x264-444-10-mkv", "libx264", "yuv444p10le", "matroska", {}, False),
    ("x264-annexb", "libx264", "yuv420p", "h264", {}, False),
    ("x265-main-mp4", "libx265", "yuv420p", "mp4", {}, False),
    ("x265-main-full-mkv", "libx265", "yuv420p", "matroska", {}, True),
    ("x265-main10-mkv", "libx265", "yuv420p10le", "matroska", {}, False),
    ("x265-main10-full-mp4", "libx265", "yuv420p10le", "mp4", {}, True),
    ("x265-444-mp4", "libx265", "yuv444p", "mp4", {}, False),
    ("x265-444-12-mkv", "libx265", "yuv444p12le", "matroska", {}, False),
    ("x265-annexb", "libx265", "yuv420p", "hevc", {}, False),
    ("vp9-p0-webm", "libvpx-vp9", "yuv420p", "webm", {}, False),
    ("vp9-p0-full-mkv", "libvpx-vp9", "yuv420p", "matroska", {}, True),
    ("vp9-p0-mp4", "libvpx-vp9", "yuv420p", "mp4", {}, False),
    ("vp9-p1-444-webm", "libvpx-vp9", "yuv444p", "webm", {}, False),
    ("vp9-p1-422-mkv", "libvpx-vp9", "yuv422p", "matroska", {}, False),
    ("vp9-p2-10-webm", "libvpx-vp9", "yuv420p10le", "webm", {}, False),
    ("av1-8-mp4", AV1, "yuv420p", "mp4", {}, False),
    ("av1-8-webm", AV1, "yuv420p", "webm", {}, False),
    ("av1-10-mkv", AV1, "yuv420p10le", "matroska", {}, False),
    ("av1-10-full-mp4", AV1, "yuv420p10le", "mp4", {}, True),
    ("mpeg4-mp4", "mpeg4", "yuv420p", "mp4", {}, False),
    ("mjpeg-mkv", "mjpeg", "yuvj420p", "matroska", {}, True),
    ("prores-mov", "prores_ks", "yuv422p10le", "mov", {}, False),
    ("ffv1-mkv", "ffv1", "yuv420p", "matroska", {}, False),
]
HEADER_CODECS = {"h264", "hevc", "vp9", "av1"}
SUFFIX = {"mp4": ".mp4", "matroska": ".mkv", "webm": ".webm", "mov": ".mov", "h264": ".h264", "hevc": ".hevc"}


def _encode(path: Path, encoder: str, pix_fmt: str, fmt: str, options: dict[str, str], full: bool) -> None:
    rng = np.random.default_rng(7)
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(encoder, rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, pix_fmt
        stream.options = options
        if full:
            stream.codec_context.color_range = 2  # AVCOL_RANGE_JPEG
        for _ in range(3):
            image = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _full_analysis(path: Path) -> dict[str, Any]:
    """What FFmpeg's full stream analysis reports (the probe before header parsing)."""
    container = open_clip(path, timeout_s=30)
    try:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        rate = stream.average_rate or stream.base_rate or stream.guessed_rate
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = (container.duration or 0) / 1_000_000
        return {
            "pix_fmt": ctx.pix_fmt,
            "width": ctx.width,
            "height": ctx.height,
            "framerate": float(rate) if rate else 0.0,
            "codec": ctx.codec.canonical_name,
            "duration_s": duration,
        }
    finally:
        container.close()


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("encodings")
    made = {}
    for name, encoder, pix_fmt, fmt, options, full in ENCODINGS:
        if encoder not in AVAILABLE:
            continue
        path = root / f"{name}{SUFFIX[fmt]}"
        try:
            _encode(path, encoder, pix_fmt, fmt, options, full)
        except av.error.FFmpegError:  # e.g. a libvpx built without high bit depth (VP9 profile 2)
            continue
        made[name] = path
    return made


def test_at_least_twenty_encodings_are_made(clips: dict[str, Path]) -> None:
    assert len(clips) >= 20


@pytest.mark.parametrize("name", [e[0] for e in ENCODINGS])
@pytest.mark.parametrize("read_packets", [True, False])
def test_header_path_agrees_with_full_analysis(clips: dict[str, Path], name: str, read_packets: bool) -> None:
    if name not in clips:
        pytest.skip("this PyAV build cannot make this encoding")
    if read_packets and name.endswith("annexb"):
        # raw Annex-B packets carry no timestamps: the demux verification refuses such a stream
        # whichever way its pixel format is learnt
        with pytest.raises(ProbeError, match="no readable video packets"):
            probe_clip(clips[name], read_packets=True)
        return
    expected = _full_analysis(clips[name])
    probe = probe_clip(clips[name], read_packets=read_packets)
    got = {k: getattr(probe, k) for k in expected}
    assert got == expected
    assert probe.method == ("header" if expected["codec"] in HEADER_CODECS else "analysed")


#: Longer clips, so FFmpeg's analysis reads past the first packets to estimate the rate (Matroska
#: and WebM state no frame count); one has irregular timestamps.
LONGER = [
    ("x264-mkv-60", "libx264", "matroska", False),
    ("x264-mp4-60", "libx264", "mp4", False),
    ("vp9-webm-60", "libvpx-vp9", "webm", False),
    ("x264-mkv-vfr", "libx264", "matroska", True),
]


def _encode_longer(path: Path, encoder: str, fmt: str, vfr: bool) -> None:
    from fractions import Fraction

    rng = np.random.default_rng(3)
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(encoder, rate=30)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        if vfr:
            stream.codec_context.time_base = Fraction(1, 1000)
        pts = 0
        for i in range(60):
            image = rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
            if vfr:  # frames 20 ms and 50 ms apart
                frame.pts, frame.time_base = pts, Fraction(1, 1000)
                pts += 20 if i % 3 else 50
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.mark.parametrize(("name", "encoder", "fmt", "vfr"), LONGER)
def test_longer_clips_agree(tmp_path: Path, name: str, encoder: str, fmt: str, vfr: bool) -> None:
    path = tmp_path / f"{name}{SUFFIX[fmt]}"
    _encode_longer(path, encoder, fmt, vfr)
    expected = _full_analysis(path)
    probe = probe_clip(path, read_packets=True)
    assert {k: getattr(probe, k) for k in expected} == expected
    assert probe.method == "header"
