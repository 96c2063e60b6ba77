"""How the extractor opens a clip and decodes its video frames, with PyAV.

One place says how frames are decoded, so the decode-only baseline of
bench/features_bench.py opens and configures a clip exactly as the extractor
does. PyAV is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from vqa_core.features.clip import RawGeometry

__all__ = ["DECODE_TIMEOUT_S", "DecodeError", "open_video", "frames"]

#: Seconds one of FFmpeg's reads may take before the clip is given up as undecodable.
DECODE_TIMEOUT_S: Final = 30.0


class DecodeError(Exception):
    """A clip that cannot be opened or decoded; the message is one line for the rejection."""


def _open(path: Path, raw: RawGeometry | None) -> Any:
    import av

    from vqa_core.mediaopen import error_line, open_clip

    try:
        if raw is not None:
            return open_clip(
                path,
                timeout_s=DECODE_TIMEOUT_S,
                format="rawvideo",
                options={
                    "video_size": f"{raw.width}x{raw.height}",
                    "pixel_format": raw.pix_fmt,
                    "framerate": repr(float(raw.framerate)),
                },
            )
        return open_clip(path, timeout_s=DECODE_TIMEOUT_S)
    except (av.error.FFmpegError, OSError, ValueError) as exc:  # MediaRefused is a ValueError
        raise DecodeError(error_line(exc)) from None


def open_video(path: Path, raw: RawGeometry | None) -> tuple[Any, Any]:
    """``(container, first video stream)``, the stream's decoder configured as the extractor runs it.

    The decoder keeps PyAV's threading (slice threads). Frame threading overlaps decoding
    with the arithmetic, but on a damaged H.264 stream FFmpeg conceals errors differently
    with frame threads (and with each count of them), so the features of such a clip would
    change; decision 0067 has the measurements. The caller closes the container; on
    :class:`DecodeError` it is already closed.
    """
    from vqa_core.mediaopen import still_image

    container = _open(path, raw)
    try:
        image = still_image(container)
        if image is not None:
            raise DecodeError(f"a still image ({image}), not a video")
        if not container.streams.video:
            raise DecodeError("no video stream")
        return container, container.streams.video[0]
    except BaseException:
        container.close()
        raise


def frames(path: Path, raw: RawGeometry | None) -> Iterator[tuple[float, Any]]:
    """``(time in seconds, frame)`` for every decodable frame of the first video stream."""
    import av

    from vqa_core.mediaopen import error_line

    container, stream = open_video(path, raw)
    try:
        rate = float(stream.average_rate or stream.base_rate or (raw.framerate if raw else 0) or 25)
        try:
            for index, frame in enumerate(container.decode(stream)):
                when = frame.time if frame.time is not None else index / rate
                yield float(when), frame
        except av.error.FFmpegError as exc:
            raise DecodeError(error_line(exc)) from None
    finally:
        container.close()
