"""vqa report: per-corpus figures, the terminal table, HTML and PNG reports."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import OutputError, ShardError, UsageError
from vqa_core.report import summarise, write_report
from vqa_core.schema import UNIFIED_FIELDS

STAMP = "2026-03-01T12:00:00+00:00"


def unified(
    corpus: str, mos: float, std: float, width: int = 1920, fps: float = 30.0, codec: str = "h264"
) -> dict:
    row: dict[str, Any] = dict.fromkeys(UNIFIED_FIELDS, "")
    row.update(
        src=f"{corpus}-{mos}",
        src_sha256=f"{abs(hash((corpus, mos))):064x}",
        src_size_bytes=1,
        width=width,
        height=width * 9 // 16,
        framerate=fps,
        duration_s=8.0,
        mos=mos,
        mos_native=mos,
        mos_std_dev=std,
        n_ratings=0,
        corpus=corpus,
        corpus_source=corpus,
        encoder_upstream=codec,
    )
    return row


ROWS = [
    unified("konvid-1k", 5.5, 12.0, 960, 29.97, "h264"),
    unified("konvid-1k", 50.0, 0.0, 960, 29.97, "vp9"),
    unified("konvid-1k", 91.0, 10.0, 1920, 25.0, "h264"),
    unified("lsvq", 60.0, 0.0, 1280, 30.0, "h264"),
]


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "u.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n" for r in ROWS))
    return path


def test_summary_figures_per_corpus(table: Path) -> None:
    summary = summarise(table)
    konvid, lsvq = summary.corpora
    assert (konvid.corpus, konvid.rows, lsvq.rows, summary.total.rows) == ("konvid-1k", 3, 1, 4)
    assert konvid.mos_mean == pytest.approx(statistics.fmean([5.5, 50.0, 91.0]))
    assert konvid.mos_sd == pytest.approx(statistics.stdev([5.5, 50.0, 91.0]))
    assert (konvid.mos_min, konvid.mos_max) == (5.5, 91.0)
    assert konvid.std_coverage == pytest.approx(2 / 3) and lsvq.std_coverage == 0.0
    assert lsvq.mos_sd is None
    assert konvid.resolutions == (("960x540", 2), ("1920x1080", 1))
    assert konvid.frame_rates == (("29.97", 2), ("25", 1))
    assert konvid.codecs == (("h264", 2), ("vp9", 1))
    assert summary.total.codecs[0] == ("h264", 3)


def test_parquet_gives_the_same_summary(table: Path, tmp_path: Path) -> None:
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "u.parquet")
    assert summarise(tmp_path / "u.parquet").as_dict()["corpora"] == summarise(table).as_dict()["corpora"]


def test_html_report_is_self_contained_and_reproducible(table: Path, tmp_path: Path) -> None:
    summary = summarise(table)
    first, second = tmp_path / "r1.html", tmp_path / "r2.html"
    manifest = write_report(summary, first, timestamp=STAMP)
    write_report(summary, second, timestamp=STAMP)
    page = first.read_text(encoding="utf-8")
    assert first.read_bytes() == second.read_bytes()
    assert page.count('src="data:image/png;base64,') == 2
    assert not re.search(r'(src|href)="https?:', page)
    assert "konvid-1k" in page and "<table>" in page and STAMP in page
    body = orjson.loads(manifest.read_bytes())
    assert body["schema"] == "vqa-report-manifest-v1" and body["summary"]["total"]["rows"] == 4
    assert manifest == tmp_path / "r1.manifest.json"


def test_png_report_and_suffix_check(table: Path, tmp_path: Path) -> None:
    write_report(summarise(table), tmp_path / "r.png", timestamp=STAMP)
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(OutputError, match=r"use .html or .png"):
        write_report(summarise(table), tmp_path / "r.pdf")


def test_a_corpus_shard_is_not_a_unified_table(tmp_path: Path) -> None:
    path = tmp_path / "shard.jsonl"
    path.write_bytes(orjson.dumps({"src": "a", "mos": 3.0, "corpus": "konvid-1k"}) + b"\n")
    with pytest.raises(ShardError, match="not a unified table"):
        summarise(path)


def test_cli_prints_the_table_and_writes_the_report(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(table), "-o", str(out), "--timestamp", STAMP])
    assert result.exit_code == 0, result.output
    assert "konvid-1k" in result.stdout and "lsvq" in result.stdout and "std-dev published" in result.stdout
    assert f"report: {out}" in result.stderr and out.is_file()
    as_json = CliRunner().invoke(main, ["report", str(table), "--json"])
    assert orjson.loads(as_json.stdout)["total"]["rows"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}"], "error: unified table not found"),
        (["{table}", "-o", "{tmp}/r.txt"], "unsupported report suffix"),
    ],
)
def test_cli_errors(table: Path, tmp_path: Path, args: list[str], message: str) -> None:
    names = {"missing": tmp_path / "none.jsonl", "table": table, "tmp": tmp_path}
    result = CliRunner().invoke(main, ["report", *(a.format(**names) for a in args)])
    assert result.exit_code == 2 and message in result.stderr


def test_report_manifest_never_overwrites_the_tables(table: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="would overwrite the manifest"):
        write_report(summarise(table), tmp_path / "u.html")
    result = CliRunner().invoke(main, ["report", str(table), "-o", str(tmp_path / "u.png")])
    assert result.exit_code == 2 and "give the report another name" in result.stderr
