"""The conformance kit: checks a corpus plugin against the vqa contract.

Use it in either of two ways.

1. As a pytest plugin, on an installed distribution::

       pytest -p vqa_core.testing --vqa-plugin vqa-mycorpus

   The kit adds its checks to the run, one test per check and corpus.

2. From your own tests, by subclassing :class:`ConformanceSuite`::

       from vqa_core.testing import ConformanceSuite

       class TestConformance(ConformanceSuite):
           distribution = "vqa-mycorpus"     # or: plugins = [("mycorpus", my_module)]

What it checks, per corpus the plugin declares: the plugin loads and declares
a contract range (``vqa_plugin_api``) that admits this core; declarations are
valid, unique and free of template placeholders; the scale conversion is
monotone and maps the scale ends to 0 and 100; extension columns are
namespaced and of plain Arrow types; declaring the corpora imports none of
``av``, ``torch``, ``onnxruntime``; the sample drop ingests through the real
engine with every row valid against the corpus's Arrow schema; metadata
with bad lines yields counted rejections, not exceptions; a corpus that
declares ``content_groups`` keys every sample row with a content group and one
that does not keys none; and every split a sample row carries is declared,
with every row carrying one when the corpus declares splits. Given a folder
of corpus pages (``corpus_pages = Path(...)`` on the suite, or
``--vqa-corpus-pages DIR``), it also checks that each corpus's page
``<corpus-id>.md`` names every edition with its row count, every extension
column and the clips folder. Each failure message says what to fix.

The pytest plugin also gives your own tests a fixture, ``plugin_registry``: a
strict registry holding only the plugin under test (the distributions named
by ``--vqa-plugin``, else the project whose ``pyproject.toml`` encloses the
test file), so your tests never depend on what else is installed. Load it with
``-p vqa_core.testing`` (on the command line or in your pytest ``addopts``).

To skip one check, override its method in your subclass with a
``pytest.mark.skip(reason=...)``-decorated one; say why in the reason.

For tests of code that takes a declaration, :func:`toy_declaration` builds a
valid one of a made-up corpus; override only the fields the test is about.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from vqa_core.testing.declarations import toy_declaration
from vqa_core.testing.suite import ConformanceSuite

if TYPE_CHECKING:
    from vqa_core.registry import Registry

__all__ = ["ConformanceSuite", "plugin_registry", "pytest_addoption", "pytest_configure", "toy_declaration"]


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    group = parser.getgroup("vqa", "vqa corpus-plugin conformance kit")
    group.addoption(
        "--vqa-plugin",
        action="append",
        default=[],
        metavar="DIST",
        help="Run the conformance kit on this installed distribution (repeatable).",
    )
    group.addoption(
        "--vqa-corpus-pages",
        default=None,
        metavar="DIR",
        help="Check that DIR/<corpus-id>.md documents each corpus's editions, extension columns and clips folder.",
    )


def pytest_configure(config):  # type: ignore[no-untyped-def]
    config.addinivalue_line("markers", "vqa_conformance: a check of the vqa plugin conformance kit")
    if config.getoption("--vqa-plugin"):
        from pathlib import Path

        # Collect the kit's own test module next to whatever the user asked for.
        config.args.append(str(Path(__file__).with_name("auto.py")))


def _project_name(path: Path) -> str | None:
    """The ``[project] name`` of the nearest ``pyproject.toml`` enclosing ``path``."""
    for folder in path.resolve().parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            name = tomllib.loads(candidate.read_text(encoding="utf-8")).get("project", {}).get("name")
            return name if isinstance(name, str) else None
    return None


@pytest.fixture
def plugin_registry(request: pytest.FixtureRequest) -> Registry:
    """A strict registry holding only the plugin under test (the suite never depends on what else is installed).

    The plugin is the distributions named by ``--vqa-plugin``, else the project whose
    ``pyproject.toml`` encloses the test file. A broken plugin fails the test at setup.
    """
    from vqa_core.registry import Registry

    names: list[str] = list(request.config.getoption("--vqa-plugin") or [])
    if not names:
        project = _project_name(request.path)
        if project is None:
            pytest.fail(
                "plugin_registry: no pyproject.toml with a [project] name encloses "
                f"{request.path}; pass --vqa-plugin DIST",
                pytrace=False,
            )
        names = [project]
    return Registry.for_distributions(names, strict=True)
