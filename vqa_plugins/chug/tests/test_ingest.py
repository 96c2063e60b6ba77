"""CHUG through the real ingestion engine, including downloads from a loopback HTTP server."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
import vqa_chug
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import MetadataError
from vqa_core.fsutil import sha256_file
from vqa_core.ingest import IngestConfig, IngestReport, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.testing.plugins import other_corpus_plugin

CORPUS = "chug"
STAMP = "2026-01-01T00:00:00Z"


def _run(
    reg: Registry, root: Path, out: Path, **kwargs: object
) -> tuple[list[dict[str, object]], IngestReport]:
    report = ingest(
        reg,
        IngestConfig(corpus_id=CORPUS, root=root, output=out, workers=2, timestamp=STAMP, **kwargs),  # type: ignore[arg-type]
    )
    return [orjson.loads(line) for line in out.read_bytes().splitlines()], report


def _rejections(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.with_suffix(".rejections.jsonl").read_text().splitlines()]


def test_sample_drop_ingests_on_the_stored_scale(plugin_registry: Registry, tmp_path: Path) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "drop", clips=4, seed=5)
    rows, report = _run(plugin_registry, drop.root, tmp_path / "shard.jsonl", offline=True)
    assert report.written == 4 and report.skipped == {}
    table = pa.Table.from_pylist(rows, schema=plugin_registry.arrow_schema(CORPUS))
    assert table.num_columns == 15 + 2 + 13  # base, content_group and split, extension
    for row in rows:
        raw = float(row["mos_raw_0_100"])  # type: ignore[arg-type]
        assert row["mos"] == pytest.approx(1 + 4 * raw / 100)
        assert row["mos_std_dev"] == pytest.approx(4 * float(row["chug_sos_raw"]) / 100)  # type: ignore[arg-type]
        assert 1.0 <= float(row["mos"]) <= 5.0  # type: ignore[arg-type]
        assert row["pix_fmt"] == "yuv420p10le" and row["encoder_upstream"] == "hevc"
        assert row["src"] == f"videos/{row['chug_video_id']}.mp4"
        assert row["framerate"] == pytest.approx(float(row["chug_framerate_manifest"]), abs=1e-6)  # type: ignore[arg-type]
    assert report.editions == {"chug.csv": "unknown"}
    # the aggregator's conversion of the stored axis gives back the published 0–100 values
    conversion = plugin_registry.scale_conversion(CORPUS)
    assert conversion is not None
    for row in rows:
        assert conversion.convert(float(row["mos"])) == pytest.approx(float(row["mos_raw_0_100"]))  # type: ignore[arg-type]
        assert conversion.convert_std(float(row["mos_std_dev"])) == pytest.approx(float(row["chug_sos_raw"]))  # type: ignore[arg-type]


def test_rungs_of_one_content_share_a_content_group(plugin_registry: Registry, tmp_path: Path) -> None:
    """The sample writes seven rungs per content: nine clips are two contents (7 + 2)."""
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "drop", clips=9, seed=3)
    rows, report = _run(plugin_registry, drop.root, tmp_path / "shard.jsonl", offline=True)
    assert report.written == 9
    groups: dict[object, list[object]] = {}
    for row in rows:
        assert row["content_group"] == f"chug/{row['chug_content_name']}"
        assert row["split"] is None  # CHUG publishes no split
        groups.setdefault(row["content_group"], []).append(row["chug_bitladder"])
    assert sorted(len(rungs) for rungs in groups.values()) == [2, 7]
    assert all(len(set(rungs)) == len(rungs) for rungs in groups.values())  # distinct rungs per content


def test_full_size_file_records_the_published_edition(plugin_registry: Registry, tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    lines = [
        f"{i:032x},{(i % 66) + 14.5},{2 + (i % 3) * 0.5},0,n,b,r,b,Landscape,30.0,c,360,640\n"
        for i in range(5992)
    ]
    (root / "chug.csv").write_text(
        "Video,mos_j,sos_j,ref,name,bitladder,resolution,bitrate,orientation,"
        "framerate,content_name,height,width\n" + "".join(lines)
    )
    _, report = _run(plugin_registry, root, tmp_path / "shard.jsonl", max_rows=2, offline=True)
    assert report.editions == {"chug.csv": "chug-icip-2025"}
    assert report.skipped == {"missing-clip": 2}


def test_another_corpus_row_count_is_refused_naming_it(tmp_path: Path) -> None:
    reg = Registry.from_plugins(
        [("vqa-chug", vqa_chug), ("other", other_corpus_plugin("other-vqa", "scores.txt", 2))]
    )
    root = tmp_path / "data"
    root.mkdir()
    (root / "chug.csv").write_text("Video,mos_j\n" + f"{1:032x},50\n" + f"{2:032x},60\n")
    with pytest.raises(MetadataError, match=r"2 data rows, the size of other-vqa's scores\.txt"):
        _run(reg, root, tmp_path / "shard.jsonl", offline=True)


# ---------------------------------------------------------------------------
# Downloads: a real HTTP server on 127.0.0.1 standing in for the public bucket.
# ---------------------------------------------------------------------------


class _Bucket(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _BucketHandler)
        self.files: dict[str, bytes] = {}
        #: Path → how many more requests get 503 before the file is served.
        self.unavailable: dict[str, int] = {}
        self.requests: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/videos"


class _BucketHandler(BaseHTTPRequestHandler):
    server: _Bucket

    def do_GET(self) -> None:
        bucket = self.server
        with bucket.lock:
            pending = bucket.unavailable.get(self.path, 0)
            if pending:
                bucket.unavailable[self.path] = pending - 1
            body = bucket.files.get(self.path)
            status = 503 if pending else (200 if body is not None else 404)
            bucket.requests.append((self.path, status))
        self.send_response(status)
        payload = body if status == 200 and body is not None else b"unavailable"
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@pytest.fixture
def bucket() -> Iterator[_Bucket]:
    server = _Bucket()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_missing_clips_are_downloaded_through_base_url(
    plugin_registry: Registry, tmp_path: Path, bucket: _Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "d", clips=3, seed=8)
    clips = sorted((drop.root / "videos").iterdir())
    hashes = {p.name: sha256_file(p) for p in clips}
    served, flaky, gone = clips
    gone_bytes = gone.read_bytes()
    bucket.files[f"/videos/{served.name}"] = served.read_bytes()
    bucket.files[f"/videos/{flaky.name}"] = flaky.read_bytes()
    bucket.unavailable[f"/videos/{flaky.name}"] = 1  # 503 once, then 200
    shutil.rmtree(drop.root / "videos")  # the dataset has only chug.csv, as after cloning the repository
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-chug")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(
        main,
        ["ingest", CORPUS, "--root", "d", "-o", "x.jsonl", "--full", "-q", "--base-url", bucket.base_url],
    )
    assert result.exit_code == 4, result.output  # the shard is written; one download still fails
    assert "2 written" in result.output and "1 download-failed" in result.output
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert sorted(str(r["src"]) for r in rows) == sorted(f"videos/{p.name}" for p in (served, flaky))
    for row in rows:
        assert row["src_sha256"] == hashes[Path(str(row["src"])).name]
    assert (drop.root / "videos" / flaky.name).read_bytes() == bucket.files[f"/videos/{flaky.name}"]
    assert [s for p, s in bucket.requests if p == f"/videos/{flaky.name}"] == [503, 200]
    assert [s for p, s in bucket.requests if p == f"/videos/{gone.name}"] == [404]
    (rejection,) = _rejections(out)
    assert rejection["reason"] == "download-failed" and "HTTP 404" in str(rejection["detail"])
    assert not (drop.root / "videos" / gone.name).exists()
    assert not list((drop.root / "videos").glob("*.part"))

    # The clip appears on the mirror later: --retry-failed fetches it, the others come from the state.
    bucket.files[f"/videos/{gone.name}"] = gone_bytes
    result = CliRunner().invoke(
        main,
        [
            "ingest",
            CORPUS,
            "--root",
            "d",
            "-o",
            "x.jsonl",
            "-q",
            "--retry-failed",
            "--base-url",
            bucket.base_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 written" in result.output
    assert sha256_file(drop.root / "videos" / gone.name) == hashes[gone.name]


def test_base_url_from_the_environment(
    plugin_registry: Registry, tmp_path: Path, bucket: _Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "d", clips=1, seed=9)
    (clip,) = list((drop.root / "videos").iterdir())
    bucket.files[f"/videos/{clip.name}"] = clip.read_bytes()
    clip.unlink()
    monkeypatch.setenv("VQA_CHUG_BASE_URL", bucket.base_url)
    (row,), report = _run(plugin_registry, drop.root, tmp_path / "shard.jsonl")
    assert row["src"] == f"videos/{clip.name}"
    assert report.written == 1 and report.downloaded_bytes == len(bucket.files[f"/videos/{clip.name}"])
    assert bucket.requests == [(f"/videos/{clip.name}", 200)]
