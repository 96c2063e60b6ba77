"""``vqa --version``: core, the plugin API and every installed plugin, from metadata alone."""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from vqa_core import PLUGIN_API_VERSION, __version__

FIRST_PARTY = (
    "vqa-bvi-dvc",
    "vqa-chug",
    "vqa-konvid",
    "vqa-live-vqc",
    "vqa-lsvq",
    "vqa-waterloo-ivc",
    "vqa-youtube-ugc",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin that fails on import: --version must list it all the same, without importing it."""
    site = tmp_path_factory.mktemp("site")
    info = site / "vqa_exploding-3.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vqa-exploding\nVersion: 3.4\n")
    (info / "entry_points.txt").write_text("[vqa.corpora]\nvqa_exploding = vqa_exploding\n")
    (info / "RECORD").write_text("")
    (site / "vqa_exploding.py").write_text("raise RuntimeError('imported')\n")
    return site


def _run(site: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site), **env},
        timeout=120,
    )


def test_version_lists_core_the_api_and_every_plugin_without_importing_one(site: Path) -> None:
    code = (
        "import sys\n"
        "from vqa_core.cli import main\n"
        "try:\n"
        "    main(['--version'], prog_name='vqa')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "imported = sorted(m for m in sys.modules if m.startswith('vqa_') and not m.startswith('vqa_core'))\n"
        "print('imported:', imported)\n"
    )
    result = _run(site, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == f"vqa-core {__version__} (plugin API {PLUGIN_API_VERSION}, Python {platform.python_version()})"
    )
    expected = sorted([*(f"{d} {md.version(d)}" for d in FIRST_PARTY), "vqa-exploding 3.4"])
    assert lines[1:-1] == expected
    assert lines[-1] == "imported: []"


def test_version_marks_disabled_plugins(site: Path) -> None:
    result = _run(
        site, "from vqa_core.cli import main; main(['--version'])", VQA_DISABLE_PLUGINS="vqa_exploding"
    )
    assert "vqa-exploding 3.4 (disabled)" in result.stdout.splitlines()
    assert f"vqa-konvid {md.version('vqa-konvid')}" in result.stdout.splitlines()


def test_the_console_script_answers_version() -> None:
    vqa = Path(sys.executable).parent / "vqa"
    result = subprocess.run([str(vqa), "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith(f"vqa-core {__version__} (plugin API ")
