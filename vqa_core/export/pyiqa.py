"""pyiqa meta-info CSV: the clip path first, the MOS second, then a ``split`` column.

pyiqa's general datasets read the file with ``pandas.read_csv``, take column 0
(joined to ``dataroot_target``) and column 1 (``float``), and — when the options
name a split column in ``split_index`` — keep the rows whose value there equals
the phase, one of ``train``, ``val``, ``test``. So ``split`` holds that phase,
mapped from the table's split (:func:`phase`), and ``subset`` keeps the
table's split as it is (``test-1080p`` stays apart from ``test``). The layout
and its sources: docs/interop.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

from vqa_core.export.common import ALL_ROWS, ExportPlan, ExportRow, WriterOutput, WrittenFile, file_stem
from vqa_core.fsutil import atomic_writer

__all__ = ["write", "phase", "file_name", "HEADER"]

HEADER: Final = ("img_name", "mos", "std", "split", "subset", "corpus", "content_group")
_VAL: Final = frozenset({"val", "valid", "validation", "dev"})


def phase(split: str | None) -> str:
    """pyiqa's phase for a split: ``train``, ``val``, ``test`` (``test-1080p`` too), or "" (none)."""
    if split is None:
        return ""
    name = split.lower()
    if name == "train" or name.startswith("train-"):
        return "train"
    if name in _VAL or name.startswith("val-"):
        return "val"
    if name == "test" or name.startswith("test-"):
        return "test"
    return ""


def file_name(key: str) -> str:
    """``meta_info.csv`` for the whole table, ``meta_info_<key>.csv`` per corpus or split."""
    return "meta_info.csv" if key == ALL_ROWS else f"meta_info_{file_stem(key)}.csv"


def _cells(row: ExportRow) -> list[str]:
    std = repr(row.mos_std_dev) if row.mos_std_dev is not None else ""
    return [
        row.path,
        repr(row.mos),
        std,
        phase(row.split),
        row.split or "",
        row.corpus,
        row.content_group or "",
    ]


def write(plan: ExportPlan, folder: Path) -> WriterOutput:
    files = []
    unmapped = sorted({r.split for g in plan.groups for r in g.rows if r.split and not phase(r.split)})
    for group in plan.groups:
        name = file_name(group.key)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(_cells(row) for row in group.rows)
        with atomic_writer(folder / name) as fh:
            fh.write(buffer.getvalue().encode())
        files.append(WrittenFile(group.key, name, len(group.rows)))
    warnings: tuple[str, ...] = ()
    if unmapped:
        warnings = (
            f"pyiqa: the splits {', '.join(unmapped)} are not a pyiqa phase (train, val, test); "
            "their rows have an empty split cell and keep the name in subset",
        )
    return WriterOutput(tuple(files), warnings)
