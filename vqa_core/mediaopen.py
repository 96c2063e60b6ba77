"""Opening a clip with PyAV without letting it open anything else.

A file in a dataset is named like a clip, but FFmpeg decides what it is from
its bytes. Some of its demuxers treat a small text file as a list of *other*
inputs: an HLS playlist (``#EXTM3U``), a concat script (``ffconcat``), a DASH
manifest, an SDP description, an image sequence. Probing such a "clip" made
FFmpeg read files outside the dataset root, and a playlist naming a FIFO
blocked the probe in ``open()`` for ever: PyAV's ``timeout`` interrupts
FFmpeg's I/O loops, not a blocking system call (measured, see
docs/decisions/0047-media-open-refuses-references.md).

:func:`open_clip` therefore opens with two FFmpeg whitelists: the ``file``
protocol only (no network, no ``subfile:``/``concat:`` tricks), and every
demuxer except those that follow references or read devices. A refused file
raises :class:`MediaRefused` naming what it looks like.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final

__all__ = [
    "REFUSED_DEMUXERS",
    "MediaRefused",
    "open_clip",
    "allowed_demuxers",
    "sniff_reference",
    "still_image",
    "error_line",
]

#: Demuxers that open other files, URLs or devices named by (or instead of) the input.
REFUSED_DEMUXERS: Final = frozenset(
    {
        "hls",
        "applehttp",
        "dash",
        "concat",
        "imf",
        "sdp",
        "rtp",
        "rtsp",
        "image2",
        "lavfi",
        "tee",
        "avisynth",
        "vapoursynth",
        # capture devices: never probed from a file, refused all the same
        "alsa",
        "oss",
        "pulse",
        "jack",
        "fbdev",
        "kmsgrab",
        "x11grab",
        "video4linux2",
        "v4l2",
    }
)
#: File starts that name other inputs, and what to call them in a message.
_REFERENCE_MAGIC: Final = (
    (b"#EXTM3U", "an HLS playlist"),
    (b"ffconcat", "an FFmpeg concat script"),
    (b"<?xml", "an XML manifest (DASH or IMF)"),
    (b"v=0", "an SDP session description"),
)


class MediaRefused(ValueError):
    """The file is not a self-contained clip (a playlist, a script, a manifest)."""


@functools.cache
def allowed_demuxers() -> str:
    """The ``format_whitelist`` FFmpeg gets: every available format but :data:`REFUSED_DEMUXERS`."""
    import av

    names = (n for n in av.formats_available if not REFUSED_DEMUXERS & set(n.split(",")))
    return ",".join(sorted(names))


def sniff_reference(path: Path) -> str | None:
    """What the file is when it names other inputs (by its first bytes), else ``None``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return None
    for magic, what in _REFERENCE_MAGIC:
        if head.startswith(magic):
            return what
    return None


def open_clip(
    path: Path, *, timeout_s: float, format: str | None = None, options: dict[str, str] | None = None
) -> Any:
    """``av.open`` of a local clip with the protocol and demuxer whitelists (and ``timeout_s`` per I/O).

    Raises :class:`MediaRefused` for a playlist, script or manifest, else what
    ``av.open`` raises.
    """
    import av

    settings = dict(options or {})
    settings["protocol_whitelist"] = "file"
    settings["format_whitelist"] = allowed_demuxers()
    try:
        return av.open(str(path), format=format, options=settings, timeout=timeout_s)
    except av.error.FFmpegError:
        what = sniff_reference(path)
        if what is not None:
            raise MediaRefused(
                f"{what}, not a video: vqa does not follow the files or URLs it names"
            ) from None
        raise


def still_image(container: Any) -> str | None:
    """The image format when FFmpeg opened the file with a still-image demuxer (``png_pipe``,
    ``jpeg_pipe``, ``image2pipe``): a picture named like a clip is not a video."""
    name = str(container.format.name)
    if name == "image2pipe" or name.endswith("_pipe"):
        return name.removesuffix("_pipe")
    return None


def error_line(exc: BaseException) -> str:
    """One line for a rejection, from an error PyAV, FFmpeg or the OS raised while opening or
    reading a clip: FFmpeg's own text (``strerror``, without the file name PyAV appends after
    ``: '``), else the message, else the error's type."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    lines = str(text).split(": '")[0].splitlines()
    return lines[0] if lines else type(exc).__name__
