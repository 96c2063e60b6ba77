"""vqa corpus plugin for KoNViD-1k and KonViD-150k (University of Konstanz).

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of either corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vqa_core import hookimpl
from vqa_konvid.declarations import DECLARATIONS, KONVID_1K, KONVID_150K

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa

    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.sources import SampleDrop, SourceRows, SourceSpec

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    for declaration in DECLARATIONS:
        register(declaration)


@hookimpl
def vqa_schema_extension(corpus: CorpusDeclaration) -> Sequence[pa.Field] | None:
    import pyarrow as pa

    if corpus.id == KONVID_150K.id:
        return [pa.field("konvid_part", pa.string()), pa.field("konvid_vote_mean", pa.float64())]
    if corpus.id == KONVID_1K.id:
        return [pa.field("konvid_flickr_id", pa.string())]
    return None


@hookimpl
def vqa_source_rows(corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows | None:
    from vqa_konvid import konvid_1k, konvid_150k

    if corpus.id == KONVID_1K.id:
        return konvid_1k.source_rows(source)
    if corpus.id == KONVID_150K.id:
        return konvid_150k.source_rows(source)
    return None


@hookimpl
def vqa_write_sample(corpus: CorpusDeclaration, directory: Path, clips: int, seed: int) -> SampleDrop | None:
    from vqa_konvid import sample

    if corpus.id == KONVID_1K.id:
        return sample.write_konvid_1k(directory, clips, seed)
    if corpus.id == KONVID_150K.id:
        return sample.write_konvid_150k(directory, clips, seed)
    return None
