"""The conformance kit's content-group and split checks: right plugins pass, wrong ones fail."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration
from vqa_core.parsing import open_table, to_float
from vqa_core.registry import Registry
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import MetadataFile, SampleDrop, SourceRows, SourceSpec
from vqa_core.testing import ConformanceSuite, toy_declaration

DECL = toy_declaration("kit-toy")


class SamplePlugin:
    """Its sample metadata is ``clip,mos,group,split`` with the cells given (``""`` = none)."""

    vqa_plugin_api = ">=1,<2"

    def __init__(self, declaration: CorpusDeclaration, cells: list[tuple[str, str]]) -> None:
        self.declaration = declaration
        self.cells = cells

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(self.declaration)

    @hookimpl
    def vqa_source_rows(self, corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
        table = open_table(source.metadata[0])

        def rows() -> Iterator[SourceRow | RowRejection]:
            for record in table.records():
                yield SourceRow(
                    clip=record.get("clip") or "",
                    mos=to_float(record.get("mos")),
                    origin=record.origin,
                    content_group=record.get("group"),
                    split=record.get("split"),
                )

        return SourceRows(files=[MetadataFile(table.path, table.data_lines)], rows=rows())

    @hookimpl
    def vqa_write_sample(self, corpus: CorpusDeclaration, directory: Path, clips: int) -> SampleDrop:
        lines = [f"c{i}.mp4,3.0,{group},{split}\n" for i, (group, split) in enumerate(self.cells[:clips])]
        path = directory / "toy.csv"
        path.write_text("clip,mos,group,split\n" + "".join(lines))
        return SampleDrop(root=directory, metadata=(path,), clips=len(lines))


class GridPlugin:
    """A label-less corpus whose sample grid rows carry the given content_group values."""

    vqa_plugin_api = ">=1,<2"

    def __init__(self, declaration: CorpusDeclaration, groups: list[str | None]) -> None:
        self.declaration = declaration
        self.groups = groups

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(self.declaration)

    @hookimpl
    def vqa_encode_grid_rows(self, corpus: CorpusDeclaration) -> Iterable[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for i, group in enumerate(self.groups):
            row: dict[str, Any] = {"src": f"seq{i}"}
            if group is not None:
                row["content_group"] = group
            rows.append(row)
        return rows

    @hookimpl
    def vqa_write_sample(self, directory: Path) -> SampleDrop:
        return SampleDrop(root=directory, metadata=(), clips=len(self.groups))


GROUPED = attrs.evolve(DECL, content_groups="scene: the source scene")
SPLIT = attrs.evolve(DECL, splits=("train", "test"))
GRID = attrs.evolve(DECL, scale="none", content_groups="sequence: the name without its class letter")


def _check(plugin: object, check: str, tmp_path: Path) -> None:
    registry = Registry.from_plugins([("vqa-kit-toy", plugin)], strict=True)
    getattr(ConformanceSuite(), check)(registry, "kit-toy", tmp_path)


@pytest.mark.parametrize(
    ("plugin", "check"),
    [
        (
            SamplePlugin(GROUPED, [("lake", "")] * 3 + [("city", "")] * 3),
            "test_content_groups_follow_the_declaration",
        ),
        (SamplePlugin(DECL, [("", "")] * 6), "test_content_groups_follow_the_declaration"),
        (SamplePlugin(SPLIT, [("", "train"), ("", "test")] * 3), "test_splits_follow_the_declaration"),
        (SamplePlugin(DECL, [("", "")] * 6), "test_splits_follow_the_declaration"),
        (GridPlugin(GRID, ["kit-toy/a", "kit-toy/a"]), "test_content_groups_follow_the_declaration"),
        (
            GridPlugin(attrs.evolve(GRID, content_groups=""), [None]),
            "test_content_groups_follow_the_declaration",
        ),
    ],
    ids=["grouped", "ungrouped", "split", "unsplit", "grid-grouped", "grid-ungrouped"],
)
def test_a_plugin_that_follows_its_declaration_passes(plugin: object, check: str, tmp_path: Path) -> None:
    _check(plugin, check, tmp_path)


@pytest.mark.parametrize(
    ("plugin", "check", "message"),
    [
        (
            SamplePlugin(GROUPED, [("lake", "")] * 5 + [("", "")]),
            "test_content_groups_follow_the_declaration",
            r"kit-toy: the declaration says what identifies a content .* sample rows give no content_group "
            r"key: toy.csv:7",
        ),
        (
            SamplePlugin(DECL, [("", "")] * 5 + [("lake", "")]),
            "test_content_groups_follow_the_declaration",
            r"sample rows give content_group keys \(toy.csv:7 \('lake'\)\) but the declaration has no "
            r"content_groups text",
        ),
        (
            SamplePlugin(SPLIT, [("", "train")] * 5 + [("", "validation")]),
            "test_splits_follow_the_declaration",
            r"sample rows carry splits the declaration does not list \(train, test\): toy.csv:7 \('validation'\)",
        ),
        (
            SamplePlugin(DECL, [("", "")] * 5 + [("", "train")]),
            "test_splits_follow_the_declaration",
            r"does not list \(none\): toy.csv:7 \('train'\)",
        ),
        (
            SamplePlugin(SPLIT, [("", "train")] * 5 + [("", "")]),
            "test_splits_follow_the_declaration",
            r"the corpus publishes splits \(train, test\) but sample rows carry none: toy.csv:7",
        ),
        (
            GridPlugin(GRID, ["kit-toy/a", None]),
            "test_content_groups_follow_the_declaration",
            r"sample rows give no content_group key: grid row 2 \(seq1\)",
        ),
        (
            GridPlugin(GRID, ["a"]),
            "test_content_groups_follow_the_declaration",
            r"grid rows must write content_group as 'kit-toy/<key>': grid row 1 \(seq0\)",
        ),
    ],
    ids=[
        "grouped-missing-key",
        "ungrouped-with-key",
        "undeclared-split",
        "no-splits-declared",
        "missing-split",
        "grid-missing-key",
        "grid-without-prefix",
    ],
)
def test_a_plugin_that_breaks_its_declaration_fails_the_kit(
    plugin: object, check: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(pytest.fail.Exception, match=message):
        _check(plugin, check, tmp_path)


class _Request:
    """Just enough of a pytest request for a check that reads an option."""

    class config:
        @staticmethod
        def getoption(name: str, default: object = None) -> object:
            return default


class _PagedSuite(ConformanceSuite):
    corpus_pages: ClassVar[str | None] = None


def _check_page(page: str | None, tmp_path: Path) -> None:
    (tmp_path / "kit-toy.md").write_text(page or "")
    registry = Registry.from_plugins([("vqa-kit-toy", SamplePlugin(DECL, []))], strict=True)
    suite = type("Paged", (_PagedSuite,), {"corpus_pages": str(tmp_path) if page is not None else None})()
    suite.test_corpus_page_documents_the_declaration(registry, "kit-toy", _Request())  # type: ignore[arg-type]


def test_a_corpus_page_that_names_the_edition_passes(tmp_path: Path) -> None:
    _check_page("The edition kit-toy-1 has 1,000 rows in toy.csv.", tmp_path)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("The edition has 1,000 rows.", r"does not name edition 'kit-toy-1' with its row count 1,000"),
        (
            "The edition kit-toy-1 has 1000 rows.",
            r"does not name edition 'kit-toy-1' with its row count 1,000",
        ),
    ],
    ids=["no-edition-name", "no-row-count"],
)
def test_a_corpus_page_behind_its_declaration_fails_the_kit(page: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=message):
        _check_page(page, tmp_path)


def test_without_corpus_pages_the_page_check_skips(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="no corpus pages to check"):
        _check_page(None, tmp_path)
