"""Feature schemas of the MOS head: which columns, in which order, the model reads.

A schema is a :class:`FeatureSchema`: a name recorded in every model sidecar and
feature table made for it, and its ordered features. Core defines the schemas
that need no knowledge of any corpus (:data:`CORE_SCHEMAS`); a plugin adds its
own through ``vqa_feature_schemas`` and derives the features its schema reads
from a corpus's published columns (``vqa_derive_features``) or from a display
profile (``vqa_display_profile``). :func:`resolve_schema` says which schema a
name means and who answers for it. A feature's value is its own column, else the
column ``<name>_mean``, else what the schema's plugin derives (see
:mod:`vqa_core.train.project`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.features.clip import VQA_NR_V1
from vqa_core.featureschema import FeatureSchema

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from vqa_core.registry import Plugins, Registry

__all__ = [
    "FeatureSchema",
    "CANONICAL_6",
    "SALIENCY_SHOT_5",
    "CORE_SCHEMAS",
    "ResolvedSchema",
    "resolve_schema",
    "feature_names",
]

#: The libvmaf elementary features every schema below starts with.
CANONICAL_6: Final = ("adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2")
#: Saliency and shot statistics: computed from the pixels, never from a corpus's metadata.
SALIENCY_SHOT_5: Final = (
    "saliency_mean",
    "saliency_var",
    "shot_count_norm",
    "shot_mean_len_norm",
    "shot_cut_density",
)

#: Schemas that read only features computed from the clips themselves. ``konvid-v1`` keeps
#: the name the reference shard family recorded (sidecars and feature tables carry it);
#: nothing in it depends on that corpus. ``vqa-nr-v1`` is what ``vqa features extract`` writes.
CORE_SCHEMAS: Final[dict[str, FeatureSchema]] = {
    schema.name: schema
    for schema in (
        FeatureSchema("konvid-v1", (*CANONICAL_6, *SALIENCY_SHOT_5)),
        FeatureSchema("vqa-nr-v1", VQA_NR_V1),
    )
}


@attrs.frozen
class ResolvedSchema:
    """A schema and who answers for it: core (``registry`` is ``None``) or the plugin that declared it."""

    schema: FeatureSchema
    #: The distribution that declared the schema; ``None`` for core's.
    provider: str | None = None
    #: The declaring distribution's version, recorded in model sidecars beside core's.
    provider_version: str | None = None
    registry: Registry | None = attrs.field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.schema.name

    @property
    def features(self) -> tuple[str, ...]:
        return self.schema.features

    def derive(
        self, table: pa.Table, display_profile: Mapping[str, float] | None = None
    ) -> dict[str, tuple[str, npt.NDArray[np.float64]]]:
        """Per derived or display feature the table (or the profile) defines: its route and values.

        The route is ``derived`` or ``display`` (as the sidecar's ``feature_sources`` counts
        them). A display feature takes the row's own value, else the profile's.
        """
        import numpy as np

        schema = self.schema
        if self.registry is None or not (schema.derived or schema.display):
            return {}
        values = self.registry.derive_features(schema.name, table)
        out: dict[str, tuple[str, npt.NDArray[np.float64]]] = {}
        for name in schema.derived:
            if name in values:
                out[name] = ("derived", values[name])
        profile = display_profile or {}
        for name in schema.display:
            rows = values.get(name)
            fallback = profile.get(name)
            if rows is None and fallback is None:
                continue
            if rows is None:
                rows = np.full(table.num_rows, np.nan)
            if fallback is not None:
                rows = np.where(np.isfinite(rows), rows, float(fallback))
            out[name] = ("display", rows)
        return out

    def display_values(self, document: Mapping[str, Any]) -> dict[str, float]:
        """The display features a display-profile document defines (empty for a schema without any)."""
        if self.registry is None or not self.schema.display:
            return {}
        return self.registry.display_profile(self.schema.name, document)


def resolve_schema(name: str, plugins: Plugins = None) -> ResolvedSchema:
    """The schema ``name`` means: one of core's, else one an installed plugin declared.

    An unknown name is a :class:`~vqa_core.errors.UsageError` that lists the known
    schemas, or names the distribution that provides it when that is known.
    """
    if name in CORE_SCHEMAS:
        return ResolvedSchema(CORE_SCHEMAS[name])
    from vqa_core.registry import load_plugins

    registry = load_plugins(plugins)
    found = registry.feature_schema(name)
    return ResolvedSchema(found.schema, found.plugin.name, found.plugin.version, registry)


def feature_names(schema: str, plugins: Plugins = None) -> tuple[str, ...]:
    """The ordered features of the schema named ``schema`` (see :func:`resolve_schema`)."""
    return resolve_schema(schema, plugins).features
