"""Fixtures for the YouTube UGC plugin tests: MOS tables as published, tiny clips, a loopback server."""

from __future__ import annotations

import csv
import http.server
import threading
from collections.abc import Iterator, Sequence
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


class Server:
    """A static file server on 127.0.0.1 that counts the requests it answers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, directory=str(directory), **kwargs)  # type: ignore[arg-type]

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with Server(tmp_path / "bucket") as running:
        yield running
