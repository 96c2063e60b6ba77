"""One test per hook, through the registry, on real plugins."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import attrs
import pyarrow as pa
import pytest

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration
from vqa_core.registry import Registry
from vqa_core.scales import ScaleConversion
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec


def test_hook_vqa_register_corpora(konvid_registry: Registry) -> None:
    assert [c.id for c in konvid_registry.corpora] == ["konvid-150k", "konvid-1k"]
    decl = konvid_registry.corpus("konvid-1k").declaration
    assert (decl.version, decl.scale.name, decl.expected_clips) == ("konvid-1k-2017", "1-5", 1200)


def test_hook_vqa_schema_extension(konvid_registry: Registry) -> None:
    schema = konvid_registry.arrow_schema("konvid-150k")
    assert schema.field("konvid_part").type == pa.string()
    assert schema.field("konvid_vote_mean").type == pa.float64()
    assert schema.field("konvid_part").nullable
    assert schema.names[:15] == [
        "src",
        "src_sha256",
        "src_size_bytes",
        "width",
        "height",
        "framerate",
        "duration_s",
        "pix_fmt",
        "encoder_upstream",
        "mos",
        "mos_std_dev",
        "n_ratings",
        "corpus",
        "corpus_version",
        "ingested_at_utc",
    ]


def test_hook_vqa_source_rows(konvid_registry: Registry, konvid_1k_drop: Path) -> None:
    spec = SourceSpec(root=konvid_1k_drop, metadata=(), clips_dir=konvid_1k_drop / "KoNViD_1k_videos")
    source = konvid_registry.source_rows("konvid-1k", spec)
    assert [f.rows for f in source.files] == [6]
    rows = list(source.rows)
    assert all(isinstance(r, SourceRow) for r in rows)
    assert [r.origin.line for r in rows] == [2, 3, 4, 5, 6, 7]
    assert all((spec.clips_dir / r.clip).is_file() for r in rows if isinstance(r, SourceRow))
    assert not any(isinstance(r, RowRejection) for r in rows)


def test_hook_vqa_scale_conversion(konvid_registry: Registry) -> None:
    conversion = konvid_registry.scale_conversion("konvid-1k")
    assert conversion is not None
    assert (conversion.convert(1), conversion.convert(3), conversion.convert(5)) == (0, 50, 100)
    assert conversion.convert_std(0.5) == 12.5

    class Realigned:
        vqa_plugin_api = ">=1,<2"

        def __init__(self, decl: CorpusDeclaration) -> None:
            self.decl = decl

        @hookimpl
        def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
            register(self.decl)

        @hookimpl
        def vqa_scale_conversion(self, corpus: CorpusDeclaration) -> ScaleConversion:
            return ScaleConversion(slope=20, intercept=-10, native=corpus.scale, method="realigned")

    import vqa_konvid

    decl = attrs.evolve(vqa_konvid.KONVID_1K, id="toy-realigned")
    registry = Registry.from_plugins([("r", Realigned(decl))], strict=True)
    override = registry.scale_conversion("toy-realigned")
    assert override is not None and override.method == "realigned"


def test_hook_vqa_write_sample(konvid_registry: Registry, tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        drop = konvid_registry.write_sample("konvid-150k", tmp_path / name, 3, 5)
        assert drop.clips == 3 and len(drop.metadata) == 2
        files = sorted(p for p in (tmp_path / name).rglob("*") if p.is_file())
        digests.append(
            [
                (p.relative_to(tmp_path / name).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
                for p in files
            ]
        )
    assert digests[0] == digests[1]


@pytest.mark.parametrize("corpus_id", ["konvid-1k", "konvid-150k"])
def test_default_conversion_is_the_affine_map_of_the_declared_scale(
    konvid_registry: Registry, corpus_id: str
) -> None:
    conversion = konvid_registry.scale_conversion(corpus_id)
    assert conversion is not None and conversion.method == "affine"
    assert conversion.as_dict()["native_scale"] == "1-5"


def test_hook_vqa_encode_grid_rows(tmp_path: Path) -> None:
    import vqa_bvi_dvc

    from vqa_core.gridrows import GRID_KEYS
    from vqa_core.sources import GridSettings

    registry = Registry.from_plugins([("vqa-bvi-dvc", vqa_bvi_dvc)], strict=True)
    drop = registry.write_sample("bvi-dvc", tmp_path, 3, 1)
    spec = SourceSpec(root=drop.root, metadata=(), clips_dir=drop.root)
    settings = GridSettings(crf=27, timestamp="2026-01-01T00:00:00+00:00")
    rows = list(registry.encode_grid_rows("bvi-dvc", spec, settings))
    assert len(rows) == 3
    for row in rows:
        assert not isinstance(row, RowRejection)
        assert set(GRID_KEYS) <= set(row)
        assert row["crf"] == 27 and row["src_sha256_kind"] == "name"
    assert registry.scale_conversion("bvi-dvc") is None  # no labels: excluded from MOS aggregation
