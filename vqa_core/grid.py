"""Encode-grid ingest: a label-less corpus's grid rows, checked and written with a manifest.

The row itself (:data:`~vqa_core.gridrows.GRID_KEYS`, its types and
:func:`~vqa_core.gridrows.grid_row_problems`) is specified in
:mod:`vqa_core.gridrows`. One extra key is core's own:
``content_group`` (``"<corpus>/<key>"``, the source content the row's sequence
shows, as in MOS shards), which a corpus may set only when its declaration
says what a content is; ``vqa merge-grid`` carries it like any other key.

:func:`ingest_grid` runs a label-less corpus's ``vqa_encode_grid_rows`` hook,
validates every row, and writes the rows atomically with a manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson

from vqa_core.errors import PluginError, UsageError
from vqa_core.gridrows import GRID_SCHEMA_VERSION, grid_row_problems
from vqa_core.runner.progress import Phase, ProgressSink
from vqa_core.schema import RowRejection

if TYPE_CHECKING:
    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.registry import Registry
    from vqa_core.sources import GridSettings, SourceSpec

__all__ = ["MANIFEST_SCHEMA", "GridIngestResult", "ingest_grid"]

MANIFEST_SCHEMA: Final = "vqa-grid-manifest-v1"


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
    progress: ProgressSink | None = None,
) -> GridIngestResult:
    """Write the encode-grid rows of label-less ``corpus_id`` to ``output`` (``.jsonl``).

    Rows are validated against :data:`~vqa_core.gridrows.GRID_TYPES`; a row that breaks the schema is
    a plugin bug and raises :class:`~vqa_core.errors.PluginError` (nothing is
    written). Files the plugin could not turn into rows arrive as
    :class:`~vqa_core.schema.RowRejection` and are counted with ``file:line``; a
    second row for the same (src_sha256, encoder, preset, crf) is counted as a
    ``duplicate`` rejection. ``progress`` is told the rows read from the plugin.
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
    with (
        output_lock(output, manifest),
        Phase(progress, None, f"ingest {corpus_id}: encode-grid rows") as phase,
    ):
        rows = phase.counting(registry.encode_grid_rows(corpus_id, source, settings))
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
