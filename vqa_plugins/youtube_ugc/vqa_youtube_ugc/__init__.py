"""vqa corpus plugin for the YouTube UGC dataset (original videos and their MOS).

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vqa_core import hookimpl
from vqa_youtube_ugc.declarations import YOUTUBE_UGC

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa

    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.sources import SampleDrop, SourceRows, SourceSpec

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(YOUTUBE_UGC)


@hookimpl
def vqa_schema_extension(corpus: CorpusDeclaration) -> Sequence[pa.Field] | None:
    import pyarrow as pa

    if corpus.id != YOUTUBE_UGC.id:
        return None
    return [
        pa.field("ugc_category", pa.string()),
        pa.field("ugc_resolution", pa.int64()),
        pa.field("ugc_mos_chunk00", pa.float64()),
        pa.field("ugc_mos_chunk05", pa.float64()),
        pa.field("ugc_mos_chunk10", pa.float64()),
    ]


@hookimpl
def vqa_source_rows(corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows | None:
    from vqa_youtube_ugc import rows

    return rows.source_rows(source) if corpus.id == YOUTUBE_UGC.id else None


@hookimpl
def vqa_write_sample(
    corpus: CorpusDeclaration, directory: Path, clips: int, seed: int, bad_rows: int
) -> SampleDrop | None:
    from vqa_youtube_ugc import sample

    return sample.write_youtube_ugc(directory, clips, seed, bad_rows) if corpus.id == YOUTUBE_UGC.id else None
