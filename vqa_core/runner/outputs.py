"""A job's output files, rendered from its resume state.

A job records every decided row in a :class:`~vqa_core.runner.state.StateStore`
and writes nothing else while it runs. Once every row is decided, the output
(JSONL or Parquet) and its rejections list come from the store, in input
order, so an interrupted-then-resumed run and an uninterrupted one render the
same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from vqa_core.errors import StateError
from vqa_core.fsutil import atomic_writer
from vqa_core.runner.state import WRITTEN, StateStore

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["rejections_path_for", "clear_for_restart", "render_rows", "render_rejections"]

#: Rows decoded from the store and validated by Arrow at a time.
BATCH_ROWS: Final = 4096


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
