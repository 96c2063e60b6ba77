"""vqa corpus plugin for LSVQ, the LIVE large-scale social video quality database.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vqa_core import hookimpl
from vqa_lsvq.declarations import LSVQ

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa

    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.sources import SampleDrop, SourceRows, SourceSpec

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(LSVQ)


@hookimpl
def vqa_schema_extension(corpus: CorpusDeclaration) -> Sequence[pa.Field] | None:
    import pyarrow as pa

    if corpus.id != LSVQ.id:
        return None
    return [
        pa.field("lsvq_split", pa.string()),
        pa.field("lsvq_is_valid", pa.bool_()),
        pa.field("lsvq_mos_p1", pa.float64()),
        pa.field("lsvq_mos_p2", pa.float64()),
        pa.field("lsvq_mos_p3", pa.float64()),
    ]


@hookimpl
def vqa_source_rows(corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows | None:
    from vqa_lsvq import labels

    return labels.source_rows(source) if corpus.id == LSVQ.id else None


@hookimpl
def vqa_write_sample(corpus: CorpusDeclaration, directory: Path, clips: int, seed: int) -> SampleDrop | None:
    from vqa_lsvq import sample

    return sample.write_lsvq(directory, clips, seed) if corpus.id == LSVQ.id else None
