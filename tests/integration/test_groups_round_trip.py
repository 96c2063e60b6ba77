"""content_group and split from the sample drops through ingest, aggregate, features and labels (the CLI)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow.parquet as pq
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.schema import BASE_FIELDS

STAMP = "2026-01-01T00:00:00Z"


def _vqa(*args: str | Path) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_groups_and_splits_travel_from_the_sample_drops_to_the_labelled_table(tmp_path: Path) -> None:
    chug_root, lsvq_root = tmp_path / "chug", tmp_path / "lsvq"
    _vqa("sample", "chug", chug_root, "--clips", "9", "--seed", "4")  # 7 rungs of one content + 2 of the next
    _vqa("sample", "lsvq", lsvq_root, "--clips", "6", "--seed", "4")  # train, test and test-1080p rows
    chug_shard, lsvq_shard = tmp_path / "chug.parquet", tmp_path / "lsvq.jsonl"
    common = ("--timestamp", STAMP, "--offline", "-q")
    _vqa("ingest", "chug", "--root", chug_root, "-o", chug_shard, *common)
    _vqa("ingest", "lsvq", "--root", lsvq_root, "-o", lsvq_shard, *common)

    # the shards: the two core columns right after the 15 base fields
    chug = pq.read_table(chug_shard)
    assert chug.schema.names[:17] == [*BASE_FIELDS, "content_group", "split"]
    chug_rows = chug.to_pylist()
    chug_groups = {r["src"]: r["content_group"] for r in chug_rows}
    assert all(
        g == f"chug/{r['chug_content_name']}" for r, g in zip(chug_rows, chug_groups.values(), strict=True)
    )
    assert sorted(list(chug_groups.values()).count(g) for g in set(chug_groups.values())) == [2, 7]
    assert {r["split"] for r in chug_rows} == {None}
    lsvq_rows = [orjson.loads(line) for line in lsvq_shard.read_bytes().splitlines()]
    lsvq_splits = {r["src"]: r["split"] for r in lsvq_rows}
    assert set(lsvq_splits.values()) == {"train", "test", "test-1080p"}
    assert all(r["split"] == r["lsvq_split"] and r["content_group"] == f"lsvq/{r['src']}" for r in lsvq_rows)

    # the unified table carries both, per row
    unified = tmp_path / "unified.parquet"
    _vqa("aggregate", chug_shard, lsvq_shard, "-o", unified, "--timestamp", STAMP)
    table = pq.read_table(unified).to_pylist()
    assert len(table) == 15
    assert {r["src"]: r["content_group"] for r in table if r["corpus"] == "chug"} == chug_groups
    assert {r["src"]: r["split"] for r in table if r["corpus"] == "lsvq"} == lsvq_splits

    # features of each corpus, labelled from the unified table: the groups and splits arrive
    for corpus, root, shard, expected in (
        ("chug", chug_root, chug_shard, {s: (g, None) for s, g in chug_groups.items()}),
        ("lsvq", lsvq_root, lsvq_shard, {s: (f"lsvq/{s}", v) for s, v in lsvq_splits.items()}),
    ):
        features, labelled = tmp_path / f"{corpus}.features.parquet", tmp_path / f"{corpus}.labelled.parquet"
        _vqa("features", "extract", shard, "--root", root, "-o", features, "--timestamp", STAMP, "-q")
        assert "content_group" not in pq.read_schema(features).names
        _vqa("labels", "materialize", "--features", features, "--labels", unified, "--out", labelled)
        rows = pq.read_table(labelled).to_pylist()
        assert len(rows) == len(expected)
        assert {r["src"]: (r["content_group"], r["split"]) for r in rows} == expected
        assert {r["mos_label_status"] for r in rows} == {"ok"}
