"""Which column of the MOS table feeds which field, and how a cell becomes a value.

Published header (sheet ``MOS``)::

    vid, category, resolution, # subjects, MOS full, MOS chunk00, MOS chunk05, MOS chunk10,
    std full, std chunk00, std chunk05, std chunk10

Column names are compared with case, spaces and underscores ignored (``MOS full``,
``mos_full`` and ``MOSfull`` are one column), so CSV exports that renamed the
columns slightly still read. A difference-score column (any name containing
``dmos``) is never taken for MOS: a DMOS rates degradation against a reference,
on another axis (docs/decisions/0024-youtube-ugc-columns.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

import attrs

from vqa_core.plugin import to_float

__all__ = ["COLUMNS", "ROLES", "Columns", "normalise", "map_columns", "text", "number", "optional_number"]

#: The published header of the MOS sheet, in order.
COLUMNS: Final = (
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
)

#: Role → accepted column names (normalised), first match wins.
ROLES: Final[dict[str, tuple[str, ...]]] = {
    "vid": ("vid", "videoid", "video", "filename", "name"),
    "category": ("category",),
    "resolution": ("resolution",),
    "n_ratings": ("#subjects", "subjects", "numsubjects", "nsubjects"),
    "mos": ("mosfull", "mos"),
    "std": ("stdfull", "std", "sdfull", "sd"),
    "chunk00": ("moschunk00",),
    "chunk05": ("moschunk05",),
    "chunk10": ("moschunk10",),
    "url": ("url", "downloadurl", "videourl"),
}

_NAN: Final = frozenset({"nan", "#n/a", "n/a", "na"})


def normalise(name: object) -> str:
    """``'MOS full '`` → ``'mosfull'``: lower case, no whitespace or underscores."""
    return re.sub(r"[\s_]+", "", "" if name is None else str(name)).lower()


@attrs.frozen
class Columns:
    """Positions of the columns found, by role (``None`` = absent)."""

    positions: dict[str, int | None]
    #: Columns that look like a difference score, by name as written.
    dmos: tuple[str, ...] = ()

    def __getitem__(self, role: str) -> int | None:
        return self.positions.get(role)


def map_columns(header: Sequence[str]) -> Columns:
    """Find each role's column in ``header``; DMOS-like columns are set aside, never matched."""
    folded = [normalise(n) for n in header]
    dmos = tuple(n for n, f in zip(header, folded, strict=True) if "dmos" in f)
    positions: dict[str, int | None] = {}
    for role, aliases in ROLES.items():
        positions[role] = next((folded.index(a) for a in aliases if a in folded), None)
    return Columns(positions, dmos)


def text(cells: Sequence[object], index: int | None) -> str | None:
    """The cell as stripped text; ``None`` when absent or empty. Whole floats lose their ``.0``."""
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = str(value).strip()
    return shown or None


def number(cells: Sequence[object], index: int | None, *, decimal_comma: bool = False) -> float:
    """A numeric cell (a spreadsheet number or published text); ``ValueError`` if it is not one.

    Non-finite values come back as read: range checks are the engine's job.
    """
    if index is None or index >= len(cells):
        raise ValueError("empty")
    value = cells[index]
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    return to_float(None if value is None else str(value), decimal_comma=decimal_comma)


def optional_number(
    cells: Sequence[object], index: int | None, *, decimal_comma: bool = False
) -> float | None:
    """Like :func:`number`, but an absent, empty or NaN cell (a video shorter than the
    chunk) is ``None``; a non-finite value is a ``ValueError``."""
    shown = text(cells, index)
    if shown is None or shown.lower() in _NAN:
        return None
    value = number(cells, index, decimal_comma=decimal_comma)
    if not math.isfinite(value):
        raise ValueError(f"{shown!r} is not finite")
    return value
