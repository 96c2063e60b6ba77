"""The MOS head: training with torch, ONNX export, and prediction with onnxruntime only.

:func:`train_mos_head` (needs the ``train`` extra) and :func:`predict` (needs
the ``predict`` extra). Importing this package is cheap: it imports neither
torch, onnx, onnxruntime, numpy nor pyarrow, and loads the trainer and the
schemas on first use, so the registry can check a plugin's feature schema and
``vqa --help`` can name core's schemas without paying for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# why eager: the submodule of the same name would otherwise replace the function as an
# attribute of this package once anything imported vqa_core.train.predict
from vqa_core.train.predict import PredictReport, predict

if TYPE_CHECKING:
    from vqa_core.train.model import FitSettings
    from vqa_core.train.schemas import CORE_SCHEMAS, FeatureSchema, resolve_schema
    from vqa_core.train.trainer import TrainConfig, TrainReport, train_mos_head

__all__ = [
    "CORE_SCHEMAS",
    "FeatureSchema",
    "resolve_schema",
    "FitSettings",
    "TrainConfig",
    "TrainReport",
    "train_mos_head",
    "PredictReport",
    "predict",
]

_LAZY = {
    "CORE_SCHEMAS": "schemas",
    "FeatureSchema": "schemas",
    "resolve_schema": "schemas",
    "FitSettings": "model",
    "TrainConfig": "trainer",
    "TrainReport": "trainer",
    "train_mos_head": "trainer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"vqa_core.train.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
