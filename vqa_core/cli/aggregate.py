"""``vqa aggregate``: click wiring for :func:`vqa_core.aggregate.aggregate`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vqa_core.cli._common import load_registry, verbosity_options
from vqa_core.cli._output import emit, json_option, warn
from vqa_core.cli._progress import make_progress

if TYPE_CHECKING:
    from vqa_core.aggregate import AggregateResult


@click.command("aggregate")
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Unified table (.jsonl or .parquet).",
)
@click.option(
    "--override",
    "overrides",
    multiple=True,
    metavar="SHARD=ID",
    help="Label every row of SHARD as corpus ID (shard matched by resolved path). Repeatable.",
)
@click.option(
    "--manifest-out",
    type=click.Path(path_type=Path),
    help="Manifest path (default: the output with its suffix replaced by .manifest.json).",
)
@click.option(
    "--on-unknown",
    type=click.Choice(["error", "skip"]),
    default="error",
    show_default=True,
    help="A corpus no installed plugin provides: stop with an error, or skip and count its rows.",
)
@click.option(
    "--timestamp",
    metavar="ISO",
    help="aggregated_at_utc of every row (default: SOURCE_DATE_EPOCH, else now).",
)
@verbosity_options
@json_option
@click.pass_context
def aggregate(
    ctx: click.Context,
    shards: tuple[Path, ...],
    output: Path,
    overrides: tuple[str, ...],
    manifest_out: Path | None,
    on_unknown: str,
    timestamp: str | None,
    as_json: bool,
) -> None:
    """Build one table on the unified 0–100 MOS axis from corpus shards.

    Each row is converted by its corpus plugin's scale conversion (mos and
    mos_std_dev), range-checked on its native scale, and deduplicated across
    corpora by src_sha256, keeping the smallest converted spread.
    """
    from vqa_core.aggregate import aggregate as run_aggregate
    from vqa_core.aggregate import parse_override
    from vqa_core.tables.shards import shard_output_format

    started = time.monotonic()
    shard_output_format(output)  # refuse an unsupported suffix before discovering plugins
    parsed = [parse_override(text) for text in overrides]
    registry = load_registry(ctx)
    result = run_aggregate(
        registry,
        list(shards),
        output,
        overrides=parsed,
        on_unknown="skip" if on_unknown == "skip" else "error",
        manifest_out=manifest_out,
        timestamp=timestamp,
        progress=make_progress(labels=None),
    )
    for message in result.messages:
        warn(message)
    from vqa_core.cli.results.tables import AggregateResult as Document

    emit(
        as_json,
        lambda: Document.of(result, list(shards), elapsed_s=time.monotonic() - started),
        lambda: _summary(result, len(shards)),
    )


def _summary(result: AggregateResult, shards: int) -> None:
    duplicates = result.same_corpus_duplicates + result.cross_corpus_duplicates
    click.echo(
        f"aggregated {result.rows_out:,} rows from {shards} shard{'s' if shards != 1 else ''} "
        f"({result.rows_in:,} read, {result.dropped_total:,} dropped, {duplicates:,} duplicates: "
        f"{result.cross_corpus_duplicates:,} across corpora) -> {result.output}"
    )
    for corpus, counts in result.corpora.items():
        click.echo(
            f"  {corpus}: {counts['rows_in']:,} in, {counts['rows_out']:,} out, "
            f"{counts['dropped']:,} dropped, {counts['duplicates']:,} duplicates"
        )
    click.echo(f"manifest: {result.manifest}")
