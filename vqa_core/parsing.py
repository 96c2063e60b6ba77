"""Reading published metadata text files the way plugins need it.

Published metadata is messy: BOMs, UTF-16 exports, CRLF, semicolons, quoted
numbers, ragged lines, stray NUL bytes. :func:`open_table` reads such a file one
physical line at a time, so every record knows its line number (header = line
1) and a bad line becomes one record flagged with a problem instead of an
exception; whole-file problems (undecodable, empty, absurd header, duplicated
column) raise :class:`~vqa_core.errors.MetadataError` with file and line.
"""

from __future__ import annotations

import codecs
import csv
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import attrs

from vqa_core.errors import MetadataError
from vqa_core.schema import Origin, RowRejection

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_COLUMNS",
    "Header",
    "Record",
    "Table",
    "open_table",
    "count_data_lines",
    "to_float",
    "to_int",
    "reject",
]

#: A line longer than this is a rejected record, not a memory hazard.
MAX_LINE_CHARS: Final = 1 << 20
#: A header with more columns than this is not a metadata file we publish parsers for.
MAX_COLUMNS: Final = 4096


@attrs.frozen
class Header:
    """Column names as written, with a case-insensitive index (built once per file)."""

    names: tuple[str, ...]
    _positions: dict[str, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        positions: dict[str, int] = {}
        for i, name in enumerate(self.names):
            positions.setdefault(name.strip().lower(), i)
        object.__setattr__(self, "_positions", positions)

    def index(self, *aliases: str) -> int | None:
        """Position of the first alias present (case-insensitive, surrounding space ignored)."""
        for alias in aliases:
            position = self._positions.get(alias.strip().lower())
            if position is not None:
                return position
        return None

    def has(self, *aliases: str) -> bool:
        return self.index(*aliases) is not None


@attrs.frozen
class Record:
    """One data line: its cells, where it is, and what is wrong with it (``problem``)."""

    cells: tuple[str, ...]
    origin: Origin
    header: Header | None
    problem: str | None = None

    def get(self, *aliases: str) -> str | None:
        """The stripped cell under the first alias with a non-empty value, else ``None``."""
        if self.header is None:
            return None
        for alias in aliases:
            i = self.header.index(alias)
            if i is not None and i < len(self.cells) and self.cells[i].strip():
                return self.cells[i].strip()
        return None

    def cell(self, index: int) -> str | None:
        if index < len(self.cells) and self.cells[index].strip():
            return self.cells[index].strip()
        return None


@attrs.frozen
class Table:
    """A delimited text file opened for streaming: header (if any) and lazy records."""

    path: Path
    header: Header | None
    delimiter: str
    encoding: str
    data_lines: int
    #: A header that cannot be trusted (a duplicated column); raised when records are read, so
    #: callers can still look at the file's size (editions) first.
    header_problem: MetadataError | None = None

    @property
    def decimal_comma(self) -> bool:
        """Whether numbers may be written with a decimal comma (``3,41``): a ``;``-delimited file
        is a spreadsheet export from a locale that writes them so. Pass it to :func:`to_float`."""
        return self.delimiter == ";"

    def records(self) -> Iterator[Record]:
        """Data records in file order; blank lines are skipped, bad lines flagged.

        The file is read again here (it was counted when opened): if it vanished,
        became unreadable or changed its encoding since, :class:`MetadataError` says so.
        """
        if self.header_problem is not None:
            raise self.header_problem
        try:
            yield from self._records()
        except UnicodeDecodeError as exc:
            raise _decode_error(self.path, self.encoding, exc) from None
        except OSError as exc:
            raise MetadataError(
                f"{self.path}: cannot read ({exc.strerror or exc}); it was readable when the run started",
                path=str(self.path),
            ) from None

    def _records(self) -> Iterator[Record]:
        with _open_text(self.path, self.encoding) as fh:
            line_no = 0
            if self.header is not None:
                # Skip up to and including the header line (the first non-blank one).
                while True:
                    text, too_long = _read_line(fh)
                    line_no += 1
                    if text is None or text.strip() or too_long:
                        break
            while True:
                text, too_long = _read_line(fh)
                if text is None:
                    return
                line_no += 1
                origin = Origin(self.path.name, line_no)
                if too_long:
                    yield Record((), origin, self.header, f"line longer than {MAX_LINE_CHARS:,} characters")
                    continue
                if not text.strip():
                    continue
                if "\x00" in text:
                    yield Record((), origin, self.header, "line contains a NUL byte")
                    continue
                cells = _split(text, self.delimiter)
                problem = None
                if self.header is not None and len(cells) < len(self.header.names):
                    problem = f"ragged line: {len(cells)} fields, the header has {len(self.header.names)}"
                elif self.header is not None and len(cells) > len(self.header.names):
                    # A trailing empty cell (a line ending in the delimiter) is harmless.
                    extra = cells[len(self.header.names) :]
                    if any(c.strip() for c in extra):
                        problem = f"ragged line: {len(cells)} fields, the header has {len(self.header.names)}"
                    cells = cells[: len(self.header.names)]
                yield Record(tuple(cells), origin, self.header, problem)


def _detect_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _open_text(path: Path, encoding: str):  # type: ignore[no-untyped-def]
    # strict decoding: a wrong encoding is reported with its line, not turned into mojibake
    return open(path, encoding=encoding, errors="strict", newline=None)


def _read_line(fh) -> tuple[str | None, bool]:  # type: ignore[no-untyped-def]
    """The next line without its newline, and whether it was cut for length; ``None`` at EOF."""
    text = fh.readline(MAX_LINE_CHARS + 1)
    if not text:
        return None, False
    if len(text) > MAX_LINE_CHARS and not text.endswith("\n"):
        while True:  # discard the rest of the over-long line in bounded pieces
            rest = fh.readline(MAX_LINE_CHARS)
            if not rest or rest.endswith("\n"):
                break
        return "", True
    return text.rstrip("\n"), False


def _split(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=False))
    except (csv.Error, StopIteration):
        return text.split(delimiter)


def _decode_error(path: Path, encoding: str, exc: UnicodeDecodeError) -> MetadataError:
    """A one-line error naming the first line that does not decode (UTF-8 files)."""
    line: int | None = None
    if encoding.startswith("utf-8"):
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    line = number
                    break
    where = f"{path}:{line}" if line else str(path)
    return MetadataError(
        f"{where}: not valid {encoding.upper().replace('-SIG', '')} text ({exc.reason}); "
        "convert the file to UTF-8",
        path=str(path),
        line=line,
    )


def open_table(
    path: Path,
    *,
    header: bool = True,
    delimiters: Sequence[str] = (",",),
) -> Table:
    """Open ``path`` for streaming; detect encoding and (among ``delimiters``) the delimiter.

    Raises :class:`MetadataError` for an empty file (a header-only file is fine:
    ``data_lines == 0``, callers decide), undecodable bytes, or a header with an
    absurd number of columns. A duplicated column name is raised when the
    records are read.
    """
    try:
        encoding = _detect_encoding(path)
        with _open_text(path, encoding) as fh:
            first: str | None = None
            first_line = 0
            data_lines = 0
            line_no = 0
            while True:
                text, too_long = _read_line(fh)
                if text is None:
                    break
                line_no += 1
                if first is None:
                    if too_long:
                        raise MetadataError(
                            f"{path}:{line_no}: the first line is longer than {MAX_LINE_CHARS:,} characters",
                            path=str(path),
                            line=line_no,
                        )
                    if text.strip():
                        first, first_line = text, line_no
                        if not header:
                            data_lines += 1
                    continue
                if too_long or text.strip():
                    data_lines += 1
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc) from None
    except OSError as exc:
        raise MetadataError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from None
    if first is None:
        raise MetadataError(f"{path}: the file is empty", path=str(path))
    # The most frequent candidate wins; on a tie ';' wins, since "a;3,5" is a semicolon file
    # with a decimal comma far more often than a comma file with a stray semicolon.
    delimiter = (
        max(delimiters, key=lambda d: (first.count(d), d == ";")) if len(delimiters) > 1 else delimiters[0]
    )
    parsed_header: Header | None = None
    header_problem: MetadataError | None = None
    if header:
        names = tuple(c.strip().strip('"') for c in _split(first, delimiter))
        if len(names) > MAX_COLUMNS:
            raise MetadataError(
                f"{path}:{first_line}: the header has {len(names):,} columns; this is not a metadata file "
                "of this corpus",
                path=str(path),
                line=first_line,
            )
        folded = [n.lower() for n in names]
        for i, name in enumerate(folded):
            if name and folded.index(name) != i:
                headerless = any(c.replace(".", "", 1).isdigit() for c in folded)
                hint = (
                    "; the first line looks like data: is this a headerless file of another corpus?"
                    if headerless
                    else "; which one holds the data is ambiguous"
                )
                header_problem = MetadataError(
                    f"{path}:{first_line}: column {names[i]!r} appears twice "
                    f"(columns {folded.index(name) + 1} and {i + 1}){hint}",
                    path=str(path),
                    line=first_line,
                )
                break
        parsed_header = Header(names)
    return Table(path, parsed_header, delimiter, encoding, data_lines, header_problem)


def count_data_lines(path: Path, *, header: bool = True) -> int:
    """Non-blank lines of a text file, less the header."""
    return open_table(path, header=header).data_lines


def to_float(text: str | None, *, decimal_comma: bool = False) -> float:
    """Parse a published number; ``ValueError`` with a readable message if it is not one.

    Accepts quoted values and, where the file's delimiter is ``;``, a decimal
    comma (``3,41``). Returns non-finite values as parsed: range checks are the
    engine's job, so the rejection names the real problem.
    """
    if text is None or not text.strip():
        raise ValueError("empty")
    cleaned = text.strip().strip('"').strip()
    if decimal_comma and "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


def to_int(text: str | None) -> int:
    """Parse a count written as ``12`` or ``12.0``; ``ValueError`` otherwise."""
    value = to_float(text)
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


def reject(record: Record, reason: str, detail: str | None = None, clip: str | None = None) -> RowRejection:
    """A rejection for ``record`` (its own problem is the detail unless one is given)."""
    return RowRejection(
        reason=reason, detail=detail or record.problem or reason, origin=record.origin, clip=clip
    )
