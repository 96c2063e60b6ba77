"""Encode-grid rows: the 54-key row of the vmaf-tune corpus schema (version 3).

An encode-grid row describes one (source, encoder, preset, CRF) encode and its
VMAF score; corpora without subjective scores (BVI-DVC) produce such rows
instead of MOS rows. Wire format: JSONL, keys sorted; a metric that was not
measured is ``null``, never ``NaN``. Rows may carry more keys than
:data:`GRID_KEYS` (a plugin's ``<prefix>_*`` extras); every one of the 54 must
be present. This module is the row contract only: plugins build rows to it,
:mod:`vqa_core.grid` ingests them and :mod:`vqa_core.merge` combines grid files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["GRID_SCHEMA_VERSION", "CANONICAL_FEATURES", "GRID_KEYS", "GRID_TYPES", "grid_row_problems"]

GRID_SCHEMA_VERSION: Final = 3

#: The six libvmaf features whose pooled mean and spread every grid row carries.
CANONICAL_FEATURES: Final = ("adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2")

GRID_KEYS: Final[tuple[str, ...]] = (
    "schema_version",
    "run_id",
    "timestamp",
    "src",
    "src_sha256",
    "width",
    "height",
    "pix_fmt",
    "framerate",
    "duration_s",
    "encoder",
    "encoder_version",
    "preset",
    "crf",
    "extra_params",
    "encode_path",
    "encode_size_bytes",
    "bitrate_kbps",
    "encode_time_ms",
    "vmaf_score",
    "vmaf_model",
    "score_time_ms",
    "ffmpeg_version",
    "vmaf_binary_version",
    "exit_status",
    "clip_mode",
    "hdr_transfer",
    "hdr_primaries",
    "hdr_forced",
    "shot_count",
    "shot_avg_duration_sec",
    "shot_duration_std_sec",
    *(f"{f}_mean" for f in CANONICAL_FEATURES),
    *(f"{f}_std" for f in CANONICAL_FEATURES),
    "enc_internal_qp_mean",
    "enc_internal_qp_std",
    "enc_internal_bits_mean",
    "enc_internal_bits_std",
    "enc_internal_mv_mean",
    "enc_internal_mv_std",
    "enc_internal_itex_mean",
    "enc_internal_ptex_mean",
    "enc_internal_intra_ratio",
    "enc_internal_skip_ratio",
)

_STR: Final = "string"
_INT: Final = "integer"
_NUM: Final = "number"
_BOOL: Final = "boolean"
_ID: Final = "string or integer"

#: Expected JSON type of each key and whether ``null`` is allowed (a quantity that was
#: not measured). Used for rows a plugin produces; ``merge-grid`` checks keys only.
GRID_TYPES: Final[dict[str, tuple[str, bool]]] = {
    "schema_version": (_INT, False),
    "run_id": (_STR, False),
    "timestamp": (_STR, False),
    "src": (_STR, False),
    "src_sha256": (_STR, False),
    "width": (_INT, False),
    "height": (_INT, False),
    "pix_fmt": (_STR, False),
    "framerate": (_NUM, False),
    "duration_s": (_NUM, True),
    "encoder": (_STR, False),
    "encoder_version": (_STR, False),
    "preset": (_ID, False),
    "crf": (_NUM, False),
    "extra_params": (_STR, False),
    "encode_path": (_STR, False),
    "encode_size_bytes": (_INT, True),
    "bitrate_kbps": (_NUM, True),
    "encode_time_ms": (_NUM, True),
    "vmaf_score": (_NUM, True),
    "vmaf_model": (_STR, False),
    "score_time_ms": (_NUM, True),
    "ffmpeg_version": (_STR, False),
    "vmaf_binary_version": (_STR, False),
    "exit_status": (_INT, False),
    "clip_mode": (_STR, False),
    "hdr_transfer": (_STR, False),
    "hdr_primaries": (_STR, False),
    "hdr_forced": (_BOOL, False),
    "shot_count": (_INT, True),
    "shot_avg_duration_sec": (_NUM, True),
    "shot_duration_std_sec": (_NUM, True),
    **{key: (_NUM, True) for key in GRID_KEYS[32:]},
}


def _type_ok(value: object, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == _BOOL
    if kind == _STR:
        return isinstance(value, str)
    if kind == _INT:
        return isinstance(value, int)
    if kind == _NUM:
        return isinstance(value, int | float) and math.isfinite(value)
    if kind == _ID:
        return isinstance(value, str | int)
    return False


def grid_row_problems(row: Mapping[str, Any]) -> list[str]:
    """Every way ``row`` breaks the grid schema, each as ``"reason @ key"`` (empty when valid)."""
    problems = [f"missing @ {key}" for key in GRID_KEYS if key not in row]
    for key, (kind, nullable) in GRID_TYPES.items():
        if key not in row:
            continue
        value = row[key]
        if value is None:
            if not nullable:
                problems.append(f"null where type {kind} is required @ {key}")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"non-finite number (write null for a missing metric) @ {key}")
        elif not _type_ok(value, kind):
            problems.append(f"expected type {kind}, got {value!r} @ {key}")
    if row.get("schema_version") not in (None, GRID_SCHEMA_VERSION) and "schema_version" in row:
        problems.append(
            f"schema_version {row['schema_version']!r} is not {GRID_SCHEMA_VERSION} @ schema_version"
        )
    return problems
