"""FFmpeg's pixel-format names, built from what a parameter set says."""

from __future__ import annotations

from typing import Final

__all__ = ["yuv_name"]

_LAYOUT: Final = {(1, 1): "420", (1, 0): "422", (0, 1): "440", (0, 0): "444"}


def yuv_name(
    *, depth: int, sub_x: int, sub_y: int, full_range: bool = False, rgb: bool = False
) -> str | None:
    """``yuv420p``, ``yuvj422p``, ``yuv444p10le``, ``gbrp12le``…; ``None`` for a layout FFmpeg has no name for.

    ``full_range`` gives the ``j`` name, which FFmpeg has for 8-bit 4:2:0, 4:2:2 and 4:4:4 only;
    the caller decides whether its codec's decoder reports it.
    """
    layout = _LAYOUT.get((sub_x, sub_y))
    if layout is None or depth not in (8, 9, 10, 12, 14, 16):
        return None
    if rgb:
        if layout != "444":
            return None
        return "gbrp" if depth == 8 else f"gbrp{depth}le"
    if depth == 8:
        j = "j" if full_range and layout != "440" else ""
        return f"yuv{j}{layout}p"
    return f"yuv{layout}p{depth}le"
