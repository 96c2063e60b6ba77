"""Table columns read as numbers or texts, one rule for every feature, MOS and derivation.

numpy and pyarrow are imported inside the functions: importing this module stays
cheap (the plugin API exports :func:`float_column`).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["float_column", "text_column"]


def float_column(table: pa.Table, name: str) -> npt.NDArray[np.float64] | None:
    """Column ``name`` as float64, NaN where a row has no number; ``None`` without that column.

    Numbers and booleans (0/1) as they are; a text cell that parses as a number is
    that number; any other type is NaN throughout.
    """
    import numpy as np
    import pyarrow as pa

    if name not in table.column_names:
        return None
    column = table.column(name)
    kind = column.type
    if (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
    ):
        values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(values, dtype=np.float64)
    if pa.types.is_null(kind):
        return np.full(table.num_rows, np.nan)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        out = np.full(table.num_rows, np.nan)
        for i, text in enumerate(column.to_pylist()):
            with contextlib.suppress(ValueError):
                out[i] = float(text) if text is not None else np.nan
        return out
    return np.full(table.num_rows, np.nan)


def text_column(table: pa.Table, name: str) -> list[Any] | None:
    """Column ``name`` as Python values; ``None`` without that column."""
    if name not in table.column_names:
        return None
    return list(table.column(name).to_pylist())
