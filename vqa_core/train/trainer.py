"""``vqa train mos-head``: a training table in, a gated, verified ONNX MOS head out.

1. Rows are projected onto the feature schema (:mod:`~vqa_core.train.project`);
   a row missing a feature or a MOS is refused and counted, never zero-filled.
   No usable row → :class:`~vqa_core.errors.TrainingError` (exit 2), nothing written.
2. Validation: a ``split`` column with ``train`` and ``val`` (else ``test``) rows
   gives one fold (``explicit-split``; the shipped model is that fold's, trained on
   ``train`` only); otherwise K folds over whole content groups
   (:mod:`vqa_core.evaluation.splits`, ``<K>-fold``; the shipped model is trained
   on every usable row), so clips of one content never sit on both sides of a
   fold. A table without ``content_group`` has one group per row;
   ``ignore_groups`` splits rows on request and the sidecar then says
   ``"grouped": false`` (and ``"leaky": true`` when some rows did share a group);
   either way the warning is logged and kept in the sidecar.
   Standardisation statistics always come from the rows a model is trained on.
3. Metrics per fold and pooled over every validation prediction, with 95 %
   intervals (:mod:`~vqa_core.train.metrics`); the gate (PLCC ≥ 0.85, SROCC ≥ 0.82,
   RMSE ≤ 0.45) is judged on the pooled metrics and always reported.
4. Export to ONNX (opset 17, weights inside), onnx.checker, onnxruntime on the
   parity rows (the validation rows; every row under K-fold) with
   max |torch − onnxruntime| < 1e-4, then ``mos_head.onnx`` and its sidecar
   ``mos_head.manifest.json`` are written atomically.

Determinism: fold ``i`` trains with seed ``seed + i``, the shipped model with
``seed``; torch runs single-threaded with deterministic algorithms, so two runs
on the same table give byte-identical ONNX files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.documents import converter
from vqa_core.errors import TrainingError, UsageError
from vqa_core.evaluation.splits import Split, grouped_kfold, grouping_of, shared_groups
from vqa_core.fsutil import atomic_write_bytes, manifest_path_for
from vqa_core.provenance import FileEntry, build_manifest, describe_file, provenance, write_manifest
from vqa_core.runner.lock import output_lock
from vqa_core.runner.progress import Phase, ProgressSink
from vqa_core.tables.loose import read_table, write_table
from vqa_core.timestamps import run_timestamp
from vqa_core.train.model import FitSettings
from vqa_core.train.schemas import resolve_schema
from vqa_core.train.sidecar import (
    SIDECAR_SCHEMA,
    DisplayProfile,
    ModelFile,
    ModelSidecar,
    Normalisation,
    Parity,
    TensorSpec,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from vqa_core.registry import Plugins
    from vqa_core.train.project import Projection
    from vqa_core.train.schemas import ResolvedSchema

__all__ = [
    "TrainConfig",
    "TrainReport",
    "train_mos_head",
    "GATE",
    "MODEL_NAME",
    "SIDECAR_SCHEMA",
    "judge_gate",
]

log = logging.getLogger("vqa.train")

MODEL_NAME: Final = "mos_head.onnx"
SMOKE_TABLE_NAME: Final = "smoke_table.parquet"
GATE: Final = {
    "plcc_min": 0.85,
    "srocc_min": 0.82,
    "rmse_max": 0.45,
    "judged_on": "pooled validation predictions",
}
CI_METHOD: Final = (
    "PLCC, SROCC, KROCC: Fisher z (variances 1/(n-3), 1.06/(n-3), 0.437/(n-4)); "
    "RMSE: percentile bootstrap, 2000 resamples, fixed seed"
)
_COMMAND: Final = "vqa train mos-head"


@attrs.frozen
class TrainConfig:
    out: Path
    feature_schema: str
    table: Path | None = None
    smoke: bool = False
    folds: int = attrs.field(default=5, validator=attrs.validators.ge(2))
    seed: int = 20260508
    display_profile: Path | None = None
    fit: FitSettings = attrs.field(factory=FitSettings)
    timestamp: str | None = None
    #: Split rows instead of content groups (leaky; recorded in the sidecar).
    ignore_groups: bool = False
    smoke_rows: int = attrs.field(default=600, validator=attrs.validators.ge(20))


@attrs.frozen
class TrainReport:
    model: Path
    sidecar: Path
    gate: dict[str, Any]
    pooled: dict[str, Any]
    folds: list[dict[str, Any]]
    rows: dict[str, Any]
    parity_max_abs_diff: float
    validation_policy: str
    elapsed_s: float

    def summary(self) -> str:
        p = self.pooled
        verdict = "PASS" if self.gate["passed"] else "FAIL (" + "; ".join(self.gate["failures"]) + ")"
        return (
            f"mos-head: {self.rows['usable']:,} usable rows ({self.rows['refused_total']:,} refused), "
            f"{self.validation_policy}: PLCC {_fmt(p['plcc'])} SROCC {_fmt(p['srocc'])} "
            f"KROCC {_fmt(p['krocc'])} RMSE {_fmt(p['rmse'])}; gate {verdict}; "
            f"onnx parity {self.parity_max_abs_diff:.2e} -> {self.model}"
        )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def judge_gate(pooled: dict[str, Any]) -> dict[str, Any]:
    """The gate verdict on pooled metrics; an undefined metric fails."""
    failures = []
    plcc, srocc, rmse = pooled.get("plcc"), pooled.get("srocc"), pooled.get("rmse")
    if plcc is None or not plcc >= GATE["plcc_min"]:
        failures.append(f"PLCC {_fmt(plcc)} < {GATE['plcc_min']}")
    if srocc is None or not srocc >= GATE["srocc_min"]:
        failures.append(f"SROCC {_fmt(srocc)} < {GATE['srocc_min']}")
    if rmse is None or not rmse <= GATE["rmse_max"]:
        failures.append(f"RMSE {_fmt(rmse)} > {GATE['rmse_max']}")
    return {**GATE, "passed": not failures, "failures": failures}


def _versions(schema: ResolvedSchema) -> dict[str, str | None]:
    from vqa_core import __version__

    out: dict[str, str | None] = {"vqa-core": __version__}
    if schema.provider is not None:
        # why: the plugin derives some of the model's inputs, so its version is part of the model
        out[schema.provider] = schema.provider_version
    for module in ("torch", "onnx", "onnxruntime", "numpy", "pyarrow"):
        try:
            out[module] = str(__import__(module).__version__)
        except ImportError:  # why: versions are recorded, an absent module is recorded as None
            out[module] = None
    return out


def _plan(
    split: tuple[str, ...] | None,
    groups: tuple[str, ...] | None,
    usable: npt.NDArray[np.int64],
    folds: int,
    seed: int,
    ignore_groups: bool,
) -> tuple[str, list[Split], dict[str, int], dict[str, Any]]:
    """The validation policy, its folds (indices into the usable rows), rows left out, and the grouping."""
    import numpy as np

    keys = [groups[i] for i in usable] if groups is not None else None
    found = grouping_of(keys, usable.size, ignore_groups=ignore_groups)
    codes = found.codes
    grouping: dict[str, Any] = {**found.summary(), "warning": found.warning}
    if found.warning:
        log.warning("%s", found.warning)
    left_out: dict[str, int] = {}
    if split is not None:
        labels = np.asarray([split[i] for i in usable])
        train = np.flatnonzero(labels == "train")
        held = "val" if (labels == "val").any() else "test"
        val = np.flatnonzero(labels == held)
        if train.size and val.size:
            if train.size < 2 or val.size < 2:
                raise TrainingError(
                    f"the split column gives {train.size} train and {val.size} {held} rows; each needs at least 2"
                )
            unassigned = int((~np.isin(labels, ["train", held])).sum())
            if unassigned:
                left_out["not-in-train-or-" + held] = unassigned
            grouping["groups_on_both_sides"] = shared_groups(codes, train, val)
            return "explicit-split", [Split(f"train->{held}", train, val, seed)], left_out, grouping
    n = usable.size
    if n < 2 * folds:
        raise TrainingError(f"{n} usable rows are too few for {folds} folds (need at least {2 * folds})")
    try:
        plan = grouped_kfold(codes, folds, seed)
    except UsageError as exc:
        raise TrainingError(str(exc)) from None
    return f"{folds}-fold", plan, left_out, grouping


def train_mos_head(
    config: TrainConfig, *, plugins: Plugins = None, progress: ProgressSink | None = None
) -> TrainReport:
    """Train, validate, export and verify a MOS head (see the module docstring).

    ``plugins`` is where a plugin's feature schema is looked up (installed plugins by default);
    ``progress`` is told the epochs trained, over every fold and the shipped model.
    """
    import numpy as np

    started = time.monotonic()
    schema = resolve_schema(config.feature_schema, plugins)
    names = schema.features
    _check_request(config)
    from vqa_core.train import model

    timestamp = run_timestamp(config.timestamp)
    profile, notes = _display_profile(config, schema)
    table, table_path = _load_table(config, names)
    projection = _project(table, table_path, schema, profile)
    usable = np.flatnonzero(projection.usable)
    x_all = projection.features[usable]
    assert projection.mos is not None
    y_all = projection.mos[usable]
    policy, plan, left_out, grouping = _plan(
        projection.split, projection.groups, usable, config.folds, config.seed, config.ignore_groups
    )
    fits = len(plan) + (0 if policy == "explicit-split" else 1)  # the folds, and the shipped model
    description = f"train: {len(plan)} fold{'s' if len(plan) > 1 else ''}" + (
        "" if policy == "explicit-split" else " and the shipped model"
    )
    with Phase(progress, fits * config.fit.epochs, description, "epochs") as phase:
        fold_reports, pooled, (shipped, ship_train, parity_rows) = _run_folds(
            plan, policy, x_all, y_all, config, phase
        )
    gate = judge_gate(pooled)
    data, operators, parity = _export_and_check(shipped, x_all[parity_rows], len(names))
    mean, std = model.standardisation(x_all[ship_train])
    model_path = config.out / MODEL_NAME
    # one writer per output, as for every command; taken once training is done, so a run that
    # fails or is refused writes nothing
    with output_lock(model_path, manifest_path_for(model_path), *_smoke_outputs(config)):
        config.out.mkdir(parents=True, exist_ok=True)
        if config.smoke:
            _write_smoke_table(table, table_path, timestamp, config)
        atomic_write_bytes(model_path, data)
        rows = {
            "read": int(table.num_rows),
            "usable": int(usable.size),
            "refused": dict(sorted(projection.refused.items())),
            "refused_total": sum(projection.refused.values()),
            "missing_features": dict(sorted(projection.missing_features.items())),
            "left_out_by_split": left_out,
            "trained_on": int(ship_train.size),
        }
        report = TrainReport(
            model=model_path,
            sidecar=manifest_path_for(model_path),
            gate=gate,
            pooled=pooled,
            folds=fold_reports,
            rows=rows,
            parity_max_abs_diff=parity,
            validation_policy=policy,
            elapsed_s=time.monotonic() - started,
        )
        sidecar = _sidecar(
            config,
            report,
            timestamp=timestamp,
            table_path=table_path,
            profile=profile,
            notes=notes,
            schema=schema,
            projection=projection,
            data=data,
            operators=operators,
            shipped=shipped,
            normalisation=(mean, std, int(ship_train.size)),
            n_folds=len(plan),
            grouping=grouping,
            parity_rows=int(parity_rows.size),
        )
        write_manifest(report.sidecar, sidecar)
    return report


def _smoke_outputs(config: TrainConfig) -> tuple[Path, ...]:
    """The generated table ``--smoke`` writes beside the model, and its manifest."""
    table = config.out / SMOKE_TABLE_NAME
    return (table, manifest_path_for(table)) if config.smoke else ()


def _check_request(config: TrainConfig) -> None:
    """Refuse a request that names both or neither table, an ``--out`` that is not a directory,
    or a missing ``train`` extra, before anything is read."""
    if config.smoke == (config.table is not None):
        raise UsageError("give --table T or --smoke (a generated table), not both")
    if config.out.exists() and not config.out.is_dir():
        raise UsageError(f"--out {config.out} exists and is not a directory")
    from vqa_core.extras import require

    for module in ("torch", "onnx", "onnxruntime", "scipy"):
        require(module, _COMMAND, "train")


def _display_profile(config: TrainConfig, schema: ResolvedSchema) -> tuple[DisplayProfile | None, list[str]]:
    """The display profile (``None`` when not given or when the schema has no display features)
    and the notes for the sidecar."""
    from vqa_core.train.profile import load_display_profile, read_profile_document

    if config.display_profile is None:
        return None, []
    if not schema.schema.display:
        read_profile_document(config.display_profile)  # a missing or malformed file is still refused
        return None, [f"display profile ignored: {config.feature_schema} has no display features"]
    return converter.structure(load_display_profile(config.display_profile, schema), DisplayProfile), []


def _load_table(config: TrainConfig, names: Sequence[str]) -> tuple[pa.Table, Path]:
    """The training table and the path it is (or, for ``--smoke``, will be) written at."""
    if config.smoke:
        from vqa_core.train.smoke import smoke_table

        table = smoke_table(names, rows=config.smoke_rows, seed=config.seed)
        table_path = config.out / SMOKE_TABLE_NAME
    else:
        assert config.table is not None
        table_path = config.table
        table = read_table(table_path).table
    return table, table_path


def _project(
    table: pa.Table, table_path: Path, schema: ResolvedSchema, profile: DisplayProfile | None
) -> Projection:
    """The table projected onto the feature schema; no usable row is a :class:`TrainingError`."""
    from vqa_core.train.project import project

    feature_schema = schema.name
    derived = schema.derive(table, profile.feature_values if profile else None)
    projection = project(table, schema.features, derived=derived)
    if projection.n_usable == 0:
        reasons = (
            ", ".join(f"{n:,} {r}" for r, n in sorted(projection.refused.items())) or "the table is empty"
        )
        missing = sorted(projection.missing_features.items(), key=lambda kv: -kv[1])[:5]
        hint = ("; most missing: " + ", ".join(f"{k} ({v:,} rows)" for k, v in missing)) if missing else ""
        raise TrainingError(
            f"no usable rows for {feature_schema} in {table_path}: {table.num_rows:,} rows, refused: "
            f"{reasons}{hint}; nothing written"
        )
    return projection


def _run_folds(
    plan: Sequence[Split],
    policy: str,
    x_all: npt.NDArray[np.float64],
    y_all: npt.NDArray[np.float64],
    config: TrainConfig,
    phase: Phase,
) -> tuple[list[dict[str, Any]], dict[str, Any], tuple[Any, npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Train and validate every fold: the fold reports, the pooled metrics, and the shipped model
    with the rows it was trained on and the parity rows."""
    import numpy as np

    from vqa_core.train import metrics, model

    fold_reports: list[dict[str, Any]] = []
    pooled_pred: list[npt.NDArray[np.float64]] = []
    pooled_true: list[npt.NDArray[np.float64]] = []
    ship = None
    for fold in plan:
        fitted = model.fit(
            x_all[fold.train], y_all[fold.train], seed=fold.seed, settings=config.fit, on_epoch=phase.add
        )
        predicted = model.predict_torch(fitted, x_all[fold.test])
        pooled_pred.append(predicted)
        pooled_true.append(y_all[fold.test])
        fold_reports.append(
            {
                "fold": fold.name,
                "seed": fold.seed,
                "n_train": int(fold.train.size),
                "n_val": int(fold.test.size),
                **metrics.evaluate(predicted, y_all[fold.test]),
            }
        )
        log.debug("fold %s: %s", fold.name, _fold_line(fold_reports[-1]))
        if policy == "explicit-split":
            ship = (fitted, fold.train, fold.test)
    if ship is None:
        everything = np.arange(x_all.shape[0])
        shipped = model.fit(x_all, y_all, seed=config.seed, settings=config.fit, on_epoch=phase.add)
        ship = (shipped, everything, everything)
    pooled = metrics.evaluate(np.concatenate(pooled_pred), np.concatenate(pooled_true))
    return fold_reports, pooled, ship


def _fold_line(report: dict[str, Any]) -> str:
    """One fold's size and point metrics, for the debug log."""
    metrics = ", ".join(
        f"{name.upper()} {_fmt(report.get(name))}" for name in ("plcc", "srocc", "rmse") if name in report
    )
    return f"{report['n_train']:,} rows trained, {report['n_val']:,} validated: {metrics}"


def _export_and_check(
    shipped: Any, x_parity: npt.NDArray[np.float64], n_features: int
) -> tuple[bytes, list[str], float]:
    """The ONNX bytes, their operators and the largest torch/onnxruntime difference on the parity
    rows; beyond :data:`~vqa_core.train.export.PARITY_TOLERANCE` nothing is written."""
    import numpy as np

    from vqa_core.train import export, model

    data = export.export_onnx(shipped, n_features)
    operators = export.check_onnx(data, n_features)
    session = export.session_for(data)
    parity = float(
        np.max(np.abs(model.predict_torch(shipped, x_parity) - export.run_onnx(session, x_parity)))
    )
    if not parity < export.PARITY_TOLERANCE:
        raise RuntimeError(
            f"onnxruntime disagrees with torch by {parity:.3g} (tolerance {export.PARITY_TOLERANCE}); nothing written"
        )
    return data, operators, parity


def _sidecar(
    config: TrainConfig,
    report: TrainReport,
    *,
    timestamp: str,
    table_path: Path,
    profile: DisplayProfile | None,
    notes: list[str],
    schema: ResolvedSchema,
    projection: Projection,
    data: bytes,
    operators: list[str],
    shipped: Any,
    normalisation: tuple[list[float], list[float], int],
    n_folds: int,
    grouping: dict[str, Any],
    parity_rows: int,
) -> ModelSidecar:
    """The ``mos_head.manifest.json`` of a written model."""
    names = schema.features
    from vqa_core.train import export, model

    mean, std, trained_on = normalisation
    onnx = FileEntry.of(report.model)
    assert onnx.sha256 is not None  # the model was written just before
    inputs = {"table": describe_file(table_path)}
    if profile:
        inputs["display_profile"] = describe_file(Path(profile.source_path))
    return ModelSidecar(
        **provenance(
            SIDECAR_SCHEMA,
            created_at_utc=timestamp,
            versions=_versions(schema),
            inputs=inputs,
            outputs={"onnx": onnx},
        ),
        model=ModelFile(
            onnx=MODEL_NAME,
            sha256=onnx.sha256,
            size_bytes=len(data),
            opset=export.OPSET,
            input=TensorSpec(name=export.INPUT_NAME, dtype="float32", shape=["N", len(names)]),
            output=TensorSpec(name=export.OUTPUT_NAME, dtype="float32", shape=["N", 1]),
            mos_range=[1.0, 5.0],
            architecture=f"standardise -> MLP {list(config.fit.hidden)} ReLU -> 1 + 4*sigmoid",
            n_parameters=model.n_parameters(shipped),
            operators=operators,
        ),
        feature_schema=config.feature_schema,
        feature_order=list(names),
        feature_sources=projection.sources,
        normalisation=Normalisation(
            mean=mean,
            std=std,
            computed_on=f"the {trained_on} rows the shipped model was trained on",
            inside_model=True,
        ),
        training={
            "seed": config.seed,
            "smoke": config.smoke,
            "validation_policy": report.validation_policy,
            "folds": n_folds,
            **grouping,
            "epochs": config.fit.epochs,
            "batch_size": config.fit.batch_size,
            "lr": config.fit.lr,
            "weight_decay": config.fit.weight_decay,
            "hidden": list(config.fit.hidden),
            "optimizer": "AdamW, MSE loss",
        },
        rows=report.rows,
        metrics={"folds": report.folds, "pooled": report.pooled, "ci_method": CI_METHOD},
        gate=report.gate,
        parity=Parity(
            rows=parity_rows,
            max_abs_diff=report.parity_max_abs_diff,
            tolerance=export.PARITY_TOLERANCE,
            engine="onnxruntime CPUExecutionProvider",
        ),
        display_profile=profile,
        notes=notes,
    )


def _write_smoke_table(table: Any, path: Path, timestamp: str, config: TrainConfig) -> None:
    write_table(table, path)
    from vqa_core import __version__

    write_manifest(
        manifest_path_for(path),
        build_manifest(
            "vqa-smoke-table-v1",
            created_at_utc=timestamp,
            versions={"vqa-core": __version__},
            outputs={"table": describe_file(path)},
            feature_schema=config.feature_schema,
            rows=int(table.num_rows),
            seed=config.seed,
        ),
    )
