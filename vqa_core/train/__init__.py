"""The MOS head: training with torch, ONNX export, and prediction with onnxruntime only.

:func:`train_mos_head` (needs the ``train`` extra) and :func:`predict` (needs
onnxruntime). Importing this package imports neither torch, onnx, onnxruntime,
numpy nor pyarrow: those load inside the functions that use them.
"""

from __future__ import annotations

from vqa_core.train.model import FitSettings
from vqa_core.train.predict import PredictReport, predict
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
