"""One LIVE-VQC label (a clip name and its MOS) as a row, whatever file it came from."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import Origin, RowRejection, SourceRow

__all__ = ["DEFAULT_SUFFIX", "clip_name", "make_row"]

#: LIVE-VQC clips are MP4; a name without a suffix gets this one.
DEFAULT_SUFFIX: Final = ".mp4"


def clip_name(name: str) -> str:
    """``A001`` → ``A001.mp4``; a name that has a suffix is kept as written."""
    base = name.rsplit("/", 1)[-1]
    return name if "." in base.lstrip(".") else name + DEFAULT_SUFFIX


def make_row(
    origin: Origin,
    name: str | None,
    mos: float | str | None,
    *,
    mos_std_dev: float | None = None,
    n_ratings: int | None = None,
) -> SourceRow | RowRejection:
    """A row, or the rejection saying why ``name`` / ``mos`` cannot make one.

    ``mos`` is a number, or a problem description (``str``) from the reader that
    could not parse it; range and finiteness are the engine's checks.
    """
    if name is None or not name.strip():
        return RowRejection(reason="bad-row", detail="no file name", origin=origin)
    clip = clip_name(name.strip())
    if mos is None:
        return RowRejection(reason="bad-mos", detail="no MOS value", origin=origin, clip=clip)
    if isinstance(mos, str):
        return RowRejection(reason="bad-mos", detail=f"MOS {mos}", origin=origin, clip=clip)
    return SourceRow(clip=clip, mos=float(mos), origin=origin, mos_std_dev=mos_std_dev, n_ratings=n_ratings)
