"""Which frames of a clip to keep, and the geometry to give them: pure functions, no I/O.

Frame ``i`` is the ``i``-th frame of the clip in presentation order.

* Uniform: ``T`` frames at the centres of ``T`` equal segments of the clip,
  ``floor((k + 0.5) · N / T)``. A clip of fewer than ``T`` frames repeats its
  frames evenly (each is the frame nearest in time to its slot), so a short
  clip still spans its whole duration instead of freezing on its last frame.
* Stride: ``start, start + s, …`` for ``T`` frames; ``start`` is drawn from
  the seed and the item index (never global random state), uniformly over the
  starts that fit the window inside the clip. A clip shorter than the window
  starts at 0 and repeats its last frame for the slots past its end.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "uniform_indices",
    "stride_indices",
    "stride_start",
    "resized_size",
    "crop_box",
]


def uniform_indices(n_frames: int, count: int) -> tuple[int, ...]:
    """``count`` frame indices at the centres of ``count`` equal segments of ``n_frames``."""
    _positive(n_frames=n_frames, count=count)
    return tuple(min(n_frames - 1, (2 * k + 1) * n_frames // (2 * count)) for k in range(count))


def stride_start(n_frames: int, count: int, stride: int, seed: int, index: int) -> int:
    """The first frame of a stride window, the same for the same ``(seed, index)`` on any machine."""
    _positive(n_frames=n_frames, count=count, stride=stride)
    starts = n_frames - (count - 1) * stride
    if starts <= 1:
        return 0
    # blake2b, not random/numpy: the value must not depend on a library version or on global state
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % starts


def stride_indices(n_frames: int, count: int, stride: int, start: int) -> tuple[int, ...]:
    """``start + k · stride`` for ``k < count``, the slots past the clip's end on its last frame."""
    _positive(n_frames=n_frames, count=count, stride=stride)
    return tuple(min(n_frames - 1, start + k * stride) for k in range(count))


def resized_size(width: int, height: int, short_side: int | None) -> tuple[int, int]:
    """``(width, height)`` with the shorter side ``short_side``, aspect kept (rounded, at least 1)."""
    _positive(width=width, height=height)
    if short_side is None:
        return width, height
    _positive(short_side=short_side)
    if width <= height:
        return short_side, max(1, round(height * short_side / width))
    return max(1, round(width * short_side / height)), short_side


def crop_box(width: int, height: int, crop: tuple[int, int] | None) -> tuple[int, int, int, int] | None:
    """``(x, y, crop width, crop height)`` of the centred ``crop`` = ``(height, width)``; ``None``
    when the frame is smaller than the crop on either side."""
    if crop is None:
        return 0, 0, width, height
    crop_h, crop_w = crop
    if crop_w > width or crop_h > height:
        return None
    return (width - crop_w) // 2, (height - crop_h) // 2, crop_w, crop_h


def _positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
