"""``vqa report``: click wiring for :mod:`vqa_core.report`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vqa_core.cli._output import emit, json_option

if TYPE_CHECKING:
    from vqa_core.report import Summary


@click.command("report")
@click.argument("unified", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Also write a report: .html (with histograms) or .png.",
)
@json_option
@click.option(
    "--timestamp", metavar="ISO", help="Time shown in the report (default: SOURCE_DATE_EPOCH, else now)."
)
def report(unified: Path, output: Path | None, as_json: bool, timestamp: str | None) -> None:
    """Summarise a unified table per corpus: rows, MOS on 0–100, spread coverage, formats."""
    from vqa_core.report import report_format, require_plots, summarise, write_report

    started = time.monotonic()
    if output is not None:
        report_format(output)  # refuse an unsupported suffix before reading anything
        require_plots()
        from vqa_core.fsutil import manifest_path_for

        if manifest_path_for(output).resolve() == manifest_path_for(unified.resolve()):
            from vqa_core.errors import UsageError

            raise UsageError(
                f"the report's manifest would overwrite the manifest of {unified}; "
                "give the report another name"
            )
    if not unified.is_file():
        from vqa_core.errors import ShardError

        raise ShardError(f"unified table not found: {unified}", path=str(unified))
    summary = summarise(unified)
    manifest = None
    if output is not None:
        from vqa_core import __version__

        manifest = write_report(summary, output, timestamp=timestamp, versions={"vqa-core": __version__})
        click.echo(f"report: {output}", err=True)
        click.echo(f"manifest: {manifest}", err=True)
    from vqa_core.cli.results.tables import ReportResult

    emit(
        as_json,
        lambda: ReportResult.of(
            summary, elapsed_s=time.monotonic() - started, output=output, manifest=manifest
        ),
        lambda: _print_table(unified, summary),
    )


def _print_table(unified: Path, summary: Summary) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from vqa_core.report import HEADINGS, table_rows

    # Text, not markup: the path and the corpus and format names come from the user and the data.
    table = Table(title=Text(f"{unified} — MOS on the unified 0–100 axis"), title_justify="left")
    for heading in HEADINGS:
        table.add_column(heading, justify="right" if heading.startswith(("rows", "MOS", "std")) else "left")
    rows = table_rows(summary)
    for i, row in enumerate(rows):
        table.add_row(*map(Text, row), style="bold" if i == len(rows) - 1 else None)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
