"""Every command that writes an output refuses one another process is writing (one line, exit 5).

The lock is held by this test process, a real ``flock`` from another process
than the CLI's, as ``test_crashes`` does for ingest, aggregate and merge-grid;
these are the commands that took no lock before the runner was shared.
Once released, the same command runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import attrs
import orjson

from vqa_core.runner.lock import output_lock

STAMP = "2026-03-04T05:06:07Z"


def _refused_then_runs(
    kit: ModuleType, args: list[str | Path], output: Path, *companions: Path, note: str | None = None
) -> None:
    """Refused while this process holds the lock (``note``: in a plain log line the command prints first)."""
    with output_lock(output):
        result = kit.run_vqa(*args)
        if note is not None:
            first, *rest = result.stderr.splitlines()
            assert note in first, result.stderr
            result = attrs.evolve(result, stderr="\n".join(rest))
        result.assert_clean_error("is being written by another vqa process", f"pid {os.getpid()}", code=5)
        assert not output.exists()
        assert not [c for c in companions if c.exists()]
    kit.run_vqa(*args).assert_ok()  # released: the same command now runs
    assert output.exists() and all(c.exists() for c in companions)


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def test_labels_materialize_refuses_a_locked_output(kit: ModuleType, tmp_path: Path) -> None:
    srcs = ["a.mp4", "b.mp4", "c.mp4"]
    features = _jsonl(tmp_path / "f.jsonl", [{"src": s, "x": float(i)} for i, s in enumerate(srcs)])
    labels = _jsonl(
        tmp_path / "l.jsonl", [{"src": s, "mos": 2.0 + i, "corpus": "konvid-1k"} for i, s in enumerate(srcs)]
    )
    out, audit = tmp_path / "o.parquet", tmp_path / "audit.json"
    args: list[str | Path] = ["labels", "materialize", "--features", features, "--labels", labels]
    args += ["--out", out, "--audit-json", audit, "--timestamp", STAMP]
    _refused_then_runs(kit, args, out, tmp_path / "o.manifest.json", audit)


def test_train_mos_head_refuses_a_locked_model(kit: ModuleType, tmp_path: Path) -> None:
    """Training runs first (the lock is taken to write), then the model is refused: nothing is written."""
    out = tmp_path / "model"
    args: list[str | Path] = ["train", "mos-head", "--smoke", "--feature-schema", "konvid-v1", "--out", out]
    args += ["--folds", "2", "--epochs", "1", "--timestamp", STAMP]
    model = out / "mos_head.onnx"
    companions = (out / "mos_head.manifest.json", out / "smoke_table.parquet")
    _refused_then_runs(kit, args, model, *companions, note="the table has no content_group column")


def test_the_encode_grid_ingest_refuses_a_locked_output(kit: ModuleType, tmp_path: Path) -> None:
    import vqa_bvi_dvc

    from vqa_core.registry import Registry

    cache = tmp_path / "cache"
    cache.mkdir()
    Registry.from_plugins([("vqa-bvi-dvc", vqa_bvi_dvc)], strict=True).write_sample(
        "bvi-dvc", cache, 2, seed=0
    )
    out = tmp_path / "g.jsonl"
    args: list[str | Path] = ["ingest", "bvi-dvc", "--root", cache, "-o", out, "--timestamp", STAMP]
    _refused_then_runs(kit, args, out, tmp_path / "g.manifest.json")
