"""Table rows → the feature matrix a schema asks for, plus MOS and split; never zero-filled.

A feature's value, first found wins:

1. its own column (finite number);
2. the column ``<name>_mean``;
3. for the CHUG metadata features, a derivation from the row's published columns
   (``chug_bitrate_mbps`` from ``chug_bitrate_label`` such as ``0.5M`` / ``500K`` or
   ``bitrate_mbps`` or ``bitrate_kbps``/1000; ``chug_orientation_portrait`` from
   ``chug_orientation``; ``distorted_width_norm = width/3840``,
   ``distorted_height_norm = height/2160``, ``reference_width_norm = feature_width/3840``,
   ``reference_height_norm = feature_height/2160``, ``duration_s_norm = duration_s/60``,
   ``n_feature_frames_norm = n_feature_frames/1800``, ``feature_bitdepth_norm =
   (feature_bitdepth − 8)/4``);
4. for the display features, the row's own display columns (:mod:`~vqa_core.train.display`),
   else the display profile's value.

A row still missing any feature is refused and counted (``missing-feature``, and per
feature in ``missing_features``). MOS is ``mos`` (1–5; the ``mos`` of a unified
table, which has ``mos_native_scale``, is on 0–100 and converted), else
``1 + 4·mos_raw_0_100/100``; a row without one is refused (``no-mos``), one
outside 1–5 (± the slack ingest accepts) too (``mos-out-of-range``), never clipped.
numpy and pyarrow only: prediction uses this module without torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.scales import ACR_1_5
from vqa_core.train.display import derive_display
from vqa_core.train.schemas import DISPLAY_11

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["Projection", "project", "parse_bitrate_mbps", "SPLITS"]

SPLITS: Final = ("train", "val", "test")
_DIVIDE: Final = {
    "distorted_width_norm": ("width", 3840.0, 0.0),
    "distorted_height_norm": ("height", 2160.0, 0.0),
    "reference_width_norm": ("feature_width", 3840.0, 0.0),
    "reference_height_norm": ("feature_height", 2160.0, 0.0),
    "duration_s_norm": ("duration_s", 60.0, 0.0),
    "n_feature_frames_norm": ("n_feature_frames", 1800.0, 0.0),
    "feature_bitdepth_norm": ("feature_bitdepth", 4.0, 8.0),
}


@attrs.frozen
class Projection:
    """Features of every table row (NaN where missing) and which rows are usable."""

    names: tuple[str, ...]
    features: npt.NDArray[np.float64]
    usable: npt.NDArray[np.bool_]
    mos: npt.NDArray[np.float64] | None
    split: tuple[str, ...] | None
    #: The ``content_group`` of each row (``""`` where empty), or ``None`` without that column.
    groups: tuple[str, ...] | None
    refused: dict[str, int]
    missing_features: dict[str, int]
    sources: dict[str, dict[str, int]]

    @property
    def n_usable(self) -> int:
        return int(self.usable.sum())


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


def _floats(table: pa.Table, name: str) -> npt.NDArray[np.float64] | None:
    import numpy as np
    import pyarrow as pa

    if name not in table.column_names:
        return None
    column = table.column(name)
    kind = column.type
    if (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
    ):
        values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(values, dtype=np.float64)
    if pa.types.is_null(kind):
        return np.full(table.num_rows, np.nan)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        out = np.full(table.num_rows, np.nan)
        for i, text in enumerate(column.to_pylist()):
            with contextlib.suppress(ValueError):
                out[i] = float(text) if text is not None else np.nan
        return out
    return np.full(table.num_rows, np.nan)


def _texts(table: pa.Table, name: str) -> list[Any] | None:
    if name not in table.column_names:
        return None
    return list(table.column(name).to_pylist())


def _derived(table: pa.Table, name: str) -> npt.NDArray[np.float64] | None:
    import numpy as np

    if name == "chug_bitrate_mbps":
        labels = _texts(table, "chug_bitrate_label")
        values = np.full(table.num_rows, np.nan)
        if labels is not None:
            values = np.asarray([parse_bitrate_mbps(v) for v in labels], dtype=np.float64)
        mbps = _floats(table, "bitrate_mbps")
        if mbps is not None:
            values = np.where(np.isnan(values) & (labels is None), mbps, values)
        kbps = _floats(table, "bitrate_kbps")
        if kbps is not None:
            values = np.where(np.isnan(values) & (labels is None) & (mbps is None), kbps / 1000.0, values)
        return values if (labels is not None or mbps is not None or kbps is not None) else None
    if name == "chug_orientation_portrait":
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
    if name in _DIVIDE:
        column, divisor, offset = _DIVIDE[name]
        raw = _floats(table, column)
        if raw is None:
            return None
        if name == "n_feature_frames_norm":
            raw = np.where(raw < 0, np.nan, raw)
        return (raw - offset) / divisor
    return None


def _display_rows(table: pa.Table, profile: Mapping[str, float]) -> dict[str, npt.NDArray[np.float64]]:
    """Per display feature: the row's own derivation where it gives one, else the profile's value."""
    import numpy as np

    present = [c for c in table.column_names if c.startswith("display_") or c in _DISPLAY_FIELDS]
    out = {name: np.full(table.num_rows, profile.get(name, np.nan), dtype=np.float64) for name in DISPLAY_11}
    if not present:
        return out
    rows = table.select(present).to_pylist()
    for i, row in enumerate(rows):
        for name, value in derive_display(row).items():
            out[name][i] = value
    return out


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


def _mos(table: pa.Table) -> npt.NDArray[np.float64]:
    import numpy as np

    mos = _floats(table, "mos")
    if mos is not None and "mos_native_scale" in table.column_names:
        mos = ACR_1_5.from_unified(mos)  # a unified table's mos is on 0-100
    raw = _floats(table, "mos_raw_0_100")
    if mos is None:
        mos = np.full(table.num_rows, np.nan)
    if raw is not None:
        mos = np.where(np.isfinite(mos), mos, ACR_1_5.from_unified(raw))
    return mos


def project(
    table: pa.Table,
    names: Sequence[str],
    *,
    display_profile: Mapping[str, float] | None = None,
    need_mos: bool = True,
) -> Projection:
    """Project every row of ``table`` onto ``names`` (see the module docstring)."""
    import numpy as np

    n = table.num_rows
    matrix = np.full((n, len(names)), np.nan, dtype=np.float64)
    sources: dict[str, dict[str, int]] = {}
    display = _display_rows(table, display_profile or {}) if any(d in names for d in DISPLAY_11) else {}
    for j, name in enumerate(names):
        column = matrix[:, j]
        counts: dict[str, int] = {}
        routes: list[tuple[str, npt.NDArray[np.float64] | None]] = [
            ("column", _floats(table, name)),
            ("mean_column", _floats(table, f"{name}_mean")),
            ("derived", _derived(table, name)),
            ("display", display.get(name)),
        ]
        for route, values in routes:
            if values is None:
                continue
            fill = ~np.isfinite(column) & np.isfinite(values)
            if fill.any():
                column[fill] = values[fill]
                counts[route] = int(fill.sum())
        sources[name] = counts
    present = np.isfinite(matrix)
    has_features: npt.NDArray[np.bool_] = np.asarray(present.all(axis=1), dtype=bool)
    missing = {name: int((~present[:, j]).sum()) for j, name in enumerate(names) if (~present[:, j]).any()}
    refused: dict[str, int] = {}
    usable = has_features.copy()
    mos: npt.NDArray[np.float64] | None = None
    if need_mos:
        mos = _mos(table)
        no_mos = ~np.isfinite(mos)
        out_of_range = np.isfinite(mos) & ~np.asarray(
            [ACR_1_5.contains(float(v)) for v in np.nan_to_num(mos, nan=3.0)]
        )
        for reason, mask in (("no-mos", no_mos), ("mos-out-of-range", out_of_range)):
            if mask.any():
                refused[reason] = int(mask.sum())
            usable &= ~mask
        lacking = ~has_features & ~no_mos & ~out_of_range
    else:
        lacking = ~has_features
    if lacking.any():
        refused["missing-feature"] = int(lacking.sum())
    split_values = _texts(table, "split")
    split = None
    if split_values is not None:
        split = tuple(str(v).strip().lower() if v is not None else "" for v in split_values)
    group_values = _texts(table, "content_group")
    groups = None
    if group_values is not None:
        groups = tuple(str(v).strip() if v is not None else "" for v in group_values)
    return Projection(
        names=tuple(names),
        features=matrix,
        usable=usable,
        mos=mos,
        split=split,
        groups=groups,
        refused=refused,
        missing_features=missing,
        sources=sources,
    )
