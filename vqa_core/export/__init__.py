"""``vqa export``: the unified (or a labelled) table in the files other tools train with.

Formats: ``dover`` (DOVER / FAST-VQA label files), ``pyiqa`` (meta-info CSV),
``hf`` (a Hugging Face ``datasets`` dataset with a card), ``csv`` (every column).
One module per format; :mod:`vqa_core.export.common` holds the rest. See
docs/interop.md for the layouts and docs/decisions/0056-exports.md for the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from vqa_core.export.common import (
    FORMATS,
    MANIFEST_NAME,
    MANIFEST_SCHEMA,
    CorpusInfo,
    ExportConfig,
    ExportPlan,
    WriterOutput,
    WrittenFile,
    parse_roots,
    redistribution,
)
from vqa_core.runner.progress import Phase, ProgressSink

if TYPE_CHECKING:
    from vqa_core.registry import Registry

__all__ = [
    "FORMATS",
    "MANIFEST_NAME",
    "ExportConfig",
    "ExportResult",
    "CorpusInfo",
    "WrittenFile",
    "export_table",
    "parse_roots",
    "redistribution",
]


@attrs.frozen
class ExportResult:
    config: ExportConfig
    kind: str
    files: tuple[WrittenFile, ...]
    rows_in: int
    rows_written: int
    skipped: Mapping[str, int]
    corpora: tuple[CorpusInfo, ...]
    warnings: tuple[str, ...]
    manifest: Path

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        extra = f", {skipped} skipped" if skipped else ""
        return (
            f"export {self.config.format}: {self.rows_written} of {self.rows_in} rows{extra} in "
            f"{len(self.files)} {'file' if len(self.files) == 1 else 'files'} -> {self.config.out}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "format": self.config.format,
            "table": str(self.config.table),
            "kind": self.kind,
            "out": str(self.config.out),
            "by": self.config.by,
            "paths": self.config.paths,
            "mos": self.config.mos,
            "rows_in": self.rows_in,
            "rows_written": self.rows_written,
            "skipped": dict(self.skipped),
            "files": [attrs.asdict(f) for f in self.files],
            "corpora": [c.as_dict() for c in self.corpora],
            "warnings": list(self.warnings),
            "manifest": str(self.manifest),
        }


def _writer(name: str) -> Any:
    if name == "dover":
        from vqa_core.export import dover as module
    elif name == "pyiqa":
        from vqa_core.export import pyiqa as module  # type: ignore[no-redef]
    elif name == "hf":
        from vqa_core.export import hf as module  # type: ignore[no-redef]
    else:
        from vqa_core.export import plain_csv as module  # type: ignore[no-redef]
    return module.write


def export_table(
    config: ExportConfig, registry: Registry | None = None, *, progress: ProgressSink | None = None
) -> ExportResult:
    """Write ``config.table`` as ``config.format`` into ``config.out`` with its manifest; see the module doc.

    ``progress`` is told the steps done: the table read, the files written, the folder published."""
    from vqa_core.timestamps import run_timestamp

    stamp = run_timestamp(config.timestamp)  # a bad --timestamp is refused before any work
    if config.format == "hf":
        from vqa_core.export.hf import _datasets

        _datasets()  # a missing extra is said before any work
    with Phase(progress, 3, f"export {config.format}", "steps") as steps:
        return _export(config, registry, stamp, steps)


def _export(config: ExportConfig, registry: Registry | None, stamp: str, steps: Phase) -> ExportResult:
    """The export, once the request is known to be sound."""
    import shutil

    from vqa_core.export import common
    from vqa_core.fsutil import output_error
    from vqa_core.provenance import build_manifest, describe_file, write_manifest
    from vqa_core.runner.lock import output_lock

    loaded = common.load_rows(config)
    groups = common.group_rows(loaded.rows, config.by)
    corpora = common.corpus_infos(loaded.rows, registry)
    plan = ExportPlan(config, loaded.kind, loaded.columns, loaded.mos_column, groups, corpora)
    warnings = _plan_warnings(plan, loaded.skipped)
    steps.add()
    with output_lock(config.out):
        common.check_destination(config.out)
        common.remove_stale_staging(config.out)
        try:
            staging = common.staging_folder(config.out)
        except OSError as exc:
            raise output_error(config.out, exc, action="create a folder beside") from None
        try:
            written: WriterOutput = _writer(config.format)(plan, staging)
            warnings += written.warnings
            steps.add()
            outputs = {}
            for rel in common.files_under(staging):
                entry = describe_file(staging / rel)
                entry["path"] = rel.as_posix()
                outputs[rel.as_posix()] = entry
            versions: dict[str, str | None] = dict(registry.versions()) if registry else {}
            versions.update(written.versions)
            manifest = build_manifest(
                MANIFEST_SCHEMA,
                created_at_utc=stamp,
                versions=versions,
                inputs={"table": describe_file(config.table)},
                outputs=outputs,
                export={
                    "format": config.format,
                    "by": config.by,
                    "paths": config.paths,
                    "mos": config.mos,
                    "mos_column": plan.mos_column,
                    "roots": {k: str(v) for k, v in config.roots.items()},
                    "table_kind": plan.kind,
                },
                stats={
                    "rows_in": len(loaded.rows) + sum(loaded.skipped.values()),
                    "rows_written": plan.rows,
                    "skipped": dict(loaded.skipped),
                    "files": [attrs.asdict(f) for f in written.files],
                },
                corpora=[c.as_dict() for c in corpora],
                warnings=list(warnings),
            )
            write_manifest(staging / MANIFEST_NAME, manifest)
            try:
                common.publish(staging, config.out)
            except OSError as exc:
                raise output_error(config.out, exc, action="replace") from None
            steps.add()
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(
        config=config,
        kind=plan.kind,
        files=written.files,
        rows_in=len(loaded.rows) + sum(loaded.skipped.values()),
        rows_written=plan.rows,
        skipped=dict(loaded.skipped),
        corpora=corpora,
        warnings=warnings,
        manifest=config.out / MANIFEST_NAME,
    )


def _plan_warnings(plan: ExportPlan, skipped: Mapping[str, int]) -> tuple[str, ...]:
    from vqa_core.export.common import licence_warning

    warnings = []
    licence = licence_warning(plan.corpora)
    if licence:
        warnings.append(licence)
    if skipped:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
        warnings.append(f"rows not exported: {counts}")
    if plan.config.format in ("dover", "pyiqa") and plan.config.paths == "relative":
        mixed = [g.key for g in plan.groups if len({r.corpus for r in g.rows}) > 1]
        if mixed:
            warnings.append(
                f"{', '.join(mixed)}: relative paths of several corpora in one file, but a "
                f"{plan.config.format} reader joins them to one root; use --by corpus or --paths absolute"
            )
    for corpus, root in sorted(plan.config.roots.items()):
        if not root.is_dir():
            warnings.append(f"--root {corpus}={root}: no such folder here (paths written all the same)")
    return tuple(warnings)
