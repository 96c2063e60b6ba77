"""``vqa features extract``: no-reference features of every clip of a shard."""

from __future__ import annotations

from pathlib import Path

import click

from vqa_core.cli._common import executor_options, verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._progress import make_progress


@click.group("features")
def group() -> None:
    """Clip features computed from decoded frames."""


@group.command("extract")
@click.argument("shard", type=click.Path(path_type=Path))
@click.option(
    "--root",
    required=True,
    type=click.Path(path_type=Path),
    help="Dataset root the shard's src is relative to.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="Features: .parquet or .jsonl."
)
@click.option(
    "--sample-fps",
    type=click.FloatRange(min=0.0, min_open=True),
    help="Frames per second to compute features on (default: every frame).",
)
@executor_options()
@click.option("--timestamp", help="Fix the manifest time (ISO 8601); SOURCE_DATE_EPOCH also works.")
@click.option("--restart", is_flag=True, help="Discard the resume state and the output, and start over.")
@verbosity_options
@json_option
def extract(
    shard: Path,
    root: Path,
    output: Path,
    workers: int | None,
    sample_fps: float | None,
    executor: str,
    scheduler: str | None,
    timestamp: str | None,
    restart: bool,
    as_json: bool,
) -> None:
    """Compute vqa-nr-v1 features for every clip of SHARD (resumable: rerun after an interruption)."""
    from vqa_core.features import FeatureConfig, extract_features

    report = extract_features(
        FeatureConfig(
            shard=shard,
            root=root,
            output=output,
            workers=workers,
            sample_fps=sample_fps,
            executor=executor,
            scheduler=scheduler,
            timestamp=timestamp,
            restart=restart,
        ),
        progress=make_progress(),
    )
    from vqa_core.cli.results.learn import FeaturesResult

    emit(as_json, lambda: FeaturesResult.of(report), lambda: click.echo(report.summary()))
