"""``vqa verify``: are the clips on disk still the ones a shard describes? (click wiring only)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vqa_core.cli._common import verbosity_options
from vqa_core.cli._output import document_was_printed, json_option
from vqa_core.cli._progress import make_progress


@click.command("verify")
@click.argument("shard", type=click.Path(path_type=Path))
@click.option(
    "--root",
    required=True,
    type=click.Path(path_type=Path),
    help="Dataset root the shard's src paths are relative to.",
)
@click.option(
    "-o",
    "--report",
    type=click.Path(path_type=Path),
    help="Report (.jsonl, one line per clip; default: <shard stem>.verify.jsonl beside the shard).",
)
@json_option
@click.option(
    "--workers", type=click.IntRange(min=1), help="Clips checked at once (default: twice the CPU count)."
)
@click.option(
    "--probe", is_flag=True, help="Also re-probe each clip: width, height, framerate and pix_fmt must match."
)
@click.option("--restart", is_flag=True, help="Discard an unfinished check's state and start over.")
@verbosity_options
def command(
    shard: Path,
    root: Path,
    report: Path | None,
    as_json: bool,
    workers: int | None,
    probe: bool,
    restart: bool,
) -> None:
    """Re-hash every clip SHARD names under --root: ok, moved, missing or changed (exit 3 unless all ok).

    Resumable: rerun after an interruption to continue; a finished check is done afresh.
    """
    from vqa_core.verify import VerifyConfig, verify, write_json_document

    config = VerifyConfig(
        shard=shard, root=root, report=report, workers=workers, probe=probe, restart=restart
    )
    result = verify(
        config,
        progress=make_progress(labels=("ok", "not ok")),
        search_progress=make_progress(labels=("hashed", "unreadable")),
    )
    if as_json:
        from vqa_core.cli.results.tables import VerifyResult
        from vqa_core.documents import converter, json_safe

        head = json_safe(converter.unstructure(VerifyResult.head(result)))
        del head["clips"]  # streamed from the report file
        write_json_document(result, sys.stdout, head)
        document_was_printed()
    else:
        click.echo(result.summary())
    failure = result.failure()
    if failure is not None:
        raise failure
