"""``vqa train mos-head``: fit, validate, gate and export a MOS head."""

from __future__ import annotations

from pathlib import Path

import click

from vqa_core.cli._common import fit_options, verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._plugins import feature_schema_option
from vqa_core.cli._progress import make_progress
from vqa_core.errors import GateFailedError


@click.group("train")
def group() -> None:
    """Train predictors on labelled feature tables (needs vqa-core[train])."""


@group.command("mos-head")
@click.option(
    "--table",
    type=click.Path(path_type=Path),
    help="Training table: features plus mos (1-5) or mos_raw_0_100.",
)
@feature_schema_option("Which features, in which order, the model reads")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory for mos_head.onnx and its sidecar.",
)
@click.option("--smoke", is_flag=True, help="Train on a generated table (seconds); no --table.")
@click.option(
    "--gate",
    is_flag=True,
    help="Exit 3 when the pooled metrics fail the gate (the model and its sidecar are still written).",
)
@click.option(
    "--folds", default=5, show_default=True, type=click.IntRange(min=2), help="K for K-fold validation."
)
@click.option(
    "--seed", default=20260508, show_default=True, type=int, help="Seed: same table and seed, same bytes."
)
@click.option(
    "--display-profile",
    type=click.Path(path_type=Path),
    help="Display-profile JSON, for a schema with display features (ignored, with a note, by others).",
)
@click.option(
    "--ignore-groups",
    is_flag=True,
    help="Fold rows, not content groups: clips of one content may land on both sides (sidecar marked leaky).",
)
@fit_options
@click.option("--timestamp", help="Fix the sidecar time (ISO 8601); SOURCE_DATE_EPOCH also works.")
@verbosity_options
@json_option
@click.pass_context
def mos_head(
    ctx: click.Context,
    table: Path | None,
    feature_schema: str,
    out: Path,
    smoke: bool,
    gate: bool,
    folds: int,
    seed: int,
    display_profile: Path | None,
    ignore_groups: bool,
    epochs: int,
    batch_size: int,
    lr: float,
    timestamp: str | None,
    as_json: bool,
) -> None:
    """Train a MOS head on --table (or --smoke) and export it as ONNX with a JSON sidecar."""
    from vqa_core.cli._plugins import plugins_when_needed
    from vqa_core.train import FitSettings, TrainConfig, train_mos_head

    report = train_mos_head(
        TrainConfig(
            out=out,
            feature_schema=feature_schema,
            table=table,
            smoke=smoke,
            folds=folds,
            seed=seed,
            display_profile=display_profile,
            ignore_groups=ignore_groups,
            fit=FitSettings(epochs=epochs, batch_size=batch_size, lr=lr),
            timestamp=timestamp,
        ),
        plugins=plugins_when_needed(ctx),
        progress=make_progress(labels=None),
    )
    from vqa_core.cli.results.learn import TrainResult

    emit(
        as_json,
        lambda: TrainResult.of(report, feature_schema=feature_schema, gate_enforced=gate),
        lambda: click.echo(report.summary()),
    )
    if gate and not report.gate["passed"]:
        raise GateFailedError(
            "gate failed: " + "; ".join(report.gate["failures"]) + f" (details in {report.sidecar})",
            failures=tuple(report.gate["failures"]),
            sidecar=str(report.sidecar),
        )
