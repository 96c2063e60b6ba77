"""Each install does its job, in a fresh environment: core alone, and core with each extra.

The environments come from the built wheels (see ``conftest.py``): core alone
lists, samples, ingests, verifies, aggregates, reports as text and exports; every
job that needs an extra stops with one line naming the command that installs it;
``predict`` predicts without torch; ``plots`` draws the report; ``train`` trains.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from vqa_core.extras import install_command

pytestmark = pytest.mark.slow

#: Modules no extra-less install may be able to import.
HEAVY = ("torch", "onnx", "onnxruntime", "matplotlib", "scipy", "datasets", "distributed")


def run_in(bin_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``args[0]`` from ``bin_dir``, without the caller's VQA_ and PYTHON settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VQA_", "PYTHON"))}
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def _importable(bin_dir: Path) -> list[str]:
    probe = (
        "import importlib.util, sys; print(','.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))"
    )
    done = run_in(bin_dir, "python", "-c", probe, *HEAVY)
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().split(",") if m]


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def core(lean_venv: Callable[[tuple[str, ...]], Path]) -> Path:
    return lean_venv(())


@pytest.fixture(scope="module")
def unified(core: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A unified table made by core alone: sample drop, ingest, verify, aggregate."""
    work = tmp_path_factory.mktemp("core-run")
    _ok(run_in(core, "vqa", "sample", "konvid-1k", str(work / "drop"), "--clips", "3"))
    ingest = _ok(
        run_in(
            core,
            "vqa",
            "ingest",
            "konvid-1k",
            "--root",
            str(work / "drop"),
            "-o",
            str(work / "k.jsonl"),
            "-q",
        )
    )
    assert "3 written" in ingest.stdout
    _ok(run_in(core, "vqa", "verify", str(work / "k.jsonl"), "--root", str(work / "drop"), "-q"))
    _ok(run_in(core, "vqa", "aggregate", str(work / "k.jsonl"), "-o", str(work / "unified.parquet")))
    return work / "unified.parquet"


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A smoke-trained MOS head (trained here, where torch is installed) and its table beside it."""
    out = tmp_path_factory.mktemp("smoke-model")
    args = [
        "train",
        "mos-head",
        "--smoke",
        "--feature-schema",
        "vqa-nr-v1",
        "--epochs",
        "5",
        "--out",
        str(out),
    ]
    subprocess.run([sys.executable, "-m", "vqa_core", *args], check=True, capture_output=True, timeout=600)
    return out / "mos_head.onnx"


def test_core_alone_lists_ingests_verifies_aggregates_reports_and_exports(
    core: Path, unified: Path, tmp_path: Path
) -> None:
    assert _importable(core) == []
    listing = _ok(run_in(core, "vqa", "corpora", "list", "--json"))
    assert sorted(e["id"] for e in json.loads(listing.stdout)) == ["konvid-150k", "konvid-1k"]
    assert unified.is_file()
    report = _ok(run_in(core, "vqa", "report", str(unified)))
    assert "konvid-1k" in report.stdout
    _ok(run_in(core, "vqa", "export", str(unified), "--format", "csv", "--out", str(tmp_path / "csv")))


@pytest.mark.parametrize(
    ("extra", "args", "line"),
    [
        (
            "predict",
            ("vqa", "predict", "--model", "m.onnx", "--table", "t.parquet", "-o", "p.parquet"),
            "vqa predict needs onnxruntime",
        ),
        ("plots", ("vqa", "report", "u.parquet", "-o", "report.html"), "vqa report -o needs matplotlib"),
        (
            "train",
            ("vqa", "train", "mos-head", "--smoke", "--feature-schema", "vqa-nr-v1", "--out", "m"),
            "vqa train mos-head needs torch",
        ),
        (
            "train",
            ("vqa", "evaluate", "t.parquet", "--feature-schema", "vqa-nr-v1"),
            "vqa evaluate needs torch",
        ),
        ("train", ("python", "-c", "import vqa_core.data"), "vqa_core.data needs torch"),
        (
            "hf",
            ("vqa", "export", "u.parquet", "--format", "hf", "--out", "hf"),
            "--format hf needs the datasets library",
        ),
    ],
    ids=["predict", "report-plot", "train", "evaluate", "clip-dataset", "export-hf"],
)
def test_core_alone_names_the_extra_a_job_needs(
    core: Path, extra: str, args: tuple[str, ...], line: str, tmp_path: Path
) -> None:
    done = run_in(core, *args, cwd=tmp_path)
    assert done.returncode != 0 and done.stdout == ""
    text = done.stderr.strip()
    if args[0] == "vqa":
        assert done.returncode == 2
        text = text.removeprefix("error: ")
    else:  # the library raises MissingExtraError: its message is the last line of the traceback
        text = text.splitlines()[-1].removeprefix("vqa_core.errors.MissingExtraError: ")
    assert text.startswith(line) and text.endswith(install_command(extra)), text
    assert "\n" not in text


def test_core_alone_names_the_dask_extra(core: Path, unified: Path, tmp_path: Path) -> None:
    drop = unified.parent / "drop"
    args = ("vqa", "ingest", "konvid-1k", "--root", str(drop), "-o", str(tmp_path / "k.jsonl"))
    done = run_in(core, *args, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode == 2
    last = done.stderr.splitlines()[-1]  # after the sample's unknown-edition warning
    assert last.startswith("error: --executor dask needs Dask distributed")
    assert last.endswith(install_command("dask"))
    assert not (tmp_path / "k.jsonl").exists()


def test_core_alone_runs_the_demo_and_says_what_it_skipped(core: Path, tmp_path: Path) -> None:
    done = _ok(run_in(core, "vqa", "demo", "--out", str(tmp_path / "demo"), "--clips", "3"))
    for skipped in (
        f"report skipped: vqa report -o needs matplotlib, which is part of the plots extra: {install_command('plots')}",
        f"export hf skipped: --format hf needs the datasets library: {install_command('hf')}",
        f"training skipped: vqa train mos-head needs torch, which is part of the train extra: {install_command('train')}",
    ):
        assert skipped in done.stdout
    assert (tmp_path / "demo" / "unified.parquet").is_file() and not (
        tmp_path / "demo" / "report.html"
    ).exists()


def test_the_predict_extra_predicts_without_torch(
    lean_venv: Callable[[tuple[str, ...]], Path], smoke_model: Path, tmp_path: Path
) -> None:
    predict = lean_venv(("predict",))
    assert _importable(predict) == ["onnxruntime"]
    table = smoke_model.parent / "smoke_table.parquet"
    done = _ok(
        run_in(
            predict,
            "vqa",
            "predict",
            "--model",
            str(smoke_model),
            "--table",
            str(table),
            "-o",
            str(tmp_path / "p.parquet"),
        )
    )
    assert "600 of 600 rows predicted" in done.stdout
    train = run_in(
        predict,
        "vqa",
        "train",
        "mos-head",
        "--smoke",
        "--feature-schema",
        "vqa-nr-v1",
        "--out",
        str(tmp_path / "m"),
    )
    assert train.returncode == 2 and train.stderr.strip().endswith(install_command("train"))


def test_the_plots_extra_draws_the_report(
    lean_venv: Callable[[tuple[str, ...]], Path], unified: Path, tmp_path: Path
) -> None:
    plots = lean_venv(("plots",))
    assert _importable(plots) == ["matplotlib"]
    _ok(run_in(plots, "vqa", "report", str(unified), "-o", str(tmp_path / "report.html")))
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()
    _ok(run_in(plots, "vqa", "report", str(unified), "-o", str(tmp_path / "report.png")))
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")


def test_the_train_extra_trains_and_predicts(
    lean_venv: Callable[[tuple[str, ...]], Path], tmp_path: Path
) -> None:
    train = lean_venv(("train",))
    assert _importable(train) == ["torch", "onnx", "onnxruntime", "scipy"]
    out = tmp_path / "model"
    args = (
        "vqa",
        "train",
        "mos-head",
        "--smoke",
        "--feature-schema",
        "vqa-nr-v1",
        "--epochs",
        "5",
        "--out",
        str(out),
    )
    done = _ok(run_in(train, *args))
    assert done.stdout.startswith("mos-head: 600 usable rows")
    table = out / "smoke_table.parquet"
    _ok(
        run_in(
            train,
            "vqa",
            "predict",
            "--model",
            str(out / "mos_head.onnx"),
            "--table",
            str(table),
            "-o",
            str(tmp_path / "p.parquet"),
        )
    )
