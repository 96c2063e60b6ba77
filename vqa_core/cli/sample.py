"""``vqa sample``: a corpus's synthetic sample drop, in its published layout."""

from __future__ import annotations

import time
from pathlib import Path

import click

from vqa_core.cli._common import load_registry
from vqa_core.cli._output import emit, hint, json_option
from vqa_core.errors import UsageError


@click.command("sample")
@click.argument("corpus_id")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--clips", default=6, show_default=True, type=click.IntRange(min=1, max=10_000), help="Clips to generate."
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed: same seed, same bytes.")
@json_option
@click.pass_context
def command(
    ctx: click.Context, corpus_id: str, directory: Path, clips: int, seed: int, as_json: bool
) -> None:
    """Write a synthetic CORPUS_ID dataset into DIRECTORY (metadata as published + small clips)."""
    from vqa_core.sample import write_sample

    started = time.monotonic()
    registry = load_registry(ctx)
    registry.corpus(corpus_id)  # unknown id: one-line error naming what to install
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} exists and is not an empty directory")
    drop = write_sample(registry, corpus_id, directory, clips=clips, seed=seed)
    metadata = ", ".join(str(p) for p in drop.metadata) or "(none)"
    from vqa_core.cli.results.acquire import SampleResult

    emit(
        as_json,
        lambda: SampleResult.of(corpus_id, drop, seed=seed, elapsed_s=time.monotonic() - started),
        lambda: click.echo(f"{corpus_id}: wrote {drop.clips} clips and {metadata}"),
    )
    hint(f"ingest it with: vqa ingest {corpus_id} --root {drop.root} -o {corpus_id}.jsonl")
