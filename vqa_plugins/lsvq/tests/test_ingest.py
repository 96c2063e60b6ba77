"""LSVQ through the real engine and the CLI: sample drop, batch folders, editions, resume."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import MetadataError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.registry import Registry
from vqa_core.runner.state import state_path_for
from vqa_core.sample import write_sample

TIMESTAMP = "2026-01-01T00:00:00Z"


def _shard(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _config(root: Path, output: Path, **kwargs: object) -> IngestConfig:
    return IngestConfig(corpus_id="lsvq", root=root, output=output, workers=2, timestamp=TIMESTAMP, **kwargs)  # type: ignore[arg-type]


def test_sample_drop_ingests_with_every_split(tmp_path: Path, plugin_registry: Registry) -> None:
    drop = write_sample(plugin_registry, "lsvq", tmp_path / "drop", clips=6, seed=3)
    assert [p.name for p in drop.metadata] == ["labels_train_test.csv", "labels_test_1080p.csv"]
    report = ingest(plugin_registry, _config(drop.root, tmp_path / "lsvq.jsonl"))
    assert (report.rows_read, report.written, report.skipped) == (6, 6, {})
    rows = _shard(tmp_path / "lsvq.jsonl")
    pa.Table.from_pylist(
        rows, schema=plugin_registry.arrow_schema("lsvq")
    )  # every row valid against the schema
    assert {r["lsvq_split"] for r in rows} == {"train", "test", "test-1080p"}
    # the core split column holds the published split too; every clip is its own content
    assert all(r["split"] == r["lsvq_split"] for r in rows)
    assert all(r["content_group"] == f"lsvq/{r['src']}" for r in rows)
    assert all(str(r["src"]).count("/") == 1 and str(r["src"]).endswith(".mp4") for r in rows)
    assert all(8.0 <= float(r["mos"]) <= 92.0 for r in rows)  # type: ignore[arg-type]
    manifest = json.loads((tmp_path / "lsvq.manifest.json").read_text())
    assert manifest["editions"] == {"labels_train_test.csv": "unknown", "labels_test_1080p.csv": "unknown"}


def test_equal_basenames_in_two_batches_are_two_clips(tmp_path: Path, plugin_registry: Registry, kit) -> None:
    root = tmp_path / "lsvq"
    kit.clip(root / "yfcc-batch1" / "747.mp4", seed=1)
    kit.clip(root / "ia-batch18" / "747.mp4", seed=2)
    kit.write_labels(
        root / "labels_train_test.csv",
        [kit.line("yfcc-batch1/747", "40.5"), kit.line("ia-batch18/747", "70.25", is_test="True")],
    )
    output = tmp_path / "out" / "lsvq.jsonl"
    report = ingest(plugin_registry, _config(root, output))
    assert report.written == 2
    rows = _shard(output)
    assert [(r["src"], r["mos"], r["lsvq_split"]) for r in rows] == [
        ("yfcc-batch1/747.mp4", 40.5, "train"),
        ("ia-batch18/747.mp4", 70.25, "test"),
    ]
    assert rows[0]["src_sha256"] != rows[1]["src_sha256"]
    with sqlite3.connect(state_path_for(output)) as db:
        keys = sorted(k for (k,) in db.execute("SELECT key FROM rows WHERE status = 'written'"))
    assert keys == ["ia-batch18/747.mp4", "yfcc-batch1/747.mp4"]
    again = ingest(plugin_registry, _config(root, output))  # resume: both found by their own key
    assert (again.written, again.reused, again.processed) == (2, 2, 0)
    assert _shard(output) == rows


def test_an_exact_row_count_records_the_edition(tmp_path: Path, plugin_registry: Registry, kit) -> None:
    root = tmp_path / "lsvq"
    lines = [kit.line(f"yfcc-batch{1 + i // 1000}/{i}", is_test=None) for i in range(3573)]
    kit.write_labels(root / "labels_test_1080p.csv", lines, header=kit.header_37)
    output = tmp_path / "lsvq.jsonl"
    report = ingest(plugin_registry, _config(root, output, max_rows=3))
    assert report.editions == {"labels_test_1080p.csv": "lsvq-2021"}
    assert report.skipped == {"missing-clip": 3}
    manifest = json.loads((tmp_path / "lsvq.manifest.json").read_text())
    assert manifest["editions"] == {"labels_test_1080p.csv": "lsvq-2021"}


def test_another_count_is_unknown_with_a_warning(
    tmp_path: Path, plugin_registry: Registry, kit, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "lsvq"
    kit.write_labels(root / "labels_train_test.csv", [kit.line("yfcc-batch1/1"), kit.line("yfcc-batch1/2")])
    with caplog.at_level(logging.WARNING, logger="vqa.ingest"):
        report = ingest(plugin_registry, _config(root, tmp_path / "lsvq.jsonl"))
    assert report.editions == {"labels_train_test.csv": "unknown"}
    (warning,) = [r.getMessage() for r in caplog.records if "edition" in r.getMessage()]
    assert "2 data rows" in warning and "35,499" in warning and "3,573" in warning
    assert "PatchVQ" in warning  # says where to obtain the data


def test_a_file_the_size_of_another_corpus_is_refused(tmp_path: Path, kit) -> None:
    registry = Registry.for_distributions(["vqa-lsvq", "vqa-konvid"])
    root = tmp_path / "lsvq"
    kit.write_labels(root / "labels_train_test.csv", [kit.line(f"yfcc-batch1/{i}") for i in range(1576)])
    with pytest.raises(MetadataError, match=r"konvid-150k's k150kb_scores.csv.*vqa ingest konvid-150k"):
        ingest(registry, _config(root, tmp_path / "lsvq.jsonl"))
    assert not (tmp_path / "lsvq.jsonl").exists()


def test_bad_rows_are_counted_in_the_manifest_and_rejections(
    tmp_path: Path, plugin_registry: Registry, kit
) -> None:
    root = tmp_path / "lsvq"
    kit.clip(root / "yfcc-batch1" / "1.mp4", seed=1)
    kit.write_labels(
        root / "labels_train_test.csv",
        [kit.line("yfcc-batch1/1"), kit.line("yfcc-batch1/2", "120"), kit.line("yfcc-batch1/3", "x")],
    )
    output = tmp_path / "lsvq.jsonl"
    report = ingest(plugin_registry, _config(root, output))
    assert (report.written, report.skipped) == (1, {"bad-mos": 2})
    rejections = _shard(tmp_path / "lsvq.rejections.jsonl")
    assert [(r["origin"], r["reason"]) for r in rejections] == [
        ("labels_train_test.csv:3", "bad-mos"),
        ("labels_train_test.csv:4", "bad-mos"),
    ]
    assert "outside the declared 0-100 scale" in str(rejections[0]["detail"])


def test_cli_sample_then_ingest_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-lsvq")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    sample = runner.invoke(main, ["sample", "lsvq", "d", "--clips", "4"])
    assert sample.exit_code == 0, sample.output
    result = runner.invoke(
        main, ["ingest", "lsvq", "--root", "d", "-o", "x.jsonl", "--full", "-q", "--timestamp", TIMESTAMP]
    )
    assert result.exit_code == 0, result.output
    assert "4 rows read, 4 written" in result.output
    rows = _shard(tmp_path / "x.jsonl")
    pa.Table.from_pylist(rows, schema=Registry.for_distributions(["vqa-lsvq"]).arrow_schema("lsvq"))
    assert len(rows) == 4 and (tmp_path / "x.manifest.json").is_file()


def test_cli_wrong_header_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-lsvq")
    (tmp_path / "labels_train_test.csv").write_text("video,score\nyfcc-batch1/1,50\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["ingest", "lsvq", "--root", str(tmp_path), "-o", str(tmp_path / "x.jsonl"), "-q"]
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "is not an LSVQ label file" in lines[0] and "Traceback" not in result.output


def test_cli_no_label_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-lsvq")
    result = CliRunner().invoke(
        main, ["ingest", "lsvq", "--root", str(tmp_path), "-o", str(tmp_path / "x.jsonl"), "-q"]
    )
    assert result.exit_code == 2
    assert "no LSVQ label file" in result.output and "to obtain lsvq" in result.output
