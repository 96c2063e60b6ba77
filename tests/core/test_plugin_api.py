"""The plugin API is the one door between plugins and core, and every name through it is documented."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vqa_core.plugin
from vqa_core import hookspecs, scaffold

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "plugin-authors.md"
PLUGIN_SOURCES = sorted(
    [*REPO.glob("vqa_plugins/*/vqa_*/**/*.py"), *(REPO / "docs" / "example-plugin").rglob("*.py")]
)


def _core_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every ``vqa_core`` module the code imports, anywhere (functions, ``TYPE_CHECKING`` blocks)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "vqa_core"]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] == "vqa_core"
        ):
            found.append((node.lineno, node.module))
    return found


def test_plugin_sources_are_found() -> None:
    packages = {p.relative_to(REPO).parts[:3] for p in PLUGIN_SOURCES if p.parts[-3] != "docs"}
    assert len(packages) >= 7 and any("example-plugin" in p.parts for p in PLUGIN_SOURCES)


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_plugins_import_only_the_plugin_api_from_core(path: Path) -> None:
    wrong = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for line, module in _core_imports(ast.parse(path.read_text(encoding="utf-8")))
        if module != "vqa_core.plugin"
    ]
    assert not wrong, (
        "; ".join(wrong) + " — import it from vqa_core.plugin (add it there if it must be promised)"
    )


def test_the_check_sees_imports_in_functions_and_type_checking_blocks() -> None:
    code = (
        "from typing import TYPE_CHECKING\n"
        "from vqa_core.plugin import hookimpl\n"
        "if TYPE_CHECKING:\n    from vqa_core.schema import SourceRow\n"
        "def f():\n    import vqa_core.samples\n    from vqa_core import hookimpl\n"
    )
    assert [m for _, m in _core_imports(ast.parse(code))] == [
        "vqa_core.plugin",
        "vqa_core.schema",
        "vqa_core.samples",
        "vqa_core",
    ]


def test_the_template_imports_only_the_plugin_api() -> None:
    templates = [
        v.template for k, v in vars(scaffold).items() if k.startswith("_") and hasattr(v, "template")
    ]
    assert templates, "no plugin template found in vqa_core.scaffold"
    modules = {
        m for text in templates for m in re.findall(r"^\s*(?:from|import) (vqa_core[\w.]*)", text, re.M)
    }
    assert "vqa_core.plugin" in modules  # the template does import from core
    assert modules <= {"vqa_core.plugin", "vqa_core.testing"}, modules


def test_every_promised_name_exists_and_is_documented_in_the_guide() -> None:
    section = GUIDE.read_text(encoding="utf-8").split("## The plugin API", 1)
    assert len(section) == 2, "docs/plugin-authors.md needs a section '## The plugin API'"
    text = section[1].split("\n## ", 1)[0]
    missing = [name for name in vqa_core.plugin.__all__ if f"`{name}`" not in text]
    assert not missing, f"the section 'The plugin API' of docs/plugin-authors.md does not list {missing}"
    assert all(hasattr(vqa_core.plugin, name) for name in vqa_core.plugin.__all__)


def test_every_promised_name_is_listed_in_the_module_docstring() -> None:
    doc = vqa_core.plugin.__doc__ or ""
    missing = [name for name in vqa_core.plugin.__all__ if f"`{name}`" not in doc]
    assert not missing, f"vqa_core.plugin's docstring does not list {missing}"


def test_the_api_version_is_a_minor_bump_that_says_what_it_adds() -> None:
    assert hookspecs.PLUGIN_API_VERSION == vqa_core.plugin.PLUGIN_API_VERSION == "1.2"
    source = (REPO / "vqa_core" / "hookspecs.py").read_text(encoding="utf-8")
    assert "1.1 adds :mod:`vqa_core.plugin`" in source
    assert "1.2 adds the feature hooks" in source


def test_importing_the_plugin_api_stays_light() -> None:
    code = "import sys, vqa_core.plugin; print(','.join(m for m in ('pyarrow', 'av', 'numpy', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
