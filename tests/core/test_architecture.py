"""The import direction of docs/architecture.md, checked: a layer imports only from itself and below.

Every module of ``vqa_core`` belongs to one layer; a new top-level module fails
this test until docs/architecture.md and :data:`LAYERS` say where it belongs.
Lazy imports inside functions count like module-level ones: they are still a
dependency, only a cheaper one.
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path
from typing import Final

import vqa_core

ROOT: Final = Path(vqa_core.__file__).parent

#: Layer of every top-level module or package of vqa_core, lowest first.
LAYERS: Final[dict[str, tuple[str, ...]]] = {
    "foundation": (
        "_version",
        "env",
        "errors",
        "fsutil",
        "timestamps",
        "documents",
        "provenance",
        "tables",
        "scales",
        "columns",
        "mediaopen",
        "samples",
        "extras",
        "codecheaders",
    ),
    "contract": (
        "__init__",
        "declarations",
        "featureschema",
        "schema",
        "sources",
        "gridrows",
        "locations",
        "parsing",
        "hookspecs",
        "plugin",
        "apiversion",
    ),
    "host": ("builtins", "catalogue", "installed", "registry", "listing", "sample"),
    "runner": ("runner",),
    "jobs": (
        "ingest",
        "fetch",
        "grid",
        "merge",
        "dedup",
        "aggregate",
        "report",
        "features",
        "labels",
        "verify",
        "export",
        "train",
        "evaluation",
        "data",
        "scaffold",
    ),
    "commands": ("demo", "testing", "cli", "__main__"),
}

#: Upward imports that are allowed, each with the reason docs/architecture.md gives.
EXCEPTIONS: Final[dict[tuple[str, str], str]] = {
    ("registry", "train"): "a plugin's feature schema is checked against core's schemas, lazily",
}


def _rank() -> dict[str, int]:
    return {unit: i for i, units in enumerate(LAYERS.values()) for unit in units}


def _unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    """The vqa_core units ``path`` imports (``from vqa_core import x`` counts as unit ``x``
    when ``x`` is a module, else as the package root)."""
    found: set[str] = set()
    submodules = {m.name for m in pkgutil.iter_modules([str(ROOT)])}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "vqa_core":
            found |= {a.name if a.name in submodules else "__init__" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vqa_core."):
            found.add(_unit_of(node.module))
        elif isinstance(node, ast.Import):
            found |= {_unit_of(a.name) for a in node.names if a.name.startswith("vqa_core.")}
    return found


def _unit_of_file(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_every_module_has_a_layer() -> None:
    units = {_unit_of_file(p) for p in ROOT.rglob("*.py")}
    assert units - set(_rank()) == set(), "add new modules to LAYERS and to docs/architecture.md"
    assert set(_rank()) - units == set(), "LAYERS names a module that no longer exists"


def test_imports_point_down_or_sideways() -> None:
    rank = _rank()
    upward = []
    for path in sorted(ROOT.rglob("*.py")):
        me = _unit_of_file(path)
        for other in _imports(path) - {me}:
            if rank[other] > rank[me] and (me, other) not in EXCEPTIONS:
                upward.append(
                    f"{path.relative_to(ROOT.parent)}: {me} ({_layer(me)}) imports {other} ({_layer(other)})"
                )
    assert upward == []


def test_exceptions_are_still_needed() -> None:
    used = {(_unit_of_file(p), other) for p in ROOT.rglob("*.py") for other in _imports(p)}
    assert set(EXCEPTIONS) <= used, "an allowed upward import is gone: drop it here and in the docs"


def test_the_page_names_every_layer_and_unit() -> None:
    page = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [f"### {layer}" for layer in LAYERS if f"### {layer}" not in page]
    missing += [f"`{unit}`" for unit in _rank() if not unit.startswith("_") and f"`{unit}`" not in page]
    assert missing == []


def _layer(unit: str) -> str:
    return next(layer for layer, units in LAYERS.items() if unit in units)
