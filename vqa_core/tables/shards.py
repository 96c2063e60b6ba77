"""Tables whose columns a schema fixes: corpus shards and the unified table.

Reading is columnar (pyarrow) on the fast path; Python objects per row are built
only when a file is broken, to say on which line. Wire formats:

* **JSONL** (``.jsonl``, ``.ndjson``): one JSON object per line, UTF-8. Blank
  lines are allowed. Keys the caller's schema does not name are ignored. A
  string field is a JSON string, an ``int64`` field a JSON integer, a
  ``float64`` field a JSON number (integers accepted); ``null`` reads as a
  missing value. Written by :func:`~vqa_core.tables.wire.write_jsonl`.
* **Parquet** (``.parquet``, ``.pq``): columns are cast safely to the caller's
  types (``int32`` → ``int64`` works, ``double`` → ``int64`` is an error).
  Written by :func:`~vqa_core.tables.wire.write_parquet` in the caller's column order.

Output is ``.jsonl`` or ``.parquet``. A JSONL file that pyarrow cannot read is
scanned line by line (orjson) and the first offending line is reported as
``<file>:<line>: …``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

import attrs
import orjson

from vqa_core.errors import OutputError, ShardError
from vqa_core.tables.formats import format_of
from vqa_core.tables.wire import write_jsonl, write_parquet

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = [
    "ShardFormat",
    "INPUT_SUFFIXES",
    "OUTPUT_SUFFIXES",
    "shard_format",
    "shard_output_format",
    "ShardTable",
    "probe_columns",
    "read_shard",
    "write_shard",
    "iter_lines",
    "iter_shard_rows",
    "count_shard_rows",
]

ShardFormat = Literal["jsonl", "parquet"]

INPUT_SUFFIXES: Final = (".jsonl", ".ndjson", ".parquet", ".pq")
OUTPUT_SUFFIXES: Final = (".jsonl", ".parquet")


def shard_format(path: Path) -> ShardFormat:
    """The format of an input table from its suffix; :class:`ShardError` for anything else."""
    fmt = format_of(path, INPUT_SUFFIXES)
    if fmt == "jsonl" or fmt == "parquet":
        return fmt
    known = ", ".join(INPUT_SUFFIXES)
    raise ShardError(f"{path}: unsupported suffix {path.suffix!r}; use one of {known}", path=str(path))


def shard_output_format(path: Path) -> ShardFormat:
    """The format of an output table from its suffix; :class:`OutputError` for anything else."""
    fmt = format_of(path, OUTPUT_SUFFIXES)
    if fmt == "jsonl" or fmt == "parquet":
        return fmt
    known = " or ".join(OUTPUT_SUFFIXES)
    raise OutputError(f"{path}: unsupported output suffix {path.suffix!r}; use {known}")


@attrs.frozen
class ShardTable:
    """A table read from one file, with what is needed to point back into it."""

    path: Path
    format: ShardFormat
    table: pa.Table
    #: Column names present in the file (of those the caller asked for).
    present: frozenset[str]
    sha256: str
    size_bytes: int
    #: 1-based line of each row when the file had blank lines; ``None`` means row + 1.
    lines: np.ndarray | None = None

    def where(self, row: int) -> str:
        """``file:line`` of a 0-based row (``file:row N`` for Parquet)."""
        if self.format == "parquet":
            return f"{self.path}:row {row + 1}"
        line = int(self.lines[row]) if self.lines is not None else row + 1
        return f"{self.path}:{line}"


def _first_object(path: Path) -> dict[str, object] | None:
    """The first non-blank line of a JSONL file as an object (``None`` for an empty file)."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ShardError(
                    f"{path}:{number}: invalid JSON ({exc})", path=str(path), line=number
                ) from None
            if not isinstance(obj, dict):
                raise ShardError(
                    f"{path}:{number}: expected a JSON object, got {type(obj).__name__}",
                    path=str(path),
                    line=number,
                )
            return obj
    return None


def probe_columns(path: Path) -> frozenset[str]:
    """Column names of a table without reading it: the first JSONL object's keys, or the
    Parquet schema. :class:`ShardError` when the file is missing or unreadable."""
    fmt = shard_format(path)
    if not path.is_file():
        raise ShardError(f"shard not found: {path}", path=str(path))
    if fmt == "jsonl":
        first = _first_object(path)
        return frozenset(first or ())
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return frozenset(pq.read_schema(path).names)
    # why: a damaged footer can also hold bytes that are not UTF-8 (pyarrow: UnicodeDecodeError)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ShardError(f"{path}: not a readable Parquet file ({_one_line(exc)})", path=str(path)) from None


def read_shard(path: Path, schema: pa.Schema) -> ShardTable:
    """Read the columns of ``schema`` from a JSONL or Parquet file.

    Columns absent from the file come back all-null; ``present`` says which were
    there. Raises :class:`ShardError` (with ``file:line`` for JSONL) when the file
    is not valid JSON, a line is not an object, or a value has the wrong type.
    """
    fmt = shard_format(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ShardError(f"shard not found: {path}", path=str(path)) from None
    except OSError as exc:
        raise ShardError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from None
    digest = hashlib.sha256(data).hexdigest()
    if fmt == "jsonl":
        table, present, lines = _read_jsonl(path, data, schema)
    else:
        table, present = _read_parquet(path, data, schema)
        lines = None
    return ShardTable(path, fmt, table, present, digest, len(data), lines)


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _read_jsonl(
    path: Path, data: bytes, schema: pa.Schema
) -> tuple[pa.Table, frozenset[str], np.ndarray | None]:
    import pyarrow as pa
    import pyarrow.json as pj

    if not data.strip():
        return _empty(schema), frozenset(), None
    first = _first_object(path)
    present = frozenset(first or ()) & frozenset(schema.names)
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    try:
        try:
            table = pj.read_json(pa.BufferReader(data), parse_options=options)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            # why: a line longer than a read block (1 MiB); read the file as one block
            blocks = pj.ReadOptions(block_size=len(data) + 1)
            table = pj.read_json(pa.BufferReader(data), read_options=blocks, parse_options=options)
    # why: pyarrow reports a bad value without a line number (and may raise a
    # UnicodeDecodeError while formatting its own message); find the line ourselves.
    except (pa.ArrowException, UnicodeDecodeError, ValueError) as exc:
        _locate_problem(path, data, schema)
        raise ShardError(f"{path}: cannot read as JSONL ({_one_line(exc)})", path=str(path)) from None
    lines_in_file = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if table.num_rows == lines_in_file:
        return table.select(schema.names), present, None
    # Blank lines, or more than one object on a line: map rows to lines exactly.
    line_numbers = _locate_problem(path, data, schema)
    if len(line_numbers) != table.num_rows:
        raise ShardError(
            f"{path}: read {table.num_rows} rows from {len(line_numbers)} non-blank lines", path=str(path)
        )
    import numpy as np

    return table.select(schema.names), present, np.asarray(line_numbers, dtype=np.int64)


_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def _type_problem(value: object, arrow_type: pa.DataType) -> str | None:
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_integer(arrow_type):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"an integer, got {_short(value)}"
        if not _INT64_MIN <= value <= _INT64_MAX:
            return f"a 64-bit integer, got {_short(value)}"
    elif pa.types.is_floating(arrow_type):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"a number, got {_short(value)}"
    elif pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        if not isinstance(value, str):
            return f"a string, got {_short(value)}"
    elif pa.types.is_boolean(arrow_type) and not isinstance(value, bool):
        return f"true or false, got {_short(value)}"
    return None


def _locate_problem(path: Path, data: bytes, schema: pa.Schema) -> list[int]:
    """Scan ``data`` line by line; raise :class:`ShardError` at the first bad line, else
    return the 1-based numbers of the non-blank lines."""
    types = {field.name: field.type for field in schema}
    numbers: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ShardError(f"{path}:{number}: invalid JSON ({exc})", path=str(path), line=number) from None
        if not isinstance(obj, dict):
            raise ShardError(
                f"{path}:{number}: expected a JSON object, got {type(obj).__name__}",
                path=str(path),
                line=number,
            )
        for name, arrow_type in types.items():
            problem = _type_problem(obj.get(name), arrow_type)
            if problem:
                raise ShardError(
                    f"{path}:{number}: field {name!r} must be {problem}", path=str(path), line=number
                )
        numbers.append(number)
    return numbers


def _read_parquet(path: Path, data: bytes, schema: pa.Schema) -> tuple[pa.Table, frozenset[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        names = frozenset(parquet.schema_arrow.names)
        present = names & frozenset(schema.names)
        raw = parquet.read(columns=[n for n in schema.names if n in present])
    except (pa.ArrowException, OSError, ValueError) as exc:  # ValueError: see probe_columns
        raise ShardError(f"{path}: not a readable Parquet file ({_one_line(exc)})", path=str(path)) from None
    columns = []
    for field in schema:
        if field.name not in present:
            columns.append(pa.nulls(raw.num_rows, field.type))
            continue
        column = raw.column(field.name)
        try:
            columns.append(column.cast(field.type, safe=True))
        except (pa.ArrowException, ValueError):
            raise ShardError(
                f"{path}: column {field.name!r} is {column.type}, expected {field.type}", path=str(path)
            ) from None
    return pa.table(columns, schema=schema.with_metadata(None)), present


def write_shard(table: pa.Table, fh: IO[bytes], fmt: ShardFormat) -> None:
    """Write ``table`` in ``fmt`` to an open binary file."""
    if fmt == "jsonl":
        write_jsonl(table, fh)
    else:
        write_parquet(table, fh)


def iter_lines(paths: Iterable[Path]) -> Iterable[tuple[Path, int, bytes]]:
    """``(path, 1-based line number, line)`` of every non-blank line of the files."""
    for path in paths:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    yield path, number, line


def iter_shard_rows(shard: Path) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """``(file:line, row or None, problem)`` for every row of a JSONL or Parquet shard, streamed.

    Rows are decoded one JSONL line or one 1,024-row Parquet batch at a time, so memory stays
    flat in the row count; a line that is not a JSON object comes back as ``(where, None, problem)``.
    """
    if shard.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        # why: a damaged file fails as ArrowInvalid, OSError, or a UnicodeDecodeError (ValueError)
        # from a footer string that is not UTF-8, when opened or later, batch by batch
        try:
            parquet = pq.ParquetFile(shard)
            batches = parquet.iter_batches(batch_size=1024)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise ShardError(f"{shard} is not a readable Parquet shard: {exc}", path=str(shard)) from None
        number = 0
        try:  # closed however the reader stops (a caller that stops early included)
            while True:
                try:
                    batch = next(batches, None)
                except (pa.ArrowException, OSError, ValueError) as exc:
                    raise ShardError(
                        f"{shard}: unreadable after row {number} ({exc})", path=str(shard)
                    ) from None
                if batch is None:
                    return
                for row in batch.to_pylist():
                    number += 1
                    yield f"{shard}:row {number}", row, None
        finally:
            parquet.close()
    with open(shard, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{shard}:{number}"
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield where, None, f"not a JSON object ({exc})"
                continue
            if not isinstance(row, dict):
                yield where, None, "not a JSON object"
                continue
            yield where, row, None


def count_shard_rows(shard: Path) -> int | None:
    """Rows in the shard, for the progress display (a fast line count; Parquet from its footer)."""
    if shard.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            return int(pq.read_metadata(shard).num_rows)
        except (OSError, ValueError):  # why: the count only feeds the ETA; the run reports a bad file
            return None
    count = 0
    with open(shard, "rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
