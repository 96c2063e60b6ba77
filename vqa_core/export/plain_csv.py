"""Plain CSV: ``path`` and ``label`` (the export's clip and MOS), then every column of the table.

RFC 4180: a header row, CRLF line ends, a field quoted when it holds a comma,
a double quote or a line break (quotes doubled). Empty cell = missing value;
floats are written in their shortest round-trip form; booleans as ``true`` /
``false``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Final

from vqa_core.errors import ExportError
from vqa_core.export.common import ALL_ROWS, ExportPlan, WriterOutput, WrittenFile, file_stem
from vqa_core.fsutil import atomic_writer

__all__ = ["write", "file_name", "cell", "LEADING"]

#: The two columns put before the table's own.
LEADING: Final = ("path", "label")


def file_name(key: str) -> str:
    return "table.csv" if key == ALL_ROWS else f"{file_stem(key)}.csv"


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write(plan: ExportPlan, folder: Path) -> WriterOutput:
    clash = [c for c in LEADING if c in plan.columns]
    if clash:
        raise ExportError(f"the table already has a column named {clash[0]!r}, which a CSV export adds")
    header = [*LEADING, *plan.columns]
    files = []
    for group in plan.groups:
        name = file_name(group.key)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in group.rows:
            writer.writerow([row.path, repr(row.mos), *(cell(row.record.get(c)) for c in plan.columns)])
        with atomic_writer(folder / name) as fh:
            fh.write(buffer.getvalue().encode())
        files.append(WrittenFile(group.key, name, len(group.rows)))
    return WriterOutput(tuple(files))
