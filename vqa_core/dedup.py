"""Cross-corpus deduplication of unified rows by content hash (``src_sha256``).

Of the rows that share one ``src_sha256`` the aggregator keeps the one whose
spread is smallest **on the unified axis**: the converted ``mos_std_dev``, with
``0.0`` (not published) ranked worst. Ties are broken by corpus id, then
``src``, then every other column, then the shard's path and the row's position
in it, so the winner never depends on the order the shards were given in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = ["TIE_BREAK", "Deduplicated", "deduplicate"]

#: Sort keys after (sha, spread): the stable tie-break (corpus id, then src), then the rest
#: of the row so that rows differing anywhere never tie, then the row's origin.
TIE_BREAK: Final[tuple[str, ...]] = (
    "corpus_source",
    "src",
    "mos_native",
    "corpus",
    "corpus_version",
    "ingested_at_utc",
    "width",
    "height",
    "framerate",
    "duration_s",
    "pix_fmt",
    "encoder_upstream",
    "src_size_bytes",
    "n_ratings",
    "_shard",
    "_row",
)


@attrs.frozen
class Deduplicated:
    """Which rows of ``source`` are kept, and the dropped rows with the corpus and ``src``
    of their winner. Rows are referred to by index, so no sorted copy of the table is made."""

    source: pa.Table
    #: Indices into ``source`` of the rows kept, in (src_sha256, rank) order.
    kept_rows: np.ndarray
    dropped: pa.Table
    same_corpus: int
    cross_corpus: int

    @property
    def kept(self) -> pa.Table:
        import pyarrow as pa

        return self.source.take(pa.array(self.kept_rows))


def deduplicate(table: pa.Table) -> Deduplicated:
    """Keep one row per ``src_sha256``; ``table`` needs ``mos_std_dev`` (unified axis),
    the :data:`TIE_BREAK` columns and ``src_sha256``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    spread = table.column("mos_std_dev")
    # 0.0 means "not published": the least trustworthy spread of all.
    rank = pc.if_else(pc.equal(spread, 0.0), float("inf"), spread)
    keys = ["src_sha256", "_spread_rank", *TIE_BREAK]
    narrow = table.select(["src_sha256", *TIE_BREAK]).append_column("_spread_rank", rank)
    order = np.asarray(
        pc.sort_indices(narrow.select(keys), sort_keys=[(k, "ascending") for k in keys]).to_numpy(),
        dtype=np.int64,
    )
    n = len(order)
    first = np.ones(n, dtype=bool)
    if n > 1:
        sha = table.column("src_sha256").take(pa.array(order))
        differs = pc.not_equal(sha.slice(1), sha.slice(0, n - 1))
        first[1:] = differs.to_numpy(zero_copy_only=False)
    group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    losers = order[~first]
    winners = pa.array(order[group_start[~first]])
    dropped = table.take(pa.array(losers))
    dropped = dropped.append_column("kept_corpus", table.column("corpus_source").take(winners))
    dropped = dropped.append_column("kept_src", table.column("src").take(winners))
    if dropped.num_rows:
        same = int(pc.sum(pc.equal(dropped.column("corpus_source"), dropped.column("kept_corpus"))).as_py())
    else:
        same = 0
    return Deduplicated(table, order[first], dropped, same, dropped.num_rows - same)
