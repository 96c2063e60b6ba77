"""The features of one decoded frame: integer arithmetic on 8-bit planes, the float formulas otherwise.

Both routes give the numbers of :mod:`vqa_core.features.formulas` to the last bit. An
8-bit frame's planes are integers, computed on as stored (:mod:`~vqa_core.features.integer`
says why that is exact); a deeper frame's luma and RGB are rescaled floats, which take
the formulas' own operations (:mod:`~vqa_core.features.deep`). Both write into the
clip's :class:`~vqa_core.features.scratch.Scratch`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from vqa_core.features import deep, integer, planes
from vqa_core.features.scratch import Scratch

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: A frame's luma: the stored 8-bit integers, or float32 on the 8-bit scale for deeper frames.
Luma: TypeAlias = "npt.NDArray[np.uint8] | npt.NDArray[np.float32]"

__all__ = ["Luma", "read_luma", "frame_features"]


def read_luma(frame: Any) -> Luma:
    stored = planes.luma8(frame)
    return stored if stored is not None else planes.luma(frame)


def _as_float(luma: Luma) -> npt.NDArray[np.float32]:
    import numpy as np

    return luma if luma.dtype == np.float32 else luma.astype(np.float32)  # type: ignore[return-value]


def _temporal_information(before: Luma, luma: Luma, scratch: Scratch) -> float | None:
    """TI against the frame decoded before, or ``None`` when the size changed between them."""
    import numpy as np

    if before.shape != luma.shape:
        return None
    if before.dtype == np.uint8 and luma.dtype == np.uint8:
        return integer.temporal_information(before, luma, scratch)  # type: ignore[arg-type]
    return deep.temporal_information(_as_float(before), _as_float(luma), scratch)


def frame_features(frame: Any, luma: Luma, before: Luma | None, scratch: Scratch) -> dict[str, float]:
    """Every feature of ``frame`` (its ``luma`` read by :func:`read_luma`); TI only when ``before``
    (the luma of the frame decoded just before) has the same size. ``scratch`` lends the work
    arrays, one per clip."""
    import numpy as np

    values: dict[str, float] = {}
    if luma.dtype == np.uint8:
        stored: npt.NDArray[np.uint8] = luma  # type: ignore[assignment]
        values["si"], values["sharpness"] = integer.spatial(stored, scratch)
        values["brightness"], values["contrast"] = integer.luma_moments(stored, scratch)
    else:
        floats = _as_float(luma)
        values["si"] = deep.spatial_information(floats, scratch)
        values["contrast"] = deep.spread(floats, scratch) / 255.0
        values["brightness"] = float(deep.mean(floats))
        values["sharpness"] = deep.laplacian_variance(floats, scratch)
    if before is not None:
        ti = _temporal_information(before, luma, scratch)
        if ti is not None:
            values["ti"] = ti
    rgb = planes.rgb8(frame)
    values["colourfulness"] = (
        integer.colourfulness(rgb, scratch)
        if rgb is not None
        else deep.colourfulness(planes.rgb48(frame), scratch)
    )
    return values
