"""``vqa fetch``: a corpus's published archives, downloaded and unpacked safely."""

from __future__ import annotations

from pathlib import Path

import click

from vqa_core.cli._common import load_registry


@click.command("fetch")
@click.argument("corpus_id")
@click.option("--root", required=True, type=click.Path(path_type=Path), help="Dataset root to fill.")
@click.option("--base-url", help="Download from this base URL instead of the published host (mirrors).")
@click.option("--delete-archives", is_flag=True, help="Delete each zip once it is unpacked and verified.")
@click.option("--timestamp", help="Fix the manifest's timestamp (ISO 8601); SOURCE_DATE_EPOCH also works.")
@click.pass_context
def command(
    ctx: click.Context,
    corpus_id: str,
    root: Path,
    base_url: str | None,
    delete_archives: bool,
    timestamp: str | None,
) -> None:
    """Download CORPUS_ID's published archives into --root (resumable, idempotent)."""
    from vqa_core.fetch import fetch

    report = fetch(
        load_registry(ctx),
        corpus_id,
        root,
        base_url=base_url,
        delete_archives=delete_archives,
        timestamp=timestamp,
    )
    click.echo(report.summary())
    click.echo(f"next: vqa ingest {corpus_id} --root {root} -o {corpus_id}.jsonl")
