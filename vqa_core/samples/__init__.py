"""Tiny synthetic clips for sample drops, tests and benchmarks.

Plugins' ``vqa_write_sample`` hooks call :func:`write_clip` (an encoded clip in
a real container) or :func:`write_raw_clip` (headerless raw video, like
``.yuv`` corpora) to produce small, deterministic videos: the same spec and
seed give the same bytes. ``quality`` in [0, 1] controls how clean the picture
is (1 = clean, 0 = noisy, blocky and blurred), so a sample's scores can follow
something visible in the pixels.

PyAV is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

import attrs

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ClipSpec", "write_clip", "write_raw_clip", "raw_frame_bytes", "CONTAINERS"]

#: File suffix → PyAV container format name.
CONTAINERS: Final = {".mp4": "mp4", ".mkv": "matroska", ".webm": "webm", ".mov": "mov", ".avi": "avi"}


def _positive_even(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value <= 0 or value % 2:
        raise ValueError(f"{attribute.name} must be a positive even number, got {value}")


@attrs.frozen
class ClipSpec:
    """What to generate: geometry, rate, length, codec, pixel format and picture quality."""

    width: int = attrs.field(default=320, validator=_positive_even)
    height: int = attrs.field(default=180, validator=_positive_even)
    fps: Fraction = attrs.field(default=Fraction(25), converter=Fraction)
    frames: int = attrs.field(default=25, validator=attrs.validators.gt(0))
    codec: str = "libx264"
    pix_fmt: str = "yuv420p"
    quality: float = attrs.field(default=1.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)])
    #: Mark the stream as HDR10 (BT.2020 primaries, PQ transfer) where the codec allows it.
    hdr: bool = False

    @property
    def duration_s(self) -> float:
        return float(self.frames / self.fps)


def _frames(spec: ClipSpec, seed: int) -> Iterator[np.ndarray]:
    """RGB frames: a moving, seed-dependent pattern degraded according to ``quality``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    h, w = spec.height, spec.width
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=3).astype(np.float32)
    freq = rng.uniform(0.02, 0.08, size=3).astype(np.float32)
    speed = float(rng.uniform(1.0, 4.0))
    noise_sigma = (1.0 - spec.quality) * 40.0
    block = 1 + round((1.0 - spec.quality) * 6) * 2
    for t in range(spec.frames):
        shift = t * speed
        frame = np.empty((h, w, 3), dtype=np.float32)
        for c in range(3):
            frame[..., c] = 127.5 + 100.0 * np.sin(freq[c] * (xx + shift) + phase[c]) * np.cos(
                freq[(c + 1) % 3] * (yy - shift / 2)
            )
        # a bright square moving across gives the clip real motion and edges
        size = max(4, h // 5)
        x0 = int(shift * 3) % max(1, w - size)
        y0 = (h - size) // 2
        frame[y0 : y0 + size, x0 : x0 + size, :] = 235.0
        if block > 1:  # blockiness: average over block × block cells
            bh, bw = h // block * block, w // block * block
            cells = frame[:bh, :bw].reshape(bh // block, block, bw // block, block, 3).mean(axis=(1, 3))
            frame[:bh, :bw] = np.repeat(np.repeat(cells, block, axis=0), block, axis=1)
        if noise_sigma > 0:
            frame += rng.normal(0.0, noise_sigma, size=frame.shape).astype(np.float32)
        yield np.clip(frame, 0, 255).astype(np.uint8)


def write_clip(path: Path, spec: ClipSpec, *, seed: int) -> Path:
    """Encode a clip into ``path``; the container comes from the suffix (``.mp4``, ``.mkv`` …)."""
    import os

    import av

    # SVT-AV1 prints its banner straight to stderr unless told otherwise
    os.environ.setdefault("SVT_LOG", "1")
    container_format = CONTAINERS.get(path.suffix.lower())
    if container_format is None:
        raise ValueError(f"no container for suffix {path.suffix!r}; use one of {sorted(CONTAINERS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # bitexact: no random container UIDs or version strings, so bytes repeat across runs
    with av.open(
        str(path), mode="w", format=container_format, container_options={"fflags": "+bitexact"}
    ) as container:
        stream = cast("av.VideoStream", container.add_stream(spec.codec, rate=spec.fps))
        stream.width = spec.width
        stream.height = spec.height
        stream.pix_fmt = spec.pix_fmt
        # one thread and fixed options: the same spec and seed give the same bytes
        stream.thread_count = 1
        options: dict[str, object] = dict(_codec_options(spec))
        if options:
            stream.options = options
        if spec.hdr:
            _mark_hdr10(stream)
        for image in _frames(spec, seed):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=spec.pix_fmt)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _codec_options(spec: ClipSpec) -> dict[str, str]:
    crf = str(int(18 + (1.0 - spec.quality) * 30))
    if spec.codec == "libx264":
        return {"preset": "ultrafast", "crf": crf, "threads": "1"}
    if spec.codec == "libx265":
        params = "log-level=none:pools=1:frame-threads=1:wpp=0"
        if spec.hdr:
            params += ":hdr10=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc"
        return {"preset": "ultrafast", "crf": crf, "x265-params": params}
    if spec.codec == "libvpx-vp9":
        return {"deadline": "realtime", "cpu-used": "8", "crf": crf, "b:v": "0", "row-mt": "0"}
    if spec.codec == "libsvtav1":
        return {"preset": "10", "crf": crf, "svtav1-params": "lp=1"}
    return {}


def _mark_hdr10(stream: object) -> None:
    ctx = getattr(stream, "codec_context", None)
    # BT.2020 primaries, SMPTE ST 2084 (PQ), BT.2020 non-constant luminance; where PyAV lacks
    # these setters, the x265 parameters still carry the HDR10 signalling.
    for attr, value in (("color_primaries", 9), ("color_trc", 16), ("colorspace", 9)):
        with contextlib.suppress(AttributeError, TypeError, ValueError):
            setattr(ctx, attr, value)


def raw_frame_bytes(width: int, height: int, pix_fmt: str) -> int:
    """Bytes of one headerless raw frame: the sum of its planes, without padding."""
    import av

    fmt = av.VideoFormat(pix_fmt, width, height)
    planes: dict[int, int] = {}
    for comp in fmt.components:
        bytes_per_sample = (comp.bits + 7) // 8
        planes[comp.plane] = max(planes.get(comp.plane, 0), comp.width * comp.height * bytes_per_sample)
    if not fmt.is_planar:
        # packed formats keep every component in one plane
        return (width * height * fmt.padded_bits_per_pixel + 7) // 8
    return sum(planes.values())


def write_raw_clip(path: Path, spec: ClipSpec, *, seed: int) -> Path:
    """Write headerless raw video (``.yuv``) in ``spec.pix_fmt``, frame after frame."""
    import av
    import numpy as np

    fmt = av.VideoFormat(spec.pix_fmt, spec.width, spec.height)
    if not fmt.is_planar:
        raise ValueError(f"raw sample clips are planar; {spec.pix_fmt} is packed")
    # bytes of one row of each plane: plane width × bytes per sample (no FFmpeg line padding)
    row_bytes: dict[int, int] = {}
    for comp in fmt.components:
        row_bytes[comp.plane] = comp.width * ((comp.bits + 7) // 8)
    expected = raw_frame_bytes(spec.width, spec.height, spec.pix_fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for image in _frames(spec, seed):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=spec.pix_fmt)
            parts = []
            for index, plane in enumerate(frame.planes):
                rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
                parts.append(rows[:, : row_bytes[index]].tobytes())
            data = b"".join(parts)
            if len(data) != expected:
                raise RuntimeError(f"raw frame is {len(data)} bytes, expected {expected}")
            fh.write(data)
    return path
