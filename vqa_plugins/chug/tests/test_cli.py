from __future__ import annotations

import json
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.registry import Registry

CORPUS = "chug"


@pytest.fixture(autouse=True)
def _only_this_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-chug")
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


def test_info_declares_the_stricter_licence_and_says_why() -> None:
    result = CliRunner().invoke(main, ["corpora", "info", CORPUS])
    assert result.exit_code == 0, result.output
    assert (
        "licence:     CC BY-NC-SA 4.0 <https://creativecommons.org/licenses/by-nc-sa/4.0/>" in result.output
    )
    assert "CC BY-NC 4.0" in result.output and "stricter" in result.output
    assert "mos_raw_0_100:double" in result.output and "chug_sos_raw:double" in result.output
    as_json = json.loads(CliRunner().invoke(main, ["corpora", "info", CORPUS, "--json"]).output)
    assert as_json["licence"] == "CC BY-NC-SA 4.0"
    assert "README" in as_json["notes"] and "license.txt" in as_json["notes"]
    assert as_json["scale"] == "1-5" and as_json["downloads"] is True


def test_list_shows_the_licence() -> None:
    result = CliRunner().invoke(main, ["corpora", "list", "--json"])
    (entry,) = [e for e in json.loads(result.output) if e["id"] == CORPUS]
    assert entry["licence"] == "CC BY-NC-SA 4.0" and entry["clips"] == 5992
