"""Reading published metadata text files the way plugins need it.

Published metadata is messy: BOMs, UTF-16 exports, CRLF, semicolons, quoted
numbers, ragged lines, stray NUL bytes, quoted fields that hold line ends.
:func:`open_table` streams such a file record by record (RFC 4180: a quoted field
may hold the delimiter, ``""`` and LF/CRLF line ends), so every record knows the
line it starts on (header = line 1) and a bad record becomes one record flagged
with a problem instead of an exception; whole-file problems (undecodable, empty,
absurd header, duplicated column) raise :class:`~vqa_core.errors.MetadataError`
with file and line. A quote that never closes costs the line it opened on: that
line is rejected and the lines after it are read again as records.
"""

from __future__ import annotations

import codecs
import csv
import math
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final, TextIO

import attrs

from vqa_core.errors import MetadataError
from vqa_core.schema import Origin, RowRejection

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_COLUMNS",
    "MAX_RECORD_LINES",
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
#: A quoted field may span line ends, but a record of more physical lines than this (or of
#: more than :data:`MAX_LINE_CHARS` characters) is a quote that never closes: its first line is
#: rejected and the lines after it are read as records again.
MAX_RECORD_LINES: Final = 1000


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
    #: Data records (blank lines and the header excluded; a multi-line quoted record counts once).
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
            raws = _raw_records(fh, self.delimiter)
            if self.header is not None:
                next(raws, None)  # the header record (open_table read and checked it)
            for raw in raws:
                origin = Origin(self.path.name, raw.line)
                if raw.problem is not None:
                    yield Record((), origin, self.header, raw.problem)
                    continue
                cells = list(raw.cells)
                if any("\x00" in c for c in cells):
                    yield Record((), origin, self.header, "line contains a NUL byte")
                    continue
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


def _open_text(path: Path, encoding: str) -> TextIO:
    # strict decoding: a wrong encoding is reported with its line, not turned into mojibake;
    # newline="": line ends stay as written, so a quoted CRLF survives and csv sees each one
    return open(path, encoding=encoding, errors="strict", newline="")


_NEWLINES: Final = ("\r\n", "\n", "\r")


def _read_line(fh: TextIO) -> tuple[str | None, bool]:
    """The next physical line with its line end, and whether it was cut for length; ``None`` at EOF.

    Line ends are ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports), as universal newlines.
    """
    text = fh.readline(MAX_LINE_CHARS + 1)
    if not text:
        return None, False
    if len(text) > MAX_LINE_CHARS and not text.endswith(_NEWLINES):
        while True:  # discard the rest of the over-long line in bounded pieces
            rest = fh.readline(MAX_LINE_CHARS)
            if not rest or rest.endswith(_NEWLINES):
                break
        return "", True
    return text, False


class _Abandon(Exception):
    """The record being parsed cannot be completed; ``problem`` says why."""

    def __init__(self, problem: str, *, reparse: bool) -> None:
        super().__init__(problem)
        self.problem = problem
        #: Whether the record's later lines are read again as records of their own.
        self.reparse = reparse


class _Lines:
    """Physical lines for ``csv.reader``, numbered, bounded, and replayable.

    ``csv.reader`` asks for another line in the middle of a record only while a
    quoted field is open, so every line fetched after :meth:`start_record` but
    the first belongs to a multi-line quoted field. A record that cannot close
    (end of file, too many lines or characters, an over-long line inside it) is
    abandoned: its first line (where the quote opened) is rejected and the lines
    after it are handed out again, so one stray quote costs one row, not the
    rest of the file. The lines kept for that are bounded by :data:`MAX_RECORD_LINES`
    and :data:`MAX_LINE_CHARS`, so memory stays constant whatever the file.
    """

    def __init__(self, fh: TextIO) -> None:
        self._fh = fh
        self._number = 0
        #: Lines to hand out again before reading on; ``None`` text = an over-long line.
        self._replay: deque[tuple[int, str | None]] = deque()
        self.record: list[tuple[int, str]] = []
        self._chars = 0

    def __iter__(self) -> _Lines:
        return self

    def start_record(self) -> None:
        self.record.clear()
        self._chars = 0

    @property
    def start(self) -> int:
        return self.record[0][0] if self.record else self._number

    def reparse_after_first(self, *, then: tuple[int, str | None] | None = None) -> None:
        """Hand out the current record's lines after its first (and ``then``) again."""
        if then is not None:
            self._replay.appendleft(then)
        self._replay.extendleft(reversed(self.record[1:]))

    def _take(self) -> tuple[int, str | None] | None:
        if self._replay:
            return self._replay.popleft()
        text, too_long = _read_line(self._fh)
        if text is None:
            return None
        self._number += 1
        return self._number, None if too_long else text

    def __next__(self) -> str:
        taken = self._take()
        if taken is None:
            if self.record:
                raise _Abandon("a quoted field opened on this line is never closed", reparse=True)
            raise StopIteration
        number, text = taken
        if text is None:
            if self.record:
                self.reparse_after_first(then=taken)
                raise _Abandon(
                    f"a quoted field opened on this line runs into line {number:,}, "
                    f"which is longer than {MAX_LINE_CHARS:,} characters",
                    reparse=False,
                )
            self.record.append((number, ""))
            raise _Abandon(f"line longer than {MAX_LINE_CHARS:,} characters", reparse=False)
        if self.record and (len(self.record) >= MAX_RECORD_LINES or self._chars + len(text) > MAX_LINE_CHARS):
            self.reparse_after_first(then=taken)
            raise _Abandon(
                f"a quoted field opened on this line is not closed within {MAX_RECORD_LINES:,} lines "
                f"or {MAX_LINE_CHARS:,} characters",
                reparse=False,
            )
        self.record.append((number, text))
        self._chars += len(text)
        return text


@attrs.frozen
class _Raw:
    """One record as parsed: its first line's number, its cells, or why it has none."""

    line: int
    cells: tuple[str, ...] = ()
    problem: str | None = None


def _raw_records(fh: TextIO, delimiter: str) -> Iterator[_Raw]:
    """RFC 4180 records of ``fh``, blank lines skipped, each with the line it starts on.

    Quoted fields may hold the delimiter, doubled quotes and line ends (LF,
    CRLF or CR, kept as written). Quoting is lenient (``strict=False``): a
    quote inside an unquoted field is an ordinary character, as spreadsheet
    exports write it. A record that cannot be read is yielded with a problem.
    """
    lines = _Lines(fh)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    while True:
        lines.start_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _Abandon as abandoned:
            start = lines.start
            if abandoned.reparse:
                lines.reparse_after_first()
            yield _Raw(start, problem=abandoned.problem)
            continue
        except csv.Error as exc:
            # e.g. a field longer than csv's own limit: split the line plainly, as before
            start = lines.start
            if not lines.record:
                continue
            if len(lines.record) == 1:
                text = lines.record[0][1].rstrip("\r\n")
                yield _Raw(start, tuple(text.split(delimiter)))
            else:
                lines.reparse_after_first()
                yield _Raw(start, problem=f"a quoted field opened on this line cannot be read ({exc})")
            continue
        if len(lines.record) == 1 and not lines.record[0][1].strip():
            continue  # a blank line
        yield _Raw(lines.start, tuple(row))


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
    encoding = "utf-8"
    try:
        encoding = _detect_encoding(path)
        first, first_line = _first_line(path, encoding)
        if first is None:
            raise MetadataError(f"{path}: the file is empty", path=str(path))
        # The most frequent candidate wins; on a tie ';' wins, since "a;3,5" is a semicolon file
        # with a decimal comma far more often than a comma file with a stray semicolon.
        delimiter = (
            max(delimiters, key=lambda d: (first.count(d), d == ";"))
            if len(delimiters) > 1
            else delimiters[0]
        )
        # Records, not lines, are counted: a quoted field may span several lines.
        head: _Raw | None = None
        data_lines = 0
        with _open_text(path, encoding) as fh:
            for raw in _raw_records(fh, delimiter):
                if header and head is None:
                    head = raw
                else:
                    data_lines += 1
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc) from None
    except OSError as exc:
        raise MetadataError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from None
    parsed_header: Header | None = None
    header_problem: MetadataError | None = None
    if header:
        if head is None or head.problem is not None:
            why = head.problem if head is not None else "it is blank"
            raise MetadataError(
                f"{path}:{first_line}: the header cannot be read: {why}", path=str(path), line=first_line
            )
        first_line = head.line
        names = tuple(c.strip().strip('"') for c in head.cells)
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


def _first_line(path: Path, encoding: str) -> tuple[str | None, int]:
    """The first non-blank physical line (it decides the delimiter) and its number."""
    with _open_text(path, encoding) as fh:
        line_no = 0
        while True:
            text, too_long = _read_line(fh)
            if text is None:
                return None, 0
            line_no += 1
            if too_long:
                raise MetadataError(
                    f"{path}:{line_no}: the first line is longer than {MAX_LINE_CHARS:,} characters",
                    path=str(path),
                    line=line_no,
                )
            if text.strip():
                return text.rstrip("\r\n"), line_no


def count_data_lines(path: Path, *, header: bool = True) -> int:
    """Data records of a text file (header excluded); a quoted multi-line field is one record."""
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
