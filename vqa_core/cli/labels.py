"""``vqa labels materialize``: MOS labels joined onto a feature table."""

from __future__ import annotations

import time
from pathlib import Path

import click

from vqa_core.cli._common import verbosity_options
from vqa_core.cli._output import emit, json_option
from vqa_core.cli._progress import make_progress


@click.group("labels")
def group() -> None:
    """MOS labels: join them onto feature tables."""


@group.command("materialize")
@click.option(
    "--features",
    required=True,
    type=click.Path(path_type=Path),
    help="Feature table (.parquet/.jsonl/.json/.csv).",
)
@click.option(
    "--labels",
    "labels",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path),
    help="Labels file; repeatable. Corpus shards and aggregated tables work as they are.",
)
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Output: .parquet, .jsonl or .json."
)
@click.option("--audit-json", type=click.Path(path_type=Path), help="Also write the join audit here (.json).")
@click.option("--feature-key-column", help="Key column of the feature table (default: inferred).")
@click.option("--label-key-column", help="Key column of the labels files (default: inferred per file).")
@click.option("--label-mos-column", help="MOS column of the labels files (default: inferred per file).")
@click.option(
    "--key-normalize",
    type=click.Choice(["auto", "raw", "basename", "stem"]),
    default="auto",
    show_default=True,
    help="How keys are compared.",
)
@click.option("--feature-key-regex", help="Regex applied to feature keys (group 1 if present).")
@click.option("--label-key-regex", help="Regex applied to label keys (group 1 if present).")
@click.option(
    "--label-scale",
    type=click.Choice(["auto", "1-5", "0-100"]),
    default="auto",
    show_default=True,
    help="Scale of the labels' MOS column; auto decides from the whole column or refuses.",
)
@click.option(
    "--min-match-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.95,
    show_default=True,
    help="Least share of unique feature keys that must find a label; below it nothing is written.",
)
@click.option("--overwrite", is_flag=True, help="Replace MOS columns the feature table already has.")
@click.option("--timestamp", help="Fix the manifest time (ISO 8601); SOURCE_DATE_EPOCH also works.")
@verbosity_options
@json_option
@click.pass_context
def materialize(
    ctx: click.Context,
    features: Path,
    labels: tuple[Path, ...],
    out: Path,
    audit_json: Path | None,
    feature_key_column: str | None,
    label_key_column: str | None,
    label_mos_column: str | None,
    key_normalize: str,
    feature_key_regex: str | None,
    label_key_regex: str | None,
    label_scale: str,
    min_match_rate: float,
    overwrite: bool,
    timestamp: str | None,
    as_json: bool,
) -> None:
    """Join MOS labels onto the rows of --features and write --out (mos on 1-5, mos_raw_0_100)."""
    from vqa_core.cli._plugins import plugins_when_needed
    from vqa_core.labels import MaterializeConfig, materialize_labels

    started = time.monotonic()
    report = materialize_labels(
        MaterializeConfig(
            features=features,
            labels=labels,
            out=out,
            audit_json=audit_json,
            feature_key_column=feature_key_column,
            label_key_column=label_key_column,
            label_mos_column=label_mos_column,
            key_normalize=key_normalize,
            feature_key_regex=feature_key_regex,
            label_key_regex=label_key_regex,
            label_scale=label_scale,
            min_match_rate=min_match_rate,
            overwrite=overwrite,
            timestamp=timestamp,
        ),
        plugins=plugins_when_needed(ctx),
        progress=make_progress(labels=None),
    )
    from vqa_core.cli.results.learn import LabelsResult

    emit(
        as_json,
        lambda: LabelsResult.of(report, audit=audit_json, elapsed_s=time.monotonic() - started),
        lambda: click.echo(report.summary()),
    )
