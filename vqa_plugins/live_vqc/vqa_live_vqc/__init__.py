"""vqa corpus plugin for LIVE-VQC, the LIVE video quality challenge database.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl
from vqa_live_vqc.declarations import LIVE_VQC

if TYPE_CHECKING:
    import pyarrow as pa

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(LIVE_VQC)


@hookimpl
def vqa_schema_extension() -> Sequence[pa.Field] | None:
    """No extension: LIVE-VQC publishes a clip name and a MOS, and both land in base columns."""
    return None


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_live_vqc import source as live_source

    return live_source.source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int, bad_rows: int) -> SampleDrop:
    from vqa_live_vqc import sample

    return sample.write_live_vqc(directory, clips, seed, bad_rows)
