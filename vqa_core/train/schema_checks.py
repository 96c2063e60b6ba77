"""What the registry checks of a plugin's feature schemas and of what its feature hooks return.

Declaration problems (a name core or another plugin already uses, a missing hook)
mark the plugin broken when it loads; a bad return value is a
:class:`~vqa_core.errors.PluginError` naming the plugin, when it is called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from vqa_core.errors import PluginError
from vqa_core.train.schemas import CORE_SCHEMAS, FeatureSchema

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["schema_problems", "checked_derived", "checked_display"]


def schema_problems(
    schemas: Sequence[FeatureSchema], taken: Mapping[str, str], hooks: Sequence[str]
) -> list[str]:
    """Every problem of one plugin's ``schemas``; ``taken`` maps names other plugins declared to them."""
    problems: list[str] = []
    seen: set[str] = set()
    for schema in schemas:
        name = schema.name
        if name in seen:
            problems.append(f"feature schema {name!r} is declared twice by this plugin")
        seen.add(name)
        if name in CORE_SCHEMAS:
            problems.append(f"feature schema {name!r} is one of core's")
        elif name in taken:
            problems.append(f"feature schema {name!r} is already declared by {taken[name]}")
        if (schema.derived or schema.display) and "vqa_derive_features" not in hooks:
            problems.append(
                f"feature schema {name!r} has derived or display features: implement vqa_derive_features"
            )
        if schema.display and "vqa_display_profile" not in hooks:
            problems.append(f"feature schema {name!r} has display features: implement vqa_display_profile")
    return problems


def checked_derived(
    schema: FeatureSchema, distribution: str, result: Mapping[str, Any] | None, rows: int
) -> dict[str, npt.NDArray[np.float64]]:
    """``vqa_derive_features``'s answer as float64 arrays of ``rows`` values (NaN for ``None``)."""
    import numpy as np

    if result is None:
        return {}
    if not isinstance(result, Mapping):
        raise PluginError(
            f"plugin {distribution} returned {type(result).__name__} from vqa_derive_features, not a mapping",
            distribution=distribution,
        )
    allowed = {*schema.derived, *schema.display}
    out: dict[str, npt.NDArray[np.float64]] = {}
    for name, values in result.items():
        if name not in allowed:
            raise PluginError(
                f"plugin {distribution} derived {name!r}, which is not a derived or display feature of "
                f"{schema.name}",
                distribution=distribution,
            )
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is None or array.shape != (rows,):
            raise PluginError(
                f"plugin {distribution} derived {name!r} for {schema.name} as something other than "
                f"{rows:,} numbers, one per row",
                distribution=distribution,
            )
        out[name] = array
    return out


def checked_display(
    schema: FeatureSchema, distribution: str, result: Mapping[str, Any] | None
) -> dict[str, float]:
    """``vqa_display_profile``'s answer: display features of ``schema`` → finite numbers."""
    if result is None:
        raise PluginError(
            f"plugin {distribution} declares {schema.name} with display features but reads no display profile",
            distribution=distribution,
        )
    out: dict[str, float] = {}
    for name, value in dict(result).items():
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if name not in schema.display or number is None or not math.isfinite(number):
            raise PluginError(
                f"plugin {distribution} read the display profile as {name!r} = {value!r}; expected a finite "
                f"number for one of the display features of {schema.name}",
                distribution=distribution,
            )
        out[name] = float(number)
    return out
