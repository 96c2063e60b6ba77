"""ONNX export of the MOS head and the onnxruntime parity check.

The graph is exported with torch's TorchScript-based exporter (``dynamo=False``)
at opset 17: the dynamo exporter needs onnxscript and builds opset 18 before
converting down (docs/decisions/0033-onnx-exporter.md). The legacy path's two
deprecation warnings are silenced here, by message, and nowhere else. Weights
are stored inside the single ``.onnx`` file, so its sha256 covers them.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["OPSET", "INPUT_NAME", "OUTPUT_NAME", "PARITY_TOLERANCE", "export_onnx", "check_onnx", "run_onnx"]

OPSET: Final = 17
INPUT_NAME: Final = "features"
OUTPUT_NAME: Final = "mos"
#: Largest |torch − onnxruntime| accepted on the parity rows.
PARITY_TOLERANCE: Final = 1e-4
_LEGACY_WARNINGS: Final = (
    r"You are using the legacy TorchScript-based ONNX export",
    r"The feature will be removed\. Please remove usage of this function",
)


def export_onnx(model: Any, n_features: int) -> bytes:
    """The model as ONNX bytes: input ``features`` float32 [N, F], output ``mos`` float32 [N, 1]."""
    import torch

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        for message in _LEGACY_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=DeprecationWarning)
        torch.onnx.export(
            model,
            (torch.zeros(1, n_features, dtype=torch.float32),),
            buffer,  # type: ignore[arg-type]  # the legacy exporter writes to any binary file object
            opset_version=OPSET,
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
            do_constant_folding=True,
        )
    return buffer.getvalue()


def check_onnx(data: bytes, n_features: int) -> list[str]:
    """Run onnx.checker and confirm the interface; returns the graph's operator types."""
    import onnx

    model = onnx.load_from_string(data)
    onnx.checker.check_model(model, full_check=True)
    opsets = {o.domain: o.version for o in model.opset_import}
    if opsets.get("", opsets.get("ai.onnx")) != OPSET:
        raise RuntimeError(f"exported model has opset {opsets}, expected {OPSET}")
    if model.graph.initializer and any(
        i.data_location == onnx.TensorProto.EXTERNAL for i in model.graph.initializer
    ):
        raise RuntimeError("exported model keeps weights outside the .onnx file")
    (graph_input,) = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    (graph_output,) = model.graph.output
    dims_in = [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    dims_out = [d.dim_param or d.dim_value for d in graph_output.type.tensor_type.shape.dim]
    if (graph_input.name, dims_in, graph_output.name, dims_out) != (
        INPUT_NAME,
        ["N", n_features],
        OUTPUT_NAME,
        ["N", 1],
    ):
        raise RuntimeError(
            f"exported interface is {graph_input.name}{dims_in} -> {graph_output.name}{dims_out}, "
            f"expected {INPUT_NAME}[N, {n_features}] -> {OUTPUT_NAME}[N, 1]"
        )
    if graph_input.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        raise RuntimeError("exported input is not float32")
    return [node.op_type for node in model.graph.node]


def run_onnx(session: Any, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Predictions of an onnxruntime session for rows ``x``, as float64 [N]."""
    import numpy as np

    if x.shape[0] == 0:
        return np.zeros(0)
    (out,) = session.run([OUTPUT_NAME], {INPUT_NAME: np.ascontiguousarray(x, dtype=np.float32)})
    return np.asarray(out[:, 0], dtype=np.float64)


def session_for(data: bytes | str) -> Any:
    """An onnxruntime CPU session for a model's bytes or path."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])
