"""``vqa fetch``: a corpus's published archives, downloaded and unpacked safely."""

from __future__ import annotations

import time
from pathlib import Path

import click

from vqa_core.cli._common import load_registry, verbosity_options
from vqa_core.cli._output import emit, hint, json_option
from vqa_core.cli._progress import make_progress
from vqa_core.ingest.download import DownloadPolicy


@click.command("fetch")
@click.argument("corpus_id")
@click.option("--root", required=True, type=click.Path(path_type=Path), help="Dataset root to fill.")
@click.option("--base-url", help="Download from this base URL instead of the published host (mirrors).")
@click.option("--delete-archives", is_flag=True, help="Delete each zip once it is unpacked and verified.")
@click.option("--timestamp", help="Fix the manifest's timestamp (ISO 8601); SOURCE_DATE_EPOCH also works.")
@click.option(
    "--stall-timeout",
    type=click.FloatRange(min=0.0, min_open=True),
    default=DownloadPolicy().stall_timeout_s,
    show_default=True,
    help="Seconds a download may receive nothing before it counts as stalled (the partial file is kept "
    "and a rerun resumes it); a download that is receiving data is never cut, however slow.",
)
@verbosity_options
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    corpus_id: str,
    root: Path,
    base_url: str | None,
    delete_archives: bool,
    timestamp: str | None,
    stall_timeout: float,
    as_json: bool,
) -> None:
    """Download CORPUS_ID's published archives into --root (resumable, idempotent)."""
    from vqa_core.fetch import fetch

    started = time.monotonic()
    report = fetch(
        load_registry(ctx),
        corpus_id,
        root,
        base_url=base_url,
        delete_archives=delete_archives,
        timestamp=timestamp,
        policy=DownloadPolicy(stall_timeout_s=stall_timeout),
        progress=make_progress(labels=None),
    )
    from vqa_core.cli.results.acquire import FetchResult

    emit(
        as_json,
        lambda: FetchResult.of(report, elapsed_s=time.monotonic() - started),
        lambda: click.echo(report.summary()),
    )
    hint(f"next: vqa ingest {corpus_id} --root {root} -o {corpus_id}.jsonl")
