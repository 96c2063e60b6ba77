"""vqa corpus plugin for CHUG, crowdsourced user-generated HDR video quality.

This package ships parsers, a synthetic sample writer and the CHUG feature
schemas of the MOS head with their derivations only; it does not ship any clip,
score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vqa_chug.declarations import CHUG
from vqa_core.plugin import (
    CorpusDeclaration,
    FeatureSchema,
    SampleDrop,
    SourceRows,
    SourceSpec,
    hookimpl,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

# 1.2: the feature-schema hooks and vqa_label_key_columns
vqa_plugin_api = ">=1.2,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(CHUG)


@hookimpl
def vqa_schema_extension() -> Sequence[pa.Field]:
    import pyarrow as pa

    from vqa_chug.manifest import EXTENSION_COLUMNS

    return [pa.field(name, pa.type_for_alias(kind)) for name, kind in EXTENSION_COLUMNS]


@hookimpl
def vqa_label_key_columns() -> Sequence[str]:
    return ("chug_video_id",)


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_chug import manifest

    return manifest.source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_chug import sample

    return sample.write_chug(directory, clips, seed)


@hookimpl
def vqa_feature_schemas() -> Sequence[FeatureSchema]:
    from vqa_chug.features import SCHEMAS

    return SCHEMAS


@hookimpl
def vqa_derive_features(schema: FeatureSchema, table: pa.Table) -> Mapping[str, npt.NDArray[np.float64]]:
    from vqa_chug.features import derive

    return derive(schema, table)


@hookimpl
def vqa_display_profile(document: Mapping[str, Any]) -> Mapping[str, float]:
    from vqa_chug.display import profile_values

    return profile_values(document)
