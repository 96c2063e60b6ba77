"""``vqa verify`` as a real process: with --json, stdout is exactly one JSON document."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from vqa_core.cli.results.failure import ErrorResult
from vqa_core.cli.results.registry import parse_result

TIMESTAMP = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(root, shard)``: a 4-clip sample drop, ingested, then one clip deleted and one moved."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    base = tmp_path_factory.mktemp("verify-cli")
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)], strict=True)
    drop = write_sample(registry, "konvid-1k", base / "drop", clips=4, seed=9)
    shard = base / "shards" / "k1.jsonl"
    ingest(
        registry,
        IngestConfig(corpus_id="konvid-1k", root=drop.root, output=shard, workers=2, timestamp=TIMESTAMP),
    )
    srcs = [orjson.loads(line)["src"] for line in shard.read_bytes().splitlines()]
    (drop.root / srcs[0]).unlink()
    (drop.root / "archive").mkdir()
    shutil.move(drop.root / srcs[1], drop.root / "archive" / "kept.mp4")
    return drop.root, shard


def _vqa(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vqa_core", *map(str, args)], capture_output=True, text=True, timeout=300
    )


def test_json_is_the_only_thing_on_stdout(damaged: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = damaged
    report = tmp_path / "r.jsonl"
    proc = _vqa("verify", shard, "--root", root, "-o", report, "--json", "-v")
    assert proc.returncode == 3, proc.stderr
    document = json.loads(proc.stdout)  # fails on any other byte on stdout
    parse_result(document)  # exactly the keys of the schema
    assert (document["command"], document["schema"], document["ok"]) == (
        "verify",
        "vqa-verify-result-v1",
        False,
    )
    assert list(document)[-1] == "clips"  # streamed last, one clip at a time
    assert document["shard"] == str(shard) and document["root"] == str(root)
    assert document["report"] == str(report)
    assert document["counts"] == {
        "ok": 2,
        "moved": 1,
        "missing": 1,
        "changed": 0,
        "unreadable": 0,
        "invalid": 0,
    }
    srcs = [orjson.loads(line)["src"] for line in shard.read_bytes().splitlines()]
    assert document["clips"] == [
        {"src": srcs[0], "status": "missing"},
        {"src": srcs[1], "status": "moved"},
        {"src": srcs[2], "status": "ok"},
        {"src": srcs[3], "status": "ok"},
    ]
    # the warnings and the error line went to stderr
    assert "warning:" in proc.stderr and proc.stderr.count("error:") == 1
    assert "Traceback" not in proc.stderr


def test_without_json_stdout_is_the_one_line_summary(damaged: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = damaged
    proc = _vqa("verify", shard, "--root", root, "-o", tmp_path / "r.jsonl")
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.splitlines() == [proc.stdout.strip()]
    assert proc.stdout.startswith("verify: 4 clips: 2 ok, 1 moved, 1 missing")


def test_bad_input_is_one_line_and_exit_2(damaged: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = damaged
    for args in (
        ("verify", tmp_path / "none.jsonl", "--root", root, "--json"),
        ("verify", shard, "--root", tmp_path / "none", "--json"),
        ("verify", root / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv", "--root", root),
    ):
        proc = _vqa(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
        if "--json" in args:  # the same line as an error document, and nothing else
            error = parse_result(json.loads(proc.stdout))
            assert isinstance(error, ErrorResult) and error.exit_code == 2
            assert f"error: {error.error}\n" == proc.stderr
        else:
            assert proc.stdout == ""
