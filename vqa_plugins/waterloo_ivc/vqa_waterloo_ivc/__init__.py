"""vqa corpus plugin for the Waterloo IVC 4K video quality database.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl
from vqa_waterloo_ivc.declarations import WATERLOO_IVC_4K

if TYPE_CHECKING:
    import pyarrow as pa

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(WATERLOO_IVC_4K)


@hookimpl
def vqa_schema_extension() -> Sequence[pa.Field]:
    import pyarrow as pa

    return [
        pa.field("waterloo_encoder", pa.string()),
        pa.field("waterloo_video_number", pa.int64()),
        pa.field("waterloo_resolution", pa.string()),
        pa.field("waterloo_distortion_level", pa.int64()),
    ]


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_waterloo_ivc import scores

    return scores.source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_waterloo_ivc import sample

    return sample.write_waterloo_ivc_4k(directory, clips, seed)
