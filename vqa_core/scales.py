"""MOS scales and their conversion onto the unified 0–100 axis.

A corpus declares the scale of the ``mos`` it *stores* (:class:`MosScale`). The
aggregator maps every stored value onto one axis, 0 = worst and 100 = best,
through a :class:`ScaleConversion`: ``unified = slope · native + intercept``,
and a standard deviation by ``|slope|`` so every uncertainty lands on the same
axis. Core derives the affine conversion from the declared scale; a plugin may
return another one from ``vqa_scale_conversion``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final, Literal, SupportsFloat, TypeVar

import attrs

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "LabelKind",
    "MosScale",
    "ScaleConversion",
    "ACR_1_5",
    "CONTINUOUS_0_100",
    "NO_MOS",
    "KNOWN_SCALES",
    "RANGE_SLACK",
    "UNIFIED_LO",
    "UNIFIED_HI",
    "resolve_scale",
]

#: What a corpus's label means. ``mos``: higher is better; ``dmos``: a degradation
#: score (lower is better); ``none``: the corpus has no subjective label.
LabelKind = Literal["mos", "dmos", "none"]

#: A stored value may sit this far outside its declared scale and still be accepted,
#: unclipped (published means are rounded; 5.001 on a 1–5 scale is real data).
RANGE_SLACK: Final = 0.05

UNIFIED_LO: Final = 0.0
UNIFIED_HI: Final = 100.0

#: A float or a float array: the scale helpers work elementwise on either.
_Value = TypeVar("_Value", float, "npt.NDArray[np.float64]")


def _float(value: SupportsFloat | str) -> float:
    # not converter=float: attrs reads a converter's signature, and a built-in's signature
    # costs compiling the tokenizer's patterns (milliseconds at every start of vqa)
    return float(value)


def _finite(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be finite, got {value!r}")


@attrs.frozen
class MosScale:
    """The scale of a corpus's stored ``mos`` column.

    ``lo`` and ``hi`` are the ends of the published scale, not the observed
    range. ``kind="none"`` is for corpora without subjective scores (their
    ``lo``/``hi`` are ignored and conventionally 0).
    """

    lo: float = attrs.field(converter=_float, validator=_finite)
    hi: float = attrs.field(converter=_float, validator=_finite)
    kind: LabelKind = attrs.field(default="mos", validator=attrs.validators.in_(("mos", "dmos", "none")))

    def __attrs_post_init__(self) -> None:
        if self.kind != "none" and not self.lo < self.hi:
            raise ValueError(f"scale needs lo < hi, got lo={self.lo} hi={self.hi}")

    @property
    def name(self) -> str:
        """Short label used in tables and in ``mos_native_scale`` (``1-5``, ``0-100``, ``none``)."""
        if self.kind == "none":
            return "none"
        label = f"{_fmt(self.lo)}-{_fmt(self.hi)}"
        return label if self.kind == "mos" else f"{label}-dmos"

    @property
    def has_labels(self) -> bool:
        return self.kind != "none"

    def contains(self, value: float, slack: float = RANGE_SLACK) -> bool:
        """True when ``value`` is finite and within the scale ± ``slack``."""
        return math.isfinite(value) and self.lo - slack <= value <= self.hi + slack

    def to_unified(self, value: _Value) -> _Value:
        """``value`` on this scale, on the unified 0–100 axis: ``(value - lo) · 100/(hi - lo)``.

        Elementwise on a numpy array. For ``dmos`` the axis is reversed
        (``(hi - value) · 100/(hi - lo)``). The offset is taken first, so on
        ``1-5`` this is exactly ``(value - 1) · 25``; it can differ in the last
        bit from :meth:`ScaleConversion.convert` (``slope · value + intercept``),
        which is what the aggregator applies.
        """
        per_point = (UNIFIED_HI - UNIFIED_LO) / self._span()
        if self.kind == "dmos":
            return (self.hi - value) * per_point
        return (value - self.lo) * per_point

    def from_unified(self, value: _Value) -> _Value:
        """A value on the unified 0–100 axis, on this scale: ``lo + (hi - lo) · value / 100``.

        The inverse of :meth:`to_unified` (``hi - …`` for ``dmos``), elementwise
        on a numpy array; on ``1-5`` this is exactly ``1 + 4 · value / 100``.
        """
        if self.kind == "dmos":
            return self.hi - self.std_from_unified(value)
        return self.lo + self.std_from_unified(value)

    def std_from_unified(self, value: _Value) -> _Value:
        """A spread on the unified 0–100 axis, on this scale: ``(hi - lo) · value / 100``.

        Elementwise on a numpy array; on ``1-5`` this is exactly ``4 · value / 100``.
        """
        return self._span() * value / (UNIFIED_HI - UNIFIED_LO)

    def _span(self) -> float:
        if not self.has_labels:
            raise ValueError("a scale without labels has no unified axis")
        return self.hi - self.lo


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


ACR_1_5: Final = MosScale(1, 5)
CONTINUOUS_0_100: Final = MosScale(0, 100)
NO_MOS: Final = MosScale(0, 0, kind="none")

#: Scales a declaration may name by string instead of passing a MosScale.
KNOWN_SCALES: Final[dict[str, MosScale]] = {
    "1-5": ACR_1_5,
    "0-100": CONTINUOUS_0_100,
    "none": NO_MOS,
}


def resolve_scale(value: MosScale | str) -> MosScale:
    """Turn a scale name from :data:`KNOWN_SCALES` into a :class:`MosScale`."""
    if isinstance(value, MosScale):
        return value
    try:
        return KNOWN_SCALES[value]
    except (KeyError, TypeError):
        known = ", ".join(sorted(KNOWN_SCALES))
        raise ValueError(f"unknown scale {value!r}; use one of {known} or pass MosScale(lo, hi)") from None


@attrs.frozen
class ScaleConversion:
    """An affine map from a corpus's stored ``mos`` onto the unified 0–100 axis."""

    slope: float = attrs.field(converter=_float, validator=_finite)
    intercept: float = attrs.field(converter=_float, validator=_finite)
    #: The stored scale this conversion reads; range checks use it.
    native: MosScale
    #: Name of the method, recorded in manifests (``affine``, or a plugin's own).
    method: str = "affine"

    def __attrs_post_init__(self) -> None:
        if self.slope == 0:
            raise ValueError("a scale conversion needs a non-zero slope")

    @classmethod
    def affine(cls, scale: MosScale) -> ScaleConversion:
        """The default: ``lo`` → 0 and ``hi`` → 100 (reversed for ``dmos``)."""
        if not scale.has_labels:
            raise ValueError("a corpus without labels has no MOS conversion")
        slope = (UNIFIED_HI - UNIFIED_LO) / (scale.hi - scale.lo)
        if scale.kind == "dmos":
            return cls(slope=-slope, intercept=UNIFIED_HI + slope * scale.lo, native=scale)
        return cls(slope=slope, intercept=UNIFIED_LO - slope * scale.lo, native=scale)

    def convert(self, value: float) -> float:
        return self.slope * value + self.intercept

    def convert_std(self, value: float) -> float:
        return abs(self.slope) * value

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "slope": self.slope,
            "intercept": self.intercept,
            "native_scale": self.native.name,
            "native_lo": self.native.lo,
            "native_hi": self.native.hi,
        }
