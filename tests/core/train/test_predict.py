from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import TrainingError, UsageError
from vqa_core.train import TrainReport, predict
from vqa_core.train.metrics import plcc


def test_predict_runs_without_torch(smoke_model: TrainReport, tmp_path: Path) -> None:
    table = smoke_model.model.parent / "smoke_table.parquet"
    out = tmp_path / "pred.jsonl"
    script = (
        "import sys\n"
        "from vqa_core.cli import main\n"
        f"args = ['predict', '--model', {str(smoke_model.model)!r}, '--table', {str(table)!r}, '-o', {str(out)!r}]\n"
        "try:\n"
        "    main(args)\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "assert 'torch' not in sys.modules, 'predict imported torch'\n"
        "print('torch-free')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "torch-free" in result.stdout and "300 of 300 rows predicted" in result.stdout
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    predicted = np.asarray([r["mos_pred"] for r in rows])
    assert ((predicted > 1) & (predicted < 5)).all()
    assert plcc(predicted, np.asarray([r["mos"] for r in rows])) > 0.9  # type: ignore[operator]


def test_rows_without_features_get_no_prediction(smoke_model: TrainReport, tmp_path: Path) -> None:
    table = pq.read_table(smoke_model.model.parent / "smoke_table.parquet").slice(0, 4)
    adm2 = table.column("adm2").to_pylist()
    adm2[1] = None
    table = table.set_column(table.column_names.index("adm2"), "adm2", pa.array(adm2)).drop_columns(["mos"])
    pq.write_table(table, tmp_path / "t.parquet")
    report = predict(smoke_model.model, tmp_path / "t.parquet", tmp_path / "p.parquet")
    out = pq.read_table(tmp_path / "p.parquet")
    assert out.column("mos_pred_status").to_pylist() == ["ok", "missing-feature", "ok", "ok"]
    assert out.column("mos_pred").to_pylist()[1] is None
    assert report.refused == {"missing-feature": 1}
    empty = table.drop_columns(["adm2"])
    pq.write_table(empty, tmp_path / "e.parquet")
    with pytest.raises(TrainingError, match=r"missing e\.g\. adm2"):
        predict(smoke_model.model, tmp_path / "e.parquet", tmp_path / "e-out.parquet")
    assert not (tmp_path / "e-out.parquet").exists()


def test_a_changed_or_bare_model_is_refused(smoke_model: TrainReport, tmp_path: Path) -> None:
    copy = tmp_path / "mos_head.onnx"
    shutil.copy(smoke_model.model, copy)
    table = smoke_model.model.parent / "smoke_table.parquet"
    with pytest.raises(UsageError, match="has no sidecar"):
        predict(copy, table, tmp_path / "p.parquet")
    shutil.copy(smoke_model.sidecar, tmp_path / "mos_head.manifest.json")
    copy.write_bytes(copy.read_bytes() + b"\x00")
    result = CliRunner().invoke(
        main, ["predict", "--model", str(copy), "--table", str(table), "-o", str(tmp_path / "p.parquet")]
    )
    assert result.exit_code == 2 and "refusing a changed model" in result.output


def test_missing_onnxruntime_names_the_extra(smoke_model: TrainReport, tmp_path: Path) -> None:
    table = smoke_model.model.parent / "smoke_table.parquet"
    script = (
        "import sys\n"
        "sys.modules['onnxruntime'] = None\n"
        "from vqa_core.cli import main\n"
        f"main(['predict', '--model', {str(smoke_model.model)!r}, '--table', {str(table)!r}, '-o', {str(tmp_path / 'p.parquet')!r}])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: vqa predict needs onnxruntime, which is part of the predict extra: "
        "pip install 'vqa-core[predict]'"
    )
    assert not (tmp_path / "p.parquet").exists()
