"""A run's output files, rendered from its resume state; shared by ingest and feature extraction.

Both engines record every decided row in a :class:`~vqa_core.ingest.state.StateStore`
and write nothing else while they run. Once every row is decided, the output
(JSONL or Parquet), its rejections list and its tally come from the store, in
input order, so an interrupted-then-resumed run and an uninterrupted one
render the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import orjson

from vqa_core.errors import StateError
from vqa_core.fsutil import atomic_writer
from vqa_core.ingest.state import WRITTEN, StateStore

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ProgressSink",
    "NoProgress",
    "rejections_path_for",
    "clear_for_restart",
    "render_rows",
    "render_rejections",
    "tally",
]

#: Rows decoded from the store and validated by Arrow at a time.
BATCH_ROWS: Final = 4096


class ProgressSink(Protocol):
    """What an engine reports while it runs (the CLI draws a progress bar from it)."""

    def start(self, total: int | None, description: str) -> None: ...

    def advance(self, written: int, skipped: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """The sink of a run nobody watches."""

    def start(self, total: int | None, description: str) -> None:
        pass

    def advance(self, written: int, skipped: int) -> None:
        pass

    def finish(self) -> None:
        pass


def rejections_path_for(output: Path) -> Path:
    """``shard.jsonl`` → ``shard.rejections.jsonl``."""
    return output.with_suffix(".rejections.jsonl")


def clear_for_restart(state: StateStore, output: Path) -> None:
    """``--restart``: forget every decided row and remove what the last run rendered."""
    state.db.execute("DELETE FROM rows")
    state.db.execute("DELETE FROM meta")
    state.commit()
    for stale in (output, rejections_path_for(output)):
        stale.unlink(missing_ok=True)


def render_rows(
    state: StateStore,
    output: Path,
    rows_read: int,
    schema: pa.Schema,
    *,
    constants: Mapping[str, Any] | None = None,
    mismatch: Callable[[str], Exception] = StateError,
) -> None:
    """Write the written rows below ``rows_read`` to ``output`` (``.parquet`` or JSONL), atomically.

    Every row gets ``constants`` (e.g. the run's timestamp) and must match
    ``schema`` with every column present; a row that does not becomes
    ``mismatch(message)``, raised before the output is replaced.
    """
    import pyarrow as pa

    extra = dict(constants or {})

    def batches() -> Iterator[list[dict[str, Any]]]:
        batch: list[dict[str, Any]] = []
        for outcome in state.outcomes(below_idx=rows_read, status=WRITTEN):
            assert outcome.row is not None
            row = orjson.loads(outcome.row)
            row.update(extra)
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
        yield batch

    def validated(batch: list[dict[str, Any]]) -> pa.Table:
        # why: from_pylist fills an absent key with null; a row must carry every column
        missing = [n for n in schema.names if batch and n not in batch[0]]
        if missing:
            raise mismatch(f"rows lack the schema columns {missing}")
        try:
            return pa.Table.from_pylist(batch, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise mismatch(f"a row does not match the output's Arrow schema: {exc}") from None

    if output.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        with atomic_writer(output) as fh:
            writer = pq.ParquetWriter(fh, schema, compression="zstd")
            for batch in batches():
                writer.write_table(validated(batch))
            writer.close()
        return
    with atomic_writer(output) as fh:
        for batch in batches():
            if not batch:
                continue
            validated(batch)  # the same checks as the Parquet path
            fh.write(b"".join(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n" for r in batch))


def render_rejections(state: StateStore, path: Path, rows_read: int) -> None:
    """One JSON line per rejected row below ``rows_read``, in input order, written atomically."""
    with atomic_writer(path) as fh:
        chunk: list[bytes] = []
        for outcome in state.outcomes(below_idx=rows_read):
            if outcome.status == WRITTEN:
                continue
            chunk.append(
                orjson.dumps(
                    {
                        "key": outcome.key,
                        "row": outcome.idx + 1,
                        "origin": outcome.origin,
                        "reason": outcome.reason or outcome.status,
                        "detail": outcome.detail,
                        "attempts": outcome.attempts,
                    },
                    option=orjson.OPT_SORT_KEYS,
                )
                + b"\n"
            )
            if len(chunk) >= 1024:
                fh.write(b"".join(chunk))
                chunk = []
        fh.write(b"".join(chunk))


def tally(state: StateStore, rows_read: int) -> tuple[int, dict[str, int]]:
    """``(written, skipped by reason)`` of the rows below ``rows_read``; they must add up to it."""
    counts = state.counts(below_idx=rows_read)
    written = counts.get((WRITTEN, None), 0)
    skipped: dict[str, int] = {}
    for (status, reason), n in counts.items():
        if status != WRITTEN:
            key = reason or status
            skipped[key] = skipped.get(key, 0) + n
    if written + sum(skipped.values()) != rows_read:
        raise StateError(
            f"internal accounting mismatch: {written} written + {sum(skipped.values())} skipped "
            f"!= {rows_read} read; rerun with --restart"
        )
    return written, dict(sorted(skipped.items()))
