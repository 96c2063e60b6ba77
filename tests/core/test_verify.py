"""``vqa verify`` on a real KoNViD-1k sample drop, ingested by the real engine, then damaged on disk."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import DatasetNotFoundError, ShardError, StateError, UsageError, VerificationError
from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.runner.executor import default_workers
from vqa_core.samples import ClipSpec, write_clip
from vqa_core.verify import STATUSES, VerifyConfig, default_report_path, verify

TIMESTAMP = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(dataset root, shard)``: a 6-clip sample drop through the real ingest engine (read-only)."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    base = tmp_path_factory.mktemp("verify-drop")
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)], strict=True)
    drop = write_sample(registry, "konvid-1k", base / "drop", clips=6, seed=5)
    shard = base / "konvid-1k.jsonl"
    ingest(
        registry,
        IngestConfig(corpus_id="konvid-1k", root=drop.root, output=shard, workers=2, timestamp=TIMESTAMP),
    )
    return drop.root, shard


@pytest.fixture
def copy(ingested: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the drop (tests damage it) and the shard beside it."""
    root, shard = ingested
    data = tmp_path / "data"
    shutil.copytree(root, data)
    mine = tmp_path / "shards" / shard.name
    mine.parent.mkdir()
    shutil.copyfile(shard, mine)
    return data, mine


def _rows(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _statuses(report: Path) -> list[str]:
    return [r["status"] for r in _rows(report)]


def _counts(**nonzero: int) -> dict[str, int]:
    return {s: nonzero.get(s, 0) for s in STATUSES}


def test_untouched_clips_are_all_ok(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    result = verify(VerifyConfig(shard=shard, root=root, workers=2))
    assert result.report == default_report_path(shard) == shard.with_name("konvid-1k.verify.jsonl")
    assert result.ok and result.failure() is None
    assert result.counts == _counts(ok=6) and result.rows == 6
    lines = _rows(result.report)
    assert [r["src"] for r in lines] == [r["src"] for r in _rows(shard)]
    assert all(r == {"src": r["src"], "status": "ok", "detail": None, "found_at": None} for r in lines)
    # nothing was unresolved: the root was not walked
    assert result.files_walked == 0 and result.files_hashed == 0
    manifest = orjson.loads(manifest_path_for(result.report).read_bytes())
    assert manifest["schema"] == "vqa-verify-manifest-v1"
    assert manifest["counts"] == result.counts
    assert manifest["inputs"]["shard"]["sha256"] == sha256_file(shard)
    assert manifest["outputs"]["report"]["sha256"] == sha256_file(result.report)
    assert manifest["versions"]["vqa-core"]


def test_without_workers_a_check_runs_two_threads_a_core(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    result = verify(VerifyConfig(shard=shard, root=root))
    assert result.ok
    manifest = orjson.loads(manifest_path_for(result.report).read_bytes())
    assert manifest["config"]["workers"] == 2 * default_workers()


def test_missing_changed_and_moved_clips(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    srcs = [r["src"] for r in _rows(shard)]
    (root / srcs[0]).unlink()
    (root / srcs[1]).write_bytes(b"not the clip any more" * 100)
    moved_to = root / "reorganised" / "deeper" / Path(srcs[2]).name
    moved_to.parent.mkdir(parents=True)
    (root / srcs[2]).rename(moved_to)
    result = verify(VerifyConfig(shard=shard, root=root, workers=2))
    assert _statuses(result.report) == ["missing", "changed", "moved", "ok", "ok", "ok"]
    assert result.counts == _counts(ok=3, missing=1, changed=1, moved=1)
    lines = _rows(result.report)
    assert lines[2]["found_at"] == f"reorganised/deeper/{Path(srcs[2]).name}"
    assert lines[0]["found_at"] is None and lines[1]["found_at"] is None
    assert "no file at" in lines[0]["detail"] and "other bytes" in lines[1]["detail"]
    failure = result.failure()
    assert isinstance(failure, VerificationError) and failure.exit_code == 3
    assert failure.counts == result.counts


def test_a_clip_overwritten_by_another_clips_bytes_is_moved_if_its_own_content_is_elsewhere(
    copy: tuple[Path, Path],
) -> None:
    """Two clips swapped names: each is at the other's src, so each row is moved."""
    root, shard = copy
    a, b = (root / r["src"] for r in _rows(shard)[:2])
    tmp = a.with_suffix(".swap")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    result = verify(VerifyConfig(shard=shard, root=root, workers=1))
    lines = _rows(result.report)
    assert [r["status"] for r in lines[:2]] == ["moved", "moved"]
    assert lines[0]["found_at"] == _rows(shard)[1]["src"] and lines[1]["found_at"] == _rows(shard)[0]["src"]


def test_only_files_of_a_wanted_size_are_hashed(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    row = _rows(shard)[0]
    (root / row["src"]).unlink()
    decoys = root / "decoys"
    decoys.mkdir()
    for i in range(5):
        (decoys / f"other-size-{i}.bin").write_bytes(b"x" * (row["src_size_bytes"] + 1 + i))
    (decoys / "same-size.bin").write_bytes(b"y" * row["src_size_bytes"])
    result = verify(VerifyConfig(shard=shard, root=root, workers=2))
    assert _statuses(result.report)[0] == "missing"
    assert result.files_walked >= 6 + 5  # the other clips, the metadata and the decoys
    assert result.files_hashed == 1  # the one file of the missing clip's size


def test_probe_detects_a_clip_reencoded_at_another_size(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    row = _rows(shard)[3]
    write_clip(root / row["src"], ClipSpec(width=row["width"] + 32, height=row["height"], frames=5), seed=1)
    plain = verify(VerifyConfig(shard=shard, root=root, workers=2))
    assert _statuses(plain.report)[3] == "changed"
    assert "width" not in _rows(plain.report)[3]["detail"]
    probed = verify(
        VerifyConfig(shard=shard, root=root, workers=2, probe=True, report=shard.with_name("probed.jsonl"))
    )
    line = _rows(probed.report)[3]
    assert line["status"] == "changed"
    assert f"width is {row['width'] + 32}, the shard says {row['width']}" in line["detail"]
    assert "height" not in line["detail"]


def test_probe_reports_a_shard_whose_geometry_no_longer_matches_the_bytes(copy: tuple[Path, Path]) -> None:
    """Same bytes, other description: only --probe can tell, and the report says which field."""
    root, shard = copy
    rows = _rows(shard)
    rows[1]["pix_fmt"] = "yuv444p"
    rows[1]["framerate"] = 50.0
    shard.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    assert verify(VerifyConfig(shard=shard, root=root, workers=2)).ok
    result = verify(VerifyConfig(shard=shard, root=root, workers=2, probe=True, restart=True))
    line = _rows(result.report)[1]
    assert line["status"] == "changed" and line["found_at"] is None
    assert "has the shard's bytes" in line["detail"]
    assert "pix_fmt is yuv420p, the shard says yuv444p" in line["detail"]
    assert "framerate is 25, the shard says 50" in line["detail"]
    assert result.counts == _counts(ok=5, changed=1)


def test_unusable_rows_are_invalid_with_file_and_line(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    rows = _rows(shard)
    bad = [
        {"src": "../outside.mp4", "src_sha256": "0" * 64, "src_size_bytes": 1},
        {"mos": 3.0, "src_sha256": "0" * 64, "src_size_bytes": 1},
        {"src": "x.mp4", "src_sha256": "not hex", "src_size_bytes": 1},
        {"src": "x.mp4", "src_sha256": "0" * 64, "src_size_bytes": "big"},
    ]
    shard.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [*rows, *bad]) + b"\n{broken\n")
    result = verify(VerifyConfig(shard=shard, root=root, workers=2))
    lines = _rows(result.report)
    assert [r["status"] for r in lines] == ["ok"] * 6 + ["invalid"] * 5
    assert result.counts == _counts(ok=6, invalid=5)
    assert lines[6]["detail"].startswith(f"{shard}:7: ") and "leaves the dataset root" in lines[6]["detail"]
    assert lines[10]["detail"].startswith(f"{shard}:12: ")  # line 11 is blank


def test_a_parquet_shard_is_read_too(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    table = pa.Table.from_pylist(_rows(shard))
    parquet = shard.with_suffix(".parquet")
    pq.write_table(table, parquet)
    (root / _rows(shard)[5]["src"]).unlink()
    result = verify(VerifyConfig(shard=parquet, root=root, workers=2))
    assert result.report == shard.with_name("konvid-1k.verify.jsonl")
    assert _statuses(result.report) == ["ok"] * 5 + ["missing"]


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


def test_an_interrupted_check_resumes_and_a_finished_one_is_done_again(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    srcs = [r["src"] for r in _rows(shard)]
    (root / srcs[4]).rename(root / "elsewhere.mp4")
    reference = verify(VerifyConfig(shard=shard, root=root, workers=1, report=shard.with_name("ref.jsonl")))
    out = shard.with_name("resumed.jsonl")
    with pytest.raises(KeyboardInterrupt):
        verify(VerifyConfig(shard=shard, root=root, workers=1, window=1, report=out), progress=_Interrupt(3))
    assert not out.exists()  # the report only appears when the check completes
    resumed = verify(VerifyConfig(shard=shard, root=root, workers=1, report=out))
    assert resumed.reused == 3 and resumed.checked == 3
    assert out.read_bytes() == reference.report.read_bytes()
    assert _statuses(out)[4] == "moved"
    again = verify(VerifyConfig(shard=shard, root=root, workers=1, report=out))
    assert again.reused == 0 and again.checked == 6  # a finished check is never reused
    assert out.read_bytes() == reference.report.read_bytes()


def test_an_unfinished_check_of_another_shard_is_refused(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    out = shard.with_name("r.jsonl")
    with pytest.raises(KeyboardInterrupt):
        verify(VerifyConfig(shard=shard, root=root, workers=1, window=1, report=out), progress=_Interrupt(2))
    with pytest.raises(StateError, match="--restart"):
        verify(VerifyConfig(shard=shard, root=root, workers=1, report=out, probe=True))
    assert verify(VerifyConfig(shard=shard, root=root, workers=1, report=out, probe=True, restart=True)).ok


def test_bad_input_is_refused_before_anything_is_written(copy: tuple[Path, Path], tmp_path: Path) -> None:
    root, shard = copy
    with pytest.raises(ShardError, match="does not exist"):
        verify(VerifyConfig(shard=tmp_path / "absent.jsonl", root=root))
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        verify(VerifyConfig(shard=shard, root=tmp_path / "absent"))
    labels = tmp_path / "labels.jsonl"
    labels.write_bytes(b'{"key": "a", "mos": 3.0}\n')
    with pytest.raises(ShardError, match="not a corpus shard"):
        verify(VerifyConfig(shard=labels, root=root))
    inside = root / "konvid-1k.jsonl"
    shutil.copyfile(shard, inside)
    with pytest.raises(UsageError, match="inside the dataset root"):
        verify(VerifyConfig(shard=inside, root=root))
    with pytest.raises(UsageError, match="overwrite the shard"):
        verify(VerifyConfig(shard=shard, root=root, report=shard))
    with pytest.raises(UsageError, match="--workers"):
        VerifyConfig(shard=shard, root=root, workers=0)
    assert not default_report_path(shard).exists()


def test_an_explicit_report_inside_the_root_is_not_taken_for_a_moved_clip(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    (root / _rows(shard)[0]["src"]).unlink()
    out = root / "checks" / "r.jsonl"
    first = verify(VerifyConfig(shard=shard, root=root, workers=2, report=out))
    second = verify(VerifyConfig(shard=shard, root=root, workers=2, report=out))
    assert out.read_bytes() == first.report.read_bytes()
    assert first.files_walked == second.files_walked  # the report, state and manifest are not walked


# -- the command line -----------------------------------------------------------------------


def test_cli_exit_codes_and_one_line_summary(copy: tuple[Path, Path]) -> None:
    root, shard = copy
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", str(shard), "--root", str(root), "-q"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip().splitlines() == [ok.stdout.strip()]
    assert ok.stdout.startswith("verify: 6 clips: 6 ok")
    (root / _rows(shard)[2]["src"]).unlink()
    bad = runner.invoke(main, ["verify", str(shard), "--root", str(root), "-q"])
    assert bad.exit_code == 3, bad.output
    assert "1 missing" in bad.stdout
    errors = [line for line in bad.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "1 of 6 clips" in errors[0]
    assert "Traceback" not in bad.output
    absent = runner.invoke(main, ["verify", str(shard.with_name("nope.jsonl")), "--root", str(root)])
    assert absent.exit_code == 2 and absent.stderr.startswith("error: shard") and not absent.stdout
