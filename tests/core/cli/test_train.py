from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "torch",
    "onnx",
    "onnxruntime",
    "av",
    "numpy",
    "pyarrow",
    "vqa_core.ingest.engine",
    "vqa_core.features.engine",
    "vqa_core.runner.job",
    "vqa_core.runner.state",
)


def test_help_of_the_new_commands_imports_nothing_heavy() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from vqa_core.cli import main\n"
        "runner = CliRunner()\n"
        "for args in (['--help'], ['train', 'mos-head', '--help'], ['predict', '--help'],\n"
        "             ['features', 'extract', '--help'], ['labels', 'materialize', '--help'],\n"
        "             ['ingest', '--help'], ['verify', '--help']):\n"
        "    result = runner.invoke(main, args)\n"
        "    assert result.exit_code == 0, (args, result.output)\n"
        "    print(result.output)\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("labels", "features", "train", "predict"):
        assert f"  {command}" in result.stdout
    # plugin schemas are not listed: that would load every plugin for --help
    assert "--feature-schema NAME" in result.stdout and "konvid-v1, vqa-nr-v1, or a schema" in result.stdout
