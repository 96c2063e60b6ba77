"""Clip geometry, read in-process with PyAV (no ``ffprobe`` process per clip).

Field conventions (matching ``ffprobe``'s, see docs/decisions): ``codec`` is the
codec's canonical name (``av1``, not the decoder ``libdav1d``); ``framerate`` is
the stream's average rate, or its nominal rate when the average is unknown
(``0/0``); ``duration_s`` is the stream duration, else the container's.
Headerless raw video cannot be probed from its bytes: its geometry comes from
:class:`~vqa_core.schema.RawVideoHints`, its frame count from the file size.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import attrs

from vqa_core.schema import RawVideoHints

__all__ = ["ProbeError", "ProbeTimeout", "ProbeResult", "probe_clip"]


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
    )


def _rate(value: object) -> float | None:
    if value is None:
        return None
    try:
        rate = float(Fraction(value))  # type: ignore[call-overload]
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    return rate if rate > 0 and math.isfinite(rate) else None


def _probe_container(  # noqa: C901  # why: one try/finally owns the open container and maps every PyAV error it raises
    path: Path, *, timeout_s: float, read_packets: bool, on_packet: Callable[[], None] | None
) -> ProbeResult:
    import av

    from vqa_core.mediaopen import open_clip, still_image

    started = time.monotonic()
    try:
        container = open_clip(path, timeout_s=timeout_s)
    except av.error.ExitError:
        raise ProbeTimeout(f"opening took longer than the {timeout_s:g} s probe timeout") from None
    except av.error.FFmpegError as exc:
        raise ProbeError(_ffmpeg_message(exc)) from None
    except (OSError, ValueError) as exc:  # MediaRefused is a ValueError
        raise ProbeError(str(exc) or type(exc).__name__) from None
    try:
        image = still_image(container)
        if image is not None:
            raise ProbeError(f"a still image ({image}), not a video")
        if not container.streams.video:
            raise ProbeError("no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        framerate = _rate(stream.average_rate) or _rate(stream.base_rate) or _rate(stream.guessed_rate)
        duration = None
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        frames = stream.frames or None  # PyAV reports 0 when the container does not say
        if read_packets:
            demuxed = _demux_span(container, stream, on_packet)
            if demuxed is not None:
                claimed = duration
                if claimed and demuxed < 0.9 * claimed - 0.1:
                    raise ProbeError(
                        f"truncated: packets cover {demuxed:.2f} s of the {claimed:.2f} s the header claims"
                    )
                if not duration:
                    duration = demuxed
        if not ctx.pix_fmt:
            # FFmpeg returns from an interrupted stream analysis without an error, only without
            # the facts it had not read yet: never write such a row
            if time.monotonic() - started >= timeout_s:
                raise ProbeTimeout(
                    f"reading the stream header took longer than the {timeout_s:g} s probe timeout"
                )
            raise ProbeError(
                f"no pixel format: FFmpeg could not read the {ctx.name or 'video'} stream's header"
            )
        codec = ctx.codec.canonical_name if ctx.codec is not None else (ctx.name or "")
        return ProbeResult(
            width=int(ctx.width or 0),
            height=int(ctx.height or 0),
            framerate=framerate or 0.0,
            duration_s=float(duration or 0.0),
            pix_fmt=str(ctx.pix_fmt or ""),
            codec=str(codec),
            frames=frames,
        )
    except av.error.ExitError:
        raise ProbeTimeout(f"a read took longer than the {timeout_s:g} s probe timeout") from None
    except av.error.FFmpegError as exc:
        raise ProbeError(_ffmpeg_message(exc)) from None
    finally:
        container.close()


def _demux_span(container: object, stream: object, on_packet: Callable[[], None] | None) -> float | None:
    """Seconds covered by the video packets, read without decoding; ``None`` without timestamps."""
    first = last = None
    for packet in container.demux(stream):  # type: ignore[attr-defined]
        if on_packet is not None:
            on_packet()
        if packet.pts is None:
            continue
        end = packet.pts + (packet.duration or 0)
        first = packet.pts if first is None else min(first, packet.pts)
        last = end if last is None else max(last, end)
    if first is None or last is None:
        raise ProbeError("no readable video packets (empty or truncated file)")
    if not stream.time_base:  # type: ignore[attr-defined]
        return None
    return float((last - first) * stream.time_base)  # type: ignore[attr-defined]


def _ffmpeg_message(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(": '")[0]
