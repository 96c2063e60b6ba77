from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import TrainingError, UsageError
from vqa_core.fsutil import sha256_file
from vqa_core.train import FitSettings, TrainConfig, TrainReport, train_mos_head
from vqa_core.train.schemas import feature_names
from vqa_core.train.smoke import smoke_table
from vqa_core.train.trainer import judge_gate

TINY = FitSettings(epochs=15, batch_size=256, lr=1e-2, hidden=(16,))


def _sidecar(report: TrainReport) -> dict[str, object]:
    return orjson.loads(report.sidecar.read_bytes())  # type: ignore[no-any-return]


def test_smoke_run_exports_a_checked_model(smoke_model: TrainReport) -> None:
    sidecar = _sidecar(smoke_model)
    model = onnx.load(str(smoke_model.model))
    onnx.checker.check_model(model, full_check=True)
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [17]
    assert not list(smoke_model.model.parent.glob("*.data"))  # weights inside the one file
    (graph_input,) = model.graph.input
    assert graph_input.name == "features"
    assert [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim] == ["N", 11]
    assert [d.dim_param or d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim] == ["N", 1]
    assert sidecar["model"]["sha256"] == sha256_file(smoke_model.model)  # type: ignore[index]
    table = smoke_model.model.parent / "smoke_table.parquet"
    assert sidecar["inputs"]["table"]["sha256"] == sha256_file(table)  # type: ignore[index]
    assert sidecar["feature_order"] == list(feature_names("konvid-v1"))
    assert sidecar["training"]["seed"] == 20260508 and sidecar["training"]["validation_policy"] == "3-fold"  # type: ignore[index]
    assert len(sidecar["normalisation"]["mean"]) == 11  # type: ignore[index]
    assert set(sidecar["versions"]) >= {"vqa-core", "torch", "onnx", "onnxruntime"}  # type: ignore[arg-type]
    metrics = sidecar["metrics"]
    assert [f["fold"] for f in metrics["folds"]] == ["fold-1", "fold-2", "fold-3"]  # type: ignore[index]
    pooled = metrics["pooled"]  # type: ignore[index]
    assert pooled["n"] == 300
    for name in ("plcc", "srocc", "krocc", "rmse"):
        low, high = pooled[f"{name}_ci95"]
        assert low <= pooled[name] <= high
    assert sidecar["gate"]["passed"] is True and smoke_model.gate["passed"]  # type: ignore[index]
    assert sidecar["parity"]["max_abs_diff"] < 1e-4 and sidecar["parity"]["rows"] == 300  # type: ignore[index]


def test_two_runs_give_identical_bytes(tmp_path: Path) -> None:
    def run(out: Path, seed: int) -> bytes:
        config = TrainConfig(
            out=out,
            feature_schema="vqa-nr-v1",
            smoke=True,
            folds=2,
            smoke_rows=120,
            fit=TINY,
            seed=seed,
            timestamp="2026-01-01T00:00:00Z",
        )
        return train_mos_head(config).model.read_bytes()

    first, second = run(tmp_path / "a", 7), run(tmp_path / "b", 7)
    assert first == second
    sidecars = [orjson.loads((tmp_path / d / "mos_head.manifest.json").read_bytes()) for d in "ab"]
    assert sidecars[0]["metrics"] == sidecars[1]["metrics"]
    assert sidecars[0]["model"]["sha256"] == sidecars[1]["model"]["sha256"]
    assert run(tmp_path / "c", 8) != first


def _table_with_split(path: Path, rows: int = 160) -> pa.Table:
    table = smoke_table("konvid-v1", rows=rows, seed=3)
    split = ["val" if i % 4 == 0 else "train" for i in range(rows)]
    table = table.append_column("split", pa.array(split))
    pq.write_table(table, path)
    return table


def test_explicit_split_normalises_on_training_rows_only(tmp_path: Path) -> None:
    table = _table_with_split(tmp_path / "t.parquet")
    report = train_mos_head(
        TrainConfig(out=tmp_path / "m", feature_schema="konvid-v1", table=tmp_path / "t.parquet", fit=TINY)
    )
    sidecar = _sidecar(report)
    assert report.validation_policy == "explicit-split" and len(report.folds) == 1
    train_rows = [i for i in range(table.num_rows) if i % 4 != 0]
    expected = np.asarray(table.column("adm2").to_pylist())[train_rows].mean()
    assert sidecar["normalisation"]["mean"][0] == pytest.approx(expected)  # type: ignore[index]
    assert sidecar["rows"]["trained_on"] == 120 and sidecar["parity"]["rows"] == 40  # type: ignore[index]
    assert sidecar["inputs"]["table"]["sha256"] == sha256_file(tmp_path / "t.parquet")  # type: ignore[index]


def test_rows_missing_a_feature_are_refused_and_counted(tmp_path: Path) -> None:
    table = smoke_table("konvid-v1", rows=60, seed=1)
    motion = table.column("motion2").to_pylist()
    motion[:5] = [None] * 5
    table = table.set_column(table.column_names.index("motion2"), "motion2", pa.array(motion))
    pq.write_table(table, tmp_path / "t.parquet")
    report = train_mos_head(
        TrainConfig(
            out=tmp_path / "m", feature_schema="konvid-v1", table=tmp_path / "t.parquet", folds=2, fit=TINY
        )
    )
    assert report.rows["usable"] == 55 and report.rows["refused"] == {"missing-feature": 5}
    assert report.rows["missing_features"] == {"motion2": 5}


def test_no_usable_rows_writes_nothing(tmp_path: Path) -> None:
    table = tmp_path / "t.jsonl"
    table.write_bytes(
        b"".join(orjson.dumps({"src": f"{i}.mp4", "mos": 3.0, "adm2": 0.5}) + b"\n" for i in range(10))
    )
    out = tmp_path / "m"
    with pytest.raises(
        TrainingError, match=r"no usable rows for konvid-v1 .* 10 missing-feature.*nothing written"
    ):
        train_mos_head(TrainConfig(out=out, feature_schema="konvid-v1", table=table))
    assert not out.exists()
    result = CliRunner().invoke(
        main, ["train", "mos-head", "--table", str(table), "--feature-schema", "konvid-v1", "--out", str(out)]
    )
    assert result.exit_code == 2 and result.output.startswith("error: no usable rows") and not out.exists()


def test_too_few_rows_for_the_folds(tmp_path: Path) -> None:
    pq.write_table(smoke_table("konvid-v1", rows=20, seed=1).slice(0, 7), tmp_path / "t.parquet")
    with pytest.raises(TrainingError, match="too few for 5 folds"):
        train_mos_head(
            TrainConfig(out=tmp_path / "m", feature_schema="konvid-v1", table=tmp_path / "t.parquet")
        )
    with pytest.raises(UsageError, match="not both"):
        train_mos_head(
            TrainConfig(
                out=tmp_path / "m", feature_schema="konvid-v1", table=tmp_path / "t.parquet", smoke=True
            )
        )


def test_gate_is_reported_always_and_enforced_with_gate(tmp_path: Path) -> None:
    assert judge_gate({"plcc": 0.83, "srocc": 0.81, "rmse": 0.46})["failures"] == [
        "PLCC 0.830 < 0.85",
        "SROCC 0.810 < 0.82",
        "RMSE 0.460 > 0.45",
    ]
    assert judge_gate({"plcc": None, "srocc": 0.9, "rmse": 0.1})["passed"] is False
    noise = smoke_table("konvid-v1", rows=60, seed=2)
    rng = np.random.default_rng(0)
    noise = noise.set_column(noise.column_names.index("mos"), "mos", pa.array(rng.uniform(1, 5, 60)))
    pq.write_table(noise, tmp_path / "noise.parquet")
    args = [
        "train",
        "mos-head",
        "--table",
        str(tmp_path / "noise.parquet"),
        "--feature-schema",
        "konvid-v1",
        "--folds",
        "2",
        "--epochs",
        "10",
    ]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert result.exit_code == 0 and "gate FAIL" in result.output
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "b"), "--gate"])
    assert result.exit_code == 3 and "error: gate failed: PLCC" in result.output  # a check, not bad input
    assert orjson.loads((tmp_path / "b" / "mos_head.manifest.json").read_bytes())["gate"]["passed"] is False


def test_missing_train_extra_names_it(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from vqa_core.cli import main\n"
        f"main(['train', 'mos-head', '--smoke', '--feature-schema', 'konvid-v1', '--out', {str(tmp_path / 'm')!r}])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: vqa train mos-head needs torch, which is part of the train extra: pip install 'vqa-core[train]'"
    )
    assert not (tmp_path / "m").exists()


def test_features_labels_training_and_prediction_on_real_clips(tmp_path: Path) -> None:
    """The chain the demo runs: sample drop → ingest → features → labels → train → predict."""
    import vqa_konvid

    from vqa_core.features import FeatureConfig, extract_features
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.labels import MaterializeConfig, materialize_labels
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample
    from vqa_core.train import predict

    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-1k", tmp_path / "drop", clips=8, seed=21)
    shard = tmp_path / "konvid-1k.jsonl"
    ingest(registry, IngestConfig(corpus_id="konvid-1k", root=drop.root, output=shard, workers=2))
    features = tmp_path / "features.parquet"
    extract_features(FeatureConfig(shard=shard, root=drop.root, output=features, workers=2, sample_fps=10.0))
    labelled = tmp_path / "labelled.parquet"
    materialize_labels(MaterializeConfig(features=features, labels=(shard,), out=labelled))
    report = train_mos_head(
        TrainConfig(out=tmp_path / "model", feature_schema="vqa-nr-v1", table=labelled, folds=2, fit=TINY)
    )
    assert report.rows["usable"] == 8 and report.parity_max_abs_diff < 1e-4
    assert report.pooled["n"] == 8
    predicted = predict(report.model, labelled, tmp_path / "pred.jsonl")
    assert predicted.predicted == 8


def test_demo_chain_features_smoke_training_prediction(tmp_path: Path) -> None:
    """What `make demo` runs, through the CLI: features of a sample drop, a smoke model, predictions."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-150k", tmp_path / "drop", clips=3, seed=4)
    shard = tmp_path / "konvid-150k.jsonl"
    ingest(registry, IngestConfig(corpus_id="konvid-150k", root=drop.root, output=shard, workers=1))
    runner = CliRunner()
    features = tmp_path / "features.parquet"
    steps = [
        ["features", "extract", str(shard), "--root", str(drop.root), "-o", str(features), "-q"],
        [
            "train",
            "mos-head",
            "--smoke",
            "--feature-schema",
            "vqa-nr-v1",
            "--out",
            str(tmp_path / "model"),
            "--epochs",
            "20",
            "--folds",
            "2",
        ],
        [
            "predict",
            "--model",
            str(tmp_path / "model" / "mos_head.onnx"),
            "--table",
            str(features),
            "-o",
            str(tmp_path / "pred.jsonl"),
        ],
    ]
    for args in steps:
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    rows = [orjson.loads(line) for line in (tmp_path / "pred.jsonl").read_bytes().splitlines()]
    assert len(rows) == 3 and all(1 <= r["mos_pred"] <= 5 and r["mos_pred_status"] == "ok" for r in rows)
