"""Tables a person brings: the feature, label and prediction tables that labels, training,
prediction, evaluation and export exchange. No schema fixes their columns; types come
from the file.

Formats by suffix (case-insensitive):

* read: ``.parquet``/``.pq``, ``.jsonl``/``.ndjson`` (one object per line),
  ``.json`` (``{"rows": [...]}`` or a bare list of objects), ``.csv`` (header row);
* write: ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``, ``.json``; CSV output is refused
  by :func:`output_format` before any work is done.

Key columns are always read as strings, exactly as written: a CSV cell ``007``
stays ``"007"`` and ``12.0`` stays ``"12.0"`` (never the number 12). JSON numbers
in a key column become their Python text (``12`` → ``"12"``, ``12.0`` →
``"12.0"``); Parquet integers become their decimal text. The caller names the
key columns once it has seen the header, through the ``strings`` callback.

Wire format written: JSONL by :func:`~vqa_core.tables.wire.write_jsonl` (one
object per line, sorted keys, NaN or missing values as ``null``); JSON is
``{"rows": [...]}`` with sorted keys and two-space indent; Parquet by
:func:`~vqa_core.tables.wire.write_parquet`, keeping the Arrow types.

Every row read knows where it came from (:meth:`LoadedTable.where`): ``file:line``
for CSV and JSONL (header = line 1 in CSV), ``file:$.rows[i]`` for JSON and
``file:row i`` (1-based) for Parquet, so a bad value is reported where a person
can find it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson

from vqa_core.errors import OutputError, ShardError
from vqa_core.fsutil import atomic_writer
from vqa_core.tables.formats import SUFFIXES, TableFormat, format_of
from vqa_core.tables.wire import write_jsonl, write_parquet

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "READ_SUFFIXES",
    "WRITE_SUFFIXES",
    "LoadedTable",
    "input_format",
    "output_format",
    "read_table",
    "write_table",
]

READ_SUFFIXES: Final = tuple(sorted(SUFFIXES))
WRITE_SUFFIXES: Final = tuple(s for s in READ_SUFFIXES if SUFFIXES[s] != "csv")

#: Chooses, from a table's column names, the columns to read as strings.
StringChooser = Callable[[Sequence[str]], Collection[str]]


def input_format(path: Path) -> TableFormat:
    """The format of a table to read, or a :class:`ShardError` naming the suffixes that work."""
    fmt = format_of(path, READ_SUFFIXES)
    if fmt is None:
        known = ", ".join(READ_SUFFIXES)
        raise ShardError(f"{path}: cannot read {path.suffix or 'a file without suffix'}; use one of {known}")
    return fmt


def output_format(path: Path) -> TableFormat:
    """The format for an output path, or an :class:`OutputError` before any work starts."""
    fmt = format_of(path, WRITE_SUFFIXES)
    if fmt is None:
        known = ", ".join(WRITE_SUFFIXES)
        raise OutputError(
            f"output {path}: cannot write {path.suffix or 'a file without suffix'}; use {known}"
        )
    return fmt


@attrs.frozen
class LoadedTable:
    """A table read from ``path``, and where each of its rows came from."""

    path: Path
    format: TableFormat
    table: pa.Table
    #: Line of each row for JSONL (known while reading); CSV lines are found on first need.
    lines: tuple[int, ...] | None = None
    _csv_lines: list[int] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def num_rows(self) -> int:
        return int(self.table.num_rows)

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)

    def where(self, index: int) -> str:
        """``file:line`` (CSV, JSONL), ``file:$.rows[i]`` (JSON) or ``file:row n`` (Parquet)."""
        if self.format == "jsonl" and self.lines is not None:
            return f"{self.path}:{self.lines[index]}"
        if self.format == "csv":
            if self._csv_lines is None:
                object.__setattr__(self, "_csv_lines", _csv_record_lines(self.path))
            assert self._csv_lines is not None
            return f"{self.path}:{self._csv_lines[index]}"
        if self.format == "json":
            return f"{self.path}:$.rows[{index}]"
        return f"{self.path}:row {index + 1}"


def read_table(path: Path, *, strings: StringChooser | None = None) -> LoadedTable:
    """Read ``path``; the columns ``strings(names)`` returns are read as exact strings."""
    fmt = input_format(path)
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise ShardError(f"{path} {what}", path=str(path))
    chooser = strings or (lambda names: ())
    if fmt == "parquet":
        return LoadedTable(path, fmt, _read_parquet(path, chooser))
    if fmt == "csv":
        return LoadedTable(path, fmt, _read_csv(path, chooser))
    rows, lines = _read_json_rows(path, fmt)
    return LoadedTable(path, fmt, _rows_to_table(path, rows, chooser), lines)


def _read_parquet(path: Path, chooser: StringChooser) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:  # a non-UTF-8 footer: UnicodeDecodeError
        raise ShardError(f"{path} is not a readable Parquet file: {exc}", path=str(path)) from None
    for name in chooser(table.column_names):
        index = table.column_names.index(name)
        column = table.column(index)
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            try:
                column = column.cast(pa.string())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ShardError(
                    f"{path}: column {name} cannot be read as text: {exc}", path=str(path)
                ) from None
            table = table.set_column(index, name, column)
    return table


def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        try:
            return next(csv.reader(fh))
        except StopIteration:
            raise ShardError(f"{path} is empty (no header row)", path=str(path)) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ShardError(f"{path}:1: unreadable header: {exc}", path=str(path)) from None


def _read_csv(path: Path, chooser: StringChooser) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    header = _csv_header(path)
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise ShardError(f"{path}:1: duplicated column(s) {dupes}", path=str(path))
    types = {name: pa.string() for name in chooser(header)}
    try:
        return pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(encoding="utf8"),
            convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ShardError(f"{path}: not a readable CSV table: {exc}", path=str(path)) from None


def _csv_record_lines(path: Path) -> list[int]:
    """Start line of every data record, skipping blank lines as the Arrow reader does."""
    starts: list[int] = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        previous_end = 0
        for number, record in enumerate(reader):
            start = previous_end + 1
            previous_end = reader.line_num
            if number == 0 or not record:
                continue
            starts.append(start)
    return starts


def _read_json_rows(path: Path, fmt: TableFormat) -> tuple[list[dict[str, Any]], tuple[int, ...] | None]:
    if fmt == "json":
        try:
            doc = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise ShardError(f"{path} is not valid JSON: {exc}", path=str(path)) from None
        rows = doc.get("rows") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise ShardError(
                f'{path}: a JSON table is {{"rows": [...]}} or a list of objects', path=str(path)
            )
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ShardError(f"{path}:$.rows[{i}] is not an object", path=str(path))
        return rows, None
    rows, lines = [], []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise ShardError(
                    f"{path}:{number}: not a JSON object: {exc}", path=str(path), line=number
                ) from None
            if not isinstance(row, dict):
                raise ShardError(f"{path}:{number}: not a JSON object", path=str(path), line=number)
            rows.append(row)
            lines.append(number)
    return rows, tuple(lines)


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return orjson.dumps(value).decode()


def _rows_to_table(path: Path, rows: list[dict[str, Any]], chooser: StringChooser) -> pa.Table:
    import pyarrow as pa

    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns: dict[str, list[Any]] = {name: [row.get(name) for row in rows] for name in names}
    for name in chooser(list(names)):
        columns[name] = [_as_text(v) for v in columns[name]]
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ShardError(f"{path}: column {name} mixes value types ({exc})", path=str(path)) from None
    return pa.table(arrays) if arrays else pa.table({})


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` atomically in the format its suffix names."""
    fmt = output_format(path)
    with atomic_writer(path) as fh:
        if fmt == "parquet":
            write_parquet(table, fh)
        elif fmt == "jsonl":
            write_jsonl(table, fh)
        else:
            rows = table.to_pylist()  # why: orjson writes NaN and infinities as null, as JSONL does
            fh.write(orjson.dumps({"rows": rows}, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")
