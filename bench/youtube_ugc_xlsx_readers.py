"""Reading the YouTube UGC MOS spreadsheet: python-calamine against openpyxl.

Writes a workbook shaped like the published one (sheet ``MOS`` with 1,380 rows
under the published header, a ``readme`` sheet, empty chunk cells for short
videos), then times, in this process, reading every cell of the MOS sheet with
each library, and, in fresh interpreters, importing each library. Reports
medians and the openpyxl / calamine ratio.

    .venv/bin/python bench/youtube_ugc_xlsx_readers.py [--rows 1380] [--repeat 9]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _workbook(path: Path, rows: int) -> Path:
    from vqa_youtube_ugc.sample import write_workbook

    rng = random.Random(0)
    table: list[list[object]] = []
    for i in range(rows):
        short = i % 10 == 0
        mos = rng.uniform(1.2, 4.7)
        chunks = [mos, None if short else mos, None if short else mos]
        stds = [0.8, None if short else 0.8, None if short else 0.8]
        table.append(
            [f"Gaming_1080P-{i:04x}", "Gaming", 1080, rng.randrange(95, 130), mos, *chunks, 0.7, *stds]
        )
    return write_workbook(path, table)


def _calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("MOS").to_python(skip_empty_area=False)
    return len(grid)


def _openpyxl(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook["MOS"].iter_rows(values_only=True))
    workbook.close()
    return count


def _median_s(fn: Callable[[Path], int], path: Path, repeat: int) -> float:
    fn(path)  # warm the import and the page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _import_s(module: str, repeat: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(repeat)]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1380)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = _workbook(Path(tmp) / "mos.xlsx", args.rows)
        read = {
            name: _median_s(fn, path, args.repeat)
            for name, fn in (("calamine", _calamine), ("openpyxl", _openpyxl))
        }
    imports = {
        name: _import_s(module, max(3, args.repeat // 3))
        for name, module in (("calamine", "python_calamine"), ("openpyxl", "openpyxl"))
    }
    print(f"MOS sheet, {args.rows:,} rows x 12 columns; medians of {args.repeat} runs")
    for name in ("calamine", "openpyxl"):
        print(f"  {name:9s} read {read[name] * 1000:7.1f} ms   import {imports[name] * 1000:7.1f} ms")
    print(
        f"  openpyxl / calamine: read {read['openpyxl'] / read['calamine']:.1f}x, "
        f"import {imports['openpyxl'] / imports['calamine']:.0f}x"
    )


if __name__ == "__main__":
    main()
