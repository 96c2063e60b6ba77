"""The optional dependency groups (extras) of vqa-core, and the one line that asks for a missing one.

Core alone lists, fetches, ingests, verifies, aggregates, exports and reports as
text. Everything else is an extra, imported only by the command that needs it:

``predict``
    onnxruntime: ``vqa predict``.
``train``
    torch (CPU build), onnx, onnxruntime and scipy: ``vqa train``, ``vqa evaluate``
    and :mod:`vqa_core.data`.
``plots``
    matplotlib: the histograms of ``vqa report -o`` and the scatter plots of
    ``vqa evaluate --out``.
``hf`` and ``dask``
    ``vqa export --format hf`` and ``--executor dask``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

from vqa_core.errors import MissingExtraError

__all__ = ["EXTRAS", "install_command", "require"]

#: Every extra of vqa-core's ``pyproject.toml``, except the developers' ``test``.
EXTRAS: Final = ("predict", "train", "plots", "hf", "dask")


def install_command(extra: str) -> str:
    """The exact command that installs ``extra`` (quoted for every common shell)."""
    return f"pip install 'vqa-core[{extra}]'"


def require(module: str, command: str, extra: str) -> ModuleType:
    """Import ``module`` or say, in one line, that ``command`` needs ``extra`` and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{command} needs {module}, which is part of the {extra} extra: {install_command(extra)}",
            extra=extra,
        ) from None
