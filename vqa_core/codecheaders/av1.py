"""The AV1 codec configuration record (``av1C``): bit depth, monochrome, subsampling."""

from __future__ import annotations

import attrs

from vqa_core.codecheaders.bits import BitReader, Unsettled

__all__ = ["Av1Format", "parse_av1c"]


@attrs.frozen
class Av1Format:
    bit_depth: int
    monochrome: bool
    sub_x: int
    sub_y: int


def parse_av1c(record: bytes) -> Av1Format:
    """Parse the fixed four bytes of an ``av1C`` record (MP4/MOV, Matroska, WebM)."""
    r = BitReader(record[:4])
    if r.u(1) != 1 or r.u(7) != 1:
        raise Unsettled("not an av1C record")
    r.skip(8)  # seq_profile, seq_level_idx_0
    r.skip(1)  # seq_tier_0
    high, twelve = r.flag(), r.flag()
    monochrome = r.flag()
    sub_x, sub_y = r.u(1), r.u(1)
    if sub_y and not sub_x:
        raise Unsettled("subsampling AV1 does not allow")
    depth = (12 if twelve else 10) if high else 8
    return Av1Format(depth, monochrome, sub_x, sub_y)
