"""Ingestion: metadata rows in, a verified, resumable corpus shard out.

The public surface is :func:`ingest` with :class:`IngestConfig`; the modules
below it each do one thing (probe, download, state, worker, executor,
validate). Importing this package imports none of them: the feature extractor
uses :mod:`vqa_core.ingest.watchdog` and must not pay for the engine (or
PyAV) when a command only prints its help.
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
