"""Table rows → the feature matrix a schema asks for, plus MOS and split; never zero-filled.

A feature's value, first found wins:

1. its own column (finite number);
2. the column ``<name>_mean``;
3. what the schema's plugin derives from the row's published columns, or for a
   display feature the row's own display columns, else the display profile's value
   (:meth:`~vqa_core.train.schemas.ResolvedSchema.derive`; core's schemas derive nothing).

A row still missing any feature is refused and counted (``missing-feature``, and per
feature in ``missing_features``). MOS is ``mos`` (1–5; the ``mos`` of a unified
table, which has ``mos_native_scale``, is on 0–100 and converted), else
``1 + 4·mos_raw_0_100/100``; a row without one is refused (``no-mos``), one
outside 1–5 (± the slack ingest accepts) too (``mos-out-of-range``), never clipped.
numpy and pyarrow only: prediction uses this module without torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from vqa_core.columns import float_column, text_column
from vqa_core.scales import ACR_1_5

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["Projection", "project", "SPLITS"]

SPLITS: Final = ("train", "val", "test")


@attrs.frozen
class Projection:
    """Features of every table row (NaN where missing) and which rows are usable."""

    names: tuple[str, ...]
    features: npt.NDArray[np.float64]
    usable: npt.NDArray[np.bool_]
    mos: npt.NDArray[np.float64] | None
    split: tuple[str, ...] | None
    #: The ``content_group`` of each row (``""`` where empty), or ``None`` without that column.
    groups: tuple[str, ...] | None
    refused: dict[str, int]
    missing_features: dict[str, int]
    sources: dict[str, dict[str, int]]

    @property
    def n_usable(self) -> int:
        return int(self.usable.sum())


def _mos(table: pa.Table) -> npt.NDArray[np.float64]:
    import numpy as np

    mos = float_column(table, "mos")
    if mos is not None and "mos_native_scale" in table.column_names:
        mos = ACR_1_5.from_unified(mos)  # a unified table's mos is on 0-100
    raw = float_column(table, "mos_raw_0_100")
    if mos is None:
        mos = np.full(table.num_rows, np.nan)
    if raw is not None:
        mos = np.where(np.isfinite(mos), mos, ACR_1_5.from_unified(raw))
    return mos


def project(
    table: pa.Table,
    names: Sequence[str],
    *,
    derived: Mapping[str, tuple[str, npt.NDArray[np.float64]]] | None = None,
    need_mos: bool = True,
) -> Projection:
    """Project every row of ``table`` onto ``names`` (see the module docstring).

    ``derived`` holds, per feature, the route (``derived`` or ``display``) and the values
    the schema's plugin gives (:meth:`~vqa_core.train.schemas.ResolvedSchema.derive`).
    """
    import numpy as np

    n = table.num_rows
    matrix = np.full((n, len(names)), np.nan, dtype=np.float64)
    sources: dict[str, dict[str, int]] = {}
    for j, name in enumerate(names):
        column = matrix[:, j]
        counts: dict[str, int] = {}
        routes: list[tuple[str, npt.NDArray[np.float64] | None]] = [
            ("column", float_column(table, name)),
            ("mean_column", float_column(table, f"{name}_mean")),
        ]
        if derived and name in derived:
            routes.append(derived[name])
        for route, values in routes:
            if values is None:
                continue
            fill = ~np.isfinite(column) & np.isfinite(values)
            if fill.any():
                column[fill] = values[fill]
                counts[route] = int(fill.sum())
        sources[name] = counts
    present = np.isfinite(matrix)
    has_features: npt.NDArray[np.bool_] = np.asarray(present.all(axis=1), dtype=bool)
    missing = {name: int((~present[:, j]).sum()) for j, name in enumerate(names) if (~present[:, j]).any()}
    refused: dict[str, int] = {}
    usable = has_features.copy()
    mos: npt.NDArray[np.float64] | None = None
    if need_mos:
        mos = _mos(table)
        no_mos = ~np.isfinite(mos)
        out_of_range = np.isfinite(mos) & ~np.asarray(
            [ACR_1_5.contains(float(v)) for v in np.nan_to_num(mos, nan=3.0)]
        )
        for reason, mask in (("no-mos", no_mos), ("mos-out-of-range", out_of_range)):
            if mask.any():
                refused[reason] = int(mask.sum())
            usable &= ~mask
        lacking = ~has_features & ~no_mos & ~out_of_range
    else:
        lacking = ~has_features
    if lacking.any():
        refused["missing-feature"] = int(lacking.sum())
    split_values = text_column(table, "split")
    split = None
    if split_values is not None:
        split = tuple(str(v).strip().lower() if v is not None else "" for v in split_values)
    group_values = text_column(table, "content_group")
    groups = None
    if group_values is not None:
        groups = tuple(str(v).strip() if v is not None else "" for v in group_values)
    return Projection(
        names=tuple(names),
        features=matrix,
        usable=usable,
        mos=mos,
        split=split,
        groups=groups,
        refused=refused,
        missing_features=missing,
        sources=sources,
    )
