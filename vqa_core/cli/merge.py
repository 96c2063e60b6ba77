"""``vqa merge-grid``: click wiring for :func:`vqa_core.merge.merge_grid`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vqa_core.cli._common import verbosity_options
from vqa_core.cli._output import emit, json_option, warn
from vqa_core.cli._progress import make_progress

if TYPE_CHECKING:
    from vqa_core.merge import MergeResult


@click.command("merge-grid")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Merged grid (.jsonl).")
@click.option(
    "--on-conflict",
    type=click.Choice(["error", "keep-first"]),
    default="error",
    show_default=True,
    help="A duplicate (src_sha256, encoder, preset, crf) with different scores: stop, or keep the first row.",
)
@click.option(
    "--manifest-out",
    type=click.Path(path_type=Path),
    help="Manifest path (default: the output with its suffix replaced by .manifest.json).",
)
@click.option("--timestamp", metavar="ISO", help="Manifest time (default: SOURCE_DATE_EPOCH, else now).")
@verbosity_options
@json_option
@click.pass_context
def merge_grid(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    output: Path,
    on_conflict: str,
    manifest_out: Path | None,
    timestamp: str | None,
    as_json: bool,
) -> None:
    """Merge two or more encode-grid JSONL files, dropping duplicate encodes.

    Every row must carry the 54 encode-grid keys. Rows are duplicates when
    (src_sha256, encoder, preset, crf) match, preset and crf compared by value;
    the first one (in the order given) is kept.
    """
    from vqa_core.cli._common import load_registry
    from vqa_core.merge import merge_grid as run_merge

    started = time.monotonic()
    registry = load_registry(ctx)
    result = run_merge(
        list(inputs),
        output,
        on_conflict="keep-first" if on_conflict == "keep-first" else "error",
        manifest_out=manifest_out,
        timestamp=timestamp,
        versions=registry.versions(),
        progress=make_progress(labels=None),
    )
    for conflict in result.conflicts:
        warn(f"kept the first row: {conflict}")
    from vqa_core.cli.results.tables import MergeGridResult

    emit(
        as_json,
        lambda: MergeGridResult.of(result, elapsed_s=time.monotonic() - started),
        lambda: _summary(result, len(inputs)),
    )


def _summary(result: MergeResult, inputs: int) -> None:
    click.echo(
        f"merged {result.rows_in:,} rows from {inputs} inputs into {result.rows_out:,} "
        f"({result.duplicates:,} duplicates, {len(result.conflicts):,} conflicts, "
        f"{result.unique_sources:,} sources) -> {result.output}"
    )
    click.echo(f"manifest: {result.manifest}")
