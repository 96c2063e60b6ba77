"""Tables for a pipe: aligned plain text, so a script or ``grep`` gets data, and rich is not imported."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["plain_table"]


def plain_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``headings`` and ``rows`` as columns two spaces apart, padded to the widest cell (the last
    column unpadded), one line per row; line breaks inside a cell become spaces."""
    cells = [[" ".join(str(c).split("\n")) for c in row] for row in [headings, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headings))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)
