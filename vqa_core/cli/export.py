"""``vqa export``: a table in the files DOVER/FAST-VQA, pyiqa, Hugging Face datasets or a spreadsheet read."""

from __future__ import annotations

import time
from pathlib import Path

import click

from vqa_core.cli._common import load_registry, verbosity_options
from vqa_core.cli._output import emit, json_option, warn
from vqa_core.cli._progress import make_progress
from vqa_core.export.common import FORMATS, GROUPINGS


@click.command("export")
@click.argument("table", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(FORMATS),
    help="dover: DOVER/FAST-VQA label files; pyiqa: meta-info CSV; hf: Hugging Face datasets "
    "(needs vqa-core[hf]); csv: every column.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write (an earlier export is replaced).",
)
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    default="none",
    show_default=True,
    help="One file (or DatasetDict key) per corpus, per split (rows without one: 'unsplit'), or one in all.",
)
@click.option(
    "--paths",
    type=click.Choice(("relative", "absolute")),
    default="relative",
    show_default=True,
    help="Clip paths as the table's src (relative to the corpus root), or absolute under --root.",
)
@click.option(
    "--root",
    "roots",
    multiple=True,
    metavar="CORPUS=DIR",
    help="Dataset root of a corpus, for --paths absolute (repeat for each corpus in the table).",
)
@click.option(
    "--mos",
    type=click.Choice(("0-100", "native")),
    default="0-100",
    show_default=True,
    help="MOS axis: the unified 0-100 mos, or mos_native (each corpus's published scale).",
)
@click.option("--timestamp", help="created_at_utc of the manifest (default: now).")
@json_option
@verbosity_options
@click.pass_context
def command(
    ctx: click.Context,
    table: Path,
    fmt: str,
    out: Path,
    by: str,
    paths: str,
    roots: tuple[str, ...],
    mos: str,
    timestamp: str | None,
    as_json: bool,
) -> None:
    """Write TABLE (a unified or labelled table) as label files other tools train with, into --out.

    Nothing is uploaded. Corpora whose licence does not permit redistribution are named on stderr.
    """
    from vqa_core.export import ExportConfig, export_table, parse_roots

    started = time.monotonic()
    config = ExportConfig(
        table=table,
        format=fmt,
        out=out,
        by=by,
        paths=paths,
        mos=mos,
        roots=parse_roots(roots),
        timestamp=timestamp,
    )
    result = export_table(config, load_registry(ctx), progress=make_progress(labels=None))
    for warning in result.warnings:
        warn(warning)
    from vqa_core.cli.results.tables import ExportResult

    def human() -> None:
        click.echo(result.summary())
        for written in result.files:
            click.echo(f"  {written.key}: {written.rows} rows -> {out / written.path}")

    emit(as_json, lambda: ExportResult.of(result, elapsed_s=time.monotonic() - started), human)
