from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.registry import Registry

CORPUS = "live-vqc"


@pytest.fixture(autouse=True)
def _only_this_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-live-vqc")
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
    assert pa.Table.from_pylist(rows, schema=plugin_registry.arrow_schema(CORPUS)).num_rows == 6


def test_info_names_the_formats() -> None:
    result = CliRunner().invoke(main, ["corpora", "info", CORPUS])
    assert result.exit_code == 0, result.output
    assert "data.mat: 585 rows" in result.output
    assert "filename,mos text" in result.output


def test_missing_metadata_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("d").mkdir()
    result = CliRunner().invoke(main, ["ingest", CORPUS, "--root", "d", "-o", "x.jsonl"])
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: no LIVE-VQC metadata under d") and "to obtain live-vqc" in last
