"""``vqa evaluate``: a labelled feature table in, one table of metrics per test set out.

1. The table's rows are projected onto a feature schema exactly as
   ``vqa train mos-head`` does (:mod:`vqa_core.train.project`): a row missing a
   feature or a MOS is refused and counted, never filled.
2. Each usable row brings its ``corpus``, ``split``, ``content_group`` and
   ``src_sha256``; the protocol (:mod:`~vqa_core.evaluation.protocols`) plans the
   models to train over whole content groups.
3. Each model is the MOS head of ``vqa train mos-head`` (same architecture,
   same settings, seeded per split), trained on its training rows only.
4. Predictions and MOS are put on the unified 0–100 axis and scored
   (:mod:`~vqa_core.evaluation.metrics`): SROCC, KROCC, PLCC, PLCC after the
   four-parameter logistic fit, RMSE, each with a 95 % bootstrap interval over
   content groups (over clips where every group is one clip).

Grouping off (``ignore_groups``) is allowed only on request: every split then
treats each row as its own group, a warning names how many rows share a content,
and the result says ``"grouped": false`` — and ``"leaky": true`` when some rows
did share a content. A table without ``content_group`` is split by rows with a
warning and ``"grouped": false``.

Same table, options and seed ⇒ the same JSON, byte for byte. Progress (the epochs
trained over every model) goes to an optional :class:`~vqa_core.runner.progress.ProgressSink`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.errors import TrainingError, UsageError
from vqa_core.evaluation.protocols import ALL, PROTOCOLS, Plan, RowFacts, plan_protocol
from vqa_core.evaluation.splits import grouping_of
from vqa_core.runner.progress import Phase, ProgressSink
from vqa_core.train.model import FitSettings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from vqa_core.registry import Plugins

    Vector = npt.NDArray[np.float64]

__all__ = [
    "RESULT_SCHEMA",
    "METRICS",
    "EvaluateConfig",
    "Evaluation",
    "evaluate_table",
    "run_evaluation",
]

log = logging.getLogger("vqa.evaluate")

RESULT_SCHEMA: Final = "vqa-evaluation-v1"
MANIFEST_SCHEMA: Final = "vqa-evaluation-manifest-v1"
#: Metrics of a result row, in the order tables show them.
METRICS: Final = ("srocc", "krocc", "plcc", "plcc_logistic", "rmse")
_COMMAND: Final = "vqa evaluate"


@attrs.frozen
class EvaluateConfig:
    table: Path
    feature_schema: str
    protocol: str = attrs.field(validator=attrs.validators.in_(PROTOCOLS))
    folds: int = 5
    repeats: int = 10
    test_fraction: float = 0.2
    train_set: str | None = None
    test_sets: tuple[str, ...] = ()
    seed: int = 20260508
    resamples: int = 1000
    ignore_groups: bool = False
    fit: FitSettings = attrs.field(factory=FitSettings)


@attrs.frozen
class Evaluation:
    """The result document (``document``) and what the report needs to draw its plots."""

    document: dict[str, Any]
    #: test set → (predicted, observed) on 0–100, for the scatter plots.
    points: dict[str, tuple[Vector, Vector]] = attrs.field(eq=False, repr=False)
    elapsed_s: float = 0.0

    @property
    def results(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.document["results"]
        return rows


def _texts(table: pa.Table, name: str) -> list[str] | None:
    if name not in table.column_names:
        return None
    return ["" if v is None else str(v).strip() for v in table.column(name).to_pylist()]


def _facts(table: pa.Table, usable: Sequence[int], ignore_groups: bool) -> tuple[RowFacts, dict[str, Any]]:
    """Per usable row: corpus, split, group and hash; plus how the rows were grouped."""
    n = len(usable)
    corpus = _texts(table, "corpus")
    split = _texts(table, "split")
    group = _texts(table, "content_group")
    sha = _texts(table, "src_sha256")

    def pick(column: list[str] | None) -> tuple[str, ...]:
        return tuple(column[i] for i in usable) if column is not None else ("",) * n

    found = grouping_of(pick(group) if group is not None else None, n, ignore_groups=ignore_groups)
    notes = [found.warning] if found.warning else []
    if found.warning:
        log.warning("%s", found.warning)
    grouping: dict[str, Any] = {**found.summary(), "notes": notes}
    return RowFacts(pick(corpus), pick(split), found.codes, pick(sha)), grouping


def _scale_100(mos_1_5: Vector) -> Vector:
    # The head predicts on 1–5 (its sigmoid range); results are on the unified axis.
    from vqa_core.scales import ACR_1_5, ScaleConversion

    conversion = ScaleConversion.affine(ACR_1_5)
    return conversion.slope * mos_1_5 + conversion.intercept


def evaluate_table(
    config: EvaluateConfig, *, plugins: Plugins = None, progress: ProgressSink | None = None
) -> Evaluation:
    """Run ``config.protocol`` on ``config.table`` (see the module docstring); a plugin's
    feature schema is looked up in ``plugins`` (installed plugins by default)."""
    import numpy as np

    from vqa_core.extras import require
    from vqa_core.tables.loose import read_table
    from vqa_core.train.schemas import resolve_schema

    started = time.monotonic()
    schema = resolve_schema(config.feature_schema, plugins)
    names = schema.features
    if config.resamples < 0:
        raise UsageError(f"--bootstrap must be at least 0, got {config.resamples}")
    for module in ("torch", "scipy"):
        require(module, _COMMAND, "train")
    from vqa_core.train import model
    from vqa_core.train.project import project

    loaded = read_table(config.table)
    projection = project(loaded.table, names, derived=schema.derive(loaded.table))
    usable = np.flatnonzero(projection.usable)
    if usable.size == 0:
        reasons = (
            ", ".join(f"{n:,} {r}" for r, n in sorted(projection.refused.items())) or "the table is empty"
        )
        raise TrainingError(
            f"no usable rows for {config.feature_schema} in {config.table}: refused: {reasons}"
        )
    facts, grouping = _facts(loaded.table, [int(i) for i in usable], config.ignore_groups)
    plan = plan_protocol(
        config.protocol,
        facts,
        seed=config.seed,
        folds=config.folds,
        repeats=config.repeats,
        test_fraction=config.test_fraction,
        train_set=config.train_set,
        test_sets=config.test_sets,
    )
    x = projection.features[usable]
    assert projection.mos is not None
    y = projection.mos[usable]
    observed = _scale_100(y)
    predictions: list[dict[str, Vector]] = []
    fit_rows = []
    fits = len(plan.fits)
    description = f"evaluate: {fits} model{'s' if fits != 1 else ''}"
    with Phase(progress, fits * config.fit.epochs, description, "epochs") as phase:
        for fit in plan.fits:
            if fit.train.size < 2:
                raise TrainingError(f"{fit.name}: {fit.train.size} training rows; at least 2 are needed")
            fitted = model.fit(
                x[fit.train], y[fit.train], seed=fit.seed, settings=config.fit, on_epoch=phase.add
            )
            out = {t.name: _scale_100(model.predict_torch(fitted, x[t.rows])) for t in fit.tests}
            predictions.append(out)
            fit_rows.append(
                {
                    "name": fit.name,
                    "seed": fit.seed,
                    "n_train": int(fit.train.size),
                    "tests": {t.name: int(t.rows.size) for t in fit.tests},
                }
            )
    results, points = _score(plan, facts, observed, predictions, config)
    document: dict[str, Any] = {
        "schema": RESULT_SCHEMA,
        "protocol": config.protocol,
        "seed": config.seed,
        "grouped": grouping["grouped"],
        "leaky": grouping["leaky"],
        "grouping": {k: grouping[k] for k in ("by", "n_groups", "largest_group", "rows_sharing_a_group")},
        "feature_schema": config.feature_schema,
        "metric_axis": "0-100",
        "rows": {
            "read": int(loaded.num_rows),
            "usable": int(usable.size),
            "refused": dict(sorted(projection.refused.items())),
            "overlap_removed": dict(sorted(plan.overlap_removed.items())),
        },
        "options": {
            "folds": config.folds if config.protocol == "kfold" else None,
            "repeats": config.repeats if config.protocol == "repeated-holdout" else None,
            "test_fraction": config.test_fraction if config.protocol == "repeated-holdout" else None,
            "train": config.train_set,
            "test": list(config.test_sets),
            "bootstrap_resamples": config.resamples,
            "epochs": config.fit.epochs,
            "batch_size": config.fit.batch_size,
            "lr": config.fit.lr,
            "hidden": list(config.fit.hidden),
        },
        "fits": fit_rows,
        "results": results,
        "notes": [*grouping["notes"], *plan.notes],
    }
    return Evaluation(document, points, time.monotonic() - started)


def _score(
    plan: Plan,
    facts: RowFacts,
    observed: Vector,
    predictions: list[dict[str, Vector]],
    config: EvaluateConfig,
) -> tuple[list[dict[str, Any]], dict[str, tuple[Vector, Vector]]]:
    import numpy as np

    from vqa_core.evaluation import metrics

    codes = facts.groups.codes
    results: list[dict[str, Any]] = []
    points: dict[str, tuple[Vector, Vector]] = {}

    def scored(name: str, rows: npt.NDArray[np.int64], predicted: Vector) -> dict[str, Any]:
        truth = observed[rows]
        found = metrics.evaluate(
            predicted, truth, groups=codes[rows].tolist(), resamples=config.resamples, seed=config.seed
        )
        points[name] = (predicted, truth)
        return {"test_set": name, "n_groups": int(np.unique(codes[rows]).size), **found}

    if plan.scoring == "direct":
        for fit, predicted in zip(plan.fits, predictions, strict=True):
            for test in fit.tests:
                results.append(scored(test.name, test.rows, predicted[test.name]))
        return results, points
    if plan.scoring == "pooled":
        pooled = np.full(len(facts), np.nan)
        for fit, predicted in zip(plan.fits, predictions, strict=True):
            pooled[fit.tests[0].rows] = predicted[ALL]
        assert np.isfinite(pooled).all(), "every row is predicted by exactly one fold"
        for result_set in plan.result_sets:
            results.append(scored(result_set.name, result_set.rows, pooled[result_set.rows]))
        return results, points
    return _repeated(plan, facts, observed, predictions), points


def _repeated(
    plan: Plan, facts: RowFacts, observed: Vector, predictions: list[dict[str, Vector]]
) -> list[dict[str, Any]]:
    """Per result set: each repeat's point metrics, summarised as median, IQR and 2.5–97.5 % spread."""
    import numpy as np

    from vqa_core.evaluation import metrics

    results = []
    for result_set in plan.result_sets:
        members = np.zeros(len(facts), dtype=bool)
        members[result_set.rows] = True
        per_repeat: dict[str, list[float]] = {m: [] for m in METRICS}
        sizes = []
        for fit, predicted in zip(plan.fits, predictions, strict=True):
            test = fit.tests[0].rows
            inside = members[test]
            if inside.sum() < 2:
                continue
            p, o = predicted[ALL][inside], observed[test][inside]
            sizes.append(int(inside.sum()))
            found = {
                "srocc": metrics.srocc(p, o),
                "krocc": metrics.krocc(p, o),
                "plcc": metrics.plcc(p, o),
                "plcc_logistic": metrics.plcc_logistic(p, o)[0],
                "rmse": metrics.rmse(p, o),
            }
            for name, value in found.items():
                if value is not None:
                    per_repeat[name].append(value)
        row: dict[str, Any] = {
            "test_set": result_set.name,
            "n": int(np.median(sizes)) if sizes else 0,
            "repeats": len(sizes),
            "n_groups": int(np.unique(facts.groups.codes[result_set.rows]).size),
        }
        for name in METRICS:
            values = np.asarray(per_repeat[name], dtype=np.float64)
            if values.size == 0:
                row.update({name: None, f"{name}_iqr": None, f"{name}_ci": None})
                continue
            q = np.percentile(values, [2.5, 25.0, 50.0, 75.0, 97.5])
            row.update(
                {
                    name: float(q[2]),
                    f"{name}_iqr": [float(q[1]), float(q[3])],
                    f"{name}_ci": [float(q[0]), float(q[4])],
                }
            )
        row["ci"] = {"method": "2.5 and 97.5 percentiles over repeats", "repeats": len(sizes)}
        results.append(row)
    return results


def run_evaluation(
    config: EvaluateConfig,
    out: Path | None,
    *,
    timestamp: str | None = None,
    plugins: Plugins = None,
    progress: ProgressSink | None = None,
) -> Evaluation:
    """:func:`evaluate_table`, then, with ``out``, the HTML report and its sidecar (under the output lock)."""
    from vqa_core.evaluation.render import REPORT_SUFFIX, write_report
    from vqa_core.fsutil import manifest_path_for
    from vqa_core.provenance import build_manifest, describe_file, write_manifest
    from vqa_core.runner.lock import output_lock
    from vqa_core.timestamps import run_timestamp

    if out is None:
        return evaluate_table(config, plugins=plugins, progress=progress)
    if out.suffix.lower() != REPORT_SUFFIX:
        raise UsageError(
            f"--out {out} must end in {REPORT_SUFFIX} (the HTML report; its sidecar goes beside it)"
        )
    from vqa_core.extras import require

    require("matplotlib", "vqa evaluate --out", "plots")  # before hours of training, not after
    stamp = run_timestamp(timestamp)
    sidecar = manifest_path_for(out)
    with output_lock(out, sidecar):
        evaluation = evaluate_table(config, plugins=plugins, progress=progress)
        write_report(evaluation, out)
        from vqa_core import __version__

        write_manifest(
            sidecar,
            build_manifest(
                MANIFEST_SCHEMA,
                created_at_utc=stamp,
                versions={"vqa-core": __version__},
                inputs={"table": describe_file(config.table)},
                outputs={"report": describe_file(out)},
                evaluation=evaluation.document,
            ),
        )
    return evaluation
