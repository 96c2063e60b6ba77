"""Ingestion: metadata rows in, a verified, resumable corpus shard out.

The public surface is :func:`ingest` with :class:`IngestConfig`; the modules
below it each do one thing (probe, download, state, worker, executor,
validate). Importing this package does not import PyAV.
"""

from __future__ import annotations

from vqa_core.ingest.engine import IngestConfig, IngestReport, ingest

__all__ = ["IngestConfig", "IngestReport", "ingest"]
