"""The guide's example plugin, installed for real, listed, ingested and checked by the kit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    target = tmp_path_factory.mktemp("example-site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(REPO / "docs" / "example-plugin"),
        ],
        check=True,
        capture_output=True,
    )
    return {**os.environ, "PYTHONPATH": str(target)}


def _vqa(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vqa_core", *args], env=env, cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.slow
def test_the_example_plugin_is_listed_and_ingests_its_sample(
    installed: dict[str, str], tmp_path: Path
) -> None:
    listing = _vqa(installed, "corpora", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    [entry] = [e for e in json.loads(listing.stdout) if e["id"] == "example-vqa"]
    assert (entry["distribution"], entry["version"], entry["scale"], entry["status"]) == (
        "vqa-example",
        "1.0.0",
        "0-10",
        "ok",
    )

    assert _vqa(installed, "sample", "example-vqa", str(tmp_path / "drop"), "--clips", "4").returncode == 0
    ingest = _vqa(
        installed,
        "ingest",
        "example-vqa",
        "--root",
        str(tmp_path / "drop"),
        "-o",
        str(tmp_path / "ex.jsonl"),
        "-q",
    )
    assert ingest.returncode == 0, ingest.stderr
    rows = [json.loads(line) for line in (tmp_path / "ex.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    assert {r["corpus"] for r in rows} == {"example-vqa"}
    assert all(r["n_ratings"] == 24 and r["mos_std_dev"] == 1.5 for r in rows)


@pytest.mark.slow
def test_the_kit_passes_on_the_example_plugin(installed: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "vqa_core.testing",
            "--vqa-plugin",
            "vqa-example",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        env=installed,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout and "failed" not in result.stdout
