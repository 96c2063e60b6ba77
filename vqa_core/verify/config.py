"""What a run is asked to do (:class:`VerifyConfig`), and what is refused before anything is touched."""

from __future__ import annotations

import math
from pathlib import Path

import attrs

from vqa_core.errors import DatasetNotFoundError, OutputError, ShardError, UsageError
from vqa_core.fsutil import is_inside
from vqa_core.tables.shards import probe_columns
from vqa_core.verify.check import PROBE_TIMEOUT_S


def default_report_path(shard: Path) -> Path:
    """``shards/k1.jsonl`` (or ``.parquet``) → ``shards/k1.verify.jsonl``, beside the shard."""
    return shard.with_name(f"{shard.stem}.verify.jsonl")


def _positive_workers(_: object, __: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and value < 1:
        raise UsageError(f"--workers must be at least 1, got {value}")


def _positive_seconds(_: object, __: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"the probe timeout must be a positive number of seconds, got {value}")


@attrs.frozen
class VerifyConfig:
    shard: Path
    root: Path
    #: Default: :func:`default_report_path` of the shard.
    report: Path | None = None
    workers: int | None = attrs.field(default=None, validator=_positive_workers)
    probe: bool = False
    restart: bool = False
    probe_timeout_s: float = attrs.field(default=PROBE_TIMEOUT_S, validator=_positive_seconds)
    #: Items in flight at once; default 4 × workers.
    window: int | None = None

    @property
    def report_path(self) -> Path:
        return self.report if self.report is not None else default_report_path(self.shard)


def _check_inputs(config: VerifyConfig) -> Path:
    """Everything that can be refused before the state is touched; returns the report path."""
    shard, root = config.shard, config.root
    if shard.suffix.lower() not in (".jsonl", ".parquet"):
        raise ShardError(f"shard {shard} must be a .jsonl or .parquet corpus shard", path=str(shard))
    if not shard.is_file():
        what = "is not a file" if shard.exists() else "does not exist"
        raise ShardError(f"shard {shard} {what}", path=str(shard))
    columns = probe_columns(shard)
    lacking = [c for c in ("src", "src_sha256", "src_size_bytes") if c not in columns]
    if columns and lacking:
        raise ShardError(
            f"{shard} is not a corpus shard: its rows lack {', '.join(lacking)} (write one with vqa ingest)",
            path=str(shard),
        )
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise DatasetNotFoundError(f"dataset root {root} {what}", path=str(root))
    report = config.report_path
    if report.suffix.lower() != ".jsonl":
        raise OutputError(f"report {report} must end in .jsonl")
    if report.exists() and report.resolve() == shard.resolve():
        raise UsageError(f"the report {report} would overwrite the shard; choose another -o")
    if config.report is None and is_inside(report.parent, root):
        raise UsageError(
            f"the default report {report} lies inside the dataset root {root}; "
            "pass -o to put the report somewhere else"
        )
    return report
