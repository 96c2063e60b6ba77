"""The main job on the embedded sample drops: what ``make demo`` runs.

For every installed corpus: write its sample drop and ingest it (an encode
grid for corpora without labels); then aggregate the shards onto the 0–100
axis and write the per-corpus report; extract clip features, join the labels
onto them, train a MOS head on a generated table (``--smoke``) and apply it to
every corpus's features; export the unified table in every ``vqa export`` format.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from vqa_core.errors import PluginCallError, PluginError
from vqa_core.registry import Registry

__all__ = ["DemoResult", "run_demo"]

log = logging.getLogger("vqa.demo")

TIMESTAMP = "2026-01-01T00:00:00Z"


@attrs.define
class DemoResult:
    out: Path
    shards: dict[str, Path] = attrs.Factory(dict)
    grids: dict[str, Path] = attrs.Factory(dict)
    summary: list[dict[str, Any]] = attrs.Factory(list)
    artefacts: dict[str, Path] = attrs.Factory(dict)
    report_rows: Any = None


def run_demo(
    registry: Registry, out: Path, *, clips: int = 6, seed: int = 0, echo: Callable[[str], None] = print
) -> DemoResult:
    """Sample → ingest for every installed corpus, into ``out`` (recreated)."""
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.sample import write_sample

    if out.exists():
        shutil.rmtree(out)
    result = DemoResult(out=out)
    for corpus in registry.corpora:
        cid = corpus.id
        try:
            drop = write_sample(registry, cid, out / "samples" / cid, clips=clips, seed=seed)
        except PluginCallError:
            raise  # its sample writer crashed: a bug to report, not a plugin without one
        except PluginError as exc:  # a third-party plugin need not ship a sample writer
            echo(f"  {cid}: skipped ({exc})")
            continue
        if not corpus.declaration.has_labels:
            from vqa_core.grid import ingest_grid
            from vqa_core.sources import GridSettings, SourceSpec

            spec = SourceSpec(root=drop.root, metadata=tuple(drop.metadata), clips_dir=drop.root)
            grid = out / "shards" / f"{cid}.grid.jsonl"
            report = ingest_grid(
                registry, cid, spec, GridSettings(timestamp="2026-01-01T00:00:00+00:00"), grid
            )
            result.grids[cid] = grid
            echo(f"  {cid}: {report.rows_written} encode-grid rows -> {grid}")
            continue
        shard = out / "shards" / f"{cid}.jsonl"
        summary = ingest(
            registry,
            IngestConfig(
                cid, root=drop.root, output=shard, metadata=tuple(drop.metadata), timestamp=TIMESTAMP
            ),
        )
        result.shards[cid] = shard
        result.summary.append(
            {"corpus": cid, "rows": summary.rows_read, "written": summary.written, "skipped": summary.skipped}
        )
        echo(f"  {summary.summary()}")
    if result.shards:
        _aggregate_and_report(registry, result, echo)
        _export(registry, result, echo)
        _features_train_predict(registry, result, echo)
    return result


def _features_train_predict(registry: Registry, result: DemoResult, echo: Callable[[str], None]) -> None:
    """Features of every sample clip, labels joined on, a smoke-trained MOS head, predictions."""
    from vqa_core.errors import MissingExtraError
    from vqa_core.features import FeatureConfig, extract_features
    from vqa_core.labels import MaterializeConfig, materialize_labels

    tables = []
    for cid, shard in result.shards.items():
        features = result.out / "features" / f"{cid}.parquet"
        report = extract_features(
            FeatureConfig(
                shard=shard, root=result.out / "samples" / cid, output=features, timestamp=TIMESTAMP
            )
        )
        labelled = result.out / "labelled" / f"{cid}.parquet"
        materialize_labels(
            MaterializeConfig(
                features=features, labels=(shard,), out=labelled, label_scale="auto", timestamp=TIMESTAMP
            ),
            plugins=registry,
        )
        tables.append(labelled)
        echo(f"  {report.summary()}")
    try:
        from vqa_core.train import TrainConfig, predict, train_mos_head
    except MissingExtraError as exc:
        echo(f"  training skipped: {exc}")
        return
    model_dir = result.out / "model"
    try:
        trained = train_mos_head(
            TrainConfig(out=model_dir, feature_schema="vqa-nr-v1", smoke=True, timestamp=TIMESTAMP)
        )
    except MissingExtraError as exc:
        echo(f"  training skipped: {exc}")
        return
    echo(f"  {trained.summary()}")
    result.artefacts["MOS head (ONNX)"] = trained.model
    _evaluate(tables, result, echo)
    for table in tables:
        predicted = predict(
            trained.model, table, result.out / "predictions" / table.name, timestamp=TIMESTAMP
        )
        result.artefacts.setdefault("predictions", predicted.output.parent)
    echo(f"  predictions for {len(tables)} corpora -> {result.out / 'predictions'}")


def _evaluate(tables: list[Path], result: DemoResult, echo: Callable[[str], None]) -> None:
    """Grouped K-fold over the labelled sample tables of every corpus, with the HTML report."""
    import pyarrow as pa

    from vqa_core.errors import MissingExtraError
    from vqa_core.evaluation.render import markdown_table
    from vqa_core.evaluation.run import EvaluateConfig, run_evaluation
    from vqa_core.extras import require
    from vqa_core.tables.loose import read_table, write_table

    combined = result.out / "labelled" / "all-corpora.parquet"
    parts = [read_table(t).table for t in tables]
    write_table(pa.concat_tables(parts, promote_options="default"), combined)
    report: Path | None = result.out / "evaluation.html"
    try:
        require("matplotlib", "the evaluation report", "plots")
    except MissingExtraError as exc:  # the metrics still show
        echo(f"  evaluation report skipped: {exc}")
        report = None
    evaluation = run_evaluation(
        EvaluateConfig(table=combined, feature_schema="vqa-nr-v1", protocol="kfold", folds=3),
        report,
        timestamp=TIMESTAMP,
    )
    echo("  vqa evaluate (grouped 3-fold over every corpus's sample clips):")
    for line in markdown_table(evaluation.document).splitlines():
        echo(f"    {line}")
    if report is not None:
        result.artefacts["evaluation"] = report


def _export(registry: Registry, result: DemoResult, echo: Callable[[str], None]) -> None:
    """The unified table in every export format, one file per corpus, paths under the sample roots."""
    from vqa_core.errors import MissingExtraError
    from vqa_core.export import FORMATS, ExportConfig, export_table

    unified = result.artefacts["unified table"]
    roots = {cid: result.out / "samples" / cid for cid in result.shards}
    warned: set[str] = set()
    for fmt in FORMATS:
        config = ExportConfig(
            table=unified,
            format=fmt,
            out=result.out / "exports" / fmt,
            by="corpus",
            paths="absolute",
            roots=roots,
            timestamp=TIMESTAMP,
        )
        try:
            exported = export_table(config, registry)
        except MissingExtraError as exc:
            echo(f"  export {fmt} skipped: {exc}")
            continue
        echo(f"  {exported.summary()}")
        for warning in exported.warnings:
            if warning not in warned:  # why: the licence line is the same for every format
                warned.add(warning)
                echo(f"    warning: {warning}")
    result.artefacts["exports (dover, pyiqa, hf, csv)"] = result.out / "exports"


def _aggregate_and_report(registry: Registry, result: DemoResult, echo: Callable[[str], None]) -> None:
    from vqa_core.aggregate import aggregate
    from vqa_core.errors import MissingExtraError
    from vqa_core.report import summarise, write_report

    unified = result.out / "unified.parquet"
    agg = aggregate(registry, list(result.shards.values()), unified, timestamp=TIMESTAMP)
    echo(f"  aggregate: {agg.rows_in} rows in, {agg.rows_out} out on the 0–100 axis -> {unified}")
    result.artefacts["unified table"] = unified
    summary = summarise(unified)
    result.report_rows = summary
    report = result.out / "report.html"
    try:
        write_report(summary, report, timestamp=TIMESTAMP, versions=registry.versions())
    except MissingExtraError as exc:  # core without the plots extra: the table still shows
        echo(f"  report skipped: {exc}")
        return
    result.artefacts["report"] = report
