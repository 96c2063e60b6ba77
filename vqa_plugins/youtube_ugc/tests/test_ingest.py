"""YouTube UGC through the real engine and the CLI: sample drop, downloads, editions."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner, Result

from vqa_core.cli import main
from vqa_core.errors import MetadataError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.testing.http import LocalServer

TIMESTAMP = "2026-01-01T00:00:00Z"
SPREADSHEET = "original_videos_MOS_for_YouTube_UGC_dataset.xlsx"


def _shard(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _config(root: Path, output: Path, **kwargs: object) -> IngestConfig:
    return IngestConfig(
        corpus_id="youtube-ugc",
        root=root,
        output=output,
        workers=2,
        timestamp=TIMESTAMP,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A mirror of the public bucket on 127.0.0.1; a path it was not given answers 404."""
    with LocalServer() as running:
        yield running


def _ingest_cli(root: Path, output: Path, *extra: str) -> Result:
    args = ["ingest", "youtube-ugc", "--root", str(root), "-o", str(output), "-q", "--timestamp", TIMESTAMP]
    return CliRunner().invoke(main, [*args, *extra])


def test_sample_drop_ingests(tmp_path: Path, plugin_registry: Registry) -> None:
    drop = write_sample(plugin_registry, "youtube-ugc", tmp_path / "drop", clips=6, seed=4)
    report = ingest(plugin_registry, _config(drop.root, tmp_path / "ugc.jsonl", offline=True))
    assert (report.rows_read, report.written, report.skipped) == (6, 6, {})
    rows = _shard(tmp_path / "ugc.jsonl")
    pa.Table.from_pylist(rows, schema=plugin_registry.arrow_schema("youtube-ugc"))
    assert all(str(r["src"]).startswith("original_videos/") for r in rows)
    assert any(str(r["src"]).endswith("_crf_10_ss_00_t_20.0.mp4") for r in rows)
    assert any(str(r["src"]).endswith(".mkv") for r in rows)
    assert all(1.0 <= float(r["mos"]) <= 5.0 and int(r["n_ratings"]) > 0 for r in rows)  # type: ignore[arg-type]
    assert any(r["ugc_mos_chunk10"] is None for r in rows)


def test_missing_clip_downloaded_through_base_url(
    tmp_path: Path, kit, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-youtube-ugc")
    root = tmp_path / "ugc"
    kit.clip(root / "original_videos" / "Vlog" / "720P" / "Vlog_720P-1a2b.mkv", seed=1)  # on disk
    published = kit.clip(tmp_path / "bucket" / "Gaming_1080P-0ce6.mkv", seed=2)
    server.add("/original_videos/Gaming/1080P/Gaming_1080P-0ce6.mkv", published.read_bytes())
    kit.xlsx(root / SPREADSHEET, [kit.row("Vlog_720P-1a2b"), kit.row("Gaming_1080P-0ce6", 4.25)])
    output = tmp_path / "ugc.jsonl"
    result = _ingest_cli(root, output, "--base-url", server.url())
    assert result.exit_code == 0, result.output
    assert server.requests == [("/original_videos/Gaming/1080P/Gaming_1080P-0ce6.mkv", None)]
    landed = root / "original_videos" / "Gaming" / "1080P" / "Gaming_1080P-0ce6.mkv"
    assert landed.read_bytes() == published.read_bytes()
    rows = _shard(output)
    assert [(r["src"], r["mos"]) for r in rows] == [
        ("original_videos/Vlog/720P/Vlog_720P-1a2b.mkv", 3.52),
        ("original_videos/Gaming/1080P/Gaming_1080P-0ce6.mkv", 4.25),
    ]
    manifest = json.loads((tmp_path / "ugc.manifest.json").read_text())
    assert manifest["run"]["downloaded_bytes"] == published.stat().st_size
    assert manifest["config"]["base_url"] == server.url()


def test_a_404_is_recorded_and_not_retried_unless_asked(
    tmp_path: Path, kit, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-youtube-ugc")
    root = tmp_path / "ugc"
    kit.clip(root / "original_videos" / "Vlog" / "720P" / "Vlog_720P-1a2b.mkv", seed=1)
    kit.xlsx(root / SPREADSHEET, [kit.row("Vlog_720P-1a2b"), kit.row("HowTo_480P-7c1d")])
    output = tmp_path / "ugc.jsonl"
    missing = "/original_videos/HowTo/480P/HowTo_480P-7c1d.mkv"

    first = _ingest_cli(root, output, "--base-url", server.url())
    assert first.exit_code == 4, first.output  # written, but a download problem remains
    assert "1 download-failed" in first.output
    assert server.requests == [(missing, None)]
    (rejection,) = _shard(tmp_path / "ugc.rejections.jsonl")
    assert rejection["reason"] == "download-failed" and "HTTP 404" in str(rejection["detail"])
    assert rejection["attempts"] == 1

    second = _ingest_cli(root, output, "--base-url", server.url())
    assert second.exit_code == 4, second.output
    assert "1 download-failed" in second.output
    assert server.requests == [(missing, None)]  # not asked again

    third = _ingest_cli(root, output, "--base-url", server.url(), "--retry-failed")
    assert third.exit_code == 4, third.output
    assert server.requests == [(missing, None), (missing, None)]
    (rejection,) = _shard(tmp_path / "ugc.rejections.jsonl")
    assert rejection["attempts"] == 2

    gained = kit.clip(tmp_path / "bucket" / "HowTo_480P-7c1d.mkv", seed=3)
    server.add(missing, gained.read_bytes())  # the mirror gains the file
    fourth = _ingest_cli(root, output, "--base-url", server.url(), "--retry-failed")
    assert fourth.exit_code == 0, fourth.output
    assert "2 written" in fourth.output and "skipped: none" in fourth.output
    assert len(_shard(output)) == 2


def test_offline_counts_a_missing_clip_without_asking(
    tmp_path: Path, plugin_registry: Registry, kit, server: LocalServer
) -> None:
    root = tmp_path / "ugc"
    kit.xlsx(root / SPREADSHEET, [kit.row("HowTo_480P-7c1d")])
    report = ingest(
        plugin_registry, _config(root, tmp_path / "ugc.jsonl", offline=True, base_url=server.url())
    )
    assert report.skipped == {"missing-clip": 1} and server.requests == []


def test_the_published_row_count_records_the_edition(tmp_path: Path, plugin_registry: Registry, kit) -> None:
    root = tmp_path / "ugc"
    table = [kit.row(f"Gaming_1080P-{i:04x}") for i in range(1380)]
    kit.xlsx(root / SPREADSHEET, table)
    report = ingest(plugin_registry, _config(root, tmp_path / "ugc.jsonl", max_rows=2, offline=True))
    assert report.editions == {SPREADSHEET: "ugc-2019-orig"}
    assert report.skipped == {"missing-clip": 2}
    csv_copy = kit.csv(root / "original_videos_MOS_for_YouTube_UGC_dataset.csv", table)
    report = ingest(
        plugin_registry, _config(root, tmp_path / "csv.jsonl", metadata=(csv_copy,), max_rows=2, offline=True)
    )
    assert report.editions == {csv_copy.name: "ugc-2019-orig"}


def test_another_count_is_unknown_with_a_warning(
    tmp_path: Path, plugin_registry: Registry, kit, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "ugc"
    kit.xlsx(root / SPREADSHEET, [kit.row("Gaming_1080P-0001")])
    with caplog.at_level(logging.WARNING, logger="vqa.ingest"):
        report = ingest(plugin_registry, _config(root, tmp_path / "ugc.jsonl", offline=True))
    assert report.editions == {SPREADSHEET: "unknown"}
    (warning,) = [r.getMessage() for r in caplog.records if "edition" in r.getMessage()]
    assert "1 data rows" in warning and "1,380" in warning and "storage.googleapis.com" in warning


def test_a_table_the_size_of_another_corpus_is_refused(tmp_path: Path, kit) -> None:
    registry = Registry.for_distributions(["vqa-youtube-ugc", "vqa-konvid"])
    root = tmp_path / "ugc"
    kit.xlsx(root / SPREADSHEET, [kit.row(f"Gaming_1080P-{i:04x}") for i in range(1576)])
    with pytest.raises(MetadataError, match=r"konvid-150k's k150kb_scores\.csv"):
        ingest(registry, _config(root, tmp_path / "ugc.jsonl", offline=True))


def test_cli_sample_then_ingest_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-youtube-ugc")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    sample = runner.invoke(main, ["sample", "youtube-ugc", "d", "--clips", "4"])
    assert sample.exit_code == 0, sample.output
    result = runner.invoke(
        main,
        ["ingest", "youtube-ugc", "--root", "d", "-o", "x.jsonl", "--full", "-q", "--timestamp", TIMESTAMP],
    )
    assert result.exit_code == 0, result.output
    assert "4 rows read, 4 written" in result.output
    rows = _shard(tmp_path / "x.jsonl")
    pa.Table.from_pylist(
        rows, schema=Registry.for_distributions(["vqa-youtube-ugc"]).arrow_schema("youtube-ugc")
    )


def test_cli_dmos_only_table_is_one_line_exit_2(tmp_path: Path, kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-youtube-ugc")
    path = kit.csv(tmp_path / "dmos.csv", [["Gaming_1080P-0ce6", 12.5]], header=["vid", "DMOS"])
    result = _ingest_cli(tmp_path, tmp_path / "x.jsonl", "--metadata", str(path), "--offline")
    assert result.exit_code == 2
    assert "is not taken as MOS" in result.output and "Traceback" not in result.output


def test_cli_not_a_spreadsheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-youtube-ugc")
    shutil.copyfile(__file__, tmp_path / SPREADSHEET)
    result = _ingest_cli(tmp_path, tmp_path / "x.jsonl", "--offline")
    assert result.exit_code == 2
    assert "not a readable spreadsheet" in result.output and "to obtain youtube-ugc" in result.output
