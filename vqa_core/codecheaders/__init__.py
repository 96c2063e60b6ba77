"""Pixel formats read from codec parameter sets, with FFmpeg's names.

FFmpeg learns a stream's pixel format by decoding its first frame; the format
is also written in the codec's own headers (the H.264/HEVC SPS, the VP9 key
frame header, the AV1 ``av1C`` record). :func:`pixel_format` reads them and
names the format as FFmpeg's decoder would, or returns ``None`` whenever the
headers do not settle it (an unknown codec, a cut-short or malformed header, a
case whose FFmpeg name has not been checked): the caller then asks FFmpeg.

Pure functions of bytes: no I/O, bounded work on any input.
"""

from __future__ import annotations

from typing import Final

import attrs

from vqa_core.codecheaders import av1, h264, hevc, vp9
from vqa_core.codecheaders.bits import Unsettled
from vqa_core.codecheaders.pixfmt import yuv_name

__all__ = ["CODECS", "Container", "needs_packet", "pixel_format"]

#: Codecs whose pixel format the headers can settle (FFmpeg's canonical names).
CODECS: Final = frozenset({"h264", "hevc", "vp9", "av1"})
_SUBSAMPLING: Final = {1: (1, 1), 2: (1, 0), 3: (0, 0)}
_GRAY: Final = {8: "gray", 10: "gray10le", 12: "gray12le"}


@attrs.frozen
class Container:
    """What the container says about colour, as FFmpeg read it without decoding."""

    full_range: bool = False
    rgb: bool = False


def needs_packet(codec: str, extradata: bytes) -> bool:
    """Whether :func:`pixel_format` needs the stream's first packet (no configuration record)."""
    return codec == "vp9" or (codec in ("h264", "hevc") and not extradata)


def pixel_format(
    codec: str, extradata: bytes, first_packet: bytes | None = None, container: Container = Container()
) -> str | None:
    """FFmpeg's name for the stream's pixel format, or ``None`` when the headers do not settle it."""
    data = extradata or first_packet or b""
    try:
        if codec == "h264":
            return _h264(data, container)
        if codec == "hevc":
            return _hevc(data)
        if codec == "vp9" and first_packet:
            f = vp9.parse_frame_header(first_packet)
            return yuv_name(depth=f.bit_depth, sub_x=f.sub_x, sub_y=f.sub_y, rgb=f.rgb)
        if codec == "av1":
            return _av1(data)
    except Unsettled:
        return None
    return None


def _one(sets: list[bytes]) -> bytes:
    # several SPSs may differ in format: only one settles it
    if len(sets) != 1:
        raise Unsettled(f"{len(sets)} sequence parameter sets")
    return sets[0]


def _h264(data: bytes, container: Container) -> str | None:
    sps = h264.parse_sps(_one(list(h264.sps_nals(data))))
    if sps.chroma_format_idc == 0:
        return None  # monochrome: FFmpeg's name depends on decoder flags; let it decide
    rgb = sps.matrix == 0 if sps.matrix is not None else container.rgb
    if rgb:
        return None  # RGB in H.264 is rare; FFmpeg's gbrp choice is left to FFmpeg
    full = sps.full_range if sps.full_range is not None else container.full_range
    sub_x, sub_y = _SUBSAMPLING[sps.chroma_format_idc]
    return yuv_name(depth=sps.bit_depth, sub_x=sub_x, sub_y=sub_y, full_range=full)


def _hevc(data: bytes) -> str | None:
    sps = hevc.parse_sps(_one(list(hevc.sps_nals(data))))
    if sps.matrix == 0:
        return None  # RGB: left to FFmpeg
    if sps.chroma_format_idc == 0:
        return _GRAY.get(sps.bit_depth)
    sub_x, sub_y = _SUBSAMPLING[sps.chroma_format_idc]
    # FFmpeg's HEVC decoder names full range only for 8-bit 4:2:0 (yuvj420p), from the SPS alone
    full = sps.full_range and sps.chroma_format_idc == 1
    return yuv_name(depth=sps.bit_depth, sub_x=sub_x, sub_y=sub_y, full_range=full)


def _av1(data: bytes) -> str | None:
    f = av1.parse_av1c(data)
    if f.monochrome:
        return _GRAY.get(f.bit_depth)
    if not (f.sub_x or f.sub_y):
        return None  # 4:4:4 may be RGB (identity matrix, in the sequence header): left to FFmpeg
    return yuv_name(depth=f.bit_depth, sub_x=f.sub_x, sub_y=f.sub_y)
