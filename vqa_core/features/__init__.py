"""No-reference clip features (``vqa features extract``).

:func:`extract_features` reads a corpus shard and writes one row of
``vqa-nr-v1`` features per clip (:data:`VQA_NR_V1`), computed in-process from
frames decoded with PyAV. Formulas and references: docs/features.md.

Importing this package is cheap: the feature names load at once, the engine
(and with it the shared runner) on first use, PyAV and numpy only when a
clip is decoded. ``vqa --help`` reads the names through the training schemas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vqa_core.features.clip import FEATURE_SET, FEATURES, STATISTICS, VQA_NR_V1

if TYPE_CHECKING:
    from vqa_core.features.engine import FeatureConfig, FeatureReport, extract_features

__all__ = [
    "FEATURE_SET",
    "FEATURES",
    "STATISTICS",
    "VQA_NR_V1",
    "FeatureConfig",
    "FeatureReport",
    "extract_features",
]

_LAZY = {"FeatureConfig", "FeatureReport", "extract_features"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("vqa_core.features.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
