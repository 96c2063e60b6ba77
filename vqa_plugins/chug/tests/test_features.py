"""The CHUG feature schemas and their derivations, through the host's schema lookup and projection."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import vqa_chug
from vqa_chug.features import CHUG_METADATA_10, parse_bitrate_mbps

from vqa_core.registry import Registry
from vqa_core.train.project import Projection, project
from vqa_core.train.schemas import ResolvedSchema, feature_names, resolve_schema


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_plugins([("vqa-chug", vqa_chug)], strict=True)


def _project(
    schema: ResolvedSchema, table: pa.Table, names: tuple[str, ...], profile: dict[str, float] | None = None
) -> Projection:
    return project(table, names, derived=schema.derive(table, profile), need_mos=False)


def test_schema_constants(registry: Registry) -> None:
    assert [s.name for s in registry.feature_schemas] == ["chug-hdr-wide-v1", "chug-hdr-display-v1"]
    assert {s.name: len(s.schema.features) for s in registry.feature_schemas} == {
        "chug-hdr-wide-v1": 34,
        "chug-hdr-display-v1": 45,
    }
    wide = feature_names("chug-hdr-wide-v1", registry)
    assert wide[:9] == (
        "adm2",
        "vif_scale0",
        "vif_scale1",
        "vif_scale2",
        "vif_scale3",
        "motion2",
        "adm2_p10",
        "adm2_p90",
        "adm2_std",
    )
    assert wide[-10:] == CHUG_METADATA_10
    assert feature_names("chug-hdr-display-v1", registry)[:34] == wide
    assert resolve_schema("chug-hdr-display-v1", registry).provider == "vqa-chug"


def test_chug_metadata_derivations(registry: Registry) -> None:
    assert [parse_bitrate_mbps(v) for v in ("0.5M", "500K", "2 Mbps", 3, "ref")][:4] == [0.5, 0.5, 2.0, 3.0]
    assert np.isnan(parse_bitrate_mbps("ref"))
    table = pa.table(
        {
            "chug_bitrate_label": ["0.5M"],
            "chug_orientation": ["Portrait"],
            "chug_ref": [0.0],
            "width": [1080],
            "height": [1920],
            "feature_width": [3840],
            "feature_height": [2160],
            "duration_s": [30.0],
            "n_feature_frames": [900],
            "feature_bitdepth": [10],
        }
    )
    p = _project(resolve_schema("chug-hdr-wide-v1", registry), table, CHUG_METADATA_10)
    assert p.features[0].tolist() == pytest.approx(
        [0.5, 1.0, 0.0, 1080 / 3840, 1920 / 2160, 1.0, 1.0, 0.5, 0.5, 0.5]
    )
    assert p.sources["chug_ref"] == {"column": 1} and p.sources["chug_bitrate_mbps"] == {"derived": 1}


def test_bitrate_falls_back_to_numeric_columns_only_without_a_more_specific_column(
    registry: Registry,
) -> None:
    schema = resolve_schema("chug-hdr-wide-v1", registry)
    kbps = pa.table({"bitrate_kbps": [1500.0, 900.0]})
    assert _project(schema, kbps, ("chug_bitrate_mbps",)).features[:, 0].tolist() == [1.5, 0.9]
    numeric = pa.table({"bitrate_mbps": [None, 2.0], "bitrate_kbps": [1500.0, 900.0]})
    p = _project(schema, numeric, ("chug_bitrate_mbps",))
    assert np.isnan(p.features[0, 0]) and p.features[1, 0] == 2.0  # kbps only without an mbps column
    labelled = pa.table({"chug_bitrate_label": ["ref", "1M"], "bitrate_mbps": [9.0, 9.0]})
    p = _project(schema, labelled, ("chug_bitrate_mbps",))
    assert np.isnan(p.features[0, 0]) and p.features[1, 0] == 1.0  # the label column decides
    frames = pa.table({"n_feature_frames": [-1, 1800]})
    p = _project(schema, frames, ("n_feature_frames_norm",))
    assert np.isnan(p.features[0, 0]) and p.features[1, 0] == 1.0


def test_own_columns_win_over_derivations(registry: Registry) -> None:
    table = pa.table({"chug_orientation_portrait": [0.25], "chug_orientation": ["Portrait"]})
    p = _project(resolve_schema("chug-hdr-wide-v1", registry), table, ("chug_orientation_portrait",))
    assert p.features.tolist() == [[0.25]] and p.sources == {"chug_orientation_portrait": {"column": 1}}


def test_row_display_values_win_over_the_profile(registry: Registry) -> None:
    table = pa.table({"panel_type": ["OLED", None], "x": [1.0, 1.0]})
    profile = {"display_panel_oled": 0.0, "display_panel_lcd": 1.0}
    p = _project(
        resolve_schema("chug-hdr-display-v1", registry),
        table,
        ("display_panel_oled", "display_panel_lcd"),
        profile,
    )
    assert p.features.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert p.sources == {"display_panel_oled": {"display": 2}, "display_panel_lcd": {"display": 2}}


def test_the_wide_schema_derives_no_display_features(registry: Registry) -> None:
    table = pa.table({"panel_type": ["OLED"], "width": [1920]})
    derived = resolve_schema("chug-hdr-wide-v1", registry).derive(table, {"display_panel_oled": 1.0})
    assert set(derived) == {"distorted_width_norm"}
