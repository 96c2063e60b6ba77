"""The licence rule and the grouping rule of vqa export, on the installed declarations."""

from __future__ import annotations

import pytest

from vqa_core.errors import ExportError, UsageError
from vqa_core.export.common import ExportRow, group_rows, hub_name, parse_roots, redistribution
from vqa_core.registry import Registry


def test_the_licence_rule_on_every_installed_declaration() -> None:
    registry = Registry.discover(strict=True)
    decided = {c.id: redistribution(c.declaration.licence) for c in registry.corpora}
    assert decided == {
        "bvi-dvc": "forbidden",
        "chug": "permitted",
        "konvid-150k": "not-granted",
        "konvid-1k": "not-granted",
        "live-vqc": "not-granted",
        "lsvq": "permitted",
        "waterloo-ivc-4k": "not-granted",
        "youtube-ugc": "permitted",
    }
    assert redistribution(None) == "unknown"
    assert redistribution("CC BY-NC 4.0; may not be redistributed") == "forbidden"


def _row(src: str, corpus: str, split: str | None) -> ExportRow:
    return ExportRow(src, src, 50.0, corpus, split, None, None, "t:row 1", {})


def test_rows_without_a_split_are_grouped_as_unsplit_unless_that_name_is_taken() -> None:
    groups = group_rows([_row("a", "lsvq", "train"), _row("b", "chug", None)], "split")
    assert [(g.key, [r.src for r in g.rows]) for g in groups] == [("train", ["a"]), ("unsplit", ["b"])]
    with pytest.raises(ExportError, match="split named 'unsplit'"):
        group_rows([_row("a", "x", "unsplit"), _row("b", "y", None)], "split")
    assert hub_name("test-1080p") == "test_1080p"


def test_root_options_are_corpus_equals_folder() -> None:
    assert {k: str(v) for k, v in parse_roots(["lsvq=/d/LSVQ", "chug=a=b"]).items()} == {
        "lsvq": "/d/LSVQ",
        "chug": "a=b",
    }
    for bad in (["lsvq"], ["=x"], ["lsvq=/a", "lsvq=/b"]):
        with pytest.raises(UsageError):
            parse_roots(bad)
