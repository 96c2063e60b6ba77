"""Clip geometry, read in-process with PyAV (no ``ffprobe`` process per clip).

Field conventions (matching ``ffprobe``'s, see docs/decisions): ``codec`` is the
codec's canonical name (``av1``, not the decoder ``libdav1d``); ``framerate`` is
the stream's average rate, or its nominal rate when the average is unknown
(``0/0``); ``duration_s`` is the stream duration, else the container's.
Headerless raw video cannot be probed from its bytes: its geometry comes from
:class:`~vqa_core.schema.RawVideoHints`, its frame count from the file size.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from vqa_core.schema import RawVideoHints

__all__ = ["ProbeError", "ProbeTimeout", "ProbeMethod", "ProbeResult", "probe_clip"]

#: How the pixel format was learnt: from the codec's parameter sets, from FFmpeg's stream
#: analysis (which decodes the first frame), or from the raw clip's hints.
ProbeMethod = Literal["header", "analysed", "hints"]
#: FFmpeg's AVCOL_RANGE_JPEG and AVCOL_SPC_RGB.
_RANGE_JPEG: Final = 2
_SPACE_RGB: Final = 0


class ProbeError(Exception):
    """The clip cannot be read as video; the message says why (counted as ``broken-clip``)."""


class ProbeTimeout(ProbeError):
    """FFmpeg gave up on an I/O operation after the probe timeout (counted as ``probe-timeout``)."""


@attrs.frozen
class ProbeResult:
    width: int
    height: int
    framerate: float
    duration_s: float
    pix_fmt: str
    codec: str
    frames: int | None = None
    method: ProbeMethod = "analysed"


def probe_clip(
    path: Path,
    *,
    hints: RawVideoHints | None = None,
    size: int | None = None,
    timeout_s: float = 30.0,
    read_packets: bool = True,
    on_packet: Callable[[], None] | None = None,
) -> ProbeResult:
    """Probe ``path``; with ``read_packets`` also demux every packet (no decoding) to catch truncation.

    The clip is opened through :func:`~vqa_core.mediaopen.open_clip` (local file
    only, no playlists); ``timeout_s`` bounds each of FFmpeg's I/O operations;
    ``on_packet`` is called per demuxed packet (a watchdog's heartbeat).
    """
    if hints is not None:
        return _probe_raw(path, hints, size if size is not None else path.stat().st_size)
    return _probe_container(path, timeout_s=timeout_s, read_packets=read_packets, on_packet=on_packet)


def _probe_raw(path: Path, hints: RawVideoHints, size: int) -> ProbeResult:
    from vqa_core.samples import raw_frame_bytes

    try:
        frame_bytes = raw_frame_bytes(hints.width, hints.height, hints.pix_fmt)
    except ValueError as exc:  # unknown pixel format name
        raise ProbeError(f"raw clip hints name an unknown pixel format {hints.pix_fmt!r}: {exc}") from None
    if size == 0 or size % frame_bytes:
        raise ProbeError(
            f"raw clip of {size:,} bytes is not a whole number of {hints.width}x{hints.height} "
            f"{hints.pix_fmt} frames ({frame_bytes:,} bytes each)"
        )
    frames = size // frame_bytes
    return ProbeResult(
        width=hints.width,
        height=hints.height,
        framerate=float(hints.framerate),
        duration_s=frames / float(hints.framerate),
        pix_fmt=hints.pix_fmt,
        codec="rawvideo",
        frames=frames,
        method="hints",
    )


def _rate(value: object) -> float | None:
    if value is None:
        return None
    try:
        rate = float(Fraction(value))  # type: ignore[call-overload]
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    return rate if rate > 0 and math.isfinite(rate) else None


#: How much of the packet stream the probe reads: every packet (the container does not declare its
#: end, so truncation is found by the packets' span), the first one (the declared end settles
#: truncation; one packet still proves the stream is not empty), or none (verification is off).
_Packets = Literal["all", "first", "none"]

#: Opened with no decoder allowed to FFmpeg's stream analysis: it still reads what it reads to
#: settle geometry, rate and duration, but decodes nothing (some decoders, VP9's among them,
#: decode key frames even when told to skip every frame). The pixel format comes from the headers.
_NO_DECODE: Final = {"codec_whitelist": "none", "skip_frame": "all"}


def _open(path: Path, timeout_s: float, options: dict[str, str] | None = None) -> Any:
    import av

    from vqa_core.mediaopen import error_line, open_clip

    try:
        return open_clip(path, timeout_s=timeout_s, options=options)
    except av.error.ExitError:
        raise ProbeTimeout(f"opening took longer than the {timeout_s:g} s probe timeout") from None
    except av.error.FFmpegError as exc:
        raise ProbeError(error_line(exc)) from None
    except (OSError, ValueError) as exc:  # MediaRefused is a ValueError
        raise ProbeError(str(exc) or type(exc).__name__) from None


def _video_stream(container: Any) -> Any:
    from vqa_core.mediaopen import still_image

    image = still_image(container)
    if image is not None:
        raise ProbeError(f"a still image ({image}), not a video")
    if not container.streams.video:
        raise ProbeError("no video stream")
    return container.streams.video[0]


def _header_format(container: Any, stream: Any) -> tuple[str | None, list[Any]]:
    """The pixel format from the codec's parameter sets, and the packets read to learn it."""
    from vqa_core.codecheaders import CODECS, Container, needs_packet, pixel_format

    ctx = stream.codec_context
    codec = ctx.codec.canonical_name if ctx.codec is not None else ""
    if codec not in CODECS:
        return None, []
    extradata = bytes(ctx.extradata or b"")
    read: list[Any] = []
    first = None
    if needs_packet(codec, extradata):
        with _packets(container, stream) as packets:
            for packet in packets:
                read.append(packet)
                if packet.size:
                    first = bytes(packet)
                    break
    colour = Container(full_range=ctx.color_range == _RANGE_JPEG, rgb=ctx.colorspace == _SPACE_RGB)
    return pixel_format(codec, extradata, first, colour), read


def _probe_container(
    path: Path, *, timeout_s: float, read_packets: bool, on_packet: Callable[[], None] | None
) -> ProbeResult:
    started = time.monotonic()
    with _reading(_open(path, timeout_s, _NO_DECODE), timeout_s) as container:
        stream = _video_stream(container)
        packets: _Packets = "all" if read_packets else "none"
        # the container's sizes settle truncation without a second read of the packets (the
        # demux also gives a duration the container does not state)
        if read_packets and (stream.duration or container.duration) and _ends_where_declared(path):
            packets = "first"
        pix_fmt, read = _header_format(container, stream)
        if pix_fmt is not None:
            return _describe(container, stream, pix_fmt, "header", (read, packets), on_packet)
    # the headers do not settle it: FFmpeg's stream analysis decodes the first frame to learn it
    with _reading(_open(path, timeout_s), timeout_s) as container:
        stream = _video_stream(container)
        pix_fmt = stream.codec_context.pix_fmt
        if not pix_fmt:
            # FFmpeg returns from an interrupted stream analysis without an error, only without
            # the facts it had not read yet: never write such a row
            if time.monotonic() - started >= timeout_s:
                raise ProbeTimeout(
                    f"reading the stream header took longer than the {timeout_s:g} s probe timeout"
                )
            raise ProbeError(
                f"no pixel format: FFmpeg could not read the {stream.codec_context.name or 'video'} stream's header"
            )
        return _describe(container, stream, str(pix_fmt), "analysed", ([], packets), on_packet)


@contextlib.contextmanager
def _reading(container: Any, timeout_s: float) -> Iterator[Any]:
    """The open ``container``, closed on leaving; FFmpeg's errors while reading it become the
    probe's (a read past the timeout is a :class:`ProbeTimeout`)."""
    import av

    from vqa_core.mediaopen import error_line

    try:
        yield container
    except av.error.ExitError:
        raise ProbeTimeout(f"a read took longer than the {timeout_s:g} s probe timeout") from None
    except av.error.FFmpegError as exc:
        raise ProbeError(error_line(exc)) from None
    finally:
        container.close()


def _ends_where_declared(path: Path) -> bool:
    """``True`` when the container declares its end and the file reaches it; a truncated file
    raises; ``False`` when the container does not say (the packets are demuxed instead)."""
    from vqa_core.ingest.containerend import declared_end

    try:
        end = declared_end(path)
        size = path.stat().st_size
    except OSError as exc:
        raise ProbeError(str(exc.strerror or exc)) from None
    if end is None:
        return False
    if end > size:
        raise ProbeError(f"truncated: the container declares {end:,} bytes, the file has {size:,}")
    return True


def _describe(
    container: Any,
    stream: Any,
    pix_fmt: str,
    method: ProbeMethod,
    verify: tuple[list[Any], _Packets],
    on_packet: Callable[[], None] | None,
) -> ProbeResult:
    """The row's facts from an open container; ``verify`` holds the packets already demuxed and
    how many more to read."""
    ctx = stream.codec_context
    framerate = _rate(stream.average_rate) or _rate(stream.base_rate) or _rate(stream.guessed_rate)
    duration = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / 1_000_000
    frames = stream.frames or None  # PyAV reports 0 when the container does not say
    read, packets = verify
    demuxed = None
    if packets != "none":
        with _packets(container, stream) as more:
            if packets == "first":
                _first_packet(itertools.chain(read, more))
            else:
                demuxed = _demux_span(itertools.chain(read, more), stream, on_packet)
    if demuxed is not None:
        if duration and demuxed < 0.9 * duration - 0.1:
            raise ProbeError(
                f"truncated: packets cover {demuxed:.2f} s of the {duration:.2f} s the header claims"
            )
        if not duration:
            duration = demuxed
    codec = ctx.codec.canonical_name if ctx.codec is not None else (ctx.name or "")
    return ProbeResult(
        width=int(ctx.width or 0),
        height=int(ctx.height or 0),
        framerate=framerate or 0.0,
        duration_s=float(duration or 0.0),
        pix_fmt=pix_fmt,
        codec=str(codec),
        frames=frames,
        method=method,
    )


_NO_PACKETS: Final = "no readable video packets (empty or truncated file)"


def _packets(container: Any, stream: Any) -> contextlib.closing[Any]:
    """PyAV's packet generator, closed on leaving: one left unfinished when its container closes
    keeps its packet (~300 bytes per clip, a leak that grows with the row count)."""
    return contextlib.closing(container.demux(stream))


def _first_packet(packets: Iterable[Any]) -> None:
    """A stream whose container declares its end still needs one timed packet: a well-formed
    but empty container is no clip."""
    for packet in packets:
        if packet.pts is not None and packet.size:
            return
    raise ProbeError(_NO_PACKETS)


def _demux_span(packets: Iterable[Any], stream: Any, on_packet: Callable[[], None] | None) -> float | None:
    """Seconds covered by the video packets, read without decoding; ``None`` without timestamps."""
    first = last = None
    for packet in packets:
        if on_packet is not None:
            on_packet()
        if packet.pts is None:
            continue
        end = packet.pts + (packet.duration or 0)
        first = packet.pts if first is None else min(first, packet.pts)
        last = end if last is None else max(last, end)
    if first is None or last is None:
        raise ProbeError(_NO_PACKETS)
    if not stream.time_base:
        return None
    return float((last - first) * stream.time_base)
