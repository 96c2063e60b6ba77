"""vqa corpus plugin for CHUG, crowdsourced user-generated HDR video quality.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vqa_chug.declarations import CHUG
from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl

if TYPE_CHECKING:
    import pyarrow as pa

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(CHUG)


@hookimpl
def vqa_schema_extension() -> Sequence[pa.Field]:
    import pyarrow as pa

    from vqa_chug.manifest import EXTENSION_COLUMNS

    return [pa.field(name, pa.type_for_alias(kind)) for name, kind in EXTENSION_COLUMNS]


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_chug import manifest

    return manifest.source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_chug import sample

    return sample.write_chug(directory, clips, seed)
