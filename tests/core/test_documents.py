"""The shared document converter: wire format, hooks, and one-line errors naming the file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest

from vqa_core.documents import (
    Timestamp,
    converter,
    document_bytes,
    load_json,
    omit_none,
    structure_document,
    write_document,
)
from vqa_core.errors import DocumentError, UsageError


@omit_none
@attrs.frozen(kw_only=True)
class Entry:
    name: str
    size: int | None = None
    where: Path | None = None


@attrs.frozen(kw_only=True)
class Doc:
    schema: str
    at: Timestamp
    ratio: float
    ok: bool
    entries: list[Entry]
    shape: list[str | int]
    extra: dict[str, Any]
    note: str | None


GOOD: dict[str, Any] = {
    "schema": "s-v1",
    "at": "2026-01-01T00:00:00+00:00",
    "ratio": 1,
    "ok": True,
    "entries": [{"name": "a", "size": 3, "where": "d/a.bin"}, {"name": "b"}],
    "shape": ["N", 2],
    "extra": {"anything": [1, {"x": None}]},
    "note": None,
}


def test_a_document_reads_and_writes_back_to_the_same_bytes(tmp_path: Path) -> None:
    data = orjson.dumps(GOOD, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    path = tmp_path / "d.json"
    path.write_bytes(data)
    doc = structure_document(load_json(path, what="doc"), Doc, path=path, what="doc")
    assert doc.entries[0].where == Path("d/a.bin") and doc.entries[1].size is None
    assert doc.ratio == 1 and isinstance(doc.ratio, int)  # an integer stays one: same bytes back
    assert document_bytes(doc) == data
    write_document(tmp_path / "again.json", doc)
    assert (tmp_path / "again.json").read_bytes() == data


def test_a_mapping_is_written_in_the_same_format() -> None:
    plain = {"b": (Path("x"), math.nan), "a": {2: math.inf}, "c": "é"}
    assert (
        document_bytes(plain)
        == b'{\n  "a": {\n    "2": null\n  },\n  "b": [\n    "x",\n    null\n  ],\n  "c": "\xc3\xa9"\n}\n'
    )


def test_optional_fields_of_an_omit_none_class_are_left_out_not_null() -> None:
    assert converter.unstructure(Entry(name="a")) == {"name": "a"}
    assert converter.unstructure(Entry(name="a", size=0, where=Path("p"))) == {
        "name": "a",
        "size": 0,
        "where": "p",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema": 1}, r"at \$\.schema: expected a string, got 1$"),
        ({"ratio": "1.5"}, r"at \$\.ratio: expected a number, got '1\.5'$"),
        ({"ok": 1}, r"at \$\.ok: expected true or false, got 1$"),
        ({"at": "yesterday"}, r"at \$\.at: expected an ISO 8601 time, got 'yesterday'$"),
        ({"at": "2026-01-01T00:00:00"}, r"at \$\.at: expected an ISO 8601 time with its UTC offset"),
        ({"entries": "ab"}, r"at \$\.entries: expected a list, got 'ab'$"),
        (
            {"entries": [{"name": "a", "size": True}]},
            r"at \$\.entries\[0\]\.size: expected an integer, got True$",
        ),
        ({"entries": [{"size": 1}]}, r"at \$\.entries\[0\]\.name: missing$"),
        ({"entries": [{"name": "a", "where": 5}]}, r"at \$\.entries\[0\]\.where: expected a path, got 5$"),
        ({"shape": ["N", 2.5]}, r"at \$\.shape\[1\]: expected str \| int"),
        ({"extra": []}, r"at \$\.extra: expected an object, got a list$"),
        ({"entries": [[1]]}, r"at \$\.entries\[0\]: expected an object, got a list$"),
        ({"note": 3, "ok": None}, r"at \$\.ok: expected true or false, got null \(and 1 more\)$"),
    ],
)
def test_a_document_that_does_not_match_is_one_line_naming_the_file(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "d.json"
    with pytest.raises(DocumentError, match=message) as caught:
        structure_document({**GOOD, **change}, Doc, path=path, what="doc")
    assert str(caught.value).startswith(f"doc {path} is not valid at $.")
    assert "\n" not in str(caught.value) and caught.value.path == str(path)
    assert isinstance(caught.value, UsageError)  # exit 2, like every bad input


def test_keys_a_class_does_not_name_are_ignored(tmp_path: Path) -> None:
    doc = structure_document({**GOOD, "added_later": 1}, Doc, path=tmp_path / "d.json", what="doc")
    assert doc.schema == "s-v1"


def test_files_that_are_not_json_objects_are_one_line_errors(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    with pytest.raises(DocumentError, match=r"^doc .*none\.json does not exist$"):
        load_json(missing, what="doc")
    with pytest.raises(DocumentError, match=r"^doc .*: cannot read"):
        load_json(tmp_path, what="doc")
    broken = tmp_path / "b.json"
    broken.write_bytes(b'{"a": ')
    with pytest.raises(DocumentError, match=r"^doc .*b\.json is not valid JSON: "):
        load_json(broken, what="doc")
    with pytest.raises(DocumentError, match=r"is not valid: expected a JSON object, got a list$"):
        structure_document([1], Doc, path=broken, what="doc")
