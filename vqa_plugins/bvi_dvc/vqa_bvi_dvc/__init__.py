"""vqa corpus plugin for BVI-DVC.

BVI-DVC has no subjective scores: the plugin turns cached per-sequence libvmaf
JSON logs into encode-grid rows (``vqa ingest bvi-dvc``), and the corpus is
excluded from MOS aggregation.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from vqa_bvi_dvc.declarations import BVI_DVC
from vqa_core.plugin import CorpusDeclaration, GridSettings, RowRejection, SampleDrop, SourceSpec, hookimpl

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(BVI_DVC)


@hookimpl
def vqa_encode_grid_rows(
    source: SourceSpec, settings: GridSettings
) -> Iterable[Mapping[str, Any] | RowRejection]:
    from vqa_bvi_dvc.metrics import grid_rows

    return grid_rows(source, settings)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_bvi_dvc.sample import write_sample

    return write_sample(directory, clips, seed)
