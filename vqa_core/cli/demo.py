"""``vqa demo``: the whole pipeline on the embedded sample drops (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vqa_core.cli._common import load_registry, verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._verbosity import verbosity

if TYPE_CHECKING:
    from rich.table import Table

    from vqa_core.demo import DemoResult


@click.command("demo")
@click.option(
    "--out",
    default="demo-output",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder to (re)create.",
)
@click.option(
    "--clips", default=6, show_default=True, type=click.IntRange(min=2, max=200), help="Clips per corpus."
)
@verbosity_options
@json_option
@click.pass_context
def command(ctx: click.Context, out: Path, clips: int, as_json: bool) -> None:
    """Sample, ingest and summarise every installed corpus into --out."""
    import logging
    import time

    from vqa_core.demo import run_demo

    started = time.monotonic()
    asked = verbosity(ctx)
    if not asked.verbose:  # sample drops are not known editions; that is expected, and not news
        logging.getLogger("vqa").setLevel(logging.ERROR)
    registry = load_registry(ctx)

    def say(line: str) -> None:
        # the step-by-step account is the human summary; beside a JSON document it is a log,
        # and -q drops it (the results, tables and artefacts, stay)
        if not asked.quiet:
            click.echo(line, err=as_json)

    say(f"vqa demo: {len(registry.corpora)} installed corpora -> {out}")
    result = run_demo(registry, out, clips=clips, echo=say)
    from vqa_core.cli.results.demo import DemoResult as Document

    emit(as_json, lambda: Document.of(result, elapsed_s=time.monotonic() - started), lambda: _closing(result))


def _closing(result: DemoResult) -> None:
    from rich.console import Console

    console = Console(width=160)
    for table in summary_tables(result):
        console.print(table)
    for name, path in result.artefacts.items():
        click.echo(f"{name}: {path}")


def summary_tables(result: DemoResult) -> list[Table]:
    """The demo's closing tables: the shards ingested and, when there is one, the unified summary."""
    from rich.table import Table
    from rich.text import Text

    # Text, not markup: corpus ids, rejection reasons and formats come from plugins and data.
    table = Table(title="Ingested sample shards", title_justify="left")
    for column in ("corpus", "rows read", "written", "skipped"):
        table.add_column(column)
    for row in result.summary:
        skipped = ", ".join(f"{n} {k}" for k, n in row["skipped"].items()) or "-"
        table.add_row(
            Text(str(row["corpus"])), Text(str(row["rows"])), Text(str(row["written"])), Text(skipped)
        )
    tables = [table]
    if result.report_rows is not None:
        from vqa_core.report import HEADINGS, table_rows

        summary_table = Table(title="Unified table, per corpus (MOS on 0–100)", title_justify="left")
        for heading in HEADINGS:
            summary_table.add_column(heading)
        for cells in table_rows(result.report_rows):
            summary_table.add_row(*map(Text, cells))
        tables.append(summary_table)
    return tables
