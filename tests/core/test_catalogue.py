"""The catalogue of first-party distributions is data, and agrees with what the plugins declare."""

from __future__ import annotations

import ast
from pathlib import Path

from vqa_core.catalogue import FIRST_PARTY_DISTRIBUTIONS, SCHEMA_DISTRIBUTIONS, install_hint
from vqa_core.listing import first_party_registry

REPO = Path(__file__).resolve().parents[2]


def test_the_catalogue_lists_exactly_what_each_first_party_plugin_declares() -> None:
    registry = first_party_registry()
    assert {c.id: c.plugin.name for c in registry.corpora} == FIRST_PARTY_DISTRIBUTIONS
    assert {s.name: s.plugin.name for s in registry.feature_schemas} == SCHEMA_DISTRIBUTIONS


def test_install_hints_name_the_distribution() -> None:
    assert install_hint("chug-hdr-display-v1") == "the vqa-chug plugin provides it: pip install vqa-chug"
    assert install_hint("lsvq") == "the vqa-lsvq plugin provides it: pip install vqa-lsvq"
    assert "vqa corpora list" in install_hint("nobody-v1")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (first statement of a module, class or function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _knowledge(tree: ast.AST, ids: set[str]) -> list[tuple[int, str]]:
    """Names and string values (docstrings aside) that are a catalogued corpus id, mention a
    catalogued schema name, start like a corpus's column (``<id>_…``), and identifiers
    containing a corpus id."""
    words = {i.replace("-", "_") for i in ids}
    docstrings = _docstrings(tree)
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            value = node.value.strip().lower()
            named = value in ids or any(s in value for s in ids if s in SCHEMA_DISTRIBUTIONS)
            if named or any(value.startswith(f"{w}_") for w in words):
                hits.append((node.lineno, repr(node.value)))
        name = getattr(node, "name", None) or getattr(node, "id", None) or getattr(node, "attr", None)
        if isinstance(name, str) and any(w in name.lower() for w in words):
            hits.append((getattr(node, "lineno", 0), name))
    return hits


def test_core_code_names_no_corpus() -> None:
    """Corpus ids, plugin schema names and corpus columns live in the catalogue's data file and in
    the plugins, never in core's code; docstrings may name them as examples."""
    ids = {*FIRST_PARTY_DISTRIBUTIONS, *SCHEMA_DISTRIBUTIONS}
    found = [
        f"{path.relative_to(REPO)}:{line}: {what}"
        for path in sorted((REPO / "vqa_core").rglob("*.py"))
        for line, what in _knowledge(ast.parse(path.read_text(encoding="utf-8")), ids)
    ]
    assert not found, "\n".join(found)


def test_the_check_sees_names_strings_and_columns_but_not_docstrings() -> None:
    code = (
        '"""Module docstring naming chug."""\n'
        "CHUG_METADATA = ('chug_bitrate_mbps',)\n"
        "def f():\n"
        '    """chug, as an example."""\n'
        "    return 'chug-hdr-wide-v1'\n"
        "HELP = 'Display profile (for chug-hdr-display-v1).'\n"
    )
    hits = sorted(what for _, what in _knowledge(ast.parse(code), {"chug", *SCHEMA_DISTRIBUTIONS}))
    assert hits == [
        "'Display profile (for chug-hdr-display-v1).'",
        "'chug-hdr-wide-v1'",
        "'chug_bitrate_mbps'",
        "CHUG_METADATA",
    ]
