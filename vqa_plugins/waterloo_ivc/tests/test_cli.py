"""The commands a user runs: ``vqa sample``, ``vqa ingest``, ``vqa corpora info``."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.registry import Registry

CORPUS = "waterloo-ivc-4k"


@pytest.fixture(autouse=True)
def _only_this_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-waterloo-ivc")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def test_sample_then_full_ingest(
    plugin_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["sample", CORPUS, "d"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["ingest", CORPUS, "--root", "d", "-o", "x.jsonl", "--full", "-q"])
    assert result.exit_code == 0, result.output
    assert "6 written" in result.output
    rows = [orjson.loads(line) for line in Path("x.jsonl").read_bytes().splitlines()]
    table = pa.Table.from_pylist(rows, schema=plugin_registry.arrow_schema(CORPUS))
    assert table.num_rows == 6
    assert Path("x.manifest.json").is_file()


def test_info_states_the_raw_geometry_assumption() -> None:
    result = CliRunner().invoke(main, ["corpora", "info", CORPUS])
    assert result.exit_code == 0, result.output
    assert "yuv420p at 30 frames/s" in result.output
    assert "VQA_WATERLOO_IVC_4K_FRAMERATE" in result.output
    assert "waterloo_resolution:string" in result.output


def test_bad_override_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["sample", CORPUS, "d", "--clips", "1"]).exit_code == 0
    monkeypatch.setenv("VQA_WATERLOO_IVC_4K_FRAMERATE", "fast")
    result = runner.invoke(main, ["ingest", CORPUS, "--root", "d", "-o", "x.jsonl", "-q"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: VQA_WATERLOO_IVC_4K_FRAMERATE: 'fast' is not a frame rate"
    )


def test_unrecognised_metadata_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("d").mkdir()
    Path("d/scores.txt").write_text("A001.mp4,45\nA002.mp4,50\n")
    result = CliRunner().invoke(main, ["ingest", CORPUS, "--root", "d", "-o", "x.jsonl", "-q"])
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: d/scores.txt:1: neither a headerless scores.txt")
    assert "to obtain waterloo-ivc-4k" in last
