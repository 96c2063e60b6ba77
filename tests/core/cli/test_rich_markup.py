"""Corpus- and user-provided strings in terminal tables are shown literally, never parsed as markup."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from rich.console import Console

from vqa_core.cli import main
from vqa_core.cli.demo import summary_tables
from vqa_core.demo import DemoResult
from vqa_core.report import summarise
from vqa_core.schema import UNIFIED_FIELDS

#: A closing tag with no opening one (rich raises), a style, and a link.
CLOSE, BOLD, LINK = "x[/bogus]", "[bold]b", "[link=https://x]l"
HOSTILE = f"{CLOSE} {BOLD} {LINK}"

PLUGIN = f"""
from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration, Edition

vqa_plugin_api = ">=1,<2"
HOSTILE = {HOSTILE!r}


@hookimpl
def vqa_register_corpora(register):
    register(
        CorpusDeclaration(
            id="markup-example",
            title=HOSTILE,
            version={CLOSE!r},
            scale="1-5",
            licence={BOLD!r} + " " + {LINK!r},
            licence_url="https://example.org/licence",
            citation=HOSTILE,
            homepage="https://example.org/markup",
            access="open",
            access_instructions=HOSTILE,
            editions=[Edition({CLOSE!r}, {BOLD!r} + ".csv", 3)],
            notes=HOSTILE,
        )
    )
"""


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, distribution_writer: Callable[[Path, str, str, str], None]
) -> Path:
    site = tmp_path_factory.mktemp("site")
    distribution_writer(site, "vqa-markup-example", "vqa_markup_example", PLUGIN)
    distribution_writer(site, "vqa-markup-broken", "vqa_markup_broken", f"raise RuntimeError({HOSTILE!r})\n")
    return site


def _vqa(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vqa_core", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200"},
        check=False,
    )


def test_corpora_list_shows_declared_strings_literally(site: Path) -> None:
    result = _vqa(site, "corpora", "list")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "markup-example" in line)
    assert CLOSE in row and f"{BOLD} {LINK}" in row
    # the broken plugin's error, which repeats the hostile text, is printed as written
    assert f"broken vqa-markup-broken: import failed: RuntimeError: {HOSTILE}" in result.stdout


def test_corpora_info_shows_declared_strings_literally(site: Path) -> None:
    result = _vqa(site, "corpora", "info", "markup-example")
    assert result.returncode == 0, result.stderr
    assert f"markup-example — {HOSTILE}" in result.stdout
    assert f"citation:    {HOSTILE}" in result.stdout
    assert f"known file:  {BOLD}.csv: 3 rows ({CLOSE})" in result.stdout


def _row(corpus: str, mos: float, codec: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(UNIFIED_FIELDS, "")
    row.update(
        src=f"{corpus}-{mos}",
        src_sha256=f"{int(mos):064x}",
        src_size_bytes=1,
        width=1280,
        height=720,
        framerate=30.0,
        duration_s=8.0,
        mos=mos,
        mos_native=mos,
        mos_std_dev=1.0,
        n_ratings=0,
        corpus=corpus,
        corpus_source=corpus,
        encoder_upstream=codec,
    )
    return row


@pytest.fixture
def unified(tmp_path: Path) -> Path:
    path = tmp_path / "u[bold].jsonl"
    rows = [_row(CLOSE, 40.0, BOLD), _row(CLOSE, 60.0, LINK)]
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def test_report_table_shows_corpus_and_format_strings_literally(unified: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(unified)])
    assert result.exit_code == 0, result.output
    assert "u[bold].jsonl" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("│ x["))
    assert CLOSE in row and f"{BOLD} (1)" in row and f"{LINK} (1)" in row


def test_demo_tables_show_corpus_and_rejection_strings_literally(unified: Path) -> None:
    result = DemoResult(
        out=unified.parent,
        summary=[{"corpus": CLOSE, "rows": 3, "written": 1, "skipped": {BOLD: 1, LINK: 1}}],
        report_rows=summarise(unified),
    )
    console = Console(record=True, width=200, file=open(os.devnull, "w"))  # noqa: SIM115
    for table in summary_tables(result):
        console.print(table)
    text = console.export_text()
    console.file.close()
    assert f"1 {BOLD}, 1 {LINK}" in text
    assert text.count(CLOSE) == 2  # the shard row and the per-corpus summary row
