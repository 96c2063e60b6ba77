"""``vqa corpora list`` checks what it shows; ``--strict`` and every command that uses a corpus check the rest.

The listing loads each plugin and checks its contract version, hooks and corpus
declarations. What a corpus's tables hold (extension columns, feature schemas)
needs pyarrow and the training schemas, so it is asked for, and checked, by
``--strict`` and by the commands that use it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = """
from vqa_core.plugin import CorpusDeclaration, Edition, hookimpl

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register):
    register(
        CorpusDeclaration(
            id="columns-example",
            title="A corpus whose extension column takes a base column's name",
            version="v1",
            scale="1-5",
            licence="CC BY 4.0",
            licence_url="https://example.org/licence",
            citation="A. Author. Columns. 2026.",
            homepage="https://example.org/columns",
            access="open",
            access_instructions="download it",
            editions=[Edition("v1", "scores.csv", 3)],
        )
    )


@hookimpl
def vqa_schema_extension(corpus):
    import pyarrow as pa

    return [pa.field("mos", pa.float64())]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    info = site / "vqa_columns_example-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vqa-columns-example\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[vqa.corpora]\nvqa_columns_example = vqa_columns_example\n")
    (info / "RECORD").write_text("")
    (site / "vqa_columns_example.py").write_text(PLUGIN)
    return site


def _vqa(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vqa_core", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=120,
    )


def test_the_listing_shows_the_declaration_and_strict_checks_the_columns(site: Path) -> None:
    listed = _vqa(site, "corpora", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [entry] = [e for e in json.loads(listed.stdout) if e["distribution"] == "vqa-columns-example"]
    assert (entry["id"], entry["status"]) == ("columns-example", "ok")

    strict = _vqa(site, "corpora", "list", "--json", "--strict")
    assert strict.returncode == 3  # a check that said no
    [broken] = [e for e in json.loads(strict.stdout) if e["distribution"] == "vqa-columns-example"]
    assert broken["status"] == "broken"
    assert "extension column 'mos' collides with the base schema" in broken["error"]
    assert "broken plugins: vqa-columns-example" in strict.stderr


def test_a_command_that_uses_the_corpus_checks_its_columns(site: Path, tmp_path: Path) -> None:
    info = _vqa(site, "corpora", "info", "columns-example")
    assert info.returncode == 2
    assert info.stderr.startswith("error: no installed plugin provides corpus 'columns-example'")
    ingest = _vqa(site, "ingest", "columns-example", "--root", str(tmp_path), "-o", str(tmp_path / "c.jsonl"))
    assert ingest.returncode == 2 and not (tmp_path / "c.jsonl").exists()


def test_a_registry_of_declarations_refuses_what_it_did_not_load() -> None:
    from vqa_core.registry import Registry

    registry = Registry.discover(declarations_only=True)
    assert "konvid-1k" in {c.id for c in registry.corpora}
    for ask in (
        lambda: registry.arrow_schema("konvid-1k"),
        registry.label_key_columns,
        lambda: registry.feature_schemas,
        lambda: registry.feature_schema("chug-hdr-display-v1"),
    ):
        with pytest.raises(RuntimeError, match="declarations only"):
            ask()
