"""Column roles and cell values of the MOS table."""

from __future__ import annotations

import math

import pytest
from vqa_youtube_ugc.columns import COLUMNS, map_columns, normalise, number, optional_number, text


def test_the_published_header_maps_every_role() -> None:
    columns = map_columns(COLUMNS)
    assert {role: columns[role] for role in ("vid", "category", "resolution", "n_ratings", "mos", "std")} == {
        "vid": 0,
        "category": 1,
        "resolution": 2,
        "n_ratings": 3,
        "mos": 4,
        "std": 8,
    }
    assert (columns["chunk00"], columns["chunk05"], columns["chunk10"], columns["url"]) == (5, 6, 7, None)


def test_names_match_without_case_spaces_or_underscores() -> None:
    assert normalise(" MOS full ") == normalise("mos_full") == normalise("MOSfull") == "mosfull"
    columns = map_columns(["VID", "mos_full", "Std_Full", "#Subjects"])
    assert (columns["vid"], columns["mos"], columns["std"], columns["n_ratings"]) == (0, 1, 2, 3)


def test_a_dmos_column_is_never_the_mos() -> None:
    columns = map_columns(["vid", "DMOS", "dmos full"])
    assert columns["mos"] is None
    assert columns.dmos == ("DMOS", "dmos full")
    both = map_columns(["vid", "DMOS", "MOS full"])
    assert both["mos"] == 2


def test_mos_full_wins_over_a_plain_mos_column() -> None:
    assert map_columns(["vid", "MOS", "MOS full"])["mos"] == 2
    assert map_columns(["vid", "MOS"])["mos"] == 1


@pytest.mark.parametrize("cell", [None, "", "  ", "NaN", "nan", "#N/A", float("nan")])
def test_absent_chunk_scores_are_none(cell: object) -> None:
    assert optional_number([cell], 0) is None


def test_numbers_from_spreadsheet_and_text() -> None:
    assert number([3.5], 0) == 3.5
    assert number([4], 0) == 4.0
    assert number(["3.25"], 0) == 3.25
    assert number(["3,25"], 0, decimal_comma=True) == 3.25
    assert math.isinf(number(["inf"], 0))  # passed through: the engine rejects it with its reason
    with pytest.raises(ValueError, match="is not a number"):
        number([True], 0)
    with pytest.raises(ValueError, match="not a number"):
        number(["good"], 0)
    with pytest.raises(ValueError, match="not finite"):
        optional_number(["inf"], 0)


def test_text_drops_the_point_zero_of_whole_spreadsheet_numbers() -> None:
    assert text([1080.0], 0) == "1080"
    assert text([" Gaming "], 0) == "Gaming"
    assert text([""], 0) is None
    assert text([], 3) is None
