from __future__ import annotations

import logging
import shutil
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import OutputError, StateError
from vqa_core.features import VQA_NR_V1, FeatureConfig, extract_features
from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.runner.outputs import rejections_path_for
from vqa_core.samples import ClipSpec, write_clip


def _rows(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_one_feature_row_per_clip(konvid_drop: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = konvid_drop
    out = tmp_path / "features.parquet"
    report = extract_features(
        FeatureConfig(shard=shard, root=root, output=out, workers=2, timestamp="2026-01-01T00:00:00Z")
    )
    table = pq.read_table(out)
    shard_rows = _rows(shard)
    assert report.written == table.num_rows == len(shard_rows) and report.skipped == {}
    assert table.column("src").to_pylist() == [r["src"] for r in shard_rows]
    assert table.column("src_sha256").to_pylist() == [r["src_sha256"] for r in shard_rows]
    assert table.column_names[-len(VQA_NR_V1) :] == list(VQA_NR_V1)
    assert all(v is not None and v >= 0 for name in VQA_NR_V1 for v in table.column(name).to_pylist())
    assert set(table.column("frames_used").to_pylist()) == {20}
    manifest = orjson.loads(manifest_path_for(out).read_bytes())
    assert manifest["inputs"]["shard"]["sha256"] == sha256_file(shard)
    assert manifest["outputs"]["features"]["sha256"] == sha256_file(out)
    assert manifest["stats"] == {"rows_read": 5, "written": 5, "skipped": {}, "skipped_total": 0}


def test_feature_values_follow_picture_quality(konvid_drop: tuple[Path, Path], tmp_path: Path) -> None:
    """The sample drop degrades low-MOS clips with noise: their colourfulness spread and sharpness rise."""
    root, shard = konvid_drop
    out = tmp_path / "f.jsonl"
    extract_features(FeatureConfig(shard=shard, root=root, output=out, workers=1))
    mos = {r["src"]: r["mos"] for r in _rows(shard)}
    rows = sorted(_rows(out), key=lambda r: mos[r["src"]])
    assert rows[0]["sharpness_mean"] > rows[-1]["sharpness_mean"]


def test_rejections_are_counted_with_their_src(konvid_drop: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = konvid_drop
    data = tmp_path / "data"
    shutil.copytree(root, data)
    rows = _rows(shard)
    junk = data / "junk.mp4"
    junk.write_bytes(b"\x00not a video" * 500)
    (data / rows[1]["src"]).unlink()  # missing
    write_clip(data / rows[2]["src"], ClipSpec(width=64, height=48, frames=3), seed=99)  # replaced
    extra = [
        {"src": "junk.mp4", "src_sha256": sha256_file(junk), "corpus": "konvid-1k"},
        {"src": "../outside.mp4", "src_sha256": "0" * 64},
        {"mos": 3.0},
        rows[0],
    ]
    edited = tmp_path / "shard.jsonl"
    edited.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [*rows, *extra]) + b"{broken\n")
    out = tmp_path / "f.parquet"
    report = extract_features(FeatureConfig(shard=edited, root=data, output=out, workers=2))
    assert report.written == 3
    assert report.skipped == {
        "bad-row": 2,
        "changed-clip": 1,
        "duplicate-row": 1,
        "missing-clip": 1,
        "undecodable-clip": 1,
        "unsafe-path": 1,
    }
    assert report.rows_read == report.written + sum(report.skipped.values())
    rejected = {r["reason"]: r for r in _rows(rejections_path_for(out))}
    assert rejected["missing-clip"]["key"] == rows[1]["src"]
    assert rejected["undecodable-clip"]["key"] == "junk.mp4"
    assert rejected["bad-row"]["origin"].startswith(f"{edited}:")


def test_past_the_first_rejections_of_a_reason_the_log_points_to_the_file(
    konvid_drop: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """As for ingest: 20 lines per reason, then one pointing to the rejections file, then the count."""
    root, _ = konvid_drop
    shard = tmp_path / "shard.jsonl"
    shard.write_bytes(b"".join(orjson.dumps({"src": f"gone/{i}.mp4"}) + b"\n" for i in range(23)))
    out = tmp_path / "f.jsonl"
    with caplog.at_level(logging.WARNING, "vqa.features"):
        report = extract_features(FeatureConfig(shard=shard, root=root, output=out, workers=2))
    assert report.skipped == {"missing-clip": 23}
    messages = [r.getMessage() for r in caplog.records if r.name == "vqa.features"]
    rejections = rejections_path_for(out)
    assert (
        len(messages) == 22
        and messages[0] == f"{shard}:1: missing-clip: gone/0.mp4: No such file or directory"
    )
    assert messages[20:] == [
        f"further missing-clip rows are listed in {rejections}",
        f"missing-clip: 23 rows in all (see {rejections})",
    ]
    assert len(rejections.read_bytes().splitlines()) == 23


class _Interrupt:
    """A progress sink that stops the run after ``after`` clips, as Ctrl-C would."""

    def __init__(self, after: int) -> None:
        self.after = after

    def start(self, total: int | None, description: str) -> None:
        pass

    def advance(self, written: int, skipped: int) -> None:
        if written + skipped >= self.after:
            raise KeyboardInterrupt

    def finish(self) -> None:
        pass


def test_resume_after_an_interruption(konvid_drop: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = konvid_drop
    reference = tmp_path / "reference.jsonl"
    extract_features(FeatureConfig(shard=shard, root=root, output=reference, workers=1))
    out = tmp_path / "resumed.jsonl"
    with pytest.raises(KeyboardInterrupt):
        extract_features(
            FeatureConfig(shard=shard, root=root, output=out, workers=1, window=1), progress=_Interrupt(2)
        )
    assert not out.exists()  # nothing torn: the output only appears when the run completes
    report = extract_features(FeatureConfig(shard=shard, root=root, output=out, workers=1))
    assert report.reused == 2 and report.processed == 3
    assert out.read_bytes() == reference.read_bytes()
    again = extract_features(FeatureConfig(shard=shard, root=root, output=out, workers=1))
    assert again.reused == 5 and again.processed == 0
    with pytest.raises(StateError, match="--restart"):
        extract_features(FeatureConfig(shard=shard, root=root, output=out, sample_fps=5.0))
    restarted = extract_features(
        FeatureConfig(shard=shard, root=root, output=out, sample_fps=5.0, restart=True)
    )
    assert restarted.processed == 5 and {r["frames_used"] for r in _rows(out)} == {
        4
    }  # 20 frames at 24-30 fps


def test_process_executor_gives_the_same_rows(konvid_drop: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = konvid_drop
    threads, processes = tmp_path / "t.jsonl", tmp_path / "p.jsonl"
    extract_features(FeatureConfig(shard=shard, root=root, output=threads, workers=2))
    extract_features(FeatureConfig(shard=shard, root=root, output=processes, workers=2, executor="process"))
    assert threads.read_bytes() == processes.read_bytes()


def test_cli(konvid_drop: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = konvid_drop
    runner = CliRunner()
    out = tmp_path / "f.parquet"
    result = runner.invoke(
        main,
        ["features", "extract", str(shard), "--root", str(root), "-o", str(out), "-q", "--sample-fps", "10"],
    )
    assert result.exit_code == 0, result.output
    assert "5 written" in result.output
    result = runner.invoke(
        main, ["features", "extract", str(shard), "--root", str(root), "-o", str(tmp_path / "f.csv")]
    )
    assert result.exit_code == 2 and result.output.startswith("error: output")
    with pytest.raises(OutputError):
        extract_features(FeatureConfig(shard=shard, root=root, output=tmp_path / "f.csv"))


@pytest.mark.slow
def test_kill_9_then_rerun_gives_the_uninterrupted_output(tmp_path: Path) -> None:
    """A real ``vqa features extract`` process killed mid-run, then rerun, equals a clean run."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.runner.state import state_path_for
    from vqa_core.sample import write_sample

    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-1k", tmp_path / "drop", clips=24, seed=8)
    shard = tmp_path / "shard.jsonl"
    ingest(registry, IngestConfig(corpus_id="konvid-1k", root=drop.root, output=shard, workers=2))
    reference = tmp_path / "reference.jsonl"
    extract_features(FeatureConfig(shard=shard, root=drop.root, output=reference, workers=1))
    out = tmp_path / "killed.jsonl"
    script = (
        "from vqa_core.cli import main\n"
        f"main(['features', 'extract', {str(shard)!r}, '--root', {str(drop.root)!r}, '-o', {str(out)!r}, "
        "'--workers', '1', '-q'])\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    state = state_path_for(out)
    deadline = time.monotonic() + 60
    written = 0
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if state.exists():
                try:
                    with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.1) as db:
                        written = db.execute("SELECT COUNT(*) FROM rows WHERE status = 'written'").fetchone()[
                            0
                        ]
                except sqlite3.Error:
                    written = 0
            if written >= 3:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not out.exists()
    report = extract_features(FeatureConfig(shard=shard, root=drop.root, output=out, workers=2))
    assert report.reused >= 3 and report.reused + report.processed == 24
    assert out.read_bytes() == reference.read_bytes()


def test_parquet_shards_work_too(tmp_path: Path) -> None:
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-150k", tmp_path / "drop", clips=3, seed=2)
    shard = tmp_path / "shard.parquet"
    ingest(registry, IngestConfig(corpus_id="konvid-150k", root=drop.root, output=shard, workers=1))
    out = tmp_path / "f.jsonl"
    report = extract_features(FeatureConfig(shard=shard, root=drop.root, output=out, workers=1))
    assert report.written == 3
    assert {r["corpus"] for r in _rows(out)} == {"konvid-150k"}
