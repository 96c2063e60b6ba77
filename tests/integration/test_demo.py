"""`vqa demo` (what `make demo` runs) goes from sample drops to predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from vqa_core.cli import main


def test_the_demo_runs_the_whole_pipeline(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--clips", "3"])
    assert result.exit_code == 0, result.output
    shards = sorted(
        p.name
        for p in (out / "shards").iterdir()
        if p.name.endswith(".jsonl") and ".rejections" not in p.name
    )
    assert "bvi-dvc.grid.jsonl" in shards and "konvid-1k.jsonl" in shards and len(shards) == 8
    unified = pq.read_table(out / "unified.parquet")
    assert unified.num_rows == 21 and set(unified.column("corpus_source").to_pylist()) >= {"chug", "lsvq"}
    assert "<img" in (out / "report.html").read_text()
    sidecar = json.loads((out / "model" / "mos_head.manifest.json").read_text())
    assert sidecar["feature_schema"] == "vqa-nr-v1"
    predictions = pq.read_table(out / "predictions" / "konvid-1k.parquet")
    assert all(1.0 <= v <= 5.0 for v in predictions.column("mos_pred").to_pylist())
    assert "report:" in result.output
    evaluation = json.loads((out / "evaluation.manifest.json").read_text())["evaluation"]
    assert evaluation["protocol"] == "kfold" and evaluation["grouped"] is True
    first = evaluation["results"][0]
    assert first["test_set"] == "all" and first["n"] == 21
    assert "<img" in (out / "evaluation.html").read_text()
    assert "| test set | n | SROCC |" in result.output
    exports = out / "exports"
    assert sorted(p.name for p in exports.iterdir() if p.is_dir()) == ["csv", "dover", "hf", "pyiqa"]
    for fmt in ("csv", "dover", "hf", "pyiqa"):
        stats = json.loads((exports / fmt / "export.manifest.json").read_text())["stats"]
        assert stats["rows_written"] == 21, fmt
    lsvq_line = (exports / "dover" / "lsvq_labels.txt").read_text().splitlines()[0]
    assert Path(lsvq_line.split(",")[0]).is_file()  # absolute paths to the sample clips
    assert f"exports (dover, pyiqa, hf, csv): {exports}" in result.output
