"""No-reference clip features (``vqa features extract``).

:func:`extract_features` reads a corpus shard and writes one row of
``vqa-nr-v1`` features per clip (:data:`VQA_NR_V1`), computed in-process from
frames decoded with PyAV. Formulas and references: docs/features.md. Importing
this package does not import PyAV or numpy.
"""

from __future__ import annotations

from vqa_core.features.clip import FEATURE_SET, FEATURES, STATISTICS, VQA_NR_V1
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
