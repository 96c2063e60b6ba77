"""The VP9 uncompressed header of a key frame: profile, bit depth, subsampling.

FFmpeg's Matroska/WebM and MP4 demuxers do not pass a configuration record
on (``vpcC`` is read into other fields), so the first packet is read instead:
a stream starts with a key frame, and a superframe starts with its first frame.
"""

from __future__ import annotations

from typing import Final

import attrs

from vqa_core.codecheaders.bits import BitReader, Unsettled

__all__ = ["Vp9Format", "parse_frame_header"]

_SYNC_CODE: Final = 0x498342
_CS_RGB: Final = 7


@attrs.frozen
class Vp9Format:
    bit_depth: int
    sub_x: int
    sub_y: int
    rgb: bool


def parse_frame_header(packet: bytes) -> Vp9Format:
    """Parse the start of a key frame; raises :class:`Unsettled` for anything else."""
    r = BitReader(packet[:64])
    if r.u(2) != 2:
        raise Unsettled("no VP9 frame marker")
    profile = r.u(1) | (r.u(1) << 1)
    if profile == 3 and r.flag():
        raise Unsettled("reserved bit set")
    if r.flag():
        raise Unsettled("shows an existing frame")
    if r.flag():  # frame_type: 0 is a key frame
        raise Unsettled("not a key frame")
    r.skip(2)  # show_frame, error_resilient_mode
    if r.u(24) != _SYNC_CODE:
        raise Unsettled("no VP9 sync code")
    depth = (12 if r.flag() else 10) if profile >= 2 else 8
    space = r.u(3)
    if space == _CS_RGB:
        if profile % 2 == 0:
            raise Unsettled("RGB in a 4:2:0 profile")
        return Vp9Format(depth, 0, 0, rgb=True)
    r.skip(1)  # color_range: FFmpeg's VP9 names carry no range
    if profile % 2 == 0:
        return Vp9Format(depth, 1, 1, rgb=False)
    sub_x, sub_y = r.u(1), r.u(1)
    if sub_x == sub_y == 1:
        raise Unsettled("4:2:0 in a 4:4:4 profile")
    return Vp9Format(depth, sub_x, sub_y, rgb=False)
