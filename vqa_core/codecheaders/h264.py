"""The H.264 sequence parameter set, as far as FFmpeg's pixel format needs it.

Read from an ``avcC`` record (MP4/MOV, Matroska) or from Annex-B bytes (raw
``.h264``, MPEG-TS): chroma format, bit depth, and the VUI's range and matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import attrs

from vqa_core.codecheaders.bits import MAX_HEADER_BYTES, BitReader, Unsettled, unescape

__all__ = ["Sps", "parse_sps", "sps_nals", "annexb_nals", "vui_signal"]

#: Profiles whose SPS carries chroma format, bit depths and scaling matrices.
_HIGH_PROFILES: Final = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})
_NAL_SPS: Final = 7


@attrs.frozen
class Sps:
    chroma_format_idc: int
    bit_depth: int
    #: ``None`` when the VUI does not say (the container's word stands).
    full_range: bool | None
    matrix: int | None


def annexb_nals(data: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex-B byte stream (start codes ``00 00 01``)."""
    data = data[:MAX_HEADER_BYTES]
    starts = []
    i = data.find(b"\x00\x00\x01")
    while i >= 0:
        starts.append(i + 3)
        i = data.find(b"\x00\x00\x01", i + 3)
    for n, start in enumerate(starts):
        end = starts[n + 1] - 3 if n + 1 < len(starts) else len(data)
        yield data[start:end].rstrip(b"\x00")


def sps_nals(data: bytes) -> Iterator[bytes]:
    """The SPS NAL units in an ``avcC`` record or in Annex-B bytes."""
    if data[:1] == b"\x01" and len(data) >= 7:
        count, pos = data[5] & 0x1F, 6
        for _ in range(count):
            length = int.from_bytes(data[pos : pos + 2], "big")
            nal = data[pos + 2 : pos + 2 + length]
            pos += 2 + length
            if len(nal) == length and nal and nal[0] & 0x1F == _NAL_SPS:
                yield nal
        return
    for nal in annexb_nals(data):
        if nal and nal[0] & 0x1F == _NAL_SPS:
            yield nal


def _scaling_lists(r: BitReader, count: int) -> None:
    for i in range(count):
        if r.flag():
            size, last, nxt = (16 if i < 6 else 64), 8, 8
            for _ in range(size):
                if nxt:
                    delta = r.se()
                    if not -128 <= delta <= 127:
                        raise Unsettled("scaling list delta out of range")
                    nxt = (last + delta + 256) % 256
                last = nxt or last


def _skip_poc(r: BitReader) -> None:
    r.ue()  # log2_max_frame_num_minus4
    poc_type = r.ue()
    if poc_type == 0:
        r.ue()
    elif poc_type == 1:
        r.skip(1)
        r.se()
        r.se()
        cycle = r.ue()
        if cycle > 255:
            raise Unsettled("POC cycle too long")
        for _ in range(cycle):
            r.se()
    elif poc_type != 2:
        raise Unsettled("unknown POC type")


def vui_signal(r: BitReader) -> tuple[bool | None, int | None]:
    """Range and matrix from the start of a VUI (the same layout in H.264 and HEVC)."""
    if r.flag() and r.u(8) == 255:  # aspect ratio, extended SAR
        r.skip(32)
    if r.flag():  # overscan_info_present_flag
        r.skip(1)
    if not r.flag():  # video_signal_type_present_flag
        return None, None
    r.skip(3)
    full_range = r.flag()
    if not r.flag():  # colour_description_present_flag
        return full_range, None
    r.skip(16)
    return full_range, r.u(8)


def parse_sps(nal: bytes) -> Sps:
    """Parse one SPS NAL unit (with its one-byte NAL header); raises :class:`Unsettled`."""
    r = BitReader(unescape(nal))
    if r.u(8) & 0x1F != _NAL_SPS:
        raise Unsettled("not an SPS")
    profile = r.u(8)
    r.skip(16)  # constraint flags, level
    if r.ue() > 31:
        raise Unsettled("SPS id out of range")
    chroma, depth = 1, 8
    if profile in _HIGH_PROFILES:
        chroma = r.ue()
        if chroma > 3:
            raise Unsettled("chroma format out of range")
        if chroma == 3 and r.flag():
            raise Unsettled("separate colour planes")
        depth = r.ue() + 8
        chroma_depth = r.ue() + 8
        if depth > 14 or chroma_depth != depth:
            raise Unsettled("bit depth not handled")
        r.skip(1)  # qpprime_y_zero_transform_bypass_flag
        if r.flag():
            _scaling_lists(r, 12 if chroma == 3 else 8)
    _skip_poc(r)
    r.ue()  # max_num_ref_frames
    r.skip(1)
    r.ue()
    r.ue()  # picture size in macroblocks
    if not r.flag():  # frame_mbs_only_flag
        r.skip(1)
    r.skip(1)  # direct_8x8_inference_flag
    if r.flag():  # frame cropping
        for _ in range(4):
            r.ue()
    full_range, matrix = vui_signal(r) if r.flag() else (None, None)  # vui_parameters_present_flag
    return Sps(chroma, depth, full_range, matrix)
