"""``vqa predict``: MOS predictions from an exported model (onnxruntime only)."""

from __future__ import annotations

from pathlib import Path

import click

from vqa_core.cli._common import verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._progress import make_progress


@click.command("predict")
@click.option(
    "--model",
    required=True,
    type=click.Path(path_type=Path),
    help="mos_head.onnx written by vqa train mos-head.",
)
@click.option(
    "--table",
    required=True,
    type=click.Path(path_type=Path),
    help="Feature table (.parquet/.jsonl/.json/.csv).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Output: .parquet, .jsonl or .json.",
)
@click.option("--timestamp", help="Fix the manifest time (ISO 8601); SOURCE_DATE_EPOCH also works.")
@verbosity_options
@json_option
@click.pass_context
def command(
    ctx: click.Context, model: Path, table: Path, output: Path, timestamp: str | None, as_json: bool
) -> None:
    """Add mos_pred (1-5) to every row of --table that has the model's features."""
    from vqa_core.cli._plugins import plugins_when_needed
    from vqa_core.train.predict import predict

    report = predict(
        model,
        table,
        output,
        timestamp=timestamp,
        plugins=plugins_when_needed(ctx),
        progress=make_progress(labels=None),
    )
    from vqa_core.cli.results.learn import PredictResult

    emit(
        as_json,
        lambda: PredictResult.of(report, model=model, table=table),
        lambda: click.echo(report.summary()),
    )
