"""The 1.2 hooks: feature schemas, derivations, display profiles and label keys, on toy plugins.

The host side only: what the registry accepts and refuses, how it routes a plugin's
answers into projection, profiles and label inference. The CHUG plugin's own rules
are tested in ``vqa_plugins/chug/tests``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration, Edition
from vqa_core.errors import PluginCallError, PluginError, UsageError
from vqa_core.registry import Registry
from vqa_core.train.profile import load_display_profile
from vqa_core.train.project import project
from vqa_core.train.schemas import CORE_SCHEMAS, FeatureSchema, resolve_schema

TOY = FeatureSchema(
    "toy-hdr-v1", ("adm2", "toy_rate", "screen_nits"), derived=("toy_rate",), display=("screen_nits",)
)


def _declaration() -> CorpusDeclaration:
    return CorpusDeclaration(
        id="toy",
        title="A toy corpus",
        version="toy-1",
        scale="1-5",
        licence="CC0",
        licence_url="https://example.org/licence",
        citation="A. Author. Toy. 2026.",
        homepage="https://example.org/toy",
        access="open",
        access_instructions="download it from example.org",
        editions=[Edition("toy-1", "toy.csv", 10)],
        column_prefix="toy_",
    )


class Toy:
    """A corpus with a clip-id column, and a schema with one derived and one display feature."""

    vqa_plugin_api = ">=1.2,<2"

    def __init__(self, *schemas: FeatureSchema, label_keys: Sequence[str] = ("toy_clip",)) -> None:
        self.schemas = schemas or (TOY,)
        self.label_keys = label_keys
        self.derive_calls: list[str] = []

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(_declaration())

    @hookimpl
    def vqa_schema_extension(self) -> list[pa.Field]:
        return [pa.field("toy_clip", pa.string()), pa.field("toy_kbps", pa.float64())]

    @hookimpl
    def vqa_label_key_columns(self) -> Sequence[str]:
        return self.label_keys

    @hookimpl
    def vqa_feature_schemas(self) -> Sequence[FeatureSchema]:
        return self.schemas

    @hookimpl
    def vqa_derive_features(self, schema: FeatureSchema, table: pa.Table) -> Mapping[str, Any] | None:
        self.derive_calls.append(schema.name)
        out: dict[str, Any] = {}
        if "toy_kbps" in table.column_names:
            out["toy_rate"] = [None if v is None else v / 1000 for v in table.column("toy_kbps").to_pylist()]
        if "screen" in table.column_names:
            out["screen_nits"] = [1000.0 if v == "hdr" else None for v in table.column("screen").to_pylist()]
        return out

    @hookimpl
    def vqa_display_profile(self, document: Mapping[str, Any]) -> Mapping[str, float]:
        nits = document.get("nits")
        return {"screen_nits": float(nits)} if isinstance(nits, int | float) else {}


def _registry(*plugins: tuple[str, object]) -> Registry:
    return Registry.from_plugins(list(plugins) or [("vqa-toy", Toy())])


def test_hook_vqa_feature_schemas() -> None:
    registry = _registry()
    assert [s.name for s in registry.feature_schemas] == ["toy-hdr-v1"]
    [info] = [p for p in registry.plugins if p.name == "vqa-toy"]
    assert info.feature_schemas == ("toy-hdr-v1",)
    resolved = resolve_schema("toy-hdr-v1", registry)
    assert (resolved.schema, resolved.provider, resolved.features) == (TOY, "vqa-toy", TOY.features)
    # a core schema never asks the registry, and an unknown name lists core's and the plugins'
    assert resolve_schema("konvid-v1", registry).provider is None
    with pytest.raises(UsageError) as caught:
        resolve_schema("toy-hdr-v2", registry)
    assert str(caught.value) == (
        f"unknown feature schema 'toy-hdr-v2'; use one of {', '.join(CORE_SCHEMAS)}, toy-hdr-v1"
    )


def test_a_loader_is_called_only_for_a_plugin_schema() -> None:
    calls: list[int] = []

    def loader() -> Registry:
        calls.append(1)
        return _registry()

    assert resolve_schema("vqa-nr-v1", loader).provider is None and not calls
    assert resolve_schema("toy-hdr-v1", loader).provider == "vqa-toy" and calls == [1]


@pytest.mark.parametrize(
    ("schemas", "message"),
    [
        ((FeatureSchema("konvid-v1", ("adm2",)),), "feature schema 'konvid-v1' is one of core's"),
        ((TOY, TOY), "feature schema 'toy-hdr-v1' is declared twice by this plugin"),
    ],
)
def test_schema_names_are_unique(schemas: tuple[FeatureSchema, ...], message: str) -> None:
    registry = _registry(("vqa-toy", Toy(*schemas)))
    [broken] = registry.broken
    assert message in (broken.error or "") and registry.corpora == []


def test_a_schema_another_plugin_declared_breaks_the_later_one() -> None:
    registry = _registry(("vqa-a", Toy()), ("vqa-b", Toy(label_keys=())))
    [broken] = registry.broken
    assert broken.name == "vqa-b" and "feature schema 'toy-hdr-v1' is already declared by vqa-a" in (
        broken.error or ""
    )


def test_a_schema_needs_the_hooks_that_provide_its_features() -> None:
    class NoDerive:
        vqa_plugin_api = ">=1.2,<2"

        @hookimpl
        def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
            """Declares no corpus."""

        @hookimpl
        def vqa_feature_schemas(self) -> Sequence[FeatureSchema]:
            return (TOY,)

    [broken] = _registry(("vqa-bare", NoDerive())).broken
    assert "has derived or display features: implement vqa_derive_features" in (broken.error or "")
    assert "has display features: implement vqa_display_profile" in (broken.error or "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Toy HDR", "features": ("a",)}, "must match"),
        ({"name": "toy-v1", "features": "adm2"}, "not the string"),
        ({"name": "toy-v1", "features": ()}, "has no features"),
        ({"name": "toy-v1", "features": ("a", "a")}, "names 'a' more than once"),
        ({"name": "toy-v1", "features": ("a",), "derived": ("b",)}, "not among its features"),
        (
            {"name": "toy-v1", "features": ("a",), "derived": ("a",), "display": ("a",)},
            "both derived and display",
        ),
    ],
)
def test_a_feature_schema_is_checked_when_made(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FeatureSchema(**fields)


def test_a_declaration_that_is_not_a_feature_schema_breaks_the_plugin() -> None:
    class Wrong(Toy):
        @hookimpl
        def vqa_feature_schemas(self) -> Sequence[FeatureSchema]:
            return ({"name": "toy-hdr-v1"},)  # type: ignore[return-value]

    [broken] = _registry(("vqa-toy", Wrong())).broken
    assert "vqa_feature_schemas item 0 is dict, not FeatureSchema" in (broken.error or "")


def test_hook_vqa_derive_features() -> None:
    toy = Toy()
    resolved = resolve_schema("toy-hdr-v1", _registry(("vqa-toy", toy)))
    table = pa.table(
        {
            "adm2": [0.5, 0.6, 0.7],
            "toy_kbps": [500.0, None, 2000.0],
            "toy_rate_mean": [None, 3.0, None],
            "screen": ["hdr", "sdr", None],
        }
    )
    derived = resolved.derive(table, {"screen_nits": 300.0})
    assert toy.derive_calls == ["toy-hdr-v1"]
    p = project(table, resolved.features, derived=derived, need_mos=False)
    assert p.features.tolist() == [[0.5, 0.5, 1000.0], [0.6, 3.0, 300.0], [0.7, 2.0, 300.0]]
    assert p.sources == {
        "adm2": {"column": 3},
        "toy_rate": {"mean_column": 1, "derived": 2},
        "screen_nits": {"display": 3},
    }
    # without a profile, a row that defines no display value is missing it
    bare = project(table, resolved.features, derived=resolved.derive(table), need_mos=False)
    assert bare.missing_features == {"screen_nits": 2}
    # core's schemas derive nothing and never call a plugin
    assert resolve_schema("konvid-v1").derive(table, {"screen_nits": 1.0}) == {}


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"adm2": [1.0, 2.0]}, "derived 'adm2', which is not a derived or display feature of toy-hdr-v1"),
        ({"toy_rate": [1.0]}, "as something other than 2 numbers, one per row"),
        ({"toy_rate": ["fast", "slow"]}, "as something other than 2 numbers"),
        ([1.0, 2.0], "returned list from vqa_derive_features, not a mapping"),
    ],
)
def test_a_derivation_of_the_wrong_shape_is_the_plugins_error(answer: object, message: str) -> None:
    class Odd(Toy):
        @hookimpl
        def vqa_derive_features(self, schema: FeatureSchema, table: pa.Table) -> Mapping[str, Any] | None:
            return answer  # type: ignore[return-value]

    resolved = resolve_schema("toy-hdr-v1", _registry(("vqa-toy", Odd())))
    with pytest.raises(PluginError, match=message) as caught:
        resolved.derive(pa.table({"x": [1, 2]}))
    assert caught.value.distribution == "vqa-toy"


def test_a_derivation_that_raises_names_the_plugin_hook_and_schema() -> None:
    class Crashing(Toy):
        @hookimpl
        def vqa_derive_features(self, schema: FeatureSchema, table: pa.Table) -> Mapping[str, Any] | None:
            raise KeyError("toy_kbps")

    registry = _registry(("vqa-toy", Crashing()))
    with pytest.raises(PluginCallError) as caught:
        resolve_schema("toy-hdr-v1", registry).derive(pa.table({"x": [1]}))
    err = caught.value
    assert str(err) == (
        "plugin vqa-toy failed in vqa_derive_features for toy-hdr-v1: KeyError: 'toy_kbps' "
        "(a bug in the plugin; report it to its authors; VQA_DEBUG=1 shows the traceback)"
    )
    assert (err.distribution, err.hook, err.corpus, err.feature_schema) == (
        "vqa-toy",
        "vqa_derive_features",
        None,
        "toy-hdr-v1",
    )
    assert isinstance(err.__cause__, KeyError)
    # marked failed, on the plugin, its corpora and its schemas; both stay usable
    assert registry.feature_schema("toy-hdr-v1").plugin.status == "failed"
    assert (
        registry.corpus("toy").plugin.error
        == "vqa_derive_features failed for toy-hdr-v1: KeyError: 'toy_kbps'"
    )


def test_hook_vqa_display_profile(tmp_path: Path) -> None:
    resolved = resolve_schema("toy-hdr-v1", _registry())
    path = tmp_path / "screen.json"
    path.write_bytes(orjson.dumps({"nits": 600}))
    record = load_display_profile(path, resolved)
    assert record["schema"] == "vqa-display-profile-v1" and record["source_path"] == str(path)
    assert record["feature_values"] == {"screen_nits": 600.0}
    path.write_bytes(orjson.dumps({"brightness": "high"}))
    with pytest.raises(UsageError, match="did not contain any recognised display fields"):
        load_display_profile(path, resolved)
    for text, message in (
        (b"[1]", "must be a JSON object"),
        (b"{", "is not valid JSON"),
    ):
        path.write_bytes(text)
        with pytest.raises(UsageError, match=message):
            load_display_profile(path, resolved)
    with pytest.raises(UsageError, match="does not exist"):
        load_display_profile(tmp_path / "none.json", resolved)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"toy_rate": 1.0}, "read the display profile as 'toy_rate' = 1.0"),
        ({"screen_nits": float("nan")}, "expected a finite number"),
        ({"screen_nits": "bright"}, "expected a finite number"),
        (None, "declares toy-hdr-v1 with display features but reads no display profile"),
    ],
)
def test_a_profile_reading_of_the_wrong_kind_is_the_plugins_error(
    tmp_path: Path, answer: object, message: str
) -> None:
    class Odd(Toy):
        @hookimpl
        def vqa_display_profile(self, document: Mapping[str, Any]) -> Mapping[str, float] | None:
            return answer  # type: ignore[return-value]

    path = tmp_path / "screen.json"
    path.write_bytes(b'{"nits": 600}')
    resolved = resolve_schema("toy-hdr-v1", _registry(("vqa-toy", Odd())))
    with pytest.raises(PluginError, match=message):
        load_display_profile(path, resolved)


def test_hook_vqa_label_key_columns(tmp_path: Path) -> None:
    from vqa_core.labels import KEY_CANDIDATES, MaterializeConfig, key_candidates, materialize_labels

    registry = _registry()
    assert registry.corpus("toy").label_keys == ("toy_clip",)
    assert registry.label_key_columns() == ("toy_clip",)
    candidates = key_candidates(registry.label_key_columns())
    assert candidates[:5] == ("key", "clip_key", "clip_id", "video_id", "toy_clip")
    assert candidates[5:] == KEY_CANDIDATES[4:]
    features = tmp_path / "f.jsonl"
    features.write_text('{"toy_clip": "a", "si_mean": 1.0}\n{"toy_clip": "b", "si_mean": 2.0}\n')
    labels = tmp_path / "l.jsonl"
    labels.write_text('{"toy_clip": "a", "mos": 3.0}\n{"toy_clip": "b", "mos": 4.0}\n')
    config = MaterializeConfig(features=features, labels=(labels,), out=tmp_path / "o.jsonl")
    report = materialize_labels(config, plugins=registry)
    assert report.audit["features"]["key_column"] == "toy_clip" and report.audit["match_rate"] == 1.0
    # without the plugin nobody names the column: inference fails and says what it tried
    with pytest.raises(UsageError, match=r"could not infer --feature-key-column .*tried key, clip_key"):
        materialize_labels(config, plugins=Registry.from_plugins([]))


def test_explicit_key_columns_never_load_plugins(tmp_path: Path) -> None:
    from vqa_core.labels import MaterializeConfig, materialize_labels

    def loader() -> Registry:
        raise AssertionError("plugins were loaded")

    features = tmp_path / "f.jsonl"
    features.write_text('{"toy_clip": "a"}\n')
    labels = tmp_path / "l.jsonl"
    labels.write_text('{"toy_clip": "a", "mos": 3.0}\n')
    config = MaterializeConfig(
        features=features,
        labels=(labels,),
        out=tmp_path / "o.jsonl",
        feature_key_column="toy_clip",
        label_key_column="toy_clip",
    )
    assert materialize_labels(config, plugins=loader).audit["match_rate"] == 1.0


def test_a_label_key_column_must_be_an_extension_column() -> None:
    [broken] = _registry(("vqa-toy", Toy(label_keys=("clip_name",)))).broken
    assert "toy: label key column 'clip_name' is not one of its extension columns" in (broken.error or "")


def test_profile_for_a_schema_without_display_features_is_ignored_with_a_note(tmp_path: Path) -> None:
    from vqa_core.train import FitSettings, TrainConfig, train_mos_head

    profile = tmp_path / "screen.json"
    profile.write_bytes(b'{"anything": "at all"}')
    config = TrainConfig(
        out=tmp_path / "m",
        feature_schema="konvid-v1",
        smoke=True,
        smoke_rows=40,
        folds=2,
        display_profile=profile,
        fit=FitSettings(epochs=2, hidden=(4,)),
    )
    sidecar = orjson.loads(train_mos_head(config).sidecar.read_bytes())
    assert sidecar["notes"] == ["display profile ignored: konvid-v1 has no display features"]
    assert sidecar["display_profile"] is None and "display_profile" not in sidecar["inputs"]
    profile.write_bytes(b"[1]")  # a malformed file is still refused
    with pytest.raises(UsageError, match="must be a JSON object"):
        train_mos_head(config)


def test_a_toy_display_schema_trains_with_its_profile(tmp_path: Path) -> None:
    from vqa_core.train import FitSettings, TrainConfig, train_mos_head

    profile = tmp_path / "screen.json"
    profile.write_bytes(b'{"nits": 600}')
    table = tmp_path / "t.parquet"
    rng = np.random.default_rng(1)
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table(
            {
                "adm2": rng.uniform(0, 1, 20),
                "toy_kbps": rng.uniform(100, 900, 20),
                "mos": rng.uniform(1, 5, 20),
            }
        ),
        table,
    )
    config = TrainConfig(
        out=tmp_path / "m",
        feature_schema="toy-hdr-v1",
        table=table,
        folds=2,
        display_profile=profile,
        fit=FitSettings(epochs=2, hidden=(4,)),
    )
    sidecar = orjson.loads(train_mos_head(config, plugins=_registry()).sidecar.read_bytes())
    assert sidecar["feature_schema"] == "toy-hdr-v1" and sidecar["feature_order"] == list(TOY.features)
    assert sidecar["feature_sources"] == {
        "adm2": {"column": 20},
        "toy_rate": {"derived": 20},
        "screen_nits": {"display": 20},
    }
    assert sidecar["display_profile"]["feature_values"] == {"screen_nits": 600.0}
