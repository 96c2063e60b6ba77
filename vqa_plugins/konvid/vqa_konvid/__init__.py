"""vqa corpus plugin for KoNViD-1k and KonViD-150k (University of Konstanz).

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of either corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl
from vqa_konvid.declarations import DECLARATIONS, KONVID_1K

if TYPE_CHECKING:
    import pyarrow as pa

vqa_plugin_api = ">=1,<2"

# The host calls each hook below only with one of the two corpora this plugin declares.


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    for declaration in DECLARATIONS:
        register(declaration)


@hookimpl
def vqa_schema_extension(corpus: CorpusDeclaration) -> Sequence[pa.Field]:
    import pyarrow as pa

    if corpus.id == KONVID_1K.id:
        return [pa.field("konvid_flickr_id", pa.string())]
    return [pa.field("konvid_part", pa.string()), pa.field("konvid_vote_mean", pa.float64())]


@hookimpl
def vqa_source_rows(corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
    from vqa_konvid import konvid_1k, konvid_150k

    if corpus.id == KONVID_1K.id:
        return konvid_1k.source_rows(source)
    return konvid_150k.source_rows(source)


@hookimpl
def vqa_write_sample(corpus: CorpusDeclaration, directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_konvid import sample

    if corpus.id == KONVID_1K.id:
        return sample.write_konvid_1k(directory, clips, seed)
    return sample.write_konvid_150k(directory, clips, seed)
