"""Decoding the sampled frames of one clip with PyAV, and nothing more than needed.

:func:`decode_clip` works in two passes over the first video stream:

1. **Index** — demux every packet without decoding it: the presentation
   timestamps give the frame count ``N`` (headers' frame counts are often
   wrong or absent in user-generated clips) and the timestamp of frame ``i``,
   and the keyframe packets give the places a seek can land.
2. **Decode** — for each wanted frame, in order, seek to the keyframe before
   it when that skips more than :data:`SEEK_GAP` frames of decoding, else
   decode on; each kept frame is converted to RGB and resized in one swscale
   call, then centre-cropped by slicing.

A clip whose packets carry no timestamps (some raw or AVI streams) is decoded
once from the start, counting frames. Every failure is a
:class:`DecodeFailure` with a one-line reason.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.data import sampling

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "SEEK_GAP",
    "DECODE_TIMEOUT_S",
    "Sampling",
    "Decoded",
    "DecodeFailure",
    "frame_indices",
    "decode_clip",
]

#: Seek only when it saves decoding more frames than this (a seek flushes the decoder's pipeline).
SEEK_GAP: Final = 8
#: Seconds one of FFmpeg's reads may take before the clip is given up.
DECODE_TIMEOUT_S: Final = 30.0
#: Trailing frames the index may list that the decoder never returns (discarded packets): such
#: a slot takes the last decoded frame; a clip that ends any earlier is broken.
TAIL_SLACK: Final = 2


def _at_least_1(_: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value}")


def _crop(_: object, attribute: attrs.Attribute[Any], value: tuple[int, int] | None) -> None:
    if value is not None and (len(value) != 2 or min(value) < 1):
        raise ValueError(f"crop must be a size or (height, width) of sizes ≥ 1, got {value!r}")


@attrs.frozen
class Sampling:
    """What to take from every clip: which frames, at what size."""

    frames: int = attrs.field(validator=_at_least_1)
    stride: int | None = attrs.field(default=None, validator=_at_least_1)
    short_side: int | None = attrs.field(default=None, validator=_at_least_1)
    #: ``(height, width)``.
    crop: tuple[int, int] | None = attrs.field(default=None, validator=_crop)
    seed: int = 0


@attrs.frozen
class Decoded:
    #: ``[T, 3, H, W]`` uint8 RGB, C-contiguous.
    frames: npt.NDArray[np.uint8]
    #: The clip's frame index of each of the ``T`` slots.
    indices: tuple[int, ...]
    #: ``N``: frames in the clip.
    clip_frames: int


class DecodeFailure(Exception):
    """One clip could not give its frames; the message is one line."""


def frame_indices(sampling_: Sampling, n_frames: int, item: int) -> tuple[int, ...]:
    """The frame index of each slot for item ``item`` of a clip of ``n_frames`` frames."""
    if sampling_.stride is None:
        return sampling.uniform_indices(n_frames, sampling_.frames)
    start = sampling.stride_start(n_frames, sampling_.frames, sampling_.stride, sampling_.seed, item)
    return sampling.stride_indices(n_frames, sampling_.frames, sampling_.stride, start)


def decode_clip(path: Path, sampling_: Sampling, item: int, *, threads: int = 0) -> Decoded:
    """The sampled frames of ``path``; ``threads`` is FFmpeg's decoder thread count (0 = one per core)."""
    import av

    from vqa_core.mediaopen import MediaRefused, error_line, open_clip, still_image

    try:
        container = open_clip(path, timeout_s=DECODE_TIMEOUT_S)
    except (av.error.FFmpegError, OSError, MediaRefused) as exc:
        raise DecodeFailure(error_line(exc)) from None
    try:
        image = still_image(container)
        if image is not None:
            raise DecodeFailure(f"a still image ({image}), not a video")
        if not container.streams.video:
            raise DecodeFailure("no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
        try:
            return _decode(container, stream, sampling_, item)
        except av.error.FFmpegError as exc:
            raise DecodeFailure(error_line(exc)) from None
    finally:
        container.close()


def _decode(container: Any, stream: Any, sampling_: Sampling, item: int) -> Decoded:
    import numpy as np

    timestamps, keyframes = _index(container, stream)
    n_frames = len(timestamps)
    if n_frames == 0:
        raise DecodeFailure("no video frames")
    indices = frame_indices(sampling_, n_frames, item)
    wanted = sorted(set(indices))
    if None in timestamps:
        found = _sequential(container, stream, wanted, sampling_)
    else:
        presentation = sorted(t for t in timestamps if t is not None)
        found = _seeking(container, stream, wanted, presentation, sorted(keyframes), sampling_)
    if not found:
        raise DecodeFailure(f"none of its {n_frames} frames could be decoded")
    last_decoded = max(found)
    missing = [i for i in wanted if i not in found]
    if missing and min(missing) < n_frames - TAIL_SLACK:
        raise DecodeFailure(f"frame {min(missing)} of {n_frames} could not be decoded (the clip ends early)")
    return Decoded(np.stack([found.get(i, found[last_decoded]) for i in indices]), indices, n_frames)


def _index(container: Any, stream: Any) -> tuple[list[int | None], list[int]]:
    """The timestamp of every frame packet (decode order) and of the keyframe packets."""
    timestamps: list[int | None] = []
    keyframes: list[int] = []
    for packet in container.demux(stream):
        if packet.size == 0 or packet.is_discard:  # the flush packet; edit-list leaders never shown
            continue
        timestamps.append(packet.pts)
        if packet.is_keyframe and packet.pts is not None:
            keyframes.append(packet.pts)
    return timestamps, keyframes


def _seeking(
    container: Any,
    stream: Any,
    wanted: list[int],
    presentation: list[int],
    keyframes: list[int],
    sampling_: Sampling,
) -> dict[int, npt.NDArray[np.uint8]]:
    """Frame index → shaped frame, seeking to the keyframe before a wanted frame when it pays."""
    found: dict[int, npt.NDArray[np.uint8]] = {}
    frames: Any = None
    position = -1  # index of the last frame decoded
    for index in wanted:
        target = presentation[index]
        at = bisect.bisect_right(keyframes, target) - 1
        keyframe = keyframes[at] if at >= 0 else presentation[0]
        skips = bisect.bisect_left(presentation, keyframe) - position
        if frames is None or skips > SEEK_GAP:
            container.seek(keyframe, stream=stream, backward=True, any_frame=False)
            frames = container.decode(stream)
        for frame in frames:
            if frame.pts is None:  # cannot place it: count frames from the start instead
                return _sequential(container, stream, wanted, sampling_)
            position = bisect.bisect_left(presentation, frame.pts)
            if frame.pts >= target:
                found[index] = _shape(frame, sampling_)
                break
        else:
            break  # the stream ended before this frame
    return found


def _sequential(
    container: Any, stream: Any, wanted: list[int], sampling_: Sampling
) -> dict[int, npt.NDArray[np.uint8]]:
    """Frame index → shaped frame, decoding from the start and counting."""
    container.seek(0, stream=stream, backward=True, any_frame=False)
    keep = set(wanted)
    last = max(wanted)
    found: dict[int, npt.NDArray[np.uint8]] = {}
    for index, frame in enumerate(container.decode(stream)):
        if index in keep:
            found[index] = _shape(frame, sampling_)
        if index >= last:
            break
    return found


def _shape(frame: Any, sampling_: Sampling) -> npt.NDArray[np.uint8]:
    """``[3, H, W]`` RGB: colour conversion and resize in one swscale call, then the centre crop."""
    import numpy as np

    width, height = sampling.resized_size(frame.width, frame.height, sampling_.short_side)
    box = sampling.crop_box(width, height, sampling_.crop)
    if box is None:
        assert sampling_.crop is not None
        crop_h, crop_w = sampling_.crop
        raise DecodeFailure(
            f"its frames are {width}×{height} after resizing, smaller than the crop {crop_w}×{crop_h}"
        )
    rgb = frame.to_ndarray(width=width, height=height, format="rgb24")
    x, y, crop_w, crop_h = box
    return np.ascontiguousarray(rgb[y : y + crop_h, x : x + crop_w].transpose(2, 0, 1))
