"""``vqa predict``: apply an exported MOS head to a table with onnxruntime only (no torch).

The model's sidecar (``mos_head.manifest.json`` beside ``mos_head.onnx``) names the
feature schema and order; the model file must still have the sha256 the sidecar
recorded. Each row is projected exactly as in training (own column, ``<name>_mean``,
derivations, the recorded display profile); a row missing a feature gets no
prediction and is counted. The output is the input table plus ``mos_pred`` (1–5,
null where refused) and ``mos_pred_status`` (``ok`` or ``missing-feature``).
Rows go through the model in batches of :data:`BATCH_ROWS`, each told to an optional
:class:`~vqa_core.runner.progress.ProgressSink`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from vqa_core.errors import TrainingError
from vqa_core.runner.progress import Phase, ProgressSink

# The package imports this module at once (its name is also the function's): what
# prediction reads and writes with loads when it runs, not with `import vqa_core.train`.
if TYPE_CHECKING:
    from vqa_core.registry import Plugins

__all__ = ["PredictReport", "predict", "MANIFEST_SCHEMA"]

MANIFEST_SCHEMA: Final = "vqa-predict-manifest-v1"
_COMMAND: Final = "vqa predict"
#: Rows per onnxruntime call: small enough for a progress display, large enough to cost nothing.
BATCH_ROWS: Final = 65_536


@attrs.frozen
class PredictReport:
    output: Path
    manifest: Path
    rows: int
    predicted: int
    refused: dict[str, int]
    elapsed_s: float

    def summary(self) -> str:
        refused = sum(self.refused.values())
        return f"predict: {self.predicted:,} of {self.rows:,} rows predicted ({refused:,} refused) -> {self.output}"


def predict(
    model: Path,
    table: Path,
    out: Path,
    *,
    timestamp: str | None = None,
    plugins: Plugins = None,
    progress: ProgressSink | None = None,
) -> PredictReport:
    """Predict MOS for every row of ``table`` with the ONNX ``model`` and write ``out``; the
    model's feature schema is looked up in ``plugins`` when it is not core's, and ``progress``
    is told the rows predicted."""
    from vqa_core.extras import require
    from vqa_core.fsutil import manifest_path_for
    from vqa_core.runner.lock import output_lock
    from vqa_core.tables.loose import output_format

    started = time.monotonic()
    output_format(out)
    # before anything is read or locked: without onnxruntime the model cannot run, whatever the inputs
    onnxruntime = require("onnxruntime", _COMMAND, "predict")
    # one writer per output, as for every command: a second prediction into the same table is refused
    with output_lock(out, manifest_path_for(out)):
        return _predict(
            model,
            table,
            out,
            started,
            timestamp=timestamp,
            plugins=plugins,
            progress=progress,
            onnxruntime_version=str(onnxruntime.__version__),
        )


def _predict(
    model: Path,
    table: Path,
    out: Path,
    started: float,
    *,
    timestamp: str | None,
    plugins: Plugins,
    progress: ProgressSink | None,
    onnxruntime_version: str,
) -> PredictReport:
    """The prediction, under the output's lock."""
    import numpy as np
    import pyarrow as pa

    from vqa_core.fsutil import manifest_path_for
    from vqa_core.provenance import build_manifest, describe_file, write_manifest
    from vqa_core.tables.loose import read_table, write_table
    from vqa_core.timestamps import run_timestamp
    from vqa_core.train.sidecar import read_sidecar

    sidecar = read_sidecar(model)
    from vqa_core.train.export import run_onnx, session_for
    from vqa_core.train.project import project
    from vqa_core.train.schemas import resolve_schema

    schema = resolve_schema(sidecar.feature_schema, plugins)
    names = tuple(sidecar.feature_order)
    profile = sidecar.display_profile.feature_values if sidecar.display_profile else None
    loaded = read_table(table)
    derived = schema.derive(loaded.table, profile)
    projection = project(loaded.table, names, derived=derived, need_mos=False)
    if projection.n_usable == 0:
        missing = ", ".join(sorted(projection.missing_features)[:5])
        raise TrainingError(
            f"no row of {table} has every feature of {sidecar.feature_schema} (missing e.g. {missing}); nothing written"
        )
    usable = np.flatnonzero(projection.usable)
    predictions = np.full(loaded.num_rows, np.nan)
    session = session_for(str(model))
    with Phase(progress, int(usable.size), "predict") as phase:
        for start in range(0, usable.size, BATCH_ROWS):
            rows = usable[start : start + BATCH_ROWS]
            predictions[rows] = run_onnx(session, projection.features[rows])
            phase.add(int(rows.size))
    values = [float(v) if np.isfinite(v) else None for v in predictions]
    status = ["ok" if ok else "missing-feature" for ok in projection.usable]
    result = loaded.table
    for name, array in (
        ("mos_pred", pa.array(values, pa.float64())),
        ("mos_pred_status", pa.array(status, pa.string())),
    ):
        if name in result.column_names:
            result = result.set_column(result.column_names.index(name), name, array)
        else:
            result = result.append_column(name, array)
    write_table(result, out)
    report = PredictReport(
        output=out,
        manifest=manifest_path_for(out),
        rows=loaded.num_rows,
        predicted=int(usable.size),
        refused=projection.refused,
        elapsed_s=time.monotonic() - started,
    )
    from vqa_core import __version__

    write_manifest(
        report.manifest,
        build_manifest(
            MANIFEST_SCHEMA,
            created_at_utc=run_timestamp(timestamp),
            versions={
                "vqa-core": __version__,
                "onnxruntime": onnxruntime_version,
            },
            inputs={
                "model": describe_file(model),
                "sidecar": describe_file(manifest_path_for(model)),
                "table": describe_file(table),
            },
            outputs={"table": describe_file(out)},
            feature_schema=sidecar.feature_schema,
            feature_order=list(names),
            stats={
                "rows": report.rows,
                "predicted": report.predicted,
                "refused": report.refused,
                "missing_features": projection.missing_features,
            },
        ),
    )
    return report
