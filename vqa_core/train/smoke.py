"""A generated training table for ``--smoke``: every feature of a schema, a MOS that depends on some.

Features are uniform draws in plausible ranges; MOS = 1 + 4·sigmoid(s) + N(0, 0.08),
clipped to [1, 5], where ``s`` mixes the first three standardised features with
one interaction, so a small MLP can learn it and a broken trainer cannot fake it.
The same schema, row count and seed give the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from vqa_core.train.schemas import feature_names

if TYPE_CHECKING:
    import pyarrow as pa

    from vqa_core.registry import Plugins

__all__ = ["smoke_table", "SMOKE_ROWS"]

SMOKE_ROWS: Final = 600
_RANGES: Final = {
    "adm2": (0.4, 1.0),
    "vif_scale0": (0.2, 0.95),
    "vif_scale1": (0.3, 0.95),
    "vif_scale2": (0.4, 0.97),
    "vif_scale3": (0.5, 0.98),
    "motion2": (0.0, 30.0),
}
#: Ranges of the ``vqa-nr-v1`` per-frame features on real clips, so a smoke model of that schema
#: sees inputs of the size ``vqa features extract`` writes.
_NR_RANGES: Final = {
    "si": (10.0, 90.0),
    "ti": (0.0, 40.0),
    "colourfulness": (0.0, 120.0),
    "contrast": (0.02, 0.35),
    "brightness": (20.0, 230.0),
    "sharpness": (10.0, 3000.0),
}


def _range(name: str) -> tuple[float, float]:
    if name in _RANGES:
        return _RANGES[name]
    base, _, stat = name.rpartition("_")
    if base in _NR_RANGES:
        lo, hi = _NR_RANGES[base]
        return (0.0, 0.2 * (hi - lo)) if stat == "std" else (lo, hi)
    return (0.0, 1.0)


def smoke_table(
    schema: str | Sequence[str], *, rows: int = SMOKE_ROWS, seed: int = 0, plugins: Plugins = None
) -> pa.Table:
    """The table for ``schema``, a schema name (looked up in ``plugins`` when not core's) or its features."""
    import numpy as np
    import pyarrow as pa

    names = feature_names(schema, plugins) if isinstance(schema, str) else tuple(schema)
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {"src": [f"smoke/{i:05d}.mp4" for i in range(rows)]}
    values = []
    for name in names:
        lo, hi = _range(name)
        column = rng.uniform(lo, hi, size=rows)
        values.append(column)
        columns[name] = column
    z = [(v - v.mean()) / (v.std() or 1.0) for v in values[:3]]
    while len(z) < 3:
        z.append(np.zeros(rows))
    signal = 1.1 * z[0] - 0.7 * z[1] + 0.4 * z[2] + 0.3 * z[0] * z[1]
    mos = np.clip(1.0 + 4.0 / (1.0 + np.exp(-signal)) + rng.normal(0.0, 0.08, size=rows), 1.0, 5.0)
    columns["mos"] = mos
    columns["corpus"] = ["smoke"] * rows
    return pa.table(columns)
