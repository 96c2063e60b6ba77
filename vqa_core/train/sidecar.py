"""``mos_head.manifest.json``: the sidecar ``vqa train mos-head`` writes beside the ONNX model
and ``vqa predict`` reads back.

Predict relies on ``model.sha256`` (the model file must be unchanged), ``feature_schema``,
``feature_order`` and ``display_profile``; those and the other structured sections are typed
here. ``training``, ``rows``, ``metrics`` and ``gate`` report the run for people and stay
open mappings (their keys follow the grouping and metric code that fills them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import attrs

from vqa_core.documents import load_json, structure_document
from vqa_core.errors import UsageError
from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.provenance import Manifest

__all__ = [
    "SIDECAR_SCHEMA",
    "TensorSpec",
    "ModelFile",
    "Normalisation",
    "Parity",
    "DisplayProfile",
    "ModelSidecar",
    "read_sidecar",
]

SIDECAR_SCHEMA: Final = "vqa-mos-head-v1"


@attrs.frozen(kw_only=True)
class TensorSpec:
    """An ONNX input or output: name, element type and shape (``"N"`` for the batch axis)."""

    name: str
    dtype: str
    shape: list[str | int]


@attrs.frozen(kw_only=True)
class ModelFile:
    """The exported model file and what it computes."""

    onnx: str
    sha256: str
    size_bytes: int
    opset: int
    input: TensorSpec
    output: TensorSpec
    mos_range: list[float]
    architecture: str
    n_parameters: int
    operators: list[str]


@attrs.frozen(kw_only=True)
class Normalisation:
    """The standardisation baked into the model, and the rows it was computed on."""

    mean: list[float]
    std: list[float]
    computed_on: str
    inside_model: bool


@attrs.frozen(kw_only=True)
class Parity:
    """How far onnxruntime's predictions were from torch's on the parity rows."""

    rows: int
    max_abs_diff: float
    tolerance: float
    engine: str


@attrs.frozen(kw_only=True)
class DisplayProfile:
    """The display the model was trained for; its values fill the display features at predict time."""

    schema: str
    source_path: str
    sha256: str
    feature_values: dict[str, float]


@attrs.frozen(kw_only=True)
class ModelSidecar(Manifest):
    """The sidecar of a written MOS head."""

    model: ModelFile
    feature_schema: str
    feature_order: list[str]
    #: Per feature, how many rows took it from each source column.
    feature_sources: dict[str, dict[str, int]]
    normalisation: Normalisation
    training: dict[str, Any]
    rows: dict[str, Any]
    metrics: dict[str, Any]
    gate: dict[str, Any]
    parity: Parity
    display_profile: DisplayProfile | None
    notes: list[str]


def read_sidecar(model: Path) -> ModelSidecar:
    """The sidecar of ``model``, once the model is known to be the file it describes.

    A :class:`~vqa_core.errors.UsageError` (one line) when the model or its sidecar is missing,
    the sidecar is not JSON, not a MOS-head sidecar, does not match :class:`ModelSidecar`, or
    the model's sha256 differs from the one recorded.
    """
    path = manifest_path_for(model)
    if not model.is_file():
        raise UsageError(f"model {model} does not exist")
    if not path.exists():
        raise UsageError(
            f"model {model} has no sidecar {path.name}; it was not written by vqa train mos-head"
        )
    doc = load_json(path, what="sidecar")
    if not isinstance(doc, dict) or doc.get("schema") != SIDECAR_SCHEMA:
        raise UsageError(f"{path} is not the sidecar of a vqa MOS head")
    sidecar = structure_document(doc, ModelSidecar, path=path, what="sidecar")
    actual = sha256_file(model)
    if sidecar.model.sha256 != actual:
        raise UsageError(
            f"{model} has sha256 {actual[:12]}…, its sidecar recorded {sidecar.model.sha256[:12]}…; "
            "refusing a changed model"
        )
    return sidecar
