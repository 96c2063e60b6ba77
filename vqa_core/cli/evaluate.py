"""``vqa evaluate``: the field's evaluation protocols on a labelled feature table."""

from __future__ import annotations

from pathlib import Path

import click

from vqa_core.cli._common import fit_options, verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._plugins import feature_schema_option
from vqa_core.evaluation.protocols import PROTOCOLS


def _sets(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.command("evaluate")
@click.argument("table", type=click.Path(path_type=Path))
@feature_schema_option("Which features, in which order, each model reads")
@click.option(
    "--protocol",
    type=click.Choice(PROTOCOLS),
    default="kfold",
    show_default=True,
    help="kfold: grouped K-fold; repeated-holdout: grouped random splits, median and IQR; "
    "official: each corpus's published train split against its test splits; "
    "cross-corpus: train on --train, test on each --test.",
)
@click.option("--folds", default=5, show_default=True, type=click.IntRange(min=2), help="K for kfold.")
@click.option(
    "--repeats",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Splits for repeated-holdout.",
)
@click.option(
    "--test-fraction",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    help="Share of rows held out per repeat (whole content groups).",
)
@click.option("--train", "train_set", metavar="SET", help="cross-corpus: CORPUS or CORPUS:SPLIT to train on.")
@click.option(
    "--test",
    "test_sets",
    metavar="SET[,SET…]",
    multiple=True,
    help="cross-corpus: CORPUS or CORPUS:SPLIT to test on; comma-separated or repeated.",
)
@click.option(
    "--seed", default=20260508, show_default=True, type=int, help="Same table and seed, same bytes."
)
@click.option(
    "--bootstrap",
    "resamples",
    default=1000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Bootstrap resamples for the 95 % intervals (0: no intervals).",
)
@click.option(
    "--ignore-groups",
    is_flag=True,
    help="Split rows, not content groups: clips of one content may land on both sides (results marked leaky).",
)
@fit_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write an HTML report with scatter plots here (.html), and the result beside it as a sidecar.",
)
@json_option
@click.option("--timestamp", help="Fix the sidecar time (ISO 8601); SOURCE_DATE_EPOCH also works.")
@verbosity_options
@click.pass_context
def command(
    ctx: click.Context,
    table: Path,
    feature_schema: str,
    protocol: str,
    folds: int,
    repeats: int,
    test_fraction: float,
    train_set: str | None,
    test_sets: tuple[str, ...],
    seed: int,
    resamples: int,
    ignore_groups: bool,
    epochs: int,
    batch_size: int,
    lr: float,
    out: Path | None,
    as_json: bool,
    timestamp: str | None,
) -> None:
    """Train and test MOS heads under one evaluation protocol; a row of metrics per test set.

    Splits keep every content group on one side. Metrics (SROCC, KROCC, PLCC, PLCC after a
    four-parameter logistic fit, RMSE) are on the 0-100 axis, each with a 95 % bootstrap interval.
    """
    from vqa_core.cli._plugins import plugins_when_needed
    from vqa_core.cli._progress import make_progress
    from vqa_core.evaluation.run import EvaluateConfig, run_evaluation
    from vqa_core.train.model import FitSettings

    config = EvaluateConfig(
        table=table,
        feature_schema=feature_schema,
        protocol=protocol,
        folds=folds,
        repeats=repeats,
        test_fraction=test_fraction,
        train_set=train_set,
        test_sets=_sets(test_sets),
        seed=seed,
        resamples=resamples,
        ignore_groups=ignore_groups,
        fit=FitSettings(epochs=epochs, batch_size=batch_size, lr=lr),
    )
    evaluation = run_evaluation(
        config,
        out,
        timestamp=timestamp,
        plugins=plugins_when_needed(ctx),
        progress=make_progress(labels=None),
    )
    from vqa_core.cli.results.learn import EvaluateResult
    from vqa_core.evaluation.render import markdown_table

    emit(
        as_json,
        lambda: EvaluateResult.of(evaluation, report=out),
        lambda: click.echo(markdown_table(evaluation.document)),
    )
    if out is not None:
        click.echo(f"report: {out}", err=True)
