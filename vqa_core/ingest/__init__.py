"""Ingestion: metadata rows in, a verified, resumable corpus shard out.

The public surface is :func:`ingest` with :class:`IngestConfig`; the modules
below it each do one ingest-specific thing (probe, download, validate, the
per-clip worker, and the engine that hands them to the shared runner,
:mod:`vqa_core.runner`). Importing this package imports none of them: a
command that only prints its help must not pay for the engine (or PyAV).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vqa_core.ingest.engine import IngestConfig, IngestReport, ingest

__all__ = ["IngestConfig", "IngestReport", "ingest"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("vqa_core.ingest.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
