from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa

from vqa_core.tables.loose import read_table
from vqa_core.train.project import project
from vqa_core.train.schemas import CANONICAL_6, CORE_SCHEMAS, feature_names


def test_core_schemas_read_only_features_of_the_clips() -> None:
    assert {k: len(v.features) for k, v in CORE_SCHEMAS.items()} == {"konvid-v1": 11, "vqa-nr-v1": 26}
    assert feature_names("konvid-v1")[:6] == CANONICAL_6
    assert all(not s.derived and not s.display for s in CORE_SCHEMAS.values())


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


def test_derived_values_fill_only_what_columns_leave_missing() -> None:
    table = pa.table({"a": [1.0, None, None], "a_mean": [None, 2.0, None], "b": [None, None, None]})
    derived = {
        "a": ("derived", np.asarray([9.0, 9.0, 3.0])),
        "b": ("display", np.asarray([4.0, np.nan, 5.0])),
    }
    p = project(table, ("a", "b"), derived=derived, need_mos=False)
    assert p.features.tolist()[0] == [1.0, 4.0] and p.features[2].tolist() == [3.0, 5.0]
    assert p.sources == {"a": {"column": 1, "mean_column": 1, "derived": 1}, "b": {"display": 2}}
    assert p.refused == {"missing-feature": 1} and p.missing_features == {"b": 1}


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
