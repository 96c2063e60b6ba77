"""Each corpus is its own distribution: versions from one place, and a lab installs only what it licenses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from vqa_core import __version__

REPO = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.parent for p in (REPO / "vqa_plugins").glob("*/pyproject.toml"))


@pytest.mark.parametrize("plugin", PLUGINS, ids=[p.name for p in PLUGINS])
def test_every_plugin_takes_its_version_from_core_and_requires_a_compatible_core(plugin: Path) -> None:
    project = tomllib.loads((plugin / "pyproject.toml").read_text())
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "../../vqa_core/_version.py"
    [core] = [d for d in project["project"]["dependencies"] if d.startswith("vqa-core")]
    assert __version__ in SpecifierSet(core.removeprefix("vqa-core"))
    assert (
        project["project"]["license"] and (plugin / "LICENSE").is_file() and (plugin / "README.md").is_file()
    )
    assert "vqa.corpora" in project["project"]["entry-points"]


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path / "bin"


def _run(bin_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VQA_", "PYTHON"))}
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.mark.slow
def test_a_lab_installs_only_the_plugins_it_licenses(wheels: dict[str, Path], tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "venv")
    install = _run(bin_dir, "pip", "install", "--quiet", *(str(w) for w in wheels.values()))
    assert install.returncode == 0, install.stderr[-2000:]

    listing = _run(bin_dir, "vqa", "corpora", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    assert sorted(e["id"] for e in json.loads(listing.stdout)) == ["konvid-150k", "konvid-1k", "lsvq"]

    chug = _run(bin_dir, "vqa", "ingest", "chug", "--root", str(tmp_path), "-o", str(tmp_path / "c.jsonl"))
    assert chug.returncode == 2
    assert (
        chug.stderr.strip()
        == "error: corpus 'chug' is not installed; the vqa-chug plugin provides it: pip install vqa-chug"
    )

    shard = tmp_path / "chug.jsonl"
    row = {
        "src": "videos/a.mp4",
        "src_sha256": "0" * 64,
        "src_size_bytes": 1,
        "width": 2,
        "height": 2,
        "framerate": 30.0,
        "duration_s": 1.0,
        "pix_fmt": "yuv420p10le",
        "encoder_upstream": "hevc",
        "mos": 3.0,
        "mos_std_dev": 0.1,
        "n_ratings": 0,
        "corpus": "chug",
        "corpus_version": "chug-icip-2025",
        "ingested_at_utc": "2026-01-01T00:00:00+00:00",
    }
    shard.write_text(json.dumps(row) + "\n")
    aggregate = _run(bin_dir, "vqa", "aggregate", str(shard), "-o", str(tmp_path / "u.jsonl"))
    assert aggregate.returncode == 2
    assert "chug" in aggregate.stderr and "pip install vqa-chug" in aggregate.stderr
    assert not (tmp_path / "u.jsonl").exists()

    # a plugin's feature schema: one line naming the distribution, before anything is read or written
    train = _run(
        bin_dir,
        "vqa",
        "train",
        "mos-head",
        "--smoke",
        "--feature-schema",
        "chug-hdr-display-v1",
        "--out",
        str(tmp_path / "model"),
    )
    assert train.returncode == 2
    assert train.stderr.strip() == (
        "error: feature schema 'chug-hdr-display-v1' is not installed; "
        "the vqa-chug plugin provides it: pip install vqa-chug"
    )
    assert not (tmp_path / "model").exists()

    # nothing about an uninstalled corpus is imported
    probe = _run(
        bin_dir,
        "python",
        "-c",
        "import vqa_core.cli, sys; print(any(m.startswith('vqa_chug') for m in sys.modules))",
    )
    assert probe.stdout.strip() == "False"


@pytest.mark.slow
def test_a_new_plugin_from_the_template_installs_tests_and_ingests(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    bin_dir = _venv(tmp_path / "venv")
    made = _run(Path(sys.executable).parent, "vqa", "plugin", "new", "acme-vq", "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    plugin = tmp_path / "vqa-acme-vq"
    install = _run(bin_dir, "pip", "install", "--quiet", str(wheels["vqa_core"]), f"{plugin}[test]")
    assert install.returncode == 0, install.stderr[-2000:]

    unfilled = _run(
        bin_dir, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugin / "tests"), cwd=plugin
    )
    assert unfilled.returncode == 1
    assert "placeholder" in unfilled.stdout and "2 failed" in unfilled.stdout

    declaration = plugin / "vqa_acme_vq" / "declaration.py"
    text = declaration.read_text()
    for placeholder, fact in [
        ("<FILL: the corpus's full name>", "ACME video quality corpus"),
        ("<FILL: licence name>", "CC BY 4.0"),
        ("https://example.org/<FILL:licence-url>", "https://creativecommons.org/licenses/by/4.0/"),
        ("<FILL: authors. title. venue year.>", "A. Acme. The ACME corpus. 2026."),
        ("https://example.org/<FILL:homepage>", "https://example.org/acme"),
        ("<FILL: how to obtain scores.csv and the clips>", "download it from example.org/acme"),
        ("<FILL: where this count comes from>", "the published file"),
    ]:
        text = text.replace(placeholder, fact)
    declaration.write_text(text)
    readme = plugin / "README.md"
    readme.write_text(
        readme.read_text()
        .replace("<FILL: the licence the dataset's own page states, and its URL>", "CC BY 4.0")
        .replace("<FILL: the paper to cite>", "A. Acme. The ACME corpus. 2026.")
        .replace("<FILL: download or request steps>", "download it from example.org/acme")
    )
    reinstall = _run(bin_dir, "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(plugin))
    assert reinstall.returncode == 0, reinstall.stderr[-2000:]
    filled = _run(
        bin_dir, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugin / "tests"), cwd=plugin
    )
    assert filled.returncode == 0, filled.stdout[-3000:]

    drop = tmp_path / "drop"
    assert _run(bin_dir, "vqa", "sample", "acme-vq", str(drop), "--clips", "3").returncode == 0
    ingest = _run(
        bin_dir, "vqa", "ingest", "acme-vq", "--root", str(drop), "-o", str(tmp_path / "acme.jsonl"), "-q"
    )
    assert ingest.returncode == 0, ingest.stderr
    assert "3 written" in ingest.stdout
