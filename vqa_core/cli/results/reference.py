"""docs/cli.md's document reference, written from the attrs classes (a test compares them).

Run ``python -m vqa_core.cli.results.reference`` to print the section; it replaces the
part of docs/cli.md between the two ``<!-- reference -->`` markers.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, Final

import attrs

from vqa_core.cli.results.base import DOC
from vqa_core.cli.results.corpora import LIST_SCHEMA, CorpusEntry, PluginEntry
from vqa_core.cli.results.registry import RESULTS

__all__ = ["BEGIN", "END", "reference_markdown"]

BEGIN: Final = "<!-- reference: generated from vqa_core/cli/results by its reference module -->"
END: Final = "<!-- /reference -->"

_LEAVES: Final[dict[object, str]] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    type(None): "null",
    Any: "any JSON value",
}


def reference_markdown() -> str:
    """The reference section, markers included."""
    lines = [BEGIN, ""]
    seen: set[type] = set()
    for cls in RESULTS:
        heading = f"### `{cls.SCHEMA}`" + (f" (`vqa {cls.COMMAND} --json`)" if cls.COMMAND else "")
        lines += _class_section(cls, heading, seen)
    lines += [
        f"### `{LIST_SCHEMA}` (`vqa corpora list --json`)",
        "",
        "A JSON array (the one document that is not an object): a `CorpusEntry` for each usable",
        "corpus, then a `PluginEntry` for each plugin that provides none (broken, disabled or,",
        "with `--all`, built in).",
        "",
    ]
    lines += _class_section(CorpusEntry, "#### `CorpusEntry`", seen)
    lines += _class_section(PluginEntry, "#### `PluginEntry`", seen)
    lines += [END]
    return "\n".join(lines) + "\n"


def _class_section(cls: type, heading: str, seen: set[type]) -> list[str]:
    """``cls``'s table under ``heading``, then the tables of the classes its fields hold."""
    seen.add(cls)
    hints = typing.get_type_hints(cls)
    lines = [heading, "", _first_paragraph(cls), "", "| key | type | meaning |", "|---|---|---|"]
    nested: list[type] = []
    for field in attrs.fields(cls):
        kind = hints[field.name]
        optional = field.default is None
        for inner in _classes_in(kind):
            if inner not in seen and inner not in nested:
                nested.append(inner)
        meaning = field.metadata[DOC] + ("; absent when it does not apply" if optional else "")
        lines.append(f"| `{field.name}` | {_type_name(kind, optional)} | {meaning} |")
    lines.append("")
    for inner in nested:
        if inner not in seen:
            lines += _class_section(inner, f"#### `{inner.__name__}`", seen)
    return lines


def _first_paragraph(cls: type) -> str:
    text = (cls.__doc__ or "").strip().replace("``", "`")
    return " ".join(text.split("\n\n")[0].split())


def _classes_in(kind: Any) -> list[type]:
    if attrs.has(kind) and isinstance(kind, type):
        return [kind]
    return [c for arg in typing.get_args(kind) for c in _classes_in(arg)]


def _type_name(kind: Any, optional: bool = False) -> str:
    if kind in _LEAVES:
        return _LEAVES[kind]
    if attrs.has(kind):
        return f"`{kind.__name__}`"
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return f"array of {_type_name(args[0])}"
    if origin is dict:
        return f"object of {_type_name(args[1])}"
    if origin in (types.UnionType, typing.Union):
        named = " or ".join(_type_name(a) for a in args if a is not type(None))
        return named if optional else f"{named}, or null"
    raise TypeError(f"no JSON name for {kind!r}")


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    print(reference_markdown(), end="")
