"""Encode-grid validation and ingest_grid, through a real plugin and `vqa ingest`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
import vqa_bvi_dvc
import vqa_konvid
from click.testing import CliRunner

from vqa_core import hookimpl
from vqa_core.cli import main
from vqa_core.declarations import CorpusDeclaration
from vqa_core.errors import OutputError, PluginError, UsageError
from vqa_core.grid import ingest_grid
from vqa_core.gridrows import GRID_KEYS, GRID_TYPES, grid_row_problems
from vqa_core.registry import Registry
from vqa_core.sources import GridSettings, SourceSpec
from vqa_core.testing import toy_declaration

STAMP = "2026-03-01T12:00:00+00:00"


def valid_row() -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, (kind, nullable) in GRID_TYPES.items():
        row[key] = (
            None
            if nullable
            else {"string": "x", "integer": 1, "number": 1.5, "boolean": False, "string or integer": "fast"}[
                kind
            ]
        )
    row["schema_version"] = 3
    return row


def test_types_cover_exactly_the_grid_keys() -> None:
    assert list(GRID_TYPES) == list(GRID_KEYS)
    assert grid_row_problems(valid_row()) == []


def test_problems_are_listed_with_their_key() -> None:
    row = valid_row()
    del row["crf"]
    row["vmaf_score"] = float("nan")
    row["width"] = "1920"
    row["run_id"] = None
    row["schema_version"] = 2
    assert grid_row_problems(row) == [
        "missing @ crf",
        "null where type string is required @ run_id",
        "expected type integer, got '1920' @ width",
        "non-finite number (write null for a missing metric) @ vmaf_score",
        "schema_version 2 is not 3 @ schema_version",
    ]


@pytest.fixture
def registry() -> Registry:
    return Registry.from_plugins([("vqa-bvi-dvc", vqa_bvi_dvc), ("vqa-konvid", vqa_konvid)])


def source(root: Path) -> SourceSpec:
    return SourceSpec(root=root, metadata=(), clips_dir=root)


def test_ingest_writes_valid_rows_and_counts_rejections_with_file_and_line(
    registry: Registry, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    registry.write_sample("bvi-dvc", cache, 3, seed=1)
    (cache / "notasequence.json").write_text("{}")
    (cache / "DBroken_480x272_120fps_10bit_420.json").write_text('{\n  "frames": [\n    {"frameNum": 0,\n')
    out = tmp_path / "grid.jsonl"
    result = ingest_grid(registry, "bvi-dvc", source(cache), GridSettings(timestamp=STAMP), out)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert result.rows_written == len(rows) == 3
    assert all(grid_row_problems(r) == [] for r in rows)
    assert all(list(r) == sorted(r) for r in rows)
    assert result.rejected_by_reason == {"invalid-json": 1, "unparsable-name": 1}
    where = sorted(str(r.origin) for r in result.rejections)
    assert where == [f"{cache}/DBroken_480x272_120fps_10bit_420.json:4", f"{cache}/notasequence.json:1"]
    manifest = orjson.loads((tmp_path / "grid.manifest.json").read_bytes())
    assert manifest["schema"] == "vqa-grid-manifest-v1" and manifest["row_schema_version"] == 3
    assert manifest["stats"] == {
        "rows_written": 3,
        "rejected": {"invalid-json": 1, "unparsable-name": 1},
        "rejected_total": 2,
    }
    assert manifest["config"]["crf"] == 35 and manifest["created_at_utc"] == STAMP


def test_same_inputs_and_settings_give_the_same_bytes(registry: Registry, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    registry.write_sample("bvi-dvc", cache, 4, seed=3)
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    ingest_grid(registry, "bvi-dvc", source(cache), GridSettings(timestamp=STAMP), a)
    ingest_grid(registry, "bvi-dvc", source(cache), GridSettings(timestamp=STAMP), b)
    ingest_grid(registry, "bvi-dvc", source(cache), GridSettings(timestamp=STAMP, crf=23), c)
    assert a.read_bytes() == b.read_bytes()
    run_ids = {orjson.loads(line)["run_id"] for line in a.read_bytes().splitlines()}
    assert run_ids.isdisjoint(orjson.loads(line)["run_id"] for line in c.read_bytes().splitlines())


def test_refuses_labelled_corpora_and_other_suffixes(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="has subjective scores"):
        ingest_grid(
            registry, "konvid-1k", source(tmp_path), GridSettings(timestamp=STAMP), tmp_path / "g.jsonl"
        )
    with pytest.raises(OutputError, match=r"written as .jsonl"):
        ingest_grid(
            registry, "bvi-dvc", source(tmp_path), GridSettings(timestamp=STAMP), tmp_path / "g.parquet"
        )


class _NanPlugin:
    """A real (tiny) label-less corpus plugin whose rows break the schema."""

    vqa_plugin_api = ">=1,<2"
    DECL = toy_declaration("nan-grid", scale="none", editions=())

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(self.DECL)

    @hookimpl
    def vqa_encode_grid_rows(self, corpus: CorpusDeclaration) -> Iterable[dict[str, Any]]:
        row = valid_row()
        row["vmaf_score"] = float("nan")
        return [row]


def test_a_plugin_row_that_breaks_the_schema_is_a_plugin_error(tmp_path: Path) -> None:
    registry = Registry.from_plugins([("nan-plugin", _NanPlugin())])
    out = tmp_path / "g.jsonl"
    with pytest.raises(PluginError, match=r"invalid grid row 1 .*non-finite number .* @ vmaf_score"):
        ingest_grid(registry, "nan-grid", source(tmp_path), GridSettings(timestamp=STAMP), out)
    assert not out.exists()


def test_vqa_ingest_routes_label_less_corpora_to_the_grid(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, registry: Registry
) -> None:
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls, strict=None: registry))
    cache = tmp_path / "cache"
    cache.mkdir()
    registry.write_sample("bvi-dvc", cache, 2, seed=0)
    out = tmp_path / "g.jsonl"
    args = [
        "ingest",
        "bvi-dvc",
        "--root",
        str(cache),
        "-o",
        str(out),
        "--crf",
        "23",
        "--timestamp",
        STAMP,
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "wrote 2 encode-grid rows" in result.stdout
    assert {orjson.loads(line)["crf"] for line in out.read_bytes().splitlines()} == {23}
    missing = CliRunner().invoke(main, ["ingest", "bvi-dvc", "--root", str(tmp_path / "no"), "-o", str(out)])
    assert missing.exit_code == 2 and missing.stderr.startswith("error: metric cache directory not found")


class _GroupPlugin:
    """A label-less corpus whose one grid row carries a given content_group."""

    vqa_plugin_api = ">=1,<2"

    def __init__(self, content_groups: str, value: object) -> None:
        self.decl = attrs.evolve(_NanPlugin.DECL, id="group-grid", content_groups=content_groups)
        self.value = value

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(self.decl)

    @hookimpl
    def vqa_encode_grid_rows(self, corpus: CorpusDeclaration) -> Iterable[dict[str, Any]]:
        return [dict(valid_row(), content_group=self.value)]


@pytest.mark.parametrize(
    ("content_groups", "value", "problem"),
    [
        ("", "group-grid/scene", "set although group-grid's declaration has no content_groups text"),
        ("scene: the source scene", "scene", "expected a string group-grid/<key>, got 'scene'"),
        ("scene: the source scene", "group-grid/ ", "expected a string group-grid/<key>, got 'group-grid/ '"),
        ("scene: the source scene", 7, "expected a string group-grid/<key>, got 7"),
    ],
)
def test_a_grid_row_content_group_the_declaration_does_not_admit_is_a_plugin_error(
    tmp_path: Path, content_groups: str, value: object, problem: str
) -> None:
    registry = Registry.from_plugins([("group-plugin", _GroupPlugin(content_groups, value))])
    out = tmp_path / "g.jsonl"
    with pytest.raises(PluginError, match=re.escape(f"{problem} @ content_group")):
        ingest_grid(registry, "group-grid", source(tmp_path), GridSettings(timestamp=STAMP), out)
    assert not out.exists()


def test_a_declared_content_group_is_written_as_given(tmp_path: Path) -> None:
    registry = Registry.from_plugins([("group-plugin", _GroupPlugin("scene: the scene", "group-grid/lake"))])
    out = tmp_path / "g.jsonl"
    ingest_grid(registry, "group-grid", source(tmp_path), GridSettings(timestamp=STAMP), out)
    assert orjson.loads(out.read_bytes())["content_group"] == "group-grid/lake"
