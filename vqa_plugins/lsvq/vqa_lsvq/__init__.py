"""vqa corpus plugin for LSVQ, the LIVE large-scale social video quality database.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl
from vqa_lsvq.declarations import LSVQ

if TYPE_CHECKING:
    import pyarrow as pa

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(LSVQ)


@hookimpl
def vqa_schema_extension() -> Sequence[pa.Field]:
    import pyarrow as pa

    return [
        pa.field("lsvq_split", pa.string()),
        pa.field("lsvq_is_valid", pa.bool_()),
        pa.field("lsvq_mos_p1", pa.float64()),
        pa.field("lsvq_mos_p2", pa.float64()),
        pa.field("lsvq_mos_p3", pa.float64()),
    ]


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_lsvq import labels

    return labels.source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_lsvq import sample

    return sample.write_lsvq(directory, clips, seed)
