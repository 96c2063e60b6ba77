"""Fixtures for the YouTube UGC plugin tests: MOS tables as published and tiny clips."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from vqa_core.samples import ClipSpec, write_clip

#: The published header of the MOS sheet, as the spreadsheet spells it.
HEADER = [
    "vid",
    "category",
    "resolution",
    "# subjects",
    "MOS full",
    "MOS chunk00",
    "MOS chunk05",
    "MOS chunk10",
    "std full",
    "std chunk00",
    "std chunk05",
    "std chunk10",
]


def row(
    vid: str,
    mos: object = 3.52,
    *,
    subjects: object = 112,
    std: object = 0.81,
    chunks: Sequence[object] = (3.4, 3.6, 3.55),
) -> list[object]:
    category, rest = vid.split("_", 1)
    resolution = int(rest.split("P-", 1)[0])
    return [vid, category, resolution, subjects, mos, *chunks, std, 0.7, 0.75, 0.72]


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], *, header: Sequence[str] = HEADER, readme_first: bool = True
) -> Path:
    workbook = openpyxl.Workbook()
    readme = workbook.active
    assert readme is not None
    readme.title = "readme"
    readme.append(["column notes"])
    mos = workbook.create_sheet("MOS", None if readme_first else 0)
    mos.append(list(header))
    for cells in rows:
        mos.append(list(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], *, delimiter: str = ",", header: Sequence[str] = HEADER
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        for cells in rows:
            shown = ["" if c is None else str(c) for c in cells]
            if delimiter == ";":  # a semicolon export of a decimal-comma locale
                shown = [s.replace(".", ",") if s.replace(".", "").isdigit() else s for s in shown]
            writer.writerow(shown)
    return path


def tiny_clip(path: Path, seed: int) -> Path:
    return write_clip(path, ClipSpec(width=64, height=36, frames=4, quality=0.5), seed=seed)


class Kit:
    header = HEADER
    row = staticmethod(row)
    xlsx = staticmethod(write_xlsx)
    csv = staticmethod(write_csv)
    clip = staticmethod(tiny_clip)


@pytest.fixture
def kit() -> Kit:
    return Kit()
