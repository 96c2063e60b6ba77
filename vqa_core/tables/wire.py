"""How rows become bytes: the one JSONL writer and the one Parquet codec vqa writes with.

JSONL is one object per line with sorted keys, compact separators and a trailing newline,
by orjson: floats in shortest round-trip form, NaN and infinities as ``null``. Parquet is
written with zstd (level 3, pyarrow's default): on 150,000 rows of the unified table it is
38 % smaller than snappy for the same write time (see bench/README.md).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Final

import orjson

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PARQUET_COMPRESSION", "JSONL_CHUNK_ROWS", "write_jsonl", "write_parquet"]

PARQUET_COMPRESSION: Final = "zstd"

#: Rows serialised per write; results are appended to one buffer and freed at
#: once (keeping thousands of orjson results alive is slow; see bench/README.md).
JSONL_CHUNK_ROWS: Final = 4096


def write_jsonl(table: pa.Table, fh: IO[bytes]) -> None:
    """Write ``table`` as JSONL, keys sorted, streamed in chunks of rows."""
    import pyarrow as pa

    order = sorted(range(table.num_columns), key=lambda i: table.column_names[i])
    ordered = table.select(order)  # by index: a Parquet file may repeat a column name
    names = ordered.column_names
    # why: the columns are already in order; sorting every row's keys again costs ~8 % and
    # only matters for objects inside a value (struct columns), so it is done only then
    nested = any(pa.types.is_nested(field.type) for field in table.schema)
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_SORT_KEYS if nested else 0)
    dumps = orjson.dumps
    for batch in ordered.to_batches(max_chunksize=JSONL_CHUNK_ROWS):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        buffer = bytearray()
        for values in zip(*columns, strict=True):
            buffer += dumps(dict(zip(names, values, strict=True)), option=option)
        fh.write(buffer)


def write_parquet(table: pa.Table, fh: IO[bytes]) -> None:
    """Write ``table`` as Parquet, in its own column order."""
    import pyarrow.parquet as pq

    pq.write_table(table, fh, compression=PARQUET_COMPRESSION)
