"""Encode-grid rows: the 54-key row of the vmaf-tune corpus schema (version 3).

An encode-grid row describes one (source, encoder, preset, CRF) encode and its
VMAF score; corpora without subjective scores (BVI-DVC) produce such rows
instead of MOS rows, and ``vqa merge-grid`` combines grid files. Wire format:
JSONL, keys sorted; a metric that was not measured is ``null``, never ``NaN``.
Rows may carry more keys than :data:`GRID_KEYS` (a plugin's ``<prefix>_*``
extras); every one of the 54 must be present. One extra key is core's own:
``content_group`` (``"<corpus>/<key>"``, the source content the row's sequence
shows, as in MOS shards), which a corpus may set only when its declaration
says what a content is; ``vqa merge-grid`` carries it like any other key.

:func:`ingest_grid` runs a label-less corpus's ``vqa_encode_grid_rows`` hook,
validates every row, and writes the rows atomically with a manifest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson

from vqa_core.errors import PluginError, UsageError
from vqa_core.schema import RowRejection

if TYPE_CHECKING:
    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.registry import Registry
    from vqa_core.sources import GridSettings, SourceSpec

__all__ = [
    "GRID_SCHEMA_VERSION",
    "CANONICAL_FEATURES",
    "GRID_KEYS",
    "GRID_TYPES",
    "MANIFEST_SCHEMA",
    "grid_row_problems",
    "GridIngestResult",
    "ingest_grid",
]

GRID_SCHEMA_VERSION: Final = 3
MANIFEST_SCHEMA: Final = "vqa-grid-manifest-v1"

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


def _group_problems(row: Mapping[str, Any], declaration: CorpusDeclaration) -> list[str]:
    """How a row's ``content_group`` breaks the rules of the shard column of the same name."""
    if "content_group" not in row:
        return []
    value = row["content_group"]
    prefix = f"{declaration.id}/"
    if not declaration.content_groups:
        return [f"set although {declaration.id}'s declaration has no content_groups text @ content_group"]
    if not isinstance(value, str) or not value.startswith(prefix) or not value[len(prefix) :].strip():
        return [f"expected a string {prefix}<key>, got {value!r} @ content_group"]
    return []


@attrs.frozen
class GridIngestResult:
    """What one grid ingestion wrote and rejected."""

    output: Path
    manifest: Path
    rows_written: int
    rejections: tuple[RowRejection, ...]
    duplicates: int = 0

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rejection in self.rejections:
            counts[rejection.reason] = counts.get(rejection.reason, 0) + 1
        return dict(sorted(counts.items()))


def ingest_grid(
    registry: Registry,
    corpus_id: str,
    source: SourceSpec,
    settings: GridSettings,
    output: Path,
    *,
    manifest_out: Path | None = None,
) -> GridIngestResult:
    """Write the encode-grid rows of label-less ``corpus_id`` to ``output`` (``.jsonl``).

    Rows are validated against :data:`GRID_TYPES`; a row that breaks the schema is
    a plugin bug and raises :class:`~vqa_core.errors.PluginError` (nothing is
    written). Files the plugin could not turn into rows arrive as
    :class:`~vqa_core.schema.RowRejection` and are counted with ``file:line``; a
    second row for the same (src_sha256, encoder, preset, crf) is counted as a
    ``duplicate`` rejection.
    """
    from vqa_core.errors import OutputError
    from vqa_core.fsutil import atomic_writer, manifest_path_for
    from vqa_core.provenance import build_manifest, describe_file, write_manifest
    from vqa_core.runner.lock import output_lock
    from vqa_core.timestamps import run_timestamp

    if output.suffix.lower() != ".jsonl":
        raise OutputError(
            f"{output}: encode-grid rows are written as .jsonl, not {output.suffix or 'no suffix'}"
        )
    corpus = registry.corpus(corpus_id)
    if corpus.declaration.has_labels:
        raise UsageError(
            f"{corpus_id} has subjective scores ({corpus.declaration.scale.name}); ingest its clips "
            "instead of encode-grid rows"
        )
    if not settings.timestamp:
        settings = attrs.evolve(settings, timestamp=run_timestamp())
    manifest = manifest_out or manifest_path_for(output)
    # one writer per output, as for every command (docs/decisions/0046-one-writer-per-output.md)
    with output_lock(output, manifest):
        rows = registry.encode_grid_rows(corpus_id, source, settings)
        lines: list[bytes] = []
        rejections: list[RowRejection] = []
        seen: dict[tuple[str, str, str, str], str] = {}
        duplicates = 0
        for index, item in enumerate(rows, start=1):
            if isinstance(item, RowRejection):
                rejections.append(item)
                continue
            if not isinstance(item, Mapping):
                raise PluginError(
                    f"plugin {corpus.plugin.name} yielded {type(item).__name__} as grid row {index}",
                    distribution=corpus.plugin.name,
                )
            problems = grid_row_problems(item) + _group_problems(item, corpus.declaration)
            if problems:
                more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
                raise PluginError(
                    f"plugin {corpus.plugin.name} yielded an invalid grid row {index} "
                    f"(src {item.get('src')!r}): {'; '.join(problems[:3])}{more}",
                    distribution=corpus.plugin.name,
                )
            key = (str(item["src_sha256"]), str(item["encoder"]), str(item["preset"]), str(item["crf"]))
            if key in seen:
                duplicates += 1
                from vqa_core.schema import Origin

                rejections.append(
                    RowRejection(
                        "duplicate",
                        f"same source and settings as {seen[key]}",
                        Origin(str(item["src"]), index),
                        clip=str(item["src"]),
                    )
                )
                continue
            seen[key] = str(item["src"])
            lines.append(orjson.dumps(dict(item), option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE))
        with atomic_writer(output) as fh:
            for line in lines:
                fh.write(line)
        result = GridIngestResult(output, manifest, len(lines), tuple(rejections), duplicates)
        body = build_manifest(
            MANIFEST_SCHEMA,
            created_at_utc=settings.timestamp,
            versions=registry.versions(),
            inputs={
                "root": str(source.root),
                "metadata": [describe_file(path) for path in source.metadata],
            },
            outputs={"grid": {**describe_file(output), "rows": len(lines)}},
            corpus=corpus_id,
            row_schema_version=GRID_SCHEMA_VERSION,
            config=attrs.asdict(settings),
            stats={
                "rows_written": len(lines),
                "rejected": result.rejected_by_reason,
                "rejected_total": len(rejections),
            },
            rejections=[{"at": str(r.origin), "reason": r.reason, "detail": r.detail} for r in rejections],
        )
        write_manifest(manifest, body)
        return result
