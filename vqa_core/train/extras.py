"""The optional ``train`` extra: torch, onnx and onnxruntime, imported only when needed."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

from vqa_core.errors import MissingExtraError

__all__ = ["INSTALL_HINT", "require"]

INSTALL_HINT: Final = "pip install 'vqa-core[train]'"


def require(module: str, command: str) -> ModuleType:
    """Import ``module`` or explain, in one line, how to install the ``train`` extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{command} needs {module}, which is part of the train extra: {INSTALL_HINT}", extra="train"
        ) from None
