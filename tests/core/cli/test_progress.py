"""Progress and verbosity of the long-running commands.

Off a terminal every long command writes a periodic progress line to stderr and
nothing of it to stdout; ``-q`` silences it. The commands run as real
subprocesses with stderr a pipe, and ``VQA_PROGRESS_INTERVAL=0`` makes every
update a line, so nothing here depends on timing.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from vqa_core import env
from vqa_core.cli import main
from vqa_core.cli._progress import LogProgress, duration, size
from vqa_core.gridrows import GRID_KEYS
from vqa_core.registry import Registry
from vqa_core.runner.progress import BYTES, NoProgress, Phase
from vqa_core.testing.http import LocalServer

STAMP = "2026-01-01T00:00:00Z"


def vqa(*args: str | Path, interval: str = "0") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vqa_core", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, env.PROGRESS_INTERVAL: interval},
        timeout=600,
        check=False,
    )


def assert_progress(args: tuple[str | Path, ...], line: str) -> subprocess.CompletedProcess[str]:
    """Run ``vqa *args``: a line matching ``line`` on stderr, none on stdout; none at all with -q."""
    result = vqa(*args)
    assert result.returncode == 0, result.stderr
    pattern = re.compile(line, re.MULTILINE)
    assert pattern.search(result.stderr), result.stderr
    assert not pattern.search(result.stdout), result.stdout
    quiet = vqa(*args, "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert not pattern.search(quiet.stderr + quiet.stdout), quiet.stderr
    return result


# -- the line itself -----------------------------------------------------------------------


def test_a_line_per_update_with_counts_rate_share_and_eta(capsys: pytest.CaptureFixture[str]) -> None:
    sink = LogProgress(every_s=0.0)
    sink.start(200, "ingest konvid-1k")
    sink.advance(40, 10)
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        r"ingest konvid-1k: 50/200 rows \(25 %\), [\d,.]+ rows/s, written 40, skipped 10, ETA .+", line
    ), line


def test_bytes_are_shown_as_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    sink = LogProgress(every_s=0.0, labels=None)
    sink.start(3 << 30, "download videos.zip", BYTES)
    sink.advance(3 << 29)
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"download videos\.zip: 1\.5 GiB/3\.0 GiB \(50 %\), [\d,.]+ \w+/s, ETA .+", line), (
        line
    )


def test_an_unknown_total_has_no_share_and_no_eta(capsys: pytest.CaptureFixture[str]) -> None:
    sink = LogProgress(every_s=0.0, labels=None)
    sink.start(None, "download x.zip", BYTES)
    sink.advance(2048)
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"download x\.zip: 2\.0 KiB, [\d,.]+ \w+/s", line), line


def test_a_phase_that_was_reported_on_ends_with_a_closing_line(capsys: pytest.CaptureFixture[str]) -> None:
    sink = LogProgress(every_s=0.0, labels=None)
    with Phase(sink, 4, "train: 3 folds and the shipped model", "epochs") as phase:
        phase.add()
        sink.every_s = 1e9  # no more periodic lines: the closing one must still come
        phase.add(3)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("train: 3 folds and the shipped model: 4/4 epochs (100 %), ")
    assert "done in" in lines[1]


def test_a_phase_shorter_than_the_interval_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with Phase(LogProgress(every_s=1e9), 10, "predict") as phase:
        phase.add(10)
    assert capsys.readouterr().err == ""


def test_sizes_and_durations() -> None:
    assert [size(n) for n in (0, 1023, 1024, 5 << 20, 3 << 40)] == [
        "0 B",
        "1,023 B",
        "1.0 KiB",
        "5.0 MiB",
        "3.0 TiB",
    ]
    assert [duration(s) for s in (0.4, 59, 61, 3600 + 120)] == ["0 s", "59 s", "1 min 01 s", "1 h 02 min"]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def start(self, total: int | None, description: str, unit: str = "rows") -> None:
        self.calls.append(("start", total, description, unit))

    def advance(self, written: int, skipped: int = 0) -> None:
        self.calls.append(("advance", written, skipped))

    def finish(self) -> None:
        self.calls.append(("finish",))


def test_a_phase_counts_what_its_consumer_took_and_always_finishes() -> None:
    sink = Recorder()
    with pytest.raises(KeyError), Phase(sink, None, "ingest x: encode-grid rows") as phase:
        for item in phase.counting("abc"):
            if item == "c":
                raise KeyError(item)
    assert sink.calls == [
        ("start", None, "ingest x: encode-grid rows", "rows"),
        ("advance", 1, 0),
        ("advance", 2, 0),
        ("finish",),
    ]


def test_no_progress_ignores_everything() -> None:
    with Phase(None, 3, "x") as phase:
        phase.add(3)
    assert isinstance(phase.sink, NoProgress)


# -- options -------------------------------------------------------------------------------


def test_quiet_and_verbose_exclude_each_other(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "s.jsonl"), "-o", "u.jsonl", "-q", "-v"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: -q/--quiet and -v/--verbose exclude each other"


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_progress_interval_is_one_line(tmp_path: Path, value: str) -> None:
    result = vqa("merge-grid", tmp_path / "a.jsonl", "-o", tmp_path / "m.jsonl", interval=value)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {env.PROGRESS_INTERVAL} must be a number of seconds >= 0, not {value!r}"
    ]


def test_verbose_turns_on_debug_logging(tmp_path: Path, konvid_shard: Path) -> None:
    result = vqa("aggregate", konvid_shard, "-o", tmp_path / "u.jsonl", "--timestamp", STAMP, "-v")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^debug: read .*k\.jsonl: 6 rows$", result.stderr, re.MULTILINE), result.stderr
    plain = vqa("aggregate", konvid_shard, "-o", tmp_path / "v.jsonl", "--timestamp", STAMP)
    assert "debug:" not in plain.stderr


# -- every long command ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def konvid_shard(tmp_path_factory: pytest.TempPathFactory, konvid_1k_drop: Path) -> Path:
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest

    shard = tmp_path_factory.mktemp("shard") / "k.jsonl"
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)])
    ingest(registry, IngestConfig(corpus_id="konvid-1k", root=konvid_1k_drop, output=shard, timestamp=STAMP))
    return shard


#: A small, quick MOS head: two folds of the generated table.
SMOKE = f"--feature-schema vqa-nr-v1 --folds 2 --timestamp {STAMP}".split()


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    result = vqa("train", "mos-head", "--smoke", "--out", out, *SMOKE, "--epochs", "2", "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_ingest(tmp_path: Path, konvid_1k_drop: Path) -> None:
    args = ("ingest", "konvid-1k", "--root", konvid_1k_drop, "-o", tmp_path / "k.jsonl", "--timestamp", STAMP)
    result = assert_progress(
        (*args, "--restart"), r"^ingest konvid-1k: \d+/6 rows .*written \d+, skipped \d+"
    )
    assert "6 written" in result.stdout


def test_ingest_of_an_encode_grid(tmp_path: Path) -> None:
    drop = vqa("sample", "bvi-dvc", tmp_path / "drop", "--clips", "2")
    assert drop.returncode == 0, drop.stderr
    args = ("ingest", "bvi-dvc", "--root", tmp_path / "drop", "-o", tmp_path / "g.jsonl")
    assert_progress(args, r"^ingest bvi-dvc: encode-grid rows: 2 rows, ")


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.writestr(f"{folder.name}/{path.name}", path.read_bytes())
    return buffer.getvalue()


@pytest.fixture
def konvid_server(konvid_1k_drop: Path) -> Iterator[LocalServer]:
    with LocalServer() as server:
        for name in ("KoNViD_1k_videos", "KoNViD_1k_metadata"):
            server.add(f"/archives/{name}.zip", _zip(konvid_1k_drop / name))
        yield server


def test_fetch_shows_bytes_downloaded_checked_and_unpacked(
    tmp_path: Path, konvid_server: LocalServer
) -> None:
    base = konvid_server.url("/archives")
    result = vqa("fetch", "konvid-1k", "--root", tmp_path / "a", "--base-url", base, "--timestamp", STAMP)
    assert result.returncode == 0, result.stderr
    for phase in ("download", "check", "unpack"):
        assert re.search(
            rf"^{phase} KoNViD_1k_videos\.zip: [\d.,]+ (B|KiB|MiB)/[\d.,]+ (B|KiB|MiB) \(100 %\), ",
            result.stderr,
            re.MULTILINE,
        ), result.stderr
    assert not re.search(r"^(download|check|unpack) ", result.stdout, re.MULTILINE)
    quiet = vqa(
        "fetch", "konvid-1k", "--root", tmp_path / "b", "--base-url", base, "--timestamp", STAMP, "-q"
    )
    assert quiet.returncode == 0, quiet.stderr
    assert not re.search(r"^(download|check|unpack) ", quiet.stderr, re.MULTILINE), quiet.stderr


def test_aggregate_and_export(tmp_path: Path, konvid_shard: Path) -> None:
    unified = tmp_path / "u.jsonl"
    assert_progress(
        ("aggregate", konvid_shard, "-o", unified, "--timestamp", STAMP),
        r"^aggregate: read shards: 1/1 shards \(100 %\), ",
    )
    assert re.search(
        r"^aggregate: 6 rows: 4/4 steps", vqa("aggregate", konvid_shard, "-o", unified).stderr, re.M
    )
    assert_progress(
        ("export", unified, "--format", "csv", "--out", tmp_path / "csv", "--timestamp", STAMP),
        r"^export csv: 3/3 steps \(100 %\), ",
    )


def _grid_row(n: int) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(GRID_KEYS)
    row.update(schema_version=3, run_id=f"run{n}", timestamp=STAMP, src=f"clip{n}.y4m")
    row.update(src_sha256=f"{n:064x}", width=1920, height=1080, pix_fmt="yuv420p", framerate=25.0)
    row.update(encoder="libx264", preset="fast", crf=23, vmaf_score=90.0, vmaf_model="vmaf_v0.6.1")
    return row


def test_merge_grid(tmp_path: Path) -> None:
    inputs = []
    for i in range(2):
        path = tmp_path / f"g{i}.jsonl"
        path.write_bytes(b"".join(orjson.dumps(_grid_row(n)) + b"\n" for n in range(i, i + 3)))
        inputs.append(path)
    args = ("merge-grid", *inputs, "-o", tmp_path / "m.jsonl", "--timestamp", STAMP)
    assert_progress(args, r"^merge-grid: check inputs: 2/2 files \(100 %\), ")
    assert re.search(r"^merge-grid: write: 2/2 files", vqa(*args).stderr, re.MULTILINE)


def test_labels_materialize(tmp_path: Path) -> None:
    features = tmp_path / "f.jsonl"
    features.write_bytes(b"".join(orjson.dumps({"src": f"c{i}.mp4", "x": i}) + b"\n" for i in range(4)))
    labels = tmp_path / "l.jsonl"
    labels.write_bytes(b"".join(orjson.dumps({"src": f"c{i}.mp4", "mos": 3.0}) + b"\n" for i in range(4)))
    out = tmp_path / "o.jsonl"
    assert_progress(
        ("labels", "materialize", "--features", features, "--labels", labels, "--out", out),
        r"^labels materialize: 3/3 steps \(100 %\), ",
    )


def test_train(tmp_path: Path) -> None:
    assert_progress(
        ("train", "mos-head", "--smoke", "--out", tmp_path / "m", *SMOKE, "--epochs", "3"),
        r"^train: 2 folds and the shipped model: 9/9 epochs \(100 %\), ",
    )


def test_predict(tmp_path: Path, smoke_model: Path) -> None:
    model, table = smoke_model / "mos_head.onnx", smoke_model / "smoke_table.parquet"
    assert_progress(
        ("predict", "--model", model, "--table", table, "-o", tmp_path / "p.parquet", "--timestamp", STAMP),
        r"^predict: 600/600 rows \(100 %\), ",
    )


def test_evaluate(smoke_model: Path) -> None:
    assert_progress(
        ("evaluate", smoke_model / "smoke_table.parquet", *SMOKE[:4], "--epochs", "2", "--bootstrap", "0"),
        r"^evaluate: 2 models: 4/4 epochs \(100 %\), ",
    )


def test_verify(tmp_path: Path, konvid_shard: Path, konvid_1k_drop: Path) -> None:
    assert_progress(
        ("verify", konvid_shard, "--root", konvid_1k_drop, "-o", tmp_path / "r.jsonl"),
        r"^verify: 6/6 rows \(100 %\), .*ok 6, not ok 0",
    )


def test_features_extract(tmp_path: Path, konvid_shard: Path, konvid_1k_drop: Path) -> None:
    output = tmp_path / "f.parquet"
    assert_progress(
        ("features", "extract", konvid_shard, "--root", konvid_1k_drop, "-o", output, "--sample-fps", "2"),
        r"^features: 6/6 rows \(100 %\), ",
    )
