"""``vqa verify``: are the clips on disk still the ones a shard describes?

Every shard row names a clip (``src``, relative to the dataset root) and its
content (``src_sha256``, ``src_size_bytes``). A run re-hashes the file at
``root/src`` and gives each row one status:

* ``ok`` — the same SHA-256 (and, with ``probe``, the same geometry);
* ``moved`` — not at ``src``, but a file with the same SHA-256 lies elsewhere
  under the root (``found_at``);
* ``missing`` — no file at ``src`` and the content nowhere else;
* ``changed`` — a file at ``src`` with other bytes and the content nowhere else,
  or (``probe``) the same bytes now probed with another width, height, frame
  rate or pixel format;
* ``unreadable`` — something is at ``src`` but cannot be read (permission, I/O
  error, not a regular file, no progress for the stall time);
* ``invalid`` — the shard row names no usable clip (``file:line`` in the detail).

Two phases, both resumable from a SQLite state beside the report (the
runner's store, :class:`~vqa_core.runner.state.StateStore`, opened under the
report's lock). Phase 1 streams the shard and checks each clip at its ``src``
on the watched thread pool, recording outcomes in shard order. Only if some
clips are not at their ``src``, phase 2 walks the root once, records every
regular file's path and size in the state, hashes only the files whose size
equals an unresolved clip's ``src_size_bytes``, and resolves each unresolved
clip by a lookup on the hash. Memory stays flat in the row count and in the
number of files under the root: rows, files and hashes live in SQLite.

The report is rendered from the state in shard order when every row is
decided, so a run killed at any instant and rerun writes the same bytes as an
uninterrupted one. A run that completed is not reused: the next run checks again
(bit rot changes no size or mtime).

Modules: :mod:`~vqa_core.verify.check` (one clip), :mod:`~vqa_core.verify.rows`
(phase 1), :mod:`~vqa_core.verify.search` (phase 2), :mod:`~vqa_core.verify.session`
(the state), :mod:`~vqa_core.verify.report` and :mod:`~vqa_core.verify.manifest`
(what a run writes), :mod:`~vqa_core.verify.run` (the run), with
:mod:`~vqa_core.verify.config` and :mod:`~vqa_core.verify.statuses`.
"""

from __future__ import annotations

from vqa_core.verify.check import (
    PROBE_TIMEOUT_S,
    CheckResult,
    ClipCheck,
    Expected,
    check_clip,
    geometry_differences,
)
from vqa_core.verify.config import VerifyConfig, default_report_path
from vqa_core.verify.manifest import MANIFEST_SCHEMA
from vqa_core.verify.report import LOG_PER_STATUS, VerifyReport, write_json_document
from vqa_core.verify.run import verify
from vqa_core.verify.statuses import CHANGED, INVALID, MISSING, MOVED, OK, STATUSES, UNREADABLE

__all__ = [
    "STATUSES",
    "OK",
    "MOVED",
    "MISSING",
    "CHANGED",
    "UNREADABLE",
    "INVALID",
    "VerifyConfig",
    "VerifyReport",
    "verify",
    "default_report_path",
    "write_json_document",
    "Expected",
    "ClipCheck",
    "CheckResult",
    "check_clip",
    "geometry_differences",
    "PROBE_TIMEOUT_S",
    "LOG_PER_STATUS",
    "MANIFEST_SCHEMA",
]
