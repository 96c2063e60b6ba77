"""The pictures the formulas read from a decoded frame: luma and RGB as float arrays.

Both are on the 8-bit code-value scale (0–255) whatever the bit depth. numpy is
imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["luma", "rgb"]


def luma(frame: Any) -> npt.NDArray[np.float32]:
    """Luma on the 8-bit scale: the Y plane as stored for planar YUV/grey, else a grey conversion."""
    import numpy as np

    fmt = frame.format
    component = fmt.components[0]
    if fmt.is_planar and fmt.name.startswith(("yuv", "gray")) and not fmt.is_rgb:
        plane = frame.planes[0]
        deep = component.bits > 8
        dtype = np.dtype("<u2") if deep else np.dtype(np.uint8)
        row = plane.line_size // dtype.itemsize
        data = np.frombuffer(memoryview(plane), dtype=dtype).reshape(plane.height, row)[:, : plane.width]
        scale = 255.0 / float((1 << component.bits) - 1) if deep else 1.0
        values = data.astype(np.float32)
        return values * np.float32(scale) if deep else values
    return np.asarray(frame.to_ndarray(format="gray"), dtype=np.float32)


def rgb(frame: Any) -> npt.NDArray[np.float32]:
    import numpy as np

    # bilinear chroma upsampling: the same pixels as the default here, at a third of the cost
    if frame.format.components[0].bits > 8:
        pixels = frame.to_ndarray(format="rgb48le", interpolation="FAST_BILINEAR")
        return np.asarray(pixels, dtype=np.float32) * np.float32(255.0 / 65535.0)
    return np.asarray(frame.to_ndarray(format="rgb24", interpolation="FAST_BILINEAR"), dtype=np.float32)
