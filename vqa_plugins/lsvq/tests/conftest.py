"""Fixtures for the LSVQ plugin tests: label lines in the published format and tiny clips."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from vqa_core.samples import ClipSpec, write_clip

#: The published headers, as the files spell them.
HEADER_38 = (
    "name,p1,p2,p3,height,width,mos_p1,mos_p2,mos_p3,mos,frame_number,fn_last_frame,"
    "left_p1,right_p1,top_p1,bottom_p1,start_p1,end_p1,left_p2,right_p2,top_p2,bottom_p2,start_p2,end_p2,"
    "left_p3,right_p3,top_p3,bottom_p3,start_p3,end_p3,top_vid,left_vid,bottom_vid,right_vid,start_vid,end_vid,"
    "is_test,is_valid"
)
HEADER_37 = HEADER_38.replace(",is_test,", ",")


def make_line(
    name: str,
    mos: str = "61.5",
    *,
    is_test: str | None = "False",
    is_valid: str = "True",
    patches: Sequence[str] = ("55.25", "63.0", "58.75"),
    float_p3: bool = False,
) -> str:
    """One data line with every published column; ``is_test=None`` leaves the column out (1080p file)."""
    p1, p2, p3 = [40, 296, 30, 174, 0, 120], [0, 640, 0, 360, 20, 68], [300, 556, 150, 294, 60, 108]
    p3_cells = [f"{float(v)}" for v in p3] if float_p3 else [str(v) for v in p3]
    cells = [
        name,
        f'"{p1}"',
        f'"{p2}"',
        f'"{p3}"',
        "360",
        "640",
        *patches,
        mos,
        "120",
        f"{name}/image_00120",
        *(str(v) for v in p1),
        *(str(v) for v in p2),
        *p3_cells,
        "0",
        "0",
        "360",
        "640",
        "0",
        "120",
    ]
    if is_test is not None:
        cells.append(is_test)
    cells.append(is_valid)
    return ",".join(cells)


def write_labels(path: Path, lines: Sequence[str], *, header: str = HEADER_38) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def tiny_clip(path: Path, seed: int) -> Path:
    return write_clip(path, ClipSpec(width=64, height=36, frames=4, quality=0.5), seed=seed)


class Kit:
    """What the tests use to build LSVQ datasets on disk."""

    header_38 = HEADER_38
    header_37 = HEADER_37
    line = staticmethod(make_line)
    write_labels = staticmethod(write_labels)
    clip = staticmethod(tiny_clip)


@pytest.fixture
def kit() -> Kit:
    return Kit()
