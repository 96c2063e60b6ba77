"""The grouping columns of a shard: content_group and split, as the engine writes and checks them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration
from vqa_core.errors import PluginError, StateError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.parsing import open_table, to_float
from vqa_core.registry import Registry
from vqa_core.runner.state import state_path_for
from vqa_core.samples import ClipSpec, write_clip
from vqa_core.schema import BASE_FIELDS, SCHEMA_ID, RowRejection, SourceRow
from vqa_core.sources import MetadataFile, SourceRows, SourceSpec
from vqa_core.testing import toy_declaration

T0 = "2026-01-02T03:04:05Z"

GROUPED = toy_declaration(
    "ladder",
    column_prefix="ladder_",
    content_groups="source: the video every rung of a ladder was encoded from",
    splits=("train", "test"),
)


class LadderPlugin:
    """Reads ``ladder.csv`` (``clip,mos,source,split``); an empty cell gives no key / no split.

    ``override`` replaces the group key of a clip without touching the metadata (as a
    plugin option read from the environment would), to check the inputs digest.
    """

    vqa_plugin_api = ">=1,<2"

    def __init__(self, declaration: CorpusDeclaration = GROUPED) -> None:
        self.declaration = declaration
        self.override: dict[str, str] = {}

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(self.declaration)

    @hookimpl
    def vqa_schema_extension(self, corpus: CorpusDeclaration) -> list[pa.Field]:
        return [pa.field("ladder_rung", pa.string())]

    @hookimpl
    def vqa_source_rows(self, corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
        table = open_table(source.root / "ladder.csv")

        def rows() -> Iterator[SourceRow | RowRejection]:
            for record in table.records():
                clip = record.get("clip") or ""
                yield SourceRow(
                    clip=clip,
                    mos=to_float(record.get("mos")),
                    origin=record.origin,
                    extras={"ladder_rung": record.get("rung")},
                    content_group=self.override.get(clip, record.get("source")),
                    split=record.get("split"),
                )

        return SourceRows(files=[MetadataFile(table.path, table.data_lines)], rows=rows())


def _drop(root: Path, lines: list[str]) -> Path:
    for i, line in enumerate(lines):
        write_clip(root / line.split(",")[0], ClipSpec(frames=4, quality=0.2 + 0.1 * i), seed=i)
    (root / "ladder.csv").write_text("clip,mos,source,split,rung\n" + "".join(f"{x}\n" for x in lines))
    return root


def _config(root: Path, output: Path) -> IngestConfig:
    return IngestConfig(corpus_id="ladder", root=root, output=output, timestamp=T0, workers=2)


def _rows(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


LINES = [
    "a_low.mp4,2.0,lake,train,low",
    "a_high.mp4,4.0,lake,train,high",
    "b_low.mp4,2.5,city,test,low",
    "c_only.mp4,3.0,,test,only",  # no key: its own content
]


def test_rows_carry_the_group_under_the_corpus_and_the_split(tmp_path: Path) -> None:
    registry = Registry.from_plugins([("vqa-ladder", LadderPlugin())], strict=True)
    root = _drop(tmp_path / "drop", LINES)
    report = ingest(registry, _config(root, tmp_path / "s.jsonl"))
    assert report.written == 4
    rows = _rows(tmp_path / "s.jsonl")
    assert [(r["content_group"], r["split"]) for r in rows] == [
        ("ladder/lake", "train"),
        ("ladder/lake", "train"),
        ("ladder/city", "test"),
        ("ladder/c_only.mp4", "test"),  # "<corpus>/<src>"
    ]
    ingest(registry, _config(root, tmp_path / "s.parquet"))
    table = pq.read_table(tmp_path / "s.parquet")
    # the two core columns follow the 15 base fields, before the extension columns
    assert table.schema.names == [*BASE_FIELDS, "content_group", "split", "ladder_rung"]
    assert not table.schema.field("content_group").nullable and table.schema.field("split").nullable
    assert table.column("content_group").to_pylist() == [r["content_group"] for r in rows]
    manifest = json.loads((tmp_path / "s.manifest.json").read_text())
    assert manifest["row_schema"] == SCHEMA_ID == "vqa-corpus-row-v2"
    assert manifest["columns"] == [*BASE_FIELDS, "content_group", "split", "ladder_rung"]


def test_a_changed_group_key_redoes_the_row_it_touches(tmp_path: Path) -> None:
    plugin = LadderPlugin()
    registry = Registry.from_plugins([("vqa-ladder", plugin)], strict=True)
    root = _drop(tmp_path / "drop", LINES)
    out = tmp_path / "s.jsonl"
    ingest(registry, _config(root, out))
    plugin.override["c_only.mp4"] = "lake"  # same metadata bytes, different group
    report = ingest(registry, _config(root, out))
    assert (report.processed, report.reused) == (1, 3)
    assert _rows(out)[3]["content_group"] == "ladder/lake"


@pytest.mark.parametrize(
    ("declaration", "line", "message"),
    [
        (
            GROUPED,
            "x.mp4,3.0,lake,validation,x",
            r"split 'validation' at ladder.csv:2, not one of .*\(train, test\)",
        ),
        (
            GROUPED,
            "x.mp4,3.0,lake,,x",
            r"no split at ladder.csv:2, but ladder publishes splits \(train, test\) and every row must carry one",
        ),
        (
            attrs.evolve(GROUPED, splits=()),
            "x.mp4,3.0,,train,x",
            r"split 'train' at ladder.csv:2, not one of ladder's declared splits \(none\)",
        ),
        (
            attrs.evolve(GROUPED, content_groups=""),
            "x.mp4,3.0,lake,train,x",
            r"content_group 'lake' at ladder.csv:2, but ladder's declaration has no content_groups",
        ),
    ],
)
def test_a_row_the_declaration_does_not_admit_is_a_plugin_error(
    tmp_path: Path, declaration: CorpusDeclaration, line: str, message: str
) -> None:
    registry = Registry.from_plugins([("vqa-ladder", LadderPlugin(declaration))], strict=True)
    root = _drop(tmp_path / "drop", [line])
    with pytest.raises(PluginError, match=rf"plugin vqa-ladder gave {message}"):
        ingest(registry, _config(root, tmp_path / "s.jsonl"))
    assert not (tmp_path / "s.jsonl").exists()


def test_a_blank_group_key_is_a_plugin_error(tmp_path: Path) -> None:
    plugin = LadderPlugin()
    plugin.override["x.mp4"] = "  "
    registry = Registry.from_plugins([("vqa-ladder", plugin)], strict=True)
    root = _drop(tmp_path / "drop", ["x.mp4,3.0,lake,train,x"])
    with pytest.raises(PluginError, match=r"gave content_group '  ' at ladder.csv:2; a key is a non-empty"):
        ingest(registry, _config(root, tmp_path / "s.jsonl"))


def test_resume_state_of_the_previous_version_asks_for_a_restart(tmp_path: Path) -> None:
    """Rows stored by state version 2 lack the grouping columns; they are never rendered."""
    registry = Registry.from_plugins([("vqa-ladder", LadderPlugin())], strict=True)
    root = _drop(tmp_path / "drop", LINES[:1])
    out = tmp_path / "s.jsonl"
    ingest(registry, _config(root, out))
    with sqlite3.connect(state_path_for(out)) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'state_version'")
    with pytest.raises(StateError, match=r"another version of vqa; rerun with --restart"):
        ingest(registry, _config(root, out))
    restarted = ingest(registry, attrs.evolve(_config(root, out), restart=True))
    assert restarted.written == 1 and _rows(out)[0]["content_group"] == "ladder/lake"
