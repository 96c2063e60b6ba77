"""The contract, its documentation and its tests stay in step (one failing test per gap)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pluggy
import pytest

from vqa_core import hookspecs

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "plugin-authors.md"


def _specs() -> list[tuple[str, list[str]]]:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    specs = []
    for name in sorted(dir(pm.hook)):
        caller = getattr(pm.hook, name)
        if name.startswith("vqa_") and caller.spec is not None:
            specs.append((name, list(caller.spec.argnames)))
    return specs


SPECS = _specs()


def test_the_contract_has_the_five_concerns_of_the_design() -> None:
    names = {name for name, _ in SPECS}
    assert {
        "vqa_register_corpora",
        "vqa_source_rows",
        "vqa_scale_conversion",
        "vqa_schema_extension",
        "vqa_write_sample",
    } <= names


@pytest.mark.parametrize(("name", "args"), SPECS, ids=[s[0] for s in SPECS])
def test_every_hookspec_documents_its_contract(name: str, args: list[str]) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert doc, f"{name} has no docstring"
    for arg in args:
        assert f":param {arg}:" in doc, f"{name} does not document argument {arg}"
    assert ":return:" in doc, f"{name} does not say what its return value means"
    assert "Called by" in doc, f"{name} does not say who calls it and when"
    assert "versionadded" in doc, f"{name} has no versionadded"


@pytest.mark.parametrize(("name", "args"), SPECS, ids=[s[0] for s in SPECS])
def test_every_firstresult_hook_says_so_the_same_way(name: str, args: list[str]) -> None:
    opts = getattr(hookspecs, name).vqa_spec
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert ("Stops at the first non-None result." in doc) == bool(opts.get("firstresult"))


@pytest.mark.parametrize(("name", "args"), SPECS, ids=[s[0] for s in SPECS])
def test_every_hook_has_a_heading_with_its_exact_signature_in_the_guide(name: str, args: list[str]) -> None:
    signature = f"{name}({', '.join(args)})"
    headings = re.findall(r"^#+ (.+)$", GUIDE.read_text(), flags=re.MULTILINE)
    assert signature in headings, f"docs/plugin-authors.md needs a heading '{signature}'"


@pytest.mark.parametrize(("name", "args"), SPECS, ids=[s[0] for s in SPECS])
def test_every_hook_has_a_test(name: str, args: list[str]) -> None:
    pattern = re.compile(rf"def test_hook_{name}\b")
    sources = [p.read_text() for p in (REPO / "tests").rglob("test_*.py")]
    assert any(pattern.search(s) for s in sources), f"add a test named test_hook_{name}"


def test_the_guide_shows_the_example_plugin_verbatim() -> None:
    guide = GUIDE.read_text()
    for relative in ("pyproject.toml", "vqa_example/__init__.py"):
        source = (REPO / "docs" / "example-plugin" / relative).read_text()
        assert source.strip() in guide, f"docs/plugin-authors.md is out of date with {relative}"


def test_the_guide_explains_content_groups_and_splits() -> None:
    guide = GUIDE.read_text()
    headings = re.findall(r"^#+ (.+)$", guide, flags=re.MULTILINE)
    assert "Content groups and splits" in headings
    section = guide.split("## Content groups and splits", 1)[1].split("\n## ", 1)[0]
    for name in ("content_groups", "splits", "content_group", "split"):
        assert f"{name}=" in section or f"`{name}`" in section, f"the section does not name {name}"
    # the declaration fields it documents exist under those names
    from vqa_core.declarations import CorpusDeclaration

    assert {"content_groups", "splits"} <= {a.name for a in CorpusDeclaration.__attrs_attrs__}
