"""Every command's ``--json`` document: exactly the keys of its schema (read strictly), the facts
its outputs and sidecars hold, and nothing else on stdout. Without ``--json`` the human summary
is on stdout and the rest on stderr."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from vqa_core.cli.results.acquire import FetchResult, IngestGridResult, IngestResult, SampleResult
from vqa_core.cli.results.corpora import CorpusEntry, CorpusInfoResult, PluginEntry
from vqa_core.cli.results.demo import DemoResult
from vqa_core.cli.results.learn import (
    EvaluateResult,
    FeaturesResult,
    LabelsResult,
    PredictResult,
    TrainResult,
)
from vqa_core.cli.results.registry import parse_corpora_list
from vqa_core.cli.results.tables import (
    AggregateResult,
    ExportResult,
    MergeGridResult,
    ReportResult,
    VerifyResult,
)
from vqa_core.testing.http import LocalServer

TINY_FIT = ("--epochs", "5", "--batch-size", "64")


def _lines(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _manifest(path: Path) -> dict[str, object]:
    data: dict[str, object] = orjson.loads(path.read_bytes())
    return data


def test_sample_and_ingest(cli: ModuleType, tmp_path: Path) -> None:
    sampled = cli.vqa("sample", "konvid-1k", tmp_path / "drop", "--clips", "3", "--json")
    assert sampled.code == 0, sampled.stderr
    sample = sampled.document()
    assert isinstance(sample, SampleResult) and sample.clips == 3 and sample.root == tmp_path / "drop"
    assert all(p.is_file() for p in sample.metadata)
    assert "vqa ingest konvid-1k" in sampled.stderr  # the hint is not part of the result

    out = tmp_path / "k.jsonl"
    ran = cli.vqa(
        "ingest", "konvid-1k", "--root", sample.root, "-o", out, "--timestamp", cli.STAMP, "-q", "--json"
    )
    assert ran.code == 0, ran.stderr
    ingest = ran.document()
    assert isinstance(ingest, IngestResult)
    assert (ingest.corpus, ingest.output, ingest.rows_read, ingest.written) == ("konvid-1k", out, 3, 3)
    assert ingest.skipped == {} and ingest.downloads_remaining == 0 and ingest.processed == 3
    assert len(_lines(out)) == 3 and ingest.manifest.is_file() and ingest.rejections.is_file()
    stats = _manifest(ingest.manifest)["stats"]
    assert isinstance(stats, dict) and stats["written"] == ingest.written


def test_ingest_of_an_encode_grid(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    ran = cli.vqa(
        "ingest", "bvi-dvc", "--root", inputs.grid_drop, "-o", out, "--timestamp", cli.STAMP, "--json"
    )
    assert ran.code == 0, ran.stderr
    grid = ran.document()
    assert isinstance(grid, IngestGridResult) and grid.command == "ingest"
    assert grid.rows_written == len(_lines(out)) > 0 and grid.manifest.is_file()
    assert grid.rejected == {} and grid.rejections == []


def test_fetch(cli: ModuleType, konvid_1k_drop: Path, tmp_path: Path) -> None:
    def zipped(folder: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for path in sorted((konvid_1k_drop / folder).iterdir()):
                zf.writestr(f"{folder}/{path.name}", path.read_bytes())
        return buffer.getvalue()

    root = tmp_path / "konvid"
    with LocalServer() as server:
        for folder in ("KoNViD_1k_videos", "KoNViD_1k_metadata"):
            server.add(f"/a/{folder}.zip", zipped(folder))
        ran = cli.vqa("fetch", "konvid-1k", "--root", root, "--base-url", server.url("/a"), "--json")
    assert ran.code == 0, ran.stderr
    fetched = ran.document()
    assert isinstance(fetched, FetchResult) and fetched.root == root
    assert (
        sorted(fetched.downloaded)
        == sorted(fetched.extracted)
        == [
            "KoNViD_1k_metadata.zip",
            "KoNViD_1k_videos.zip",
        ]
    )
    manifest = _manifest(fetched.manifest)
    assert [a.sha256 for a in fetched.archives] == [a["sha256"] for a in manifest["archives"]]  # type: ignore[union-attr]
    assert all(a.extracted_to == root and a.files for a in fetched.archives)
    assert "next: vqa ingest konvid-1k" in ran.stderr


def test_aggregate_and_its_summary_on_stdout(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    out = tmp_path / "u.parquet"
    ran = cli.vqa("aggregate", inputs.shard, "-o", out, "--timestamp", cli.STAMP, "--json")
    assert ran.code == 0, ran.stderr
    result = ran.document()
    assert isinstance(result, AggregateResult) and result.shards == [inputs.shard]
    assert result.rows_out == pq.read_table(out).num_rows == result.corpora["konvid-1k"].rows_out
    assert result.manifest.is_file() and result.warnings == []

    human = cli.vqa("aggregate", inputs.shard, "-o", tmp_path / "v.parquet", "--timestamp", cli.STAMP)
    assert human.code == 0, human.stderr
    assert human.stdout.startswith(f"aggregated {result.rows_out} rows from 1 shard")
    assert "manifest: " in human.stdout and human.stderr == ""


def test_merge_grid_and_its_summary_on_stdout(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    ran = cli.vqa("merge-grid", *inputs.grids, "-o", out, "--timestamp", cli.STAMP, "--json")
    assert ran.code == 0, ran.stderr
    merged = ran.document()
    assert isinstance(merged, MergeGridResult)
    assert merged.rows_out == len(_lines(out)) and merged.duplicates == merged.rows_in - merged.rows_out
    assert [i.path for i in merged.inputs] == list(inputs.grids) and merged.conflicts == []

    human = cli.vqa("merge-grid", *inputs.grids, "-o", tmp_path / "n.jsonl", "--timestamp", cli.STAMP)
    assert human.code == 0 and human.stdout.startswith(f"merged {merged.rows_in} rows from 2 inputs")
    assert human.stderr == ""


def test_verify(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    ran = cli.vqa("verify", inputs.shard, "--root", inputs.drop, "-o", tmp_path / "v.jsonl", "-q", "--json")
    assert ran.code == 0, ran.stderr
    result = ran.document()
    assert isinstance(result, VerifyResult) and result.ok and result.counts["ok"] == result.rows == 8
    assert [c.status for c in result.clips] == ["ok"] * 8
    assert [c.src for c in result.clips] == [row["src"] for row in _lines(inputs.shard)]


def test_report(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    ran = cli.vqa("report", inputs.unified, "--json")
    assert ran.code == 0, ran.stderr
    result = ran.document()
    assert isinstance(result, ReportResult) and result.output is None and result.manifest is None
    assert result.total.rows == 8 and [c.corpus for c in result.corpora] == ["konvid-1k"]
    assert "output" not in json.loads(ran.stdout)  # absent, not null

    written = cli.vqa("report", inputs.unified, "-o", tmp_path / "r.html", "--timestamp", cli.STAMP, "--json")
    document = written.document()
    assert isinstance(document, ReportResult) and document.output == tmp_path / "r.html"
    assert document.manifest is not None and document.manifest.is_file() and document.output.is_file()


def test_export(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    ran = cli.vqa("export", inputs.unified, "--format", "csv", "--out", tmp_path / "x", "--json")
    assert ran.code == 0, ran.stderr
    result = ran.document()
    assert isinstance(result, ExportResult) and result.rows_written == 8
    assert [c.id for c in result.corpora] == ["konvid-1k"]
    assert all((tmp_path / "x" / f.path).is_file() for f in result.files)


def test_features_labels_train_predict_evaluate(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    features = tmp_path / "f.parquet"
    ran = cli.vqa(
        "features", "extract", inputs.shard, "--root", inputs.drop, "-o", features, "--sample-fps", "10"
    )
    assert ran.code == 0, ran.stderr  # the human run first: its summary line, nothing else
    assert ran.stdout.startswith("features: 8 clips read, 8 written") and len(ran.stdout.splitlines()) == 1
    again = cli.vqa(
        *("features", "extract", inputs.shard, "--root", inputs.drop, "-o", features),
        *("--sample-fps", "10", "-q", "--json"),
    )
    extracted = again.document()  # a rerun: every clip from the finished state
    assert isinstance(extracted, FeaturesResult) and extracted.written == 8 and extracted.reused == 8

    labelled, audit = tmp_path / "l.parquet", tmp_path / "audit.json"
    ran = cli.vqa(
        "labels", "materialize", "--features", features, "--labels", inputs.shard, "--out", labelled
    )
    assert ran.code == 0 and ran.stdout.startswith("labels: 8 of 8 feature rows labelled"), ran.stderr
    ran = cli.vqa(
        *("labels", "materialize", "--features", features, "--labels", inputs.shard),
        *("--out", tmp_path / "j.parquet", "--audit-json", audit, "--json"),
    )
    assert ran.code == 0, ran.stderr
    labels = ran.document()
    assert isinstance(labels, LabelsResult) and labels.audit == audit and labels.match_rate == 1.0
    recorded = _manifest(audit)
    assert labels.counts.matched_rows == recorded["counts"]["matched_rows"] == 8  # type: ignore[index]
    assert "mos" in labels.columns_added

    model = tmp_path / "model"
    ran = cli.vqa(
        *("train", "mos-head", "--table", labelled, "--feature-schema", "vqa-nr-v1", "--out", model),
        *("--folds", "2", *TINY_FIT, "--timestamp", cli.STAMP, "--json"),
    )
    assert ran.code == 0, ran.stderr
    trained = ran.document()
    assert isinstance(trained, TrainResult) and trained.model.is_file() and not trained.gate_enforced
    sidecar = _manifest(trained.sidecar)
    assert trained.gate.passed == sidecar["gate"]["passed"]  # type: ignore[index]
    assert trained.pooled.n == 8 and [f.fold for f in trained.folds] == ["fold-1", "fold-2"]
    assert trained.rows.usable == 8 and trained.feature_schema == "vqa-nr-v1"

    ran = cli.vqa(
        "predict", "--model", trained.model, "--table", labelled, "-o", tmp_path / "p.jsonl", "--json"
    )
    assert ran.code == 0, ran.stderr
    predicted = ran.document()
    assert isinstance(predicted, PredictResult) and predicted.predicted == predicted.rows == 8
    assert predicted.model == trained.model and predicted.manifest.is_file()

    report = tmp_path / "eval.html"
    ran = cli.vqa(
        *("evaluate", labelled, "--feature-schema", "vqa-nr-v1", "--folds", "2", "--bootstrap", "10"),
        *(*TINY_FIT, "--out", report, "--timestamp", cli.STAMP, "--json"),
    )
    assert ran.code == 0, ran.stderr
    evaluated = ran.document()
    assert isinstance(evaluated, EvaluateResult) and evaluated.schema == "vqa-evaluation-v1"
    assert evaluated.report == report and evaluated.sidecar is not None
    # the document is the sidecar's evaluation, plus where the report went and which command wrote it
    document = json.loads(ran.stdout)
    for key in ("command", "report", "sidecar"):
        del document[key]
    assert document == _manifest(evaluated.sidecar)["evaluation"]


def test_train_without_a_passing_gate_still_exits_0(cli: ModuleType, inputs: Any, tmp_path: Path) -> None:
    """The verdict is in the document either way; only --gate turns a failure into exit 3."""
    ran = cli.vqa(
        *("train", "mos-head", "--table", inputs.labelled, "--feature-schema", "vqa-nr-v1"),
        *("--out", tmp_path / "m", "--folds", "2", "--epochs", "1", "--json"),
    )
    assert ran.code == 0, ran.stderr
    trained = ran.document()
    assert isinstance(trained, TrainResult) and not trained.gate.passed and trained.gate.failures


def test_corpora_list_and_info(cli: ModuleType) -> None:
    listed = cli.vqa("corpora", "list", "--all", "--json")
    assert listed.code == 0, listed.stderr
    entries = parse_corpora_list(json.loads(listed.stdout))
    corpora = [e for e in entries if isinstance(e, CorpusEntry)]
    assert {"konvid-1k", "lsvq", "bvi-dvc"} <= {e.id for e in corpora}
    assert any(isinstance(e, PluginEntry) and e.status == "builtin" for e in entries)

    info = cli.vqa("corpora", "info", "lsvq", "--json")
    assert info.code == 0, info.stderr
    document = info.document()
    assert isinstance(document, CorpusInfoResult) and document.id == "lsvq"
    assert document.splits == ["train", "test", "test-1080p"] and document.editions


def test_demo(cli: ModuleType, tmp_path: Path) -> None:
    """The demo over one installed plugin (an encode-grid corpus: seconds, not minutes)."""
    out = tmp_path / "demo"
    ran = cli.vqa("demo", "--out", out, "--clips", "2", "--json", env={"VQA_LOAD_PLUGINS": "vqa-bvi-dvc"})
    assert ran.code == 0, ran.stderr
    demo = ran.document()
    assert isinstance(demo, DemoResult) and demo.out == out and demo.shards == {}
    assert demo.grids["bvi-dvc"].is_file()
    assert "vqa demo: 1 installed corpora" in ran.stderr  # the running account is a log beside JSON


@pytest.mark.parametrize(
    "args",
    [
        ("corpora", "list"),
        ("corpora", "info", "konvid-1k"),
    ],
)
def test_without_json_nothing_but_the_summary_is_on_stdout(cli: ModuleType, args: tuple[str, ...]) -> None:
    ran = cli.vqa(*args)
    assert ran.code == 0 and ran.stdout.strip() and not ran.stdout.lstrip().startswith(("{", "["))
