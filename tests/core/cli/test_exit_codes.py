"""One exit status, one meaning, for every command, each pinned on a real situation:
5 a held output lock, 4 a server that does not serve, 3 a check that says no, 2 bad usage or
input, 1 an internal error; with ``--json`` stdout holds one document in every case."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vqa_core.cli import VqaGroup
from vqa_core.cli.results.acquire import IngestResult
from vqa_core.cli.results.learn import TrainResult
from vqa_core.cli.results.tables import VerifyResult
from vqa_core.errors import ExitCode
from vqa_core.runner.lock import output_lock
from vqa_core.testing.http import LocalServer

#: command → (its arguments, given the inputs and a fresh folder; the output it locks).
LOCKED: dict[str, Callable[[Any, Path], tuple[list[object], Path]]] = {
    "ingest": lambda i, d: (
        ["ingest", "konvid-1k", "--root", i.drop, "-o", d / "k.jsonl", "-q"],
        d / "k.jsonl",
    ),
    "ingest (encode grid)": lambda i, d: (
        ["ingest", "bvi-dvc", "--root", i.grid_drop, "-o", d / "g.jsonl"],
        d / "g.jsonl",
    ),
    "aggregate": lambda i, d: (["aggregate", i.shard, "-o", d / "u.parquet"], d / "u.parquet"),
    "merge-grid": lambda i, d: (["merge-grid", *i.grids, "-o", d / "m.jsonl"], d / "m.jsonl"),
    "verify": lambda i, d: (["verify", i.shard, "--root", i.drop, "-o", d / "v.jsonl", "-q"], d / "v.jsonl"),
    "export": lambda i, d: (["export", i.unified, "--format", "csv", "--out", d / "x"], d / "x"),
    "features extract": lambda i, d: (
        ["features", "extract", i.shard, "--root", i.drop, "-o", d / "f.parquet", "-q"],
        d / "f.parquet",
    ),
    "labels materialize": lambda i, d: (
        ["labels", "materialize", "--features", i.features, "--labels", i.shard, "--out", d / "l.parquet"],
        d / "l.parquet",
    ),
    "train mos-head": lambda i, d: (
        [
            *("train", "mos-head", "--table", i.labelled, "--feature-schema", "vqa-nr-v1"),
            *("--out", d / "m", "--folds", "2", "--epochs", "1"),
        ],
        d / "m" / "mos_head.onnx",
    ),
    "fetch": lambda i, d: (
        ["fetch", "konvid-1k", "--root", d, "--base-url", "http://127.0.0.1:9/unused"],
        d / "fetch_manifest.json",
    ),
    "predict": lambda i, d: (
        ["predict", "--model", i.model, "--table", i.labelled, "-o", d / "p.parquet", "-q"],
        d / "p.parquet",
    ),
    "report": lambda i, d: (["report", i.unified, "-o", d / "r.html"], d / "r.html"),
    "evaluate": lambda i, d: (
        [
            *("evaluate", i.labelled, "--feature-schema", "vqa-nr-v1", "--folds", "2", "--epochs", "1"),
            *("--bootstrap", "0", "--out", d / "e.html"),
        ],
        d / "e.html",
    ),
}


def test_the_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "INTERNAL": 1,
        "USAGE": 2,
        "CHECK_FAILED": 3,
        "NETWORK": 4,
        "LOCKED": 5,
    }


@pytest.mark.parametrize("command", sorted(LOCKED))
def test_an_output_another_run_holds_exits_5(
    cli: ModuleType, inputs: Any, tmp_path: Path, command: str
) -> None:
    args, output = LOCKED[command](inputs, tmp_path)
    with output_lock(output):  # a real flock, as another process would hold it
        ran = cli.vqa(*args, "--json")
        ran.error(5, "is being written by another vqa process")
        assert not output.exists()
        plain = cli.vqa(*args)
        assert plain.code == 5 and plain.stdout == ""  # without --json: nothing on stdout


def test_a_verify_that_finds_a_missing_clip_exits_3_with_its_result(
    cli: ModuleType, inputs: Any, tmp_path: Path
) -> None:
    root = Path(shutil.copytree(inputs.drop, tmp_path / "drop"))
    first = json.loads(inputs.shard.read_text().splitlines()[0])["src"]
    (root / first).unlink()
    ran = cli.vqa("verify", inputs.shard, "--root", root, "-o", tmp_path / "v.jsonl", "-q", "--json")
    assert ran.code == 3 and ran.stderr.count("error: ") == 1 and "1 of 8 clips" in ran.stderr
    result = ran.document()  # the result, not an error document: the check ran to the end
    assert isinstance(result, VerifyResult) and not result.ok and result.counts["missing"] == 1


def test_a_failed_gate_exits_3_and_still_writes_the_model(cli: ModuleType, tmp_path: Path) -> None:
    """Random labels: no model can meet the gate; with --gate that is exit 3, after writing."""
    from vqa_core.train.smoke import smoke_table

    noise = smoke_table("konvid-v1", rows=60, seed=2)
    mos = pa.array(np.random.default_rng(0).uniform(1, 5, 60))
    pq.write_table(noise.set_column(noise.column_names.index("mos"), "mos", mos), tmp_path / "noise.parquet")
    ran = cli.vqa(
        *("train", "mos-head", "--table", tmp_path / "noise.parquet", "--feature-schema", "konvid-v1"),
        *("--out", tmp_path / "m", "--folds", "2", "--epochs", "10", "--gate", "--json"),
    )
    assert ran.code == 3, ran.stderr
    assert [line for line in ran.stderr.splitlines() if line.startswith("error: ")] == [
        f"error: gate failed: {'; '.join(ran.document().gate.failures)} (details in {tmp_path / 'm' / 'mos_head.manifest.json'})"
    ]
    trained = ran.document()
    assert isinstance(trained, TrainResult) and trained.gate_enforced and not trained.gate.passed
    assert trained.model.is_file() and trained.sidecar.is_file()


@pytest.mark.parametrize(
    ("args", "how"),
    [
        (["corpora", "info", "konvid-1k"], "--strict"),
        (["sample", "konvid-1k", "{tmp}/drop"], "--strict"),
        (["ingest", "konvid-1k", "--root", "{drop}", "-o", "{tmp}/k.jsonl", "-q"], "VQA_STRICT_PLUGINS"),
        (["aggregate", "{shard}", "-o", "{tmp}/u.parquet"], "--strict"),
        (["export", "{unified}", "--format", "csv", "--out", "{tmp}/x"], "--strict"),
    ],
)
def test_strict_with_a_broken_plugin_exits_3(
    cli: ModuleType, inputs: Any, broken_site: Path, tmp_path: Path, args: list[str], how: str
) -> None:
    values = {"tmp": tmp_path, "drop": inputs.drop, "shard": inputs.shard, "unified": inputs.unified}
    argv = [a.format(**values) for a in args]
    env = {"PYTHONPATH": str(broken_site)}
    if how == "--strict":
        argv = ["--strict", *argv]
    else:
        env["VQA_STRICT_PLUGINS"] = "1"
    ran = cli.vqa_process(*argv, "--json", env=env)
    ran.error(3, "vqa-broken-json")


def test_corpora_list_strict_prints_the_list_then_exits_3(cli: ModuleType, broken_site: Path) -> None:
    ran = cli.vqa_process("corpora", "list", "--strict", "--json", env={"PYTHONPATH": str(broken_site)})
    assert ran.code == 3 and "error: broken plugins: vqa-broken-json" in ran.stderr
    entries = json.loads(ran.stdout)  # the list is the result: it is printed, not an error document
    assert any(e["distribution"] == "vqa-broken-json" and e["status"] == "broken" for e in entries)


def test_fetch_from_a_server_that_does_not_serve_exits_4(cli: ModuleType, tmp_path: Path) -> None:
    with LocalServer() as server:  # no routes: every archive is a 404
        ran = cli.vqa(
            "fetch", "konvid-1k", "--root", tmp_path / "k", "--base-url", server.url("/a"), "--json"
        )
    ran.error(4, "cannot fetch", "HTTP 404")


def test_an_ingest_whose_downloads_fail_exits_4_with_its_shard(cli: ModuleType, tmp_path: Path) -> None:
    """CHUG downloads missing clips: one is not on disk and the mirror has none. The others are
    written, the result printed, and exit 4 says a download problem remains."""
    sampled = cli.vqa("sample", "chug", tmp_path / "drop", "--clips", "3", "--json")
    root = sampled.document().root
    missing = sorted((root / "videos").iterdir())[0]
    missing.unlink()
    out = tmp_path / "c.jsonl"
    with LocalServer() as server:
        ran = cli.vqa(
            "ingest", "chug", "--root", root, "-o", out, "--base-url", server.url("/m"), "-q", "--json"
        )
    assert ran.code == 4, ran.stderr
    result = ran.document()
    assert isinstance(result, IngestResult)
    assert (result.written, result.skipped, result.downloads_remaining) == (2, {"download-failed": 1}, 1)
    assert out.is_file() and len(out.read_text().splitlines()) == 2
    errors = [line for line in ran.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: 1 clip of chug could not be downloaded (1 download-failed); the shard holds the others: "
        "rerun with --retry-failed to try them again"
    ]


#: command → arguments that cannot work (a missing option, a file that is not there, an unknown name).
BAD: dict[str, list[str]] = {
    "fetch": ["konvid-1k"],
    "sample": ["no-such-corpus", "{tmp}/d"],
    "ingest": ["konvid-1k", "--root", "{tmp}/none", "-o", "{tmp}/k.jsonl"],
    "aggregate": ["{tmp}/none.jsonl", "-o", "{tmp}/u.parquet"],
    "merge-grid": ["{tmp}/a.jsonl", "-o", "{tmp}/m.jsonl"],
    "verify": ["{tmp}/none.jsonl", "--root", "{tmp}"],
    "report": ["{tmp}/none.parquet"],
    "export": ["{tmp}/none.parquet", "--format", "dover", "--out", "{tmp}/x"],
    "features extract": ["{tmp}/none.jsonl", "--root", "{tmp}", "-o", "{tmp}/f.parquet"],
    "labels materialize": [
        "--features",
        "{tmp}/none.parquet",
        "--labels",
        "{tmp}/l.csv",
        "--out",
        "{tmp}/o.parquet",
    ],
    "train mos-head": ["--feature-schema", "vqa-nr-v1", "--out", "{tmp}/m"],
    "predict": ["--model", "{tmp}/m.onnx", "--table", "{tmp}/t.parquet", "-o", "{tmp}/p.jsonl"],
    "evaluate": ["{tmp}/none.parquet", "--feature-schema", "no-such-schema"],
    "corpora info": ["no-such-corpus"],
    "corpora list": ["--no-such-option"],
    "demo": ["--clips", "1"],
}


@pytest.mark.parametrize("command", sorted(BAD))
def test_bad_usage_or_input_exits_2_with_an_error_document(
    cli: ModuleType, tmp_path: Path, command: str
) -> None:
    args = [a.format(tmp=tmp_path) for a in BAD[command]]
    ran = cli.vqa(*command.split(), *args, "--json")
    assert ran.code == 2, (ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr
    error = ran.document()
    assert (error.schema, error.command, error.exit_code) == ("vqa-error-v1", command, 2)
    assert error.error in ran.stderr


def _group_raising(exc: BaseException) -> click.Group:
    """A vqa command group whose one command (with --json) raises ``exc``."""

    @click.group(cls=VqaGroup)
    def group() -> None:
        pass

    @group.command("boom")
    @click.option("--json", "as_json", is_flag=True)
    def boom(as_json: bool) -> None:
        raise exc

    return group


@pytest.mark.parametrize(
    ("exc", "code", "line"),
    [
        (RuntimeError("a bug"), 1, "internal error: RuntimeError: a bug (set VQA_DEBUG=1 for the traceback)"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_an_unexpected_exception_is_exit_1_and_an_interrupt_130(
    exc: BaseException, code: int, line: str
) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(_group_raising(exc), ["boom", "--json"])
    assert result.exit_code == code
    assert result.stderr == line + "\n"
    assert json.loads(result.stdout) == {
        "command": "boom",
        "error": line,
        "exit_code": code,
        "schema": "vqa-error-v1",
    }
    plain = CliRunner().invoke(_group_raising(exc), ["boom"])
    assert (plain.exit_code, plain.stdout, plain.stderr) == (code, "", line + "\n")
