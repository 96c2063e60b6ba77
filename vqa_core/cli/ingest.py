"""``vqa ingest``: one corpus into a verified, resumable shard."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from vqa_core.cli._common import executor_options, load_registry, verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._progress import make_progress
from vqa_core.errors import UsageError
from vqa_core.ingest.download import DownloadPolicy

if TYPE_CHECKING:
    from vqa_core.cli.results.acquire import IngestResult


@click.command("ingest")
@click.argument("corpus_id")
@click.option("--root", required=True, type=click.Path(path_type=Path), help="Dataset root (as published).")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="Shard: .jsonl or .parquet."
)
@click.option(
    "--metadata", multiple=True, type=click.Path(path_type=Path), help="Metadata file (repeatable)."
)
@click.option(
    "--clips-dir", type=click.Path(path_type=Path), help="Where the clips are, if not the published layout."
)
@click.option("--max-rows", type=click.IntRange(min=1), help="Read only the first N metadata rows.")
@click.option("--full", is_flag=True, help="Read every metadata row (the default; excludes --max-rows).")
@executor_options("twice the CPU count on local threads, else the CPU count")
@click.option(
    "--manifest-out", type=click.Path(path_type=Path), help="Manifest path (default: <output>.manifest.json)."
)
@click.option("--retry-failed", is_flag=True, help="Retry downloads that failed in earlier runs.")
@click.option("--offline", is_flag=True, help="Never download; missing clips are counted as missing.")
@click.option("--base-url", help="Download from this base URL instead of the published host (mirrors).")
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="HOST",
    help="Also download from HOST when the metadata's URLs name it (repeatable).",
)
@click.option("--timestamp", help="Fix ingested_at_utc (ISO 8601); SOURCE_DATE_EPOCH also works.")
@click.option("--restart", is_flag=True, help="Discard the resume state and the output, and start over.")
@click.option(
    "--verify/--no-verify",
    default=True,
    show_default=True,
    help="Demux every packet to catch truncated clips.",
)
@click.option(
    "--probe-timeout",
    type=click.FloatRange(min=0.0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds one read of a local clip may take while hashing or probing; a clip without progress "
    "for twice this is probe-timeout.",
)
@click.option(
    "--stall-timeout",
    type=click.FloatRange(min=0.0, min_open=True),
    default=DownloadPolicy().stall_timeout_s,
    show_default=True,
    help="Seconds a download may receive nothing before it is download-stalled (a download that is "
    "receiving data is never cut, however slow).",
)
@click.option(
    "--encoder", default="libx264", show_default=True, help="Encode grids only: encoder stamped on rows."
)
@click.option("--preset", default="fast", show_default=True, help="Encode grids only: preset.")
@click.option("--crf", default=35, show_default=True, type=int, help="Encode grids only: CRF.")
@click.option("--pix-fmt", default="yuv420p10le", show_default=True, help="Encode grids only: pixel format.")
@click.option("--vmaf-model", default="vmaf_v0.6.1", show_default=True, help="Encode grids only: VMAF model.")
@verbosity_options
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    corpus_id: str,
    root: Path,
    output: Path,
    metadata: tuple[Path, ...],
    clips_dir: Path | None,
    max_rows: int | None,
    full: bool,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    manifest_out: Path | None,
    retry_failed: bool,
    offline: bool,
    base_url: str | None,
    allow_hosts: tuple[str, ...],
    timestamp: str | None,
    restart: bool,
    verify: bool,
    probe_timeout: float,
    stall_timeout: float,
    encoder: str,
    preset: str,
    crf: int,
    pix_fmt: str,
    vmaf_model: str,
    as_json: bool,
) -> None:
    """Ingest CORPUS_ID from --root into a shard (resumable: rerun after an interruption)."""
    from vqa_core.ingest import IngestConfig, ingest

    if full and max_rows is not None:
        raise UsageError("--full and --max-rows exclude each other")
    registry = load_registry(ctx)
    corpus = registry.corpus(corpus_id)
    if not corpus.declaration.has_labels:
        _ingest_grid(
            ctx,
            corpus_id,
            root,
            output,
            metadata,
            manifest_out,
            timestamp,
            GridOptions(encoder, preset, crf, pix_fmt, vmaf_model),
            as_json,
        )
        return
    config = IngestConfig(
        corpus_id=corpus_id,
        root=root,
        output=output,
        metadata=metadata,
        clips_dir=clips_dir,
        max_rows=max_rows,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        retry_failed=retry_failed,
        offline=offline,
        timestamp=timestamp,
        base_url=base_url,
        allow_hosts=allow_hosts,
        manifest_out=manifest_out,
        restart=restart,
        verify=verify,
        probe_timeout_s=probe_timeout,
        download=DownloadPolicy(stall_timeout_s=stall_timeout),
    )
    report = ingest(registry, config, progress=make_progress())
    from vqa_core.cli.results.acquire import IngestResult

    result = IngestResult.of(report)
    emit(as_json, lambda: result, lambda: click.echo(report.summary()))
    _downloads_remain(result)


def _downloads_remain(result: IngestResult) -> None:
    """Exit 4 once the shard is written when clips still could not be downloaded."""
    from vqa_core.cli.results.acquire import DOWNLOAD_REASONS
    from vqa_core.errors import DownloadsRemainError

    if not result.downloads_remaining:
        return
    counts = {r: result.skipped[r] for r in DOWNLOAD_REASONS if result.skipped.get(r)}
    what = ", ".join(f"{n:,} {reason}" for reason, n in counts.items())
    raise DownloadsRemainError(
        f"{result.downloads_remaining:,} clip{'' if result.downloads_remaining == 1 else 's'} of "
        f"{result.corpus} could not be downloaded ({what}); "
        f"the shard holds the others: rerun with --retry-failed to try them again",
        counts=counts,
    )


@attrs.frozen
class GridOptions:
    encoder: str
    preset: str
    crf: int
    pix_fmt: str
    vmaf_model: str


def _ingest_grid(
    ctx: click.Context,
    corpus_id: str,
    root: Path,
    output: Path,
    metadata: tuple[Path, ...],
    manifest_out: Path | None,
    timestamp: str | None,
    options: GridOptions,
    as_json: bool,
) -> None:
    """Corpora without subjective scores (BVI-DVC) become encode-grid rows, not a clip shard."""
    from vqa_core.errors import MetadataError
    from vqa_core.grid import ingest_grid
    from vqa_core.sources import GridSettings, SourceSpec
    from vqa_core.timestamps import run_timestamp

    for path in metadata:
        if not path.is_file():
            raise MetadataError(f"metadata file not found: {path}", path=str(path))
    settings = GridSettings(
        encoder=options.encoder,
        preset=options.preset,
        crf=options.crf,
        pix_fmt=options.pix_fmt,
        vmaf_model=options.vmaf_model,
        timestamp=run_timestamp(timestamp),
    )
    source = SourceSpec(root=root, metadata=metadata, clips_dir=root)
    started = time.monotonic()
    result = ingest_grid(
        load_registry(ctx),
        corpus_id,
        source,
        settings,
        output,
        manifest_out=manifest_out,
        progress=make_progress(labels=None),
    )
    for rejection in result.rejections:
        click.echo(f"rejected: {rejection}", err=True)
    from vqa_core.cli.results.acquire import IngestGridResult

    emit(
        as_json,
        lambda: IngestGridResult.of(corpus_id, result, elapsed_s=time.monotonic() - started),
        lambda: click.echo(
            f"{corpus_id}: wrote {result.rows_written:,} encode-grid rows, rejected {len(result.rejections):,} "
            f"-> {result.output} (manifest {result.manifest})"
        ),
    )
