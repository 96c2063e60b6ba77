from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pytest

from vqa_core.tables.loose import read_table
from vqa_core.train.project import parse_bitrate_mbps, project
from vqa_core.train.schemas import CHUG_METADATA_10, FEATURE_SCHEMAS, feature_names


def test_schema_constants() -> None:
    assert {k: len(v) for k, v in FEATURE_SCHEMAS.items()} == {
        "konvid-v1": 11,
        "chug-hdr-wide-v1": 34,
        "chug-hdr-display-v1": 45,
        "vqa-nr-v1": 26,
    }
    wide = feature_names("chug-hdr-wide-v1")
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
    assert feature_names("chug-hdr-display-v1")[:34] == wide


def test_missing_features_are_refused_never_zero_filled() -> None:
    table = pa.table(
        {
            "adm2": [0.9, None, 0.7],
            "vif_scale0_mean": [0.5, 0.6, None],
            "mos": [3.0, 4.0, 2.0],
        }
    )
    p = project(table, ("adm2", "vif_scale0"))
    assert p.usable.tolist() == [True, False, False]
    assert p.refused == {"missing-feature": 2}
    assert p.missing_features == {"adm2": 1, "vif_scale0": 1}
    assert np.isnan(p.features[1, 0]) and p.features[0].tolist() == [0.9, 0.5]
    assert p.sources == {"adm2": {"column": 2}, "vif_scale0": {"mean_column": 2}}


def test_mos_sources_and_range() -> None:
    table = pa.table(
        {
            "x": [1.0] * 6,
            "mos": [3.0, None, None, 0.5, 6.0, None],
            "mos_raw_0_100": [None, 50.0, None, None, None, 100.0],
        }
    )
    p = project(table, ("x",))
    assert p.mos is not None
    assert p.mos[:3].tolist()[:2] == [3.0, 3.0] and p.mos[5] == 5.0
    assert p.usable.tolist() == [True, True, False, False, False, True]
    assert p.refused == {"no-mos": 1, "mos-out-of-range": 2}
    unified = pa.table({"x": [1.0], "mos": [75.0], "mos_native_scale": ["1-5"]})
    assert project(unified, ("x",)).mos.tolist() == [4.0]  # type: ignore[union-attr]


def test_chug_metadata_derivations() -> None:
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
    p = project(table, CHUG_METADATA_10, need_mos=False)
    assert p.features[0].tolist() == pytest.approx(
        [0.5, 1.0, 0.0, 1080 / 3840, 1920 / 2160, 1.0, 1.0, 0.5, 0.5, 0.5]
    )


def test_row_display_values_win_over_the_profile() -> None:
    table = pa.table({"panel_type": ["OLED", None], "x": [1.0, 1.0]})
    profile = {"display_panel_oled": 0.0, "display_panel_lcd": 1.0}
    p = project(table, ("display_panel_oled", "display_panel_lcd"), display_profile=profile, need_mos=False)
    assert p.features.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_an_ingest_shard_has_no_konvid_features(tmp_path: Path) -> None:
    """Corpus shards carry labels, not features: every row is refused (the reference zero-filled them)."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-1k", tmp_path / "drop", clips=2, seed=5)
    shard = tmp_path / "k.jsonl"
    ingest(registry, IngestConfig(corpus_id="konvid-1k", root=drop.root, output=shard, workers=1))
    table = read_table(shard).table
    p = project(table, feature_names("konvid-v1"))
    assert p.n_usable == 0 and p.refused == {"missing-feature": 2}
    assert p.missing_features["adm2"] == 2
    assert all(orjson.loads(line)["mos"] for line in shard.read_bytes().splitlines())
