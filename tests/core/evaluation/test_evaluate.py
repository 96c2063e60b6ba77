"""``vqa evaluate``: each protocol on real Parquet tables, through the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main

FAST = ["--epochs", "20", "--bootstrap", "200", "--feature-schema", "konvid-v1"]
METRIC_KEYS = ("srocc", "krocc", "plcc", "plcc_logistic", "rmse")


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["evaluate", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str | Path) -> dict[str, Any]:
    code, out, err = _run(*args, "--json")
    assert code == 0, err
    return orjson.loads(out)  # type: ignore[no-any-return]


def _concat(path: Path, *parts: Path) -> Path:
    tables = [pq.read_table(p) for p in parts]
    pq.write_table(pa.concat_tables(tables, promote_options="default"), path)
    return path


def test_kfold_result_has_every_metric_with_an_interval(leak_table: Path) -> None:
    doc = _json(leak_table, *FAST)
    assert doc["protocol"] == "kfold" and doc["grouped"] is True and doc["leaky"] is False
    assert doc["grouping"] == {
        "by": "content_group",
        "n_groups": 60,
        "largest_group": 7,
        "rows_sharing_a_group": 420,
    }
    (row,) = doc["results"]
    assert row["test_set"] == "all" and row["n"] == 420 and row["n_groups"] == 60
    for key in METRIC_KEYS:
        low, high = row[f"{key}_ci"]
        assert low <= row[key] <= high
    assert row["ci"]["over"] == "groups"
    assert [f["name"] for f in doc["fits"]] == [f"fold-{i}" for i in range(1, 6)]
    assert sum(sum(f["tests"].values()) for f in doc["fits"]) == 420


def test_ignoring_groups_is_loud_and_recorded(leak_table: Path) -> None:
    code, out, err = _run(leak_table, *FAST, "--ignore-groups", "--json")
    assert code == 0
    doc = orjson.loads(out)
    assert doc["grouped"] is False and doc["leaky"] is True
    assert "grouping turned off" in err and "inflated" in err
    grouped = _json(leak_table, *FAST)
    assert doc["results"][0]["plcc"] > grouped["results"][0]["plcc"] + 0.3


def test_same_table_and_seed_give_the_same_bytes(leak_table: Path, tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.html"
        code, stdout, err = _run(
            leak_table, *FAST, "--json", "--out", out, "--timestamp", "2026-01-01T00:00:00Z"
        )
        assert code == 0, err
        sidecar = orjson.loads(out.with_name(f"{name}.manifest.json").read_bytes())
        # the document names its own report and sidecar (a.html, b.html); all else is the same
        document = stdout.replace(str(tmp_path / name), "OUT")
        runs.append((document, orjson.dumps(sidecar["evaluation"], option=orjson.OPT_SORT_KEYS)))
        page = out.read_text()
        assert page.count("<img") == 1 and "data:image/png;base64," in page
        assert sidecar["inputs"]["table"]["sha256"] and sidecar["outputs"]["report"]["exists"]
    assert runs[0] == runs[1]
    _, other, _ = _run(leak_table, *FAST, "--json", "--seed", "7")
    assert other != runs[0][0]


def test_markdown_table_on_stdout(leak_table: Path) -> None:
    code, out, _ = _run(leak_table, *FAST)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "| test set | n | SROCC | KROCC | PLCC | PLCC (logistic) | RMSE |"
    assert lines[2].startswith("| all | 420 | ")
    assert "grouped by content" in out and "bootstrap interval over content groups" in out


def test_repeated_holdout_reports_median_and_iqr(leak_table: Path) -> None:
    doc = _json(
        leak_table, *FAST, "--protocol", "repeated-holdout", "--repeats", "4", "--test-fraction", "0.25"
    )
    (row,) = doc["results"]
    assert row["repeats"] == 4
    for key in METRIC_KEYS:
        q1, q3 = row[f"{key}_iqr"]
        assert q1 <= row[key] <= q3
    assert [f["name"] for f in doc["fits"]] == [f"repeat-{i}" for i in range(1, 5)]
    for fit in doc["fits"]:
        assert fit["tests"]["all"] % 7 == 0  # whole contents of 7 clips on the test side
        assert abs(fit["tests"]["all"] - 105) <= 7


def test_official_protocol_trains_on_train_and_tests_each_published_split(
    make_table: Callable[..., Path], tmp_path: Path
) -> None:
    lsvq = make_table(
        tmp_path / "lsvq.parquet",
        corpus="lsvq",
        clips_per_content=1,
        contents=240,
        learnable=True,
        split=lambda c: "train" if c % 4 < 2 else ("test" if c % 4 == 2 else "test-1080p"),
    )
    konvid = make_table(tmp_path / "k.parquet", corpus="konvid-1k", clips_per_content=1, contents=40, seed=1)
    table = _concat(tmp_path / "both.parquet", lsvq, konvid)
    doc = _json(table, *FAST, "--protocol", "official")
    assert [r["test_set"] for r in doc["results"]] == ["lsvq:test", "lsvq:test-1080p"]
    assert [r["n"] for r in doc["results"]] == [60, 60]
    assert doc["fits"] == [
        {
            "name": "lsvq:train",
            "seed": 20260508,
            "n_train": 120,
            "tests": {"lsvq:test": 60, "lsvq:test-1080p": 60},
        }
    ]
    assert any("konvid-1k publishes no split" in n for n in doc["notes"])
    assert all(r["srocc"] > 0.5 for r in doc["results"])  # MOS follows a feature: learnable


def test_cross_corpus_trains_once_and_drops_shared_content(
    make_table: Callable[..., Path], tmp_path: Path
) -> None:
    a = make_table(tmp_path / "a.parquet", corpus="lsvq", clips_per_content=1, contents=120, learnable=True)
    b = make_table(
        tmp_path / "b.parquet", corpus="live-vqc", clips_per_content=1, contents=50, learnable=True, seed=3
    )
    table = pq.read_table(_concat(tmp_path / "ab.parquet", a, b))
    # the first live-vqc clip is the same file as an lsvq training clip
    sha = table.column("src_sha256").to_pylist()
    sha[120] = sha[0]
    table = table.set_column(table.column_names.index("src_sha256"), "src_sha256", pa.array(sha))
    pq.write_table(table, tmp_path / "ab.parquet")
    doc = _json(
        tmp_path / "ab.parquet", *FAST, "--protocol", "cross-corpus", "--train", "lsvq", "--test", "live-vqc"
    )
    (row,) = doc["results"]
    assert row["test_set"] == "live-vqc" and row["n"] == 49
    assert doc["rows"]["overlap_removed"] == {"live-vqc": 1}
    assert [f["n_train"] for f in doc["fits"]] == [120]


def test_kfold_over_several_corpora_scores_each(make_table: Callable[..., Path], tmp_path: Path) -> None:
    a = make_table(tmp_path / "a.parquet", corpus="chug", contents=20, clips_per_content=3)
    b = make_table(tmp_path / "b.parquet", corpus="konvid-1k", contents=30, clips_per_content=1, seed=2)
    doc = _json(_concat(tmp_path / "ab.parquet", a, b), *FAST)
    assert [(r["test_set"], r["n"]) for r in doc["results"]] == [("all", 90), ("chug", 60), ("konvid-1k", 30)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--protocol", "cross-corpus", "--train", "nope", "--test", "chug"],
            "no usable row of corpus 'nope'",
        ),
        (["--protocol", "cross-corpus", "--train", "chug"], "needs --train SET and --test"),
        (["--train", "chug"], "--train and --test belong to --protocol cross-corpus"),
        (["--protocol", "official"], "chug publishes no split"),
        (["--protocol", "cross-corpus", "--train", "chug:", "--test", "chug"], "CORPUS or CORPUS:SPLIT"),
        (["--out", "report.txt"], "must end in .html"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(leak_table: Path, args: list[str], message: str) -> None:
    code, out, err = _run(leak_table, *FAST, *args)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_table_without_groups_says_so(leak_table: Path, tmp_path: Path) -> None:
    table = pq.read_table(leak_table).drop_columns(["content_group"])
    pq.write_table(table, tmp_path / "plain.parquet")
    doc = _json(tmp_path / "plain.parquet", *FAST)
    assert doc["grouped"] is False and doc["grouping"]["by"] == "row (no content_group column)"
    assert any("no content_group column" in n for n in doc["notes"])


def test_no_bootstrap_means_no_intervals(leak_table: Path) -> None:
    doc = _json(leak_table, "--epochs", "20", "--feature-schema", "konvid-v1", "--bootstrap", "0")
    (row,) = doc["results"]
    assert all(row[f"{key}_ci"] is None for key in METRIC_KEYS) and row["srocc"] is not None
    assert row["ci"]["resamples"] == 0 and row["ci"]["method"].startswith("none")
