"""The CHUG feature schemas of the MOS head, and the metadata features a row derives.

``chug-hdr-wide-v1`` reads the six libvmaf features, their temporal ``_p10``,
``_p90`` and ``_std``, and ten metadata features; ``chug-hdr-display-v1`` adds the
eleven display features of :mod:`vqa_chug.display`. The names and order are those
of the reference shard family, so feature tables made for it train unchanged.

A metadata feature the row has neither as a column nor as ``<name>_mean`` is
derived from the row's published columns:

* ``chug_bitrate_mbps`` from ``chug_bitrate_label`` (``0.5M`` / ``500K``; ``ref`` is
  undefined), else ``bitrate_mbps``, else ``bitrate_kbps`` / 1000;
* ``chug_orientation_portrait``: 1 for a ``chug_orientation`` starting with ``portrait``,
  0 for ``landscape``;
* ``distorted_width_norm = width/3840``, ``distorted_height_norm = height/2160``,
  ``reference_width_norm = feature_width/3840``, ``reference_height_norm =
  feature_height/2160``, ``duration_s_norm = duration_s/60``, ``n_feature_frames_norm =
  n_feature_frames/1800`` (a negative count is undefined), ``feature_bitdepth_norm =
  (feature_bitdepth − 8)/4``.

``chug_ref`` is the shard's own column. numpy and pyarrow load inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from vqa_chug.display import DISPLAY_11, display_rows
from vqa_core.plugin import FeatureSchema, float_column

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["CHUG_METADATA_10", "WIDE", "DISPLAY", "SCHEMAS", "derive", "parse_bitrate_mbps"]

_CANONICAL_6: Final = ("adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2")
_TEMPORAL_18: Final = tuple(f"{name}_{stat}" for name in _CANONICAL_6 for stat in ("p10", "p90", "std"))
CHUG_METADATA_10: Final = (
    "chug_bitrate_mbps",
    "chug_orientation_portrait",
    "chug_ref",
    "distorted_width_norm",
    "distorted_height_norm",
    "reference_width_norm",
    "reference_height_norm",
    "duration_s_norm",
    "n_feature_frames_norm",
    "feature_bitdepth_norm",
)
#: Scaled columns: feature → (column, divisor, offset); the feature is (column − offset) / divisor.
_DIVIDE: Final = {
    "distorted_width_norm": ("width", 3840.0, 0.0),
    "distorted_height_norm": ("height", 2160.0, 0.0),
    "reference_width_norm": ("feature_width", 3840.0, 0.0),
    "reference_height_norm": ("feature_height", 2160.0, 0.0),
    "duration_s_norm": ("duration_s", 60.0, 0.0),
    "n_feature_frames_norm": ("n_feature_frames", 1800.0, 0.0),
    "feature_bitdepth_norm": ("feature_bitdepth", 4.0, 8.0),
}
_DERIVED: Final = ("chug_bitrate_mbps", "chug_orientation_portrait", *_DIVIDE)

WIDE: Final = FeatureSchema(
    "chug-hdr-wide-v1", (*_CANONICAL_6, *_TEMPORAL_18, *CHUG_METADATA_10), derived=_DERIVED
)
DISPLAY: Final = FeatureSchema(
    "chug-hdr-display-v1",
    (*WIDE.features, *DISPLAY_11),
    derived=_DERIVED,
    display=DISPLAY_11,
)
SCHEMAS: Final = (WIDE, DISPLAY)


def parse_bitrate_mbps(value: Any) -> float:
    """``0.5M`` → 0.5, ``500K`` → 0.5, ``2 Mbps`` → 2, a number as-is, ``ref`` or junk → NaN."""
    if value is None or isinstance(value, bool):
        return float("nan")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().lower().replace("bps", "").strip()
    factor = 1.0
    for suffix, scale in (("mb", 1.0), ("kb", 0.001), ("m", 1.0), ("k", 0.001)):
        if text.endswith(suffix):
            text, factor = text[: -len(suffix)].strip(), scale
            break
    try:
        return float(text) * factor
    except ValueError:
        return float("nan")


def _texts(table: pa.Table, name: str) -> list[Any] | None:
    if name not in table.column_names:
        return None
    return list(table.column(name).to_pylist())


def _bitrate(table: pa.Table) -> npt.NDArray[np.float64] | None:
    import numpy as np

    labels = _texts(table, "chug_bitrate_label")
    values = np.full(table.num_rows, np.nan)
    if labels is not None:
        values = np.asarray([parse_bitrate_mbps(v) for v in labels], dtype=np.float64)
    mbps = float_column(table, "bitrate_mbps")
    if mbps is not None:
        values = np.where(np.isnan(values) & (labels is None), mbps, values)
    kbps = float_column(table, "bitrate_kbps")
    if kbps is not None:
        values = np.where(np.isnan(values) & (labels is None) & (mbps is None), kbps / 1000.0, values)
    return values if (labels is not None or mbps is not None or kbps is not None) else None


def _portrait(table: pa.Table) -> npt.NDArray[np.float64] | None:
    import numpy as np

    texts = _texts(table, "chug_orientation")
    if texts is None:
        return None
    out = np.full(table.num_rows, np.nan)
    for i, text in enumerate(texts):
        lowered = str(text).strip().lower() if text is not None else ""
        if lowered.startswith("portrait"):
            out[i] = 1.0
        elif lowered.startswith("landscape"):
            out[i] = 0.0
    return out


def _scaled(table: pa.Table, name: str) -> npt.NDArray[np.float64] | None:
    import numpy as np

    column, divisor, offset = _DIVIDE[name]
    raw = float_column(table, column)
    if raw is None:
        return None
    if name == "n_feature_frames_norm":
        raw = np.where(raw < 0, np.nan, raw)
    return (raw - offset) / divisor


def derive(schema: FeatureSchema, table: pa.Table) -> dict[str, npt.NDArray[np.float64]]:
    """The derived and display features of ``schema`` the table's columns define."""
    found: dict[str, npt.NDArray[np.float64] | None] = {
        "chug_bitrate_mbps": _bitrate(table),
        "chug_orientation_portrait": _portrait(table),
        **{name: _scaled(table, name) for name in _DIVIDE},
    }
    out = {name: values for name, values in found.items() if values is not None and name in schema.derived}
    if schema.display:
        out.update(display_rows(table))
    return out
