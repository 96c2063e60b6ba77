"""The pictures the formulas read from a decoded frame: luma and RGB, on the 8-bit scale.

8-bit pictures are handed over as the stored integers (:func:`luma8`, :func:`rgb8`):
the Y plane is a view of the decoder's buffer with its padded line size, nothing
copied. Deeper pictures are rescaled to the 8-bit code-value scale as float32
(:func:`luma`, :func:`rgb`), where the float formulas read them. The float32 of an
8-bit picture is its integers converted, so both forms hold the same numbers.
numpy is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["luma8", "luma", "rgb8", "rgb48", "rgb"]


def _stored_luma(frame: Any) -> bool:
    """Is the luma the first plane as stored (planar YUV or grey)?"""
    fmt = frame.format
    return bool(fmt.is_planar and fmt.name.startswith(("yuv", "gray")) and not fmt.is_rgb)


def _plane_view(frame: Any, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """The first plane as an H×W view: rows are ``line_size`` bytes apart, the padding is left out."""
    import numpy as np

    plane = frame.planes[0]
    row = plane.line_size // dtype.itemsize
    return np.frombuffer(memoryview(plane), dtype=dtype).reshape(plane.height, row)[:, : plane.width]


def luma8(frame: Any) -> npt.NDArray[np.uint8] | None:
    """The 8-bit luma as stored (a view) or FFmpeg's grey conversion; ``None`` for deeper planar
    YUV and grey, whose luma is rescaled (:func:`luma`)."""
    import numpy as np

    if not _stored_luma(frame):
        return np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8)
    if frame.format.components[0].bits > 8:
        return None
    return _plane_view(frame, np.dtype(np.uint8))


def luma(frame: Any) -> npt.NDArray[np.float32]:
    """Luma on the 8-bit scale: the Y plane for planar YUV/grey (deeper ones rescaled,
    ``Y · 255 / (2^bits − 1)``), else a grey conversion."""
    import numpy as np

    if not _stored_luma(frame):
        return np.asarray(frame.to_ndarray(format="gray"), dtype=np.float32)
    bits = frame.format.components[0].bits
    if bits <= 8:
        return _plane_view(frame, np.dtype(np.uint8)).astype(np.float32)
    values = _plane_view(frame, np.dtype("<u2")).astype(np.float32)
    return values * np.float32(255.0 / float((1 << bits) - 1))


def rgb8(frame: Any) -> npt.NDArray[np.uint8] | None:
    """FFmpeg's ``rgb24`` conversion (H×W×3) of an 8-bit frame; ``None`` for deeper ones (:func:`rgb`)."""
    if frame.format.components[0].bits > 8:
        return None
    # bilinear chroma upsampling: the same pixels as the default here, at a third of the cost
    return frame.to_ndarray(format="rgb24", interpolation="FAST_BILINEAR")  # type: ignore[no-any-return]


def rgb48(frame: Any) -> npt.NDArray[np.uint16]:
    """FFmpeg's ``rgb48le`` conversion (H×W×3), for frames deeper than 8 bits."""
    return frame.to_ndarray(format="rgb48le", interpolation="FAST_BILINEAR")  # type: ignore[no-any-return]


def rgb(frame: Any) -> npt.NDArray[np.float32]:
    """RGB on the 8-bit scale as float32: ``rgb48le`` rescaled for deep frames, else ``rgb24``."""
    import numpy as np

    if frame.format.components[0].bits > 8:
        return np.asarray(rgb48(frame), dtype=np.float32) * np.float32(255.0 / 65535.0)
    return np.asarray(rgb8(frame), dtype=np.float32)
