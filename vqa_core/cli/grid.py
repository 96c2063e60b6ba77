"""``vqa ingest-grid`` (hidden): encode-grid rows of a corpus without subjective scores.

``vqa ingest <corpus>`` routes label-less corpora here; the command stays
available on its own for scripts and tests.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("ingest-grid", hidden=True)
@click.argument("corpus_id")
@click.option("--root", required=True, type=click.Path(path_type=Path), help="Folder of cached metric files.")
@click.option(
    "--metadata", multiple=True, type=click.Path(path_type=Path), help="Metric files (default: all)."
)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Grid rows (.jsonl).")
@click.option("--encoder", default="libx264", show_default=True)
@click.option("--preset", default="fast", show_default=True)
@click.option("--crf", default=35, show_default=True, type=int)
@click.option("--pix-fmt", default="yuv420p10le", show_default=True)
@click.option("--vmaf-model", default="vmaf_v0.6.1", show_default=True)
@click.option("--manifest-out", type=click.Path(path_type=Path))
@click.option("--timestamp", metavar="ISO", help="Row timestamp (default: SOURCE_DATE_EPOCH, else now).")
@click.pass_context
def ingest_grid(
    ctx: click.Context,
    corpus_id: str,
    root: Path,
    metadata: tuple[Path, ...],
    output: Path,
    encoder: str,
    preset: str,
    crf: int,
    pix_fmt: str,
    vmaf_model: str,
    manifest_out: Path | None,
    timestamp: str | None,
) -> None:
    """Write the encode-grid rows of a label-less corpus (BVI-DVC)."""
    from vqa_core.cli._common import load_registry
    from vqa_core.grid import ingest_grid as run_ingest
    from vqa_core.sources import GridSettings, SourceSpec
    from vqa_core.timestamps import run_timestamp

    for path in metadata:
        if not path.is_file():
            from vqa_core.errors import MetadataError

            raise MetadataError(f"metadata file not found: {path}", path=str(path))
    settings = GridSettings(
        encoder=encoder,
        preset=preset,
        crf=crf,
        pix_fmt=pix_fmt,
        vmaf_model=vmaf_model,
        timestamp=run_timestamp(timestamp),
    )
    source = SourceSpec(root=root, metadata=metadata, clips_dir=root)
    result = run_ingest(load_registry(ctx), corpus_id, source, settings, output, manifest_out=manifest_out)
    for rejection in result.rejections:
        click.echo(f"rejected: {rejection}", err=True)
    click.echo(
        f"wrote {result.rows_written:,} encode-grid rows, rejected {len(result.rejections):,} "
        f"-> {result.output}",
        err=True,
    )
    click.echo(f"manifest: {result.manifest}", err=True)
