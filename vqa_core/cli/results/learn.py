"""Documents of the commands that learn from a table: ``features extract``, ``labels
materialize``, ``train mos-head``, ``predict``, ``evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from vqa_core.cli.results.base import Result, doc, from_plain
from vqa_core.documents import omit_none

if TYPE_CHECKING:
    from vqa_core.evaluation.run import Evaluation
    from vqa_core.features.engine import FeatureReport
    from vqa_core.labels import MaterializeReport
    from vqa_core.train.predict import PredictReport
    from vqa_core.train.trainer import TrainReport

__all__ = [
    "FeaturesResult",
    "LabelCounts",
    "LabelsResult",
    "Metrics",
    "FoldMetrics",
    "Gate",
    "TrainRows",
    "TrainResult",
    "PredictResult",
    "Grouping",
    "EvaluationRows",
    "EvaluationOptions",
    "EvaluationFit",
    "EvaluateResult",
]


@attrs.frozen(kw_only=True)
class FeaturesResult(Result):
    """`vqa features extract`: no-reference features of every clip of a shard."""

    COMMAND = "features extract"
    SCHEMA = "vqa-features-result-v1"

    output: Path = attrs.field(metadata=doc("the feature table"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    rejections: Path = attrs.field(metadata=doc("clips without features, with the reason (`.jsonl`)"))
    rows_read: int = attrs.field(metadata=doc("clips of the shard"))
    written: int = attrs.field(metadata=doc("rows written"))
    skipped: dict[str, int] = attrs.field(metadata=doc("clips without features, per reason"))
    reused: int = attrs.field(metadata=doc("clips decided by an earlier, interrupted run"))
    processed: int = attrs.field(metadata=doc("clips decoded by this run"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the extraction, seconds"))

    @classmethod
    def of(cls, report: FeatureReport) -> FeaturesResult:
        return cls(
            output=report.output,
            manifest=report.manifest,
            rejections=report.rejections,
            rows_read=report.rows_read,
            written=report.written,
            skipped=dict(sorted(report.skipped.items())),
            reused=report.reused,
            processed=report.processed,
            elapsed_s=report.elapsed_s,
        )


@attrs.frozen(kw_only=True)
class LabelCounts:
    """How the join went, in rows, keys and labels."""

    input_rows: int = attrs.field(metadata=doc("rows of the feature table"))
    output_rows: int = attrs.field(metadata=doc("rows written"))
    unique_feature_keys: int = attrs.field(metadata=doc("distinct keys of the feature table"))
    unkeyed_feature_rows: int = attrs.field(metadata=doc("feature rows without a key"))
    matched_feature_keys: int = attrs.field(metadata=doc("feature keys that found a label"))
    matched_rows: int = attrs.field(metadata=doc("feature rows that got a label"))
    missing_rows: int = attrs.field(metadata=doc("feature rows without a label"))
    labels_loaded: int = attrs.field(metadata=doc("distinct labels read"))
    duplicate_labels_ignored: int = attrs.field(metadata=doc("identical repeated labels"))
    rejected_labels: int = attrs.field(metadata=doc("labels refused (see `rejected_by_reason`)"))


@omit_none
@attrs.frozen(kw_only=True)
class LabelsResult(Result):
    """`vqa labels materialize`: MOS labels joined onto a feature table."""

    COMMAND = "labels materialize"
    SCHEMA = "vqa-labels-result-v1"

    out: Path = attrs.field(metadata=doc("the labelled table"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar (holds the whole join audit)"))
    match_rate: float = attrs.field(metadata=doc("share of feature keys that found a label"))
    min_match_rate: float = attrs.field(metadata=doc("the least share asked for (`--min-match-rate`)"))
    counts: LabelCounts = attrs.field(metadata=doc("rows, keys and labels"))
    rejected_by_reason: dict[str, int] = attrs.field(metadata=doc("labels refused, per reason"))
    columns_added: list[str] = attrs.field(metadata=doc("columns the join added"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))
    audit: Path | None = attrs.field(default=None, metadata=doc("the audit written (`--audit-json`)"))

    @classmethod
    def of(cls, report: MaterializeReport, *, audit: Path | None, elapsed_s: float) -> LabelsResult:
        found = report.audit
        return cls(
            out=report.out,
            manifest=report.manifest,
            match_rate=found["match_rate"],
            min_match_rate=found["min_match_rate"],
            counts=from_plain(found["counts"], LabelCounts),
            rejected_by_reason=dict(found["rejected_by_reason"]),
            columns_added=list(found["columns"]["added"]),
            elapsed_s=elapsed_s,
            audit=audit,
        )


@attrs.frozen(kw_only=True)
class Metrics:
    """Agreement of predictions with MOS (1–5), each with its 95 % interval (`null`: undefined)."""

    n: int = attrs.field(metadata=doc("rows scored"))
    plcc: float | None = attrs.field(metadata=doc("Pearson's linear correlation"))
    plcc_ci95: list[float] | None = attrs.field(metadata=doc("its interval `[low, high]`"))
    srocc: float | None = attrs.field(metadata=doc("Spearman's rank correlation"))
    srocc_ci95: list[float] | None = attrs.field(metadata=doc("its interval"))
    krocc: float | None = attrs.field(metadata=doc("Kendall's τ-b"))
    krocc_ci95: list[float] | None = attrs.field(metadata=doc("its interval"))
    rmse: float | None = attrs.field(metadata=doc("root mean squared error"))
    rmse_ci95: list[float] | None = attrs.field(metadata=doc("its interval"))


@attrs.frozen(kw_only=True)
class FoldMetrics(Metrics):
    """One validation fold: the metrics on its held-out rows."""

    fold: str = attrs.field(metadata=doc("fold name"))
    seed: int = attrs.field(metadata=doc("seed of its model"))
    n_train: int = attrs.field(metadata=doc("rows trained on"))
    n_val: int = attrs.field(metadata=doc("rows validated on"))


@attrs.frozen(kw_only=True)
class Gate:
    """The quality gate, judged on the pooled metrics."""

    passed: bool = attrs.field(metadata=doc("every threshold met"))
    failures: list[str] = attrs.field(metadata=doc("each threshold missed, in words"))
    plcc_min: float = attrs.field(metadata=doc("least pooled PLCC"))
    srocc_min: float = attrs.field(metadata=doc("least pooled SROCC"))
    rmse_max: float = attrs.field(metadata=doc("largest pooled RMSE"))
    judged_on: str = attrs.field(metadata=doc("which predictions the gate judges"))


@attrs.frozen(kw_only=True)
class TrainRows:
    """The training table's rows, and what became of them."""

    read: int = attrs.field(metadata=doc("rows of the table"))
    usable: int = attrs.field(metadata=doc("rows with every feature and a MOS"))
    refused: dict[str, int] = attrs.field(metadata=doc("rows refused, per reason"))
    refused_total: int = attrs.field(metadata=doc("rows refused"))
    missing_features: dict[str, int] = attrs.field(metadata=doc("feature → rows without it"))
    left_out_by_split: dict[str, int] = attrs.field(metadata=doc("rows of no split the policy uses"))
    trained_on: int = attrs.field(metadata=doc("rows the shipped model was trained on"))


@attrs.frozen(kw_only=True)
class TrainResult(Result):
    """`vqa train mos-head`: a MOS head exported as ONNX, with its metrics and gate verdict."""

    COMMAND = "train mos-head"
    SCHEMA = "vqa-train-result-v1"

    model: Path = attrs.field(metadata=doc("the ONNX model"))
    sidecar: Path = attrs.field(metadata=doc("its sidecar (`vqa predict` reads it)"))
    feature_schema: str = attrs.field(metadata=doc("the features the model reads"))
    validation_policy: str = attrs.field(
        metadata=doc("`<K>-fold`, or `explicit-split` for a table with published splits")
    )
    rows: TrainRows = attrs.field(metadata=doc("rows read, used and refused"))
    pooled: Metrics = attrs.field(metadata=doc("metrics over every validation prediction"))
    folds: list[FoldMetrics] = attrs.field(metadata=doc("metrics per fold"))
    gate: Gate = attrs.field(metadata=doc("the verdict; with `--gate` a failure exits 3"))
    gate_enforced: bool = attrs.field(metadata=doc("`--gate` was given"))
    parity_max_abs_diff: float = attrs.field(metadata=doc("largest torch/onnxruntime difference"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the training, seconds"))

    @classmethod
    def of(cls, report: TrainReport, *, feature_schema: str, gate_enforced: bool) -> TrainResult:
        return cls(
            model=report.model,
            sidecar=report.sidecar,
            feature_schema=feature_schema,
            validation_policy=report.validation_policy,
            rows=from_plain(report.rows, TrainRows),
            pooled=from_plain(report.pooled, Metrics),
            folds=[from_plain(fold, FoldMetrics) for fold in report.folds],
            gate=from_plain(report.gate, Gate),
            gate_enforced=gate_enforced,
            parity_max_abs_diff=report.parity_max_abs_diff,
            elapsed_s=report.elapsed_s,
        )


@attrs.frozen(kw_only=True)
class PredictResult(Result):
    """`vqa predict`: `mos_pred` added to every row the model can read."""

    COMMAND = "predict"
    SCHEMA = "vqa-predict-result-v1"

    model: Path = attrs.field(metadata=doc("the ONNX model"))
    table: Path = attrs.field(metadata=doc("the feature table"))
    output: Path = attrs.field(metadata=doc("the table with `mos_pred`"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    rows: int = attrs.field(metadata=doc("rows of the table"))
    predicted: int = attrs.field(metadata=doc("rows with a prediction"))
    refused: dict[str, int] = attrs.field(metadata=doc("rows without one, per reason"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the prediction, seconds"))

    @classmethod
    def of(cls, report: PredictReport, *, model: Path, table: Path) -> PredictResult:
        return cls(
            model=model,
            table=table,
            output=report.output,
            manifest=report.manifest,
            rows=report.rows,
            predicted=report.predicted,
            refused=dict(sorted(report.refused.items())),
            elapsed_s=report.elapsed_s,
        )


@attrs.frozen(kw_only=True)
class Grouping:
    """How rows were grouped into contents for the splits."""

    by: str = attrs.field(metadata=doc("`content_group`, or why rows stand alone"))
    n_groups: int = attrs.field(metadata=doc("content groups"))
    largest_group: int = attrs.field(metadata=doc("rows of the largest group"))
    rows_sharing_a_group: int = attrs.field(metadata=doc("rows whose group holds another row too"))


@attrs.frozen(kw_only=True)
class EvaluationRows:
    """The table's rows, and what became of them."""

    read: int = attrs.field(metadata=doc("rows of the table"))
    usable: int = attrs.field(metadata=doc("rows with every feature and a MOS"))
    refused: dict[str, int] = attrs.field(metadata=doc("rows refused, per reason"))
    overlap_removed: dict[str, int] = attrs.field(
        metadata=doc("test rows left out for sharing a content with training rows, per test set")
    )


@attrs.frozen(kw_only=True)
class EvaluationOptions:
    """The options of the run (`null`: the protocol does not use it)."""

    folds: int | None = attrs.field(metadata=doc("`--folds`"))
    repeats: int | None = attrs.field(metadata=doc("`--repeats`"))
    test_fraction: float | None = attrs.field(metadata=doc("`--test-fraction`"))
    train: str | None = attrs.field(metadata=doc("`--train`"))
    test: list[str] = attrs.field(metadata=doc("`--test`"))
    bootstrap_resamples: int = attrs.field(metadata=doc("`--bootstrap`"))
    epochs: int = attrs.field(metadata=doc("`--epochs`"))
    batch_size: int = attrs.field(metadata=doc("`--batch-size`"))
    lr: float = attrs.field(metadata=doc("`--lr`"))
    hidden: list[int] = attrs.field(metadata=doc("hidden layer widths of each model"))


@attrs.frozen(kw_only=True)
class EvaluationFit:
    """One model trained by the protocol."""

    name: str = attrs.field(metadata=doc("its name"))
    seed: int = attrs.field(metadata=doc("its seed"))
    n_train: int = attrs.field(metadata=doc("rows trained on"))
    tests: dict[str, int] = attrs.field(metadata=doc("test set → rows it predicted"))


@omit_none
@attrs.frozen(kw_only=True)
class EvaluateResult(Result):
    """`vqa evaluate`: a row of metrics per test set under one protocol.

    The schema name predates the other documents and is kept; the document is also the
    `evaluation` section of the report's sidecar. The same table, options and seed give
    the same document byte for byte, so it carries no timing.
    """

    COMMAND = "evaluate"
    SCHEMA = "vqa-evaluation-v1"

    protocol: str = attrs.field(metadata=doc("`kfold`, `repeated-holdout`, `official` or `cross-corpus`"))
    seed: int = attrs.field(metadata=doc("`--seed`"))
    grouped: bool = attrs.field(metadata=doc("splits follow the content groups"))
    leaky: bool = attrs.field(metadata=doc("grouping was turned off although rows share a content"))
    grouping: Grouping = attrs.field(metadata=doc("how rows were grouped"))
    feature_schema: str = attrs.field(metadata=doc("the features each model reads"))
    metric_axis: str = attrs.field(metadata=doc("`0-100`: the axis predictions and MOS are scored on"))
    rows: EvaluationRows = attrs.field(metadata=doc("rows read, used and left out"))
    options: EvaluationOptions = attrs.field(metadata=doc("the options of the run"))
    fits: list[EvaluationFit] = attrs.field(metadata=doc("every model trained"))
    results: list[dict[str, Any]] = attrs.field(
        metadata=doc("a row of metrics per test set (columns: docs/evaluation.md)")
    )
    notes: list[str] = attrs.field(metadata=doc("what the reader should know (grouping, overlap)"))
    report: Path | None = attrs.field(default=None, metadata=doc("the HTML report (`--out`)"))
    sidecar: Path | None = attrs.field(default=None, metadata=doc("its sidecar (`--out`)"))

    @classmethod
    def of(cls, evaluation: Evaluation, *, report: Path | None) -> EvaluateResult:
        from vqa_core.fsutil import manifest_path_for

        plain: dict[str, Any] = {**evaluation.document, "command": cls.COMMAND}
        if report is not None:
            plain.update(report=str(report), sidecar=str(manifest_path_for(report)))
        return from_plain(plain, cls)
