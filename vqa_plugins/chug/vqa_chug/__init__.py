"""vqa corpus plugin for CHUG, crowdsourced user-generated HDR video quality.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vqa_chug.declarations import CHUG
from vqa_core import hookimpl

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa

    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.sources import SampleDrop, SourceRows, SourceSpec

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(CHUG)


@hookimpl
def vqa_schema_extension(corpus: CorpusDeclaration) -> Sequence[pa.Field] | None:
    import pyarrow as pa

    from vqa_chug.manifest import EXTENSION_COLUMNS

    if corpus.id != CHUG.id:
        return None
    return [pa.field(name, pa.type_for_alias(kind)) for name, kind in EXTENSION_COLUMNS]


@hookimpl
def vqa_source_rows(corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows | None:
    from vqa_chug import manifest

    if corpus.id != CHUG.id:
        return None
    return manifest.source_rows(source)


@hookimpl
def vqa_write_sample(corpus: CorpusDeclaration, directory: Path, clips: int, seed: int) -> SampleDrop | None:
    from vqa_chug import sample

    if corpus.id != CHUG.id:
        return None
    return sample.write_chug(directory, clips, seed)
