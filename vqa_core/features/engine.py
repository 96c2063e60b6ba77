"""``vqa features extract``: a corpus shard in, one feature row per clip out, resumably.

Rows stream from the shard (JSONL or Parquet); the shared runner
(:mod:`vqa_core.runner.job`, as for ingest) runs per-clip decoding on the
executor with bounded in-flight work and records outcomes in shard order in
the SQLite resume state beside the output. When every row is decided, the
output is rendered from the state atomically, then the rejections list and the
manifest sidecar. An interrupted run, rerun, reuses every clip already decided
whose file has not changed (size and mtime) and gives the same output as an
uninterrupted run.

Every shard row is either written or counted under one reason: ``bad-row``
(no ``src``), ``unsafe-path``, ``duplicate-row``, ``missing-clip``,
``unreadable-clip`` (there, but permission denied), ``changed-clip`` (its bytes
no longer match the shard's ``src_sha256``), ``undecodable-clip``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson

from vqa_core.errors import DatasetNotFoundError, OutputError, ShardError, StateError, UsageError
from vqa_core.features.clip import (
    FEATURE_SET,
    VQA_NR_V1,
    FeatureResult,
    FeatureTask,
    RawGeometry,
    extract_clip,
)
from vqa_core.features.decoding import DECODE_TIMEOUT_S
from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.provenance import build_manifest, describe_file, write_manifest
from vqa_core.runner import DEFAULT_EXECUTOR
from vqa_core.runner.accounting import Tally
from vqa_core.runner.executor import Ready, Work
from vqa_core.runner.job import JobRun, JobSpec, run_job
from vqa_core.runner.outputs import rejections_path_for
from vqa_core.runner.progress import NoProgress, ProgressSink
from vqa_core.runner.state import REJECTED, WRITTEN, Outcome, StateKind, StateStore, state_path_for
from vqa_core.runner.watchdog import StalledTask
from vqa_core.tables.shards import count_shard_rows, iter_shard_rows
from vqa_core.timestamps import run_timestamp

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FeatureConfig", "FeatureReport", "extract_features", "OUTPUT_SUFFIXES", "feature_arrow_schema"]

log = logging.getLogger("vqa.features")

OUTPUT_SUFFIXES: Final = (".parquet", ".jsonl")
MANIFEST_SCHEMA: Final = "vqa-features-manifest-v1"
ROW_SCHEMA: Final = "vqa-features-row-v1"
#: Columns before the features: what identifies the clip and how much of it was read.
ID_COLUMNS: Final = ("src", "src_sha256", "corpus", "frames_decoded", "frames_used", "sample_fps")
STATE_KIND: Final = StateKind("features", "a feature extraction", 1)
#: Outcomes whose recorded result stands while the clip's size and mtime are unchanged.
_REUSABLE_REASONS: Final = ("undecodable-clip", "changed-clip")


def feature_arrow_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("src", pa.string(), nullable=False),
            pa.field("src_sha256", pa.string(), nullable=False),
            pa.field("corpus", pa.string()),
            pa.field("frames_decoded", pa.int64(), nullable=False),
            pa.field("frames_used", pa.int64(), nullable=False),
            pa.field("sample_fps", pa.float64()),
            *(pa.field(name, pa.float64()) for name in VQA_NR_V1),
        ]
    )


def _positive_or_none(_: object, attribute: attrs.Attribute[float | None], value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise UsageError(f"--{attribute.name.replace('_', '-')} must be a positive number, got {value}")


@attrs.frozen
class FeatureConfig:
    shard: Path
    root: Path
    output: Path
    workers: int | None = None
    sample_fps: float | None = attrs.field(default=None, validator=_positive_or_none)
    executor: str = DEFAULT_EXECUTOR
    scheduler: str | None = None
    timestamp: str | None = None
    restart: bool = False
    manifest_out: Path | None = None
    #: Items in flight at once; default 4 × workers.
    window: int | None = None


@attrs.frozen
class FeatureReport:
    output: Path
    manifest: Path
    rejections: Path
    rows_read: int
    written: int
    skipped: dict[str, int]
    reused: int
    processed: int
    elapsed_s: float

    def summary(self) -> str:
        skipped = ", ".join(f"{n:,} {reason}" for reason, n in sorted(self.skipped.items())) or "none"
        return (
            f"features: {self.rows_read:,} clips read, {self.written:,} written, skipped: {skipped} "
            f"({self.processed:,} decoded, {self.reused:,} from resume state, {self.elapsed_s:.1f} s) "
            f"-> {self.output}"
        )


# ---------------------------------------------------------------------------
# Reading the shard
# ---------------------------------------------------------------------------


def _raw_geometry(row: dict[str, Any], src: str) -> RawGeometry | str | None:
    """Geometry for a raw ``.yuv`` clip from its shard row; a string says what is missing."""
    if PurePosixPath(src).suffix.lower() != ".yuv" and row.get("encoder_upstream") != "rawvideo":
        return None
    try:
        geometry = RawGeometry(
            width=int(row["width"]),
            height=int(row["height"]),
            pix_fmt=str(row["pix_fmt"]),
            framerate=float(row["framerate"]),
        )
    except (KeyError, TypeError, ValueError):
        return "a raw clip's row needs width, height, pix_fmt and framerate"
    if geometry.width <= 0 or geometry.height <= 0 or not geometry.framerate > 0 or not geometry.pix_fmt:
        return "a raw clip's row needs positive width, height and framerate and a pix_fmt"
    return geometry


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


class _Run:
    def __init__(self, config: FeatureConfig, state: StateStore) -> None:
        self.config = config
        self.state = state
        self.base = str(config.root)
        self.rows_read = 0
        self.reused = 0
        self.processed = 0
        self.tally = Tally(log, rejections_path_for(config.output))
        self.seen: dict[str, int] = {}
        self.inflight: dict[int, tuple[str, str | None]] = {}

    def plan(self) -> Iterator[Ready[Outcome | FeatureResult] | Work[FeatureTask]]:
        for where, row, problem in iter_shard_rows(self.config.shard):
            idx = self.rows_read
            self.rows_read += 1
            if row is None:
                yield Ready(self._rejection("@" + where, idx, "bad-row", problem or "unreadable", where))
                continue
            src = row.get("src")
            if not isinstance(src, str) or not src:
                yield Ready(self._rejection("@" + where, idx, "bad-row", "row has no src", where))
                continue
            posix = PurePosixPath(src)
            if posix.is_absolute() or ".." in posix.parts:
                yield Ready(
                    self._rejection("@" + where, idx, "unsafe-path", f"{src} leaves the dataset root", where)
                )
                continue
            first = self.seen.setdefault(src, idx)
            if first != idx:
                yield Ready(
                    self._rejection(
                        "@" + where,
                        idx,
                        "duplicate-row",
                        f"{src} is listed again (first at row {first + 1})",
                        where,
                    )
                )
                continue
            raw = _raw_geometry(row, src)
            if isinstance(raw, str):
                yield Ready(self._rejection(src, idx, "bad-row", f"{src}: {raw}", where))
                continue
            sha = row.get("src_sha256") if isinstance(row.get("src_sha256"), str) else None
            corpus = row.get("corpus") if isinstance(row.get("corpus"), str) else None
            path = self.config.root / src
            prior = self.state.get(src)
            if prior is not None and prior.idx == idx and self._reusable(prior, path):
                yield Ready(prior)
                continue
            self.inflight[idx] = (where, corpus)
            yield Work(
                FeatureTask(
                    idx=idx,
                    key=src,
                    path=str(path),
                    base=self.base,
                    sha256=sha,
                    raw=raw,
                    sample_fps=self.config.sample_fps,
                )
            )

    @staticmethod
    def _rejection(key: str, idx: int, reason: str, detail: str, origin: str) -> Outcome:
        return Outcome(key=key, idx=idx, status=REJECTED, reason=reason, detail=detail, origin=origin)

    @staticmethod
    def _reusable(prior: Outcome, path: Path) -> bool:
        if prior.status != WRITTEN and prior.reason not in _REUSABLE_REASONS:
            return False
        try:
            st = path.stat()
        except OSError:
            return False
        return st.st_size == prior.size and st.st_mtime_ns == prior.mtime_ns

    def record(self, item: Outcome | FeatureResult) -> None:
        if isinstance(item, Outcome):
            if self.state.get(item.key) != item:
                self.state.put(item)
            else:
                self.reused += 1
            self.tally.count(item)
            return
        self.processed += 1
        where, corpus = self.inflight.pop(item.idx)
        if not item.ok:
            outcome = Outcome(
                key=item.key,
                idx=item.idx,
                status=REJECTED,
                reason=item.reason,
                detail=item.detail,
                origin=where,
                size=item.size,
                mtime_ns=item.mtime_ns,
                sha256=item.sha256,
            )
        else:
            row = {
                "src": item.key,
                "src_sha256": item.sha256,
                "corpus": corpus,
                "frames_decoded": item.frames_decoded,
                "frames_used": item.frames_used,
                "sample_fps": self.config.sample_fps,
                **item.values,
            }
            outcome = Outcome(
                key=item.key,
                idx=item.idx,
                status=WRITTEN,
                origin=where,
                size=item.size,
                mtime_ns=item.mtime_ns,
                sha256=item.sha256,
                row=orjson.dumps(row),
            )
        self.state.put(outcome)
        self.tally.count(outcome)


def _fingerprint(config: FeatureConfig, shard_sha: str) -> str:
    return orjson.dumps(
        {"shard_sha256": shard_sha, "feature_set": FEATURE_SET, "sample_fps": config.sample_fps},
        option=orjson.OPT_SORT_KEYS,
    ).decode()


def _check_state(job: JobRun[Any, Any], fingerprint: str) -> None:
    """A new state records the shard and settings; a kept one must be of the same."""
    if job.fresh:
        job.state.set_meta("fingerprint", fingerprint)
    elif job.state.get_meta("fingerprint") != fingerprint:
        raise StateError(
            f"the shard or the extraction settings changed since {job.state.path.name} was written; "
            "rerun with --restart to extract from scratch"
        )


def extract_features(config: FeatureConfig, *, progress: ProgressSink | None = None) -> FeatureReport:
    """Extract ``vqa-nr-v1`` features for every clip of ``config.shard`` (see the module docstring)."""
    started = time.monotonic()
    progress = progress or NoProgress()
    if config.output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise OutputError(f"output {config.output} must end in .parquet or .jsonl")
    if config.shard.suffix.lower() not in (".jsonl", ".parquet"):
        raise ShardError(
            f"shard {config.shard} must be a .jsonl or .parquet corpus shard", path=str(config.shard)
        )
    if not config.shard.is_file():
        raise ShardError(f"shard {config.shard} does not exist", path=str(config.shard))
    if not config.root.is_dir():
        raise DatasetNotFoundError(f"dataset root {config.root} is not a directory", path=str(config.root))
    shard_sha = sha256_file(config.shard)
    timestamp = run_timestamp(config.timestamp)
    spec = JobSpec(
        output=config.output,
        manifest=config.manifest_out or manifest_path_for(config.output),
        kind=STATE_KIND,
        stall_s=2 * DECODE_TIMEOUT_S,
        paths=(config.root,),
        executor=config.executor,
        workers=config.workers,
        scheduler=config.scheduler,
        window=config.window,
        restart=config.restart,
        # one commit per clip: decoding a clip costs far more than a WAL commit
        commit_every=1,
    )
    with run_job(spec) as job:
        _check_state(job, _fingerprint(config, shard_sha))
        run = _Run(config, job.state)
        job.drive(
            extract_clip,
            run,
            progress,
            total=count_shard_rows(config.shard),
            description="features",
            on_error=_stalled,
        )
        written, skipped = job.finish(run.rows_read, feature_arrow_schema())
        report = FeatureReport(
            output=config.output,
            manifest=spec.manifest,
            rejections=job.rejections,
            rows_read=run.rows_read,
            written=written,
            skipped=skipped,
            reused=run.reused,
            processed=run.processed,
            elapsed_s=time.monotonic() - started,
        )
        _write_manifest(config, report, timestamp, job)
    run.tally.close(skipped)
    return report


def _stalled(task: FeatureTask, exc: Exception) -> FeatureResult:
    """A clip the watchdog abandoned (no decoded frame for the stall time) is ``undecodable-clip``;
    anything else a task raised stops the run as before."""
    if isinstance(exc, StalledTask):
        return FeatureResult(
            task.idx,
            task.key,
            reason="undecodable-clip",
            detail=f"{task.key}: {exc} while decoding; abandoned",
        )
    raise exc


def _write_manifest(
    config: FeatureConfig, report: FeatureReport, timestamp: str, job: JobRun[Any, Any]
) -> None:
    from vqa_core import __version__

    manifest = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=timestamp,
        versions={"vqa-core": __version__, "av": _av_version()},
        inputs={"shard": describe_file(config.shard)},
        outputs={
            "features": describe_file(config.output),
            "rejections": describe_file(report.rejections),
            "state": describe_file(state_path_for(config.output), hash_file=False),
        },
        row_schema=ROW_SCHEMA,
        feature_set=FEATURE_SET,
        columns=[*ID_COLUMNS, *VQA_NR_V1],
        stats={
            "rows_read": report.rows_read,
            "written": report.written,
            "skipped": report.skipped,
            "skipped_total": sum(report.skipped.values()),
        },
        run={
            "processed": report.processed,
            "reused_from_state": report.reused,
            "elapsed_s": round(report.elapsed_s, 3),
        },
        config={
            "root": config.root,
            "sample_fps": config.sample_fps,
            "workers": job.workers,
            "executor": config.executor,
            "scheduler": job.scheduler_address,
        },
    )
    write_manifest(report.manifest, manifest)


def _av_version() -> str | None:
    try:
        import av

        return str(av.__version__)
    except ImportError:  # why: the manifest records versions; a missing module is recorded as None
        return None
