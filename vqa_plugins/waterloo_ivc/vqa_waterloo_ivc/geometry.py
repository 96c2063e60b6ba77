"""Geometry of the Waterloo IVC 4K raw clips, which a headerless ``.yuv`` cannot tell.

A raw clip is only bytes; its width, height, pixel format and frame rate have
to come from somewhere else. The size comes from the resolution token of the
clip's row (``scores.txt`` column 3, also the third part of the clip name):

============================  ==========================================
token                         width × height
============================  ==========================================
``540p``, ``540``             960 × 540
``1080p``, ``1080``           1920 × 1080
``2160p``, ``2160``, ``4K``,  3840 × 2160
``UHD``
any other ``<N>p`` / ``<N>``  16:9 with height N, when 16·N/9 is a whole
                              even number (``144p`` → 256 × 144)
``<W>x<H>``                   W × H as written (``3840x2160``)
============================  ==========================================

The 20 sources are 16:9 4K sequences and the three published resolutions are
540p, 1080p and 2160p, so the generic ``<N>p`` rule is the published rule
extended to any 16:9 height (the sample drop uses it for its tiny clips).

The pixel format and frame rate of the raw clips are **not published** with
``scores.txt``. vqa reads raw clips as ``yuv420p`` at 30 frames/s unless told
otherwise through ``VQA_WATERLOO_IVC_4K_PIX_FMT`` and
``VQA_WATERLOO_IVC_4K_FRAMERATE`` (whole corpus) or the ``pix_fmt`` /
``framerate`` / ``width`` / ``height`` columns of the header CSV variant (per
row). A wrong pixel format is usually visible: a 10-bit clip read as 8-bit has
twice the expected duration.
"""

from __future__ import annotations

import functools
import math
import os
import re
from fractions import Fraction
from typing import Final

import attrs

from vqa_core.plugin import RawVideoHints, UsageError

__all__ = [
    "DEFAULT_PIX_FMT",
    "DEFAULT_FRAMERATE",
    "PIX_FMT_VARIABLE",
    "FRAMERATE_VARIABLE",
    "NAMED_SIZES",
    "RawDefaults",
    "size_for_token",
    "parse_framerate",
    "known_pix_fmt",
]

#: Assumed pixel format of the raw clips (not published with scores.txt).
DEFAULT_PIX_FMT: Final = "yuv420p"
#: Assumed frame rate of the raw clips (not published with scores.txt).
DEFAULT_FRAMERATE: Final = 30.0
#: Environment variables overriding the two assumptions for a whole run.
PIX_FMT_VARIABLE: Final = "VQA_WATERLOO_IVC_4K_PIX_FMT"
FRAMERATE_VARIABLE: Final = "VQA_WATERLOO_IVC_4K_FRAMERATE"

#: Tokens that are names rather than heights (compared case-insensitively).
NAMED_SIZES: Final[dict[str, tuple[int, int]]] = {
    "4k": (3840, 2160),
    "uhd": (3840, 2160),
}

_HEIGHT = re.compile(r"^(\d{1,5})p?$", re.IGNORECASE)
_EXPLICIT = re.compile(r"^(\d{1,5})\s*[x×]\s*(\d{1,5})$", re.IGNORECASE)


def size_for_token(token: str) -> tuple[int, int] | None:
    """``(width, height)`` of a resolution token, or ``None`` when the token names no size."""
    text = token.strip()
    named = NAMED_SIZES.get(text.lower())
    if named is not None:
        return named
    explicit = _EXPLICIT.match(text)
    if explicit:
        width, height = int(explicit.group(1)), int(explicit.group(2))
        return (width, height) if width > 0 and height > 0 else None
    by_height = _HEIGHT.match(text)
    if by_height:
        height = int(by_height.group(1))
        if height <= 0 or (16 * height) % 9:
            return None
        width = 16 * height // 9
        return (width, height) if width % 2 == 0 and height % 2 == 0 else None
    return None


def parse_framerate(text: str) -> float:
    """A frame rate written as ``30``, ``29.97`` or ``30000/1001``; ``ValueError`` otherwise."""
    try:
        value = float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text.strip()!r} is not a frame rate") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{text.strip()!r} is not a positive frame rate")
    return value


@functools.lru_cache(maxsize=64)
def known_pix_fmt(name: str) -> bool:
    """Whether FFmpeg knows the pixel format ``name`` (so a raw frame size can be computed)."""
    from vqa_core.plugin import raw_frame_bytes

    try:
        raw_frame_bytes(16, 16, name)
    except ValueError:
        return False
    return True


def _check_pix_fmt(name: str) -> str:
    if not known_pix_fmt(name):
        raise ValueError(f"{name!r} is not a pixel format FFmpeg knows (e.g. yuv420p, yuv420p10le)")
    return name


@attrs.frozen
class RawDefaults:
    """Pixel format and frame rate applied to every raw clip without per-row values."""

    pix_fmt: str = DEFAULT_PIX_FMT
    framerate: float = DEFAULT_FRAMERATE
    #: Whether either value came from the environment rather than the built-in assumption.
    overridden: bool = False

    @classmethod
    def from_environment(cls) -> RawDefaults:
        """The assumptions, overridden by the environment; :class:`UsageError` for a bad value."""
        pix_fmt = os.environ.get(PIX_FMT_VARIABLE, "").strip()
        rate = os.environ.get(FRAMERATE_VARIABLE, "").strip()
        try:
            checked_fmt = _check_pix_fmt(pix_fmt) if pix_fmt else DEFAULT_PIX_FMT
        except ValueError as exc:
            raise UsageError(f"{PIX_FMT_VARIABLE}: {exc}") from None
        try:
            checked_rate = parse_framerate(rate) if rate else DEFAULT_FRAMERATE
        except ValueError as exc:
            raise UsageError(f"{FRAMERATE_VARIABLE}: {exc}") from None
        return cls(checked_fmt, checked_rate, overridden=bool(pix_fmt or rate))

    def hints(
        self,
        size: tuple[int, int],
        *,
        pix_fmt: str | None = None,
        framerate: float | None = None,
    ) -> RawVideoHints:
        """Hints for one raw clip; per-row values win over these defaults."""
        width, height = size
        return RawVideoHints(
            width=width,
            height=height,
            pix_fmt=pix_fmt or self.pix_fmt,
            framerate=framerate if framerate is not None else self.framerate,
        )
