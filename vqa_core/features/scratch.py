"""Work arrays reused from one frame to the next.

A fresh array of a 1080p frame's size (16 MB of float64) is mapped anew by the
allocator each time and costs its page faults: measured, about as much as the
arithmetic that fills it. One :class:`Scratch` per clip hands out the same arrays
frame after frame; a frame of another size or type gets new ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["Scratch"]


class Scratch:
    """Named work arrays; the caller makes sure two arrays in use at once have two names."""

    def __init__(self) -> None:
        self._arrays: dict[str, npt.NDArray[Any]] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype: type[np.generic]) -> npt.NDArray[Any]:
        """An uninitialised array of ``shape`` and ``dtype``, the same one as last time when it fits."""
        import numpy as np

        kept = self._arrays.get(name)
        if kept is None or kept.shape != shape or kept.dtype != dtype:
            kept = self._arrays[name] = np.empty(shape, dtype=dtype)
        return kept
