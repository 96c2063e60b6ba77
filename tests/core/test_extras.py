"""Each optional job names its extra in one line, before it reads anything; the extras are what they say."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from vqa_core.extras import EXTRAS, install_command

REPO = Path(__file__).resolve().parents[2]


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return project


def _names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {Requirement(r).name for r in requirements}


def test_the_extras_are_those_of_the_pyproject() -> None:
    optional = _project()["optional-dependencies"]
    assert isinstance(optional, dict)
    assert set(EXTRAS) == set(optional) - {"test"}
    assert _names(optional["predict"]) == {"onnxruntime"}
    assert _names(optional["plots"]) == {"matplotlib"}
    assert _names(optional["train"]) == {"torch", "onnx", "onnxruntime", "scipy"}
    # the CPU build's pin, exactly
    assert "torch==2.13.0" in optional["train"]


def test_core_alone_has_no_model_or_plotting_stack() -> None:
    core = _names(_project()["dependencies"])
    assert core.isdisjoint({"torch", "onnx", "onnxruntime", "matplotlib", "scipy", "datasets", "dask"})
    assert {"numpy", "pyarrow", "av", "click", "pluggy", "attrs"} <= core


def _without(module: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``vqa ARGS`` in a process where ``module`` cannot be imported."""
    script = (
        "import sys\n"
        f"sys.modules[{module!r}] = None\n"
        "from vqa_core.cli import main\n"
        f"main({list(args)!r}, prog_name='vqa')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


@pytest.mark.parametrize(
    ("module", "args", "line"),
    [
        (
            "matplotlib",
            ("report", "absent.jsonl", "-o", "report.html"),
            "vqa report -o needs matplotlib, which is part of the plots extra",
        ),
        (
            "matplotlib",
            ("evaluate", "absent.parquet", "--feature-schema", "vqa-nr-v1", "--out", "eval.html"),
            "vqa evaluate --out needs matplotlib, which is part of the plots extra",
        ),
        (
            "onnxruntime",
            ("predict", "--model", "absent.onnx", "--table", "absent.parquet", "-o", "p.parquet"),
            "vqa predict needs onnxruntime, which is part of the predict extra",
        ),
        (
            "scipy",
            ("train", "mos-head", "--smoke", "--feature-schema", "vqa-nr-v1", "--out", "model"),
            "vqa train mos-head needs scipy, which is part of the train extra",
        ),
    ],
    ids=["report", "evaluate", "predict", "train-scipy"],
)
def test_a_missing_extra_is_one_line_with_the_command_before_anything_is_read(
    module: str, args: tuple[str, ...], line: str, tmp_path: Path
) -> None:
    result = _without(module, tmp_path, *args)
    extra = line.rsplit(" ", 2)[-2]
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: {line}: {install_command(extra)}\n"
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # the inputs do not exist and nothing was written
