"""Feature schemas of the MOS head: which columns, in which order, the model reads.

The names and order of ``konvid-v1``, ``chug-hdr-wide-v1`` and
``chug-hdr-display-v1`` are those of the reference shard family, so feature
tables made for it train here unchanged; ``vqa-nr-v1`` is what
``vqa features extract`` writes. A feature's value is its own column, else the
column ``<name>_mean`` (see :mod:`vqa_core.train.project`).
"""

from __future__ import annotations

from typing import Final

from vqa_core.errors import UsageError
from vqa_core.features.clip import VQA_NR_V1

__all__ = [
    "CANONICAL_6",
    "KONVID_EXTRA",
    "TEMPORAL_18",
    "CHUG_METADATA_10",
    "DISPLAY_11",
    "FEATURE_SCHEMAS",
    "feature_names",
]

CANONICAL_6: Final = ("adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2")
KONVID_EXTRA: Final = (
    "saliency_mean",
    "saliency_var",
    "shot_count_norm",
    "shot_mean_len_norm",
    "shot_cut_density",
)
TEMPORAL_18: Final = tuple(f"{name}_{stat}" for name in CANONICAL_6 for stat in ("p10", "p90", "std"))
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

FEATURE_SCHEMAS: Final[dict[str, tuple[str, ...]]] = {
    "konvid-v1": (*CANONICAL_6, *KONVID_EXTRA),
    "chug-hdr-wide-v1": (*CANONICAL_6, *TEMPORAL_18, *CHUG_METADATA_10),
    "chug-hdr-display-v1": (*CANONICAL_6, *TEMPORAL_18, *CHUG_METADATA_10, *DISPLAY_11),
    "vqa-nr-v1": VQA_NR_V1,
}


def feature_names(schema: str) -> tuple[str, ...]:
    try:
        return FEATURE_SCHEMAS[schema]
    except KeyError:
        raise UsageError(
            f"unknown feature schema {schema!r}; use one of {', '.join(FEATURE_SCHEMAS)}"
        ) from None
