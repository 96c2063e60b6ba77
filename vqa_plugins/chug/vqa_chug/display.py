"""The 11 display features of ``chug-hdr-display-v1``, from a display profile or a row.

A display profile is a JSON object; its fields may sit at the top level or in
nested objects ``display``, ``panel``, ``profile`` and ``features`` (merged in
that order over the top level). Each feature's own name with a number wins;
otherwise it is derived:

* peak luminance: ``display_peak_luminance_nits | peak_luminance_nits | peak_nits |
  max_luminance_nits`` / 10000;
* black luminance: ``display_black_luminance_nits | black_luminance_nits | black_nits |
  min_luminance_nits`` (nits);
* contrast: ``display_contrast_ratio | contrast_ratio``, else peak / black (black > 0);
  feature = clamp(log10(contrast) / 7, 0, 1), undefined when contrast ≤ 1;
* ambient: ``display_ambient_lux | ambient_lux | viewing_lux`` / 1000;
* BT.2020 / P3 coverage: ``display_bt2020_coverage | bt2020_coverage | rec2020_coverage`` and
  ``display_p3_coverage | p3_coverage | dci_p3_coverage``; a value in (1, 100] is a
  percentage; clamped to [0, 1]; above 100 or negative is undefined;
* panel type (``display_panel_type | panel_type | display_type | panel``, lowercased):
  OLED if it contains ``oled``; QLED if ``qled`` or ``quantum``; LCD if no ``oled`` and any
  of ``lcd, mini-led, miniled, led, ips, va``; 0 when a type is given and does not match;
* local dimming: a yes/no value of ``display_local_dimming | local_dimming |
  full_array_local_dimming``, else 1 for a ``mini-led``/``miniled``/``fald`` panel;
* dynamic tone mapping: a yes/no value of ``display_tone_mapping_dynamic |
  tone_mapping_dynamic``, else 1 when ``display_tone_mapping | tone_mapping |
  hdr_tone_mapping | hdr_format`` mentions ``dynamic``, ``hdr10+``, ``hdr10plus``,
  ``dolby`` or ``vision``, 0 when it names something else.

Undefined features are left out. A row of a table is read the same way (without
the nested objects), from its columns named ``display_…`` or one of the field
names above; a row's own value wins over the profile's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["DISPLAY_11", "derive_display", "profile_values", "display_rows"]

DISPLAY_11: Final = (
    "display_peak_luminance_nits_norm",
    "display_black_luminance_nits_norm",
    "display_contrast_ratio_log_norm",
    "display_ambient_lux_norm",
    "display_bt2020_coverage",
    "display_p3_coverage",
    "display_panel_oled",
    "display_panel_qled",
    "display_panel_lcd",
    "display_local_dimming",
    "display_tone_mapping_dynamic",
)
_NESTED: Final = ("display", "panel", "profile", "features")
_TRUE: Final = frozenset({"1", "true", "yes", "y", "on", "enabled", "enable"})
_FALSE: Final = frozenset({"0", "false", "no", "n", "off", "disabled", "disable", "none"})
#: Row columns without the ``display_`` prefix that describe the display.
_DISPLAY_FIELDS: Final = frozenset(
    {
        "peak_luminance_nits",
        "peak_nits",
        "max_luminance_nits",
        "black_luminance_nits",
        "black_nits",
        "min_luminance_nits",
        "contrast_ratio",
        "ambient_lux",
        "viewing_lux",
        "bt2020_coverage",
        "rec2020_coverage",
        "p3_coverage",
        "dci_p3_coverage",
        "panel_type",
        "local_dimming",
        "full_array_local_dimming",
        "tone_mapping_dynamic",
        "tone_mapping",
        "hdr_tone_mapping",
        "hdr_format",
    }
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _first(fields: Mapping[str, Any], names: tuple[str, ...]) -> float | None:
    for name in names:
        number = _number(fields.get(name))
        if number is not None:
            return number
    return None


def _text(fields: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None


def _boolish(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return None if not math.isfinite(float(value)) else float(value != 0)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return 1.0
        if text in _FALSE:
            return 0.0
    return None


def _first_bool(fields: Mapping[str, Any], names: tuple[str, ...]) -> float | None:
    for name in names:
        flag = _boolish(fields.get(name))
        if flag is not None:
            return flag
    return None


def _coverage(value: float | None) -> float | None:
    if value is None or value < 0 or value > 100:
        return None
    if value > 1:
        value /= 100.0
    return min(1.0, max(0.0, value))


def derive_display(fields: Mapping[str, Any]) -> dict[str, float]:
    """The display features ``fields`` defines (see the module docstring); undefined ones are absent."""
    peak_nits = _first(
        fields, ("display_peak_luminance_nits", "peak_luminance_nits", "peak_nits", "max_luminance_nits")
    )
    black_nits = _first(
        fields, ("display_black_luminance_nits", "black_luminance_nits", "black_nits", "min_luminance_nits")
    )
    contrast = _first(fields, ("display_contrast_ratio", "contrast_ratio"))
    if contrast is None and peak_nits is not None and black_nits is not None and black_nits > 0:
        contrast = peak_nits / black_nits
    ambient = _first(fields, ("display_ambient_lux", "ambient_lux", "viewing_lux"))
    panel = _text(fields, ("display_panel_type", "panel_type", "display_type", "panel"))
    derived: dict[str, float | None] = {
        "display_peak_luminance_nits_norm": None if peak_nits is None else peak_nits / 10000.0,
        "display_black_luminance_nits_norm": black_nits,
        "display_contrast_ratio_log_norm": (
            None if contrast is None or contrast <= 1 else min(1.0, max(0.0, math.log10(contrast) / 7.0))
        ),
        "display_ambient_lux_norm": None if ambient is None else ambient / 1000.0,
        "display_bt2020_coverage": _coverage(
            _first(fields, ("display_bt2020_coverage", "bt2020_coverage", "rec2020_coverage"))
        ),
        "display_p3_coverage": _coverage(
            _first(fields, ("display_p3_coverage", "p3_coverage", "dci_p3_coverage"))
        ),
        "display_panel_oled": None if panel is None else float("oled" in panel),
        "display_panel_qled": None if panel is None else float("qled" in panel or "quantum" in panel),
        "display_panel_lcd": (
            None
            if panel is None
            else float(
                "oled" not in panel
                and any(t in panel for t in ("lcd", "mini-led", "miniled", "led", "ips", "va"))
            )
        ),
        "display_local_dimming": _first_bool(
            fields, ("display_local_dimming", "local_dimming", "full_array_local_dimming")
        ),
        "display_tone_mapping_dynamic": _first_bool(
            fields, ("display_tone_mapping_dynamic", "tone_mapping_dynamic")
        ),
    }
    if (
        derived["display_local_dimming"] is None
        and panel is not None
        and any(t in panel for t in ("mini-led", "miniled", "fald"))
    ):
        derived["display_local_dimming"] = 1.0
    if derived["display_tone_mapping_dynamic"] is None:
        mapping = _text(fields, ("display_tone_mapping", "tone_mapping", "hdr_tone_mapping", "hdr_format"))
        if mapping is not None:
            dynamic = any(t in mapping for t in ("dynamic", "hdr10+", "hdr10plus", "dolby", "vision"))
            derived["display_tone_mapping_dynamic"] = float(dynamic)
    for name in DISPLAY_11:
        own = _number(fields.get(name))
        if own is not None:
            derived[name] = own
    return {k: v for k, v in derived.items() if v is not None and math.isfinite(v)}


def profile_values(document: Mapping[str, Any]) -> dict[str, float]:
    """The display features a display-profile JSON object defines (nested objects merged in)."""
    fields: dict[str, Any] = dict(document)
    for name in _NESTED:
        nested = document.get(name)
        if isinstance(nested, dict):
            fields.update(nested)
    return derive_display(fields)


def display_rows(table: pa.Table) -> dict[str, npt.NDArray[np.float64]]:
    """Per display feature, each row's own value (NaN where the row defines none); empty when
    the table has no display column."""
    import numpy as np

    present = [c for c in table.column_names if c.startswith("display_") or c in _DISPLAY_FIELDS]
    if not present:
        return {}
    out = {name: np.full(table.num_rows, np.nan, dtype=np.float64) for name in DISPLAY_11}
    for i, row in enumerate(table.select(present).to_pylist()):
        for name, value in derive_display(row).items():
            out[name][i] = value
    return out
