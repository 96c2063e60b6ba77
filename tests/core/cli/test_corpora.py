from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from vqa_core.cli import main

FIRST_PARTY = {
    "bvi-dvc": "none",
    "chug": "1-5",
    "konvid-150k": "1-5",
    "konvid-1k": "1-5",
    "live-vqc": "0-100",
    "lsvq": "0-100",
    "waterloo-ivc-4k": "0-100",
    "youtube-ugc": "1-5",
}


def _vqa(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vqa_core", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture(scope="module")
def broken_site(
    tmp_path_factory: pytest.TempPathFactory, distribution_writer: Callable[[Path, str, str, str], None]
) -> Path:
    site = tmp_path_factory.mktemp("site")
    distribution_writer(
        site, "vqa-broken-example", "vqa_broken_example", "raise RuntimeError('broken on purpose')\n"
    )
    distribution_writer(
        site,
        "vqa-dup-example",
        "vqa_dup_example",
        "from vqa_core import hookimpl\n"
        "from vqa_konvid.declarations import KONVID_1K\n"
        "vqa_plugin_api = '>=1,<2'\n"
        "@hookimpl\n"
        "def vqa_register_corpora(register):\n"
        "    register(KONVID_1K)\n",
    )
    return site


def test_list_json_shows_the_eight_corpora_with_their_stored_scales() -> None:
    result = _vqa("corpora", "list", "--json")
    assert result.returncode == 0, result.stderr
    entries = {e["id"]: e for e in json.loads(result.stdout) if e["status"] == "ok"}
    assert {k: e["scale"] for k, e in entries.items() if k in FIRST_PARTY} == FIRST_PARTY
    for entry in entries.values():
        assert set(entry) >= {
            "id",
            "distribution",
            "version",
            "edition",
            "scale",
            "clips",
            "licence",
            "status",
            "error",
        }


def test_broken_plugins_are_listed_and_the_healthy_ones_still_work(broken_site: Path) -> None:
    env = {"PYTHONPATH": str(broken_site)}
    result = _vqa("corpora", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    ok = {e["id"] for e in entries if e["status"] == "ok"}
    assert set(FIRST_PARTY) <= ok
    broken = {e["distribution"]: e["error"] for e in entries if e["status"] == "broken"}
    assert "RuntimeError: broken on purpose" in broken["vqa-broken-example"]
    assert "corpus id 'konvid-1k' is already declared by vqa-konvid" in broken["vqa-dup-example"]

    table = _vqa("corpora", "list", env=env)
    assert table.returncode == 0
    assert "vqa-broken-example" in table.stdout and "broken" in table.stdout

    for args, extra_env in (
        (("corpora", "list", "--strict"), {}),
        (("--strict", "corpora", "list"), {}),
        (("corpora", "list"), {"VQA_STRICT_PLUGINS": "1"}),
    ):
        strict = _vqa(*args, env={**env, **extra_env})
        assert strict.returncode == 3, args  # a check said no: not a usage error
        assert "broken plugins: vqa-broken-example, vqa-dup-example" in strict.stderr


def test_disable_plugins_skips_a_distribution(broken_site: Path) -> None:
    env = {"PYTHONPATH": str(broken_site), "VQA_DISABLE_PLUGINS": "vqa-broken-example,vqa_dup_example"}
    result = _vqa("--strict", "corpora", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    statuses = {e["distribution"]: e["status"] for e in json.loads(result.stdout)}
    assert statuses["vqa-broken-example"] == "disabled"


def test_listing_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from vqa_core.cli import main\n"
        "r = CliRunner().invoke(main, ['corpora', 'list', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(','.join(m for m in ('torch', 'onnxruntime', 'av') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_info_shows_licence_citation_and_access() -> None:
    result = CliRunner().invoke(main, ["corpora", "info", "chug"])
    assert result.exit_code == 0, result.output
    assert "CC BY-NC-SA 4.0" in result.output
    assert "CC BY-NC 4.0" in result.output  # the disagreement is stated
    assert "Saini" in result.output
    data = json.loads(CliRunner().invoke(main, ["corpora", "info", "lsvq", "--json"]).output)
    assert data["scale"] == "0-100"
    assert data["editions"][0]["metadata"] == "labels_train_test.csv"


def test_info_shows_content_groups_and_splits() -> None:
    chug = CliRunner().invoke(main, ["corpora", "info", "chug"])
    assert chug.exit_code == 0, chug.output
    assert "  groups:      content_name: the source video a bitrate-ladder rung" in chug.output
    assert "  splits:      none published" in chug.output
    konvid = CliRunner().invoke(main, ["corpora", "info", "konvid-1k"]).output
    assert "  groups:      none declared (every clip is its own content)" in konvid
    lsvq = json.loads(CliRunner().invoke(main, ["corpora", "info", "lsvq", "--json"]).output)
    assert lsvq["splits"] == ["train", "test", "test-1080p"] and lsvq["content_groups"] == ""
    waterloo = json.loads(CliRunner().invoke(main, ["corpora", "info", "waterloo-ivc-4k", "--json"]).output)
    assert waterloo["content_groups"].startswith("video_number:") and waterloo["splits"] == []


def test_unknown_id_is_one_line_and_exit_2() -> None:
    result = CliRunner().invoke(main, ["corpora", "info", "not-a-corpus"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("error: no installed plugin provides corpus 'not-a-corpus'")
