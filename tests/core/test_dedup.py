"""Deduplication by src_sha256 on the unified axis, directly on Arrow tables."""

from __future__ import annotations

import pyarrow as pa

from vqa_core.dedup import TIE_BREAK, deduplicate


def table(rows: list[dict[str, object]]) -> pa.Table:
    base: dict[str, object] = {name: "" for name in TIE_BREAK}
    base.update(
        mos_native=1.0,
        width=1,
        height=1,
        framerate=1.0,
        duration_s=1.0,
        src_size_bytes=1,
        n_ratings=0,
        _shard=0,
    )
    full = []
    for i, row in enumerate(rows):
        full.append({**base, "_row": i, **row})
    return pa.Table.from_pylist(full)


def test_lowest_spread_wins_and_zero_counts_as_worst() -> None:
    t = table(
        [
            {"src_sha256": "a", "mos_std_dev": 0.0, "corpus_source": "c1", "src": "x"},
            {"src_sha256": "a", "mos_std_dev": 30.0, "corpus_source": "c2", "src": "y"},
            {"src_sha256": "a", "mos_std_dev": 12.0, "corpus_source": "c3", "src": "z"},
            {"src_sha256": "b", "mos_std_dev": 5.0, "corpus_source": "c1", "src": "q"},
        ]
    )
    result = deduplicate(t)
    assert sorted((r["src_sha256"], r["src"]) for r in result.kept.to_pylist()) == [("a", "z"), ("b", "q")]
    dropped = result.dropped.select(["src", "kept_corpus", "kept_src"]).to_pylist()
    assert dropped == [
        {"src": "y", "kept_corpus": "c3", "kept_src": "z"},
        {"src": "x", "kept_corpus": "c3", "kept_src": "z"},
    ]
    assert (result.same_corpus, result.cross_corpus) == (0, 2)


def test_ties_fall_to_corpus_then_src_whatever_the_row_order() -> None:
    rows = [
        {"src_sha256": "a", "mos_std_dev": 0.0, "corpus_source": "lsvq", "src": "a"},
        {"src_sha256": "a", "mos_std_dev": 0.0, "corpus_source": "konvid-1k", "src": "b"},
        {"src_sha256": "a", "mos_std_dev": 0.0, "corpus_source": "konvid-1k", "src": "a"},
    ]
    for order in (rows, rows[::-1], rows[1:] + rows[:1]):
        result = deduplicate(table(order))
        (kept,) = result.kept.to_pylist()
        assert (kept["corpus_source"], kept["src"]) == ("konvid-1k", "a")
        assert (result.same_corpus, result.cross_corpus) == (1, 1)


def test_empty_and_single_tables() -> None:
    empty = table([{"src_sha256": "a", "mos_std_dev": 1.0, "corpus_source": "c", "src": "s"}]).slice(0, 0)
    assert deduplicate(empty).kept.num_rows == 0
    one = deduplicate(table([{"src_sha256": "a", "mos_std_dev": 1.0, "corpus_source": "c", "src": "s"}]))
    assert (one.kept.num_rows, one.dropped.num_rows) == (1, 0)
