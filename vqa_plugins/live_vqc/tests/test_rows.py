from __future__ import annotations

import pytest
from vqa_live_vqc.rows import clip_name, make_row

from vqa_core.schema import Origin, RowRejection, SourceRow


@pytest.mark.parametrize(
    ("name", "clip"),
    [
        ("A001", "A001.mp4"),
        ("A001.mp4", "A001.mp4"),
        ("B123.MOV", "B123.MOV"),
        ("sub/A002", "sub/A002.mp4"),
        ("v.1/A003", "v.1/A003.mp4"),
    ],
)
def test_bare_names_get_mp4(name: str, clip: str) -> None:
    assert clip_name(name) == clip


def test_make_row() -> None:
    origin = Origin("mos.csv", 3)
    row = make_row(origin, " A010 ", 55.5)
    assert isinstance(row, SourceRow)
    assert (row.clip, row.mos, row.mos_std_dev, row.n_ratings, row.extras) == (
        "A010.mp4",
        55.5,
        None,
        None,
        {},
    )
    no_name = make_row(origin, "  ", 1.0)
    assert isinstance(no_name, RowRejection) and no_name.reason == "bad-row"
    no_mos = make_row(origin, "A1", None)
    assert isinstance(no_mos, RowRejection) and no_mos.reason == "bad-mos" and no_mos.clip == "A1.mp4"
    bad = make_row(origin, "A1", "'x' is not a number")
    assert isinstance(bad, RowRejection) and str(bad) == "mos.csv:3: bad-mos: MOS 'x' is not a number"
