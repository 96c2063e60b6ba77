"""vqa corpus plugin for the YouTube UGC dataset (original videos and their MOS).

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl
from vqa_youtube_ugc.declarations import YOUTUBE_UGC

if TYPE_CHECKING:
    import pyarrow as pa

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(YOUTUBE_UGC)


@hookimpl
def vqa_schema_extension() -> Sequence[pa.Field]:
    import pyarrow as pa

    return [
        pa.field("ugc_category", pa.string()),
        pa.field("ugc_resolution", pa.int64()),
        pa.field("ugc_mos_chunk00", pa.float64()),
        pa.field("ugc_mos_chunk05", pa.float64()),
        pa.field("ugc_mos_chunk10", pa.float64()),
    ]


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_youtube_ugc import rows

    return rows.source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int, bad_rows: int) -> SampleDrop:
    from vqa_youtube_ugc import sample

    return sample.write_youtube_ugc(directory, clips, seed, bad_rows)
