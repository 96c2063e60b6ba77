"""The HEVC sequence parameter set, as far as FFmpeg's pixel format needs it.

Read from an ``hvcC`` record (MP4/MOV, Matroska) or from Annex-B bytes: chroma
format, bit depth, and the VUI's range and matrix. Everything between is walked
over, not kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import attrs

from vqa_core.codecheaders.bits import BitReader, Unsettled, unescape
from vqa_core.codecheaders.h264 import annexb_nals, vui_signal

__all__ = ["HevcSps", "parse_sps", "sps_nals"]

_NAL_SPS: Final = 33


@attrs.frozen
class HevcSps:
    chroma_format_idc: int
    bit_depth: int
    full_range: bool
    matrix: int | None


def _nal_type(nal: bytes) -> int:
    return (nal[0] >> 1) & 0x3F if nal else -1


def sps_nals(data: bytes) -> Iterator[bytes]:
    """The SPS NAL units in an ``hvcC`` record or in Annex-B bytes."""
    if data[:1] != b"\x01" or len(data) < 23:
        yield from (nal for nal in annexb_nals(data) if _nal_type(nal) == _NAL_SPS)
        return
    arrays, pos = data[22], 23
    for _ in range(arrays):
        if pos + 3 > len(data):
            return
        kind, count = data[pos] & 0x3F, int.from_bytes(data[pos + 1 : pos + 3], "big")
        pos += 3
        for _ in range(count):
            length = int.from_bytes(data[pos : pos + 2], "big")
            nal = data[pos + 2 : pos + 2 + length]
            pos += 2 + length
            if kind == _NAL_SPS and len(nal) == length and _nal_type(nal) == _NAL_SPS:
                yield nal


def _profile_tier_level(r: BitReader, sub_layers: int) -> None:
    r.skip(96)  # general profile, tier, flags and level
    present = [(r.flag(), r.flag()) for _ in range(sub_layers)]
    if sub_layers:
        r.skip(2 * (8 - sub_layers))
    for profile, level in present:
        r.skip((88 if profile else 0) + (8 if level else 0))


def _scaling_list_data(r: BitReader) -> None:
    for size in range(4):
        for _ in range(0, 6, 3 if size == 3 else 1):
            if not r.flag():
                r.ue()
                continue
            if size > 1:
                r.se()
            for _ in range(min(64, 1 << (4 + (size << 1)))):
                r.se()


def _short_term_ref_pic_sets(r: BitReader, count: int) -> None:
    deltas: list[int] = []
    for i in range(count):
        if i and r.flag():  # inter_ref_pic_set_prediction_flag
            r.skip(1)
            r.ue()
            used = 0
            for _ in range(deltas[i - 1] + 1):
                if r.flag() or r.flag():  # used_by_curr_pic_flag, else use_delta_flag
                    used += 1
            deltas.append(used)
            continue
        negative, positive = r.ue(), r.ue()
        if negative > 16 or positive > 16:
            raise Unsettled("too many reference pictures")
        for _ in range(negative + positive):
            r.ue()
            r.skip(1)
        deltas.append(negative + positive)


def _skip_coding_tools(r: BitReader, poc_lsb_bits: int) -> None:
    """From the coding-block sizes to the VUI flag."""
    for _ in range(6):
        r.ue()  # block sizes, transform hierarchy depths
    if r.flag() and r.flag():  # scaling_list_enabled, sps_scaling_list_data_present
        _scaling_list_data(r)
    r.skip(2)  # amp, sample adaptive offset
    if r.flag():  # pcm_enabled_flag
        r.skip(8)
        r.ue()
        r.ue()
        r.skip(1)
    sets = r.ue()
    if sets > 64:
        raise Unsettled("too many short-term reference picture sets")
    _short_term_ref_pic_sets(r, sets)
    if r.flag():  # long_term_ref_pics_present_flag
        count = r.ue()
        if count > 32:
            raise Unsettled("too many long-term reference pictures")
        r.skip(count * (poc_lsb_bits + 1))
    r.skip(2)  # temporal MVP, strong intra smoothing


def parse_sps(nal: bytes) -> HevcSps:
    """Parse one SPS NAL unit (with its two-byte NAL header); raises :class:`Unsettled`."""
    r = BitReader(unescape(nal))
    if (r.u(16) >> 9) & 0x3F != _NAL_SPS:
        raise Unsettled("not an SPS")
    r.skip(4)
    sub_layers = r.u(3)
    if sub_layers > 6:
        raise Unsettled("too many sub-layers")
    r.skip(1)
    _profile_tier_level(r, sub_layers)
    r.ue()  # sps_seq_parameter_set_id
    chroma = r.ue()
    if chroma > 3:
        raise Unsettled("chroma format out of range")
    if chroma == 3 and r.flag():
        raise Unsettled("separate colour planes")
    r.ue()
    r.ue()  # picture size
    if r.flag():  # conformance window
        for _ in range(4):
            r.ue()
    depth, chroma_depth = r.ue() + 8, r.ue() + 8
    if depth > 16 or (chroma and chroma_depth != depth):
        raise Unsettled("bit depth not handled")
    poc_lsb_bits = r.ue() + 4
    if poc_lsb_bits > 16:
        raise Unsettled("POC bits out of range")
    ordering_all = r.flag()
    for _ in range(sub_layers + 1 if ordering_all else 1):
        r.ue()
        r.ue()
        r.ue()
    _skip_coding_tools(r, poc_lsb_bits)
    full_range, matrix = vui_signal(r) if r.flag() else (None, None)  # vui_parameters_present_flag
    return HevcSps(chroma, depth, bool(full_range), matrix)
