"""DOVER / FAST-VQA label files: one ``path, -1, -1, mos`` line per clip.

Their dataset classes split each stripped line on ``,`` into exactly four fields
(file name, two unused numbers, label), join the file name to ``data_prefix``
and read the label with ``float``. So a path holding a comma, a line break or
leading white space cannot be written: it would be read as another clip or not
at all (their reader silently falls back to unlabelled test mode on a bad line).
The layout and its sources: docs/interop.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from vqa_core.errors import ExportError
from vqa_core.export.common import ALL_ROWS, ExportPlan, ExportRow, WriterOutput, WrittenFile, file_stem
from vqa_core.fsutil import atomic_writer

__all__ = ["write", "line_for", "file_name"]

#: The two middle fields: unused by the readers; ``-1`` as in their own label files.
UNUSED: Final = "-1"


def file_name(key: str) -> str:
    """``labels.txt`` for the whole table, ``<key>_labels.txt`` per corpus or split."""
    return "labels.txt" if key == ALL_ROWS else f"{file_stem(key)}_labels.txt"


def line_for(row: ExportRow) -> str:
    """One label line; :class:`ExportError` for a path the format cannot hold."""
    path = row.path
    if "," in path or "\n" in path or "\r" in path or path != path.lstrip():
        raise ExportError(
            f"{row.where}: the clip path {path!r} holds a comma, a line break or leading white space, "
            "which DOVER/FAST-VQA label files cannot hold; export --format csv or hf instead"
        )
    # why: repr is the shortest text that reads back as the same float
    return f"{path}, {UNUSED}, {UNUSED}, {row.mos!r}\n"


def write(plan: ExportPlan, folder: Path) -> WriterOutput:
    files = []
    for group in plan.groups:
        name = file_name(group.key)
        text = "".join(line_for(row) for row in group.rows)
        with atomic_writer(folder / name) as fh:
            fh.write(text.encode())
        files.append(WrittenFile(group.key, name, len(group.rows)))
    return WriterOutput(tuple(files))
