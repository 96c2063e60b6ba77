"""The ingestion engine: metadata rows in, a verified corpus shard out.

Per source row: validate the label, locate (or download) the clip, hash it,
probe it, check its geometry, deduplicate by content, and record the outcome in
the resume state. Rows stream from the plugin; the shared runner
(:mod:`vqa_core.runner.job`) runs the clip work on a pool with bounded
in-flight work and hands outcomes back in metadata order. When every row is
decided, the shard is rendered from the state in metadata order (JSONL or
Parquet), then the rejections list and the manifest sidecar.

Properties: resume is O(1) per clip; ``kill -9`` at any instant
then a rerun gives the same shard as an uninterrupted run; every row read is
either written or counted under one reason.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import math
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from vqa_core import env
from vqa_core.declarations import HOST_PATTERN, CorpusDeclaration
from vqa_core.errors import (
    DatasetNotFoundError,
    ExecutorError,
    MetadataError,
    OutputError,
    PluginError,
    StateError,
    UsageError,
)
from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.ingest.download import (
    DOWNLOAD_FAILED,
    DOWNLOAD_STALLED,
    DOWNLOADING,
    DownloadPolicy,
    url_host,
    url_problem,
)
from vqa_core.ingest.validate import geometry_problem, label_problem
from vqa_core.ingest.worker import ClipResult, ClipTask, WorkerSettings, process_clip
from vqa_core.locations import clip_path_problem
from vqa_core.provenance import build_manifest, describe_file, write_manifest
from vqa_core.registry import RegisteredCorpus, Registry
from vqa_core.runner import DEFAULT_EXECUTOR
from vqa_core.runner.accounting import Tally
from vqa_core.runner.executor import Ready, Work, hashing_workers
from vqa_core.runner.job import JobRun, JobSpec, run_job
from vqa_core.runner.outputs import rejections_path_for
from vqa_core.runner.progress import NoProgress, ProgressSink
from vqa_core.runner.state import (
    DUPLICATE,
    REJECTED,
    WRITTEN,
    Outcome,
    StateKind,
    StateStore,
    state_path_for,
)
from vqa_core.runner.watchdog import StalledTask
from vqa_core.schema import BASE_FIELDS, GROUPING_FIELDS, SCHEMA_ID, RowRejection, SourceRow, content_group_of
from vqa_core.sources import MetadataFile, SourceRows, SourceSpec
from vqa_core.timestamps import run_timestamp

__all__ = ["IngestConfig", "IngestReport", "ProgressSink", "ingest", "OUTPUT_SUFFIXES", "rejections_path_for"]

log = logging.getLogger("vqa.ingest")

OUTPUT_SUFFIXES: Final = (".jsonl", ".parquet")
MANIFEST_SCHEMA: Final = "vqa-ingest-manifest-v1"
#: 3: finished rows carry content_group and split (shard schema v2); older rows cannot render them.
STATE_KIND: Final = StateKind("ingest", "an ingest", 3)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class IngestConfig:
    corpus_id: str
    root: Path
    output: Path
    metadata: tuple[Path, ...] = ()
    clips_dir: Path | None = None
    max_rows: int | None = None
    workers: int | None = None
    executor: str = DEFAULT_EXECUTOR
    retry_failed: bool = False
    offline: bool = False
    timestamp: str | None = None
    base_url: str | None = None
    #: Hosts a metadata URL may name besides the corpus's declared download hosts (``--allow-host``).
    allow_hosts: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    manifest_out: Path | None = None
    restart: bool = False
    verify: bool = True
    probe_timeout_s: float = 30.0
    download: DownloadPolicy = attrs.field(factory=DownloadPolicy)
    #: Items in flight at once; default 4 × workers.
    window: int | None = None
    #: A scheduler address when ``executor == "dask"``.
    scheduler: str | None = None


@attrs.frozen
class IngestReport:
    corpus: str
    output: Path
    manifest: Path
    rejections: Path
    rows_read: int
    written: int
    skipped: dict[str, int]
    editions: dict[str, str]
    reused: int
    processed: int
    downloaded_bytes: int
    elapsed_s: float

    def summary(self) -> str:
        skipped = ", ".join(f"{n:,} {reason}" for reason, n in sorted(self.skipped.items())) or "none"
        return (
            f"{self.corpus}: {self.rows_read:,} rows read, {self.written:,} written, skipped: {skipped} "
            f"({self.processed:,} processed, {self.reused:,} from resume state, {self.elapsed_s:.1f} s) "
            f"-> {self.output}"
        )


# ---------------------------------------------------------------------------
# Preparation: everything that can fail before any state or output is touched.
# ---------------------------------------------------------------------------


@attrs.frozen
class _Prepared:
    corpus: RegisteredCorpus
    spec: SourceSpec
    source: SourceRows
    editions: dict[str, str]
    fingerprint: str
    extension_names: tuple[str, ...]
    #: Hosts a row's URL may name: the declared ones, --base-url's, and every --allow-host.
    download_hosts: frozenset[str]


def _how_to_obtain(decl: CorpusDeclaration) -> str:
    return f"to obtain {decl.id}: {decl.access_instructions}"


def _prepare(registry: Registry, config: IngestConfig) -> _Prepared:
    corpus = registry.corpus(config.corpus_id)
    decl = corpus.declaration
    if not decl.has_labels:
        raise UsageError(f"{decl.id} has no subjective scores; it is ingested as an encode grid")
    if config.output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise OutputError(f"output {config.output} must end in .jsonl or .parquet")
    if config.max_rows is not None and config.max_rows < 1:
        raise UsageError("--max-rows must be at least 1")
    root = config.root
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "does not exist"
        raise DatasetNotFoundError(f"dataset root {root} {what}; {_how_to_obtain(decl)}", path=str(root))
    for path in config.metadata:
        if not path.is_file():
            what = "is not a file" if path.exists() else "does not exist"
            raise MetadataError(f"metadata file {path} {what}; {_how_to_obtain(decl)}", path=str(path))
    clips_dir = config.clips_dir if config.clips_dir is not None else root / decl.default_clips_dir
    if config.clips_dir is not None and not clips_dir.is_dir() and not decl.downloads:
        raise DatasetNotFoundError(f"clips directory {clips_dir} does not exist", path=str(clips_dir))
    base_url = config.base_url or os.environ.get(env.base_url_variable(decl.id)) or None
    hosts = _download_hosts(decl, base_url, config.allow_hosts)
    spec = SourceSpec(root=root, metadata=config.metadata, clips_dir=clips_dir, base_url=base_url)
    try:
        source = registry.source_rows(decl.id, spec)
    except MetadataError as exc:
        raise MetadataError(f"{exc}; {_how_to_obtain(decl)}", path=exc.path, line=exc.line) from None
    if not source.files:
        raise PluginError(f"plugin {corpus.plugin.name} read no metadata file for {decl.id}")
    editions = _match_editions(registry, decl, source.files)
    fingerprint = orjson.dumps(sorted([f.path.name, sha256_file(f.path)] for f in source.files)).decode()
    return _Prepared(
        corpus, spec, source, editions, fingerprint, tuple(sorted(f.name for f in corpus.extension)), hosts
    )


def _download_hosts(decl: CorpusDeclaration, base_url: str | None, allow: tuple[str, ...]) -> frozenset[str]:
    hosts = set(decl.download_hosts)
    if base_url:
        host = url_host(base_url)
        if host is None:
            raise UsageError(f"--base-url {base_url!r} is not an http(s) URL with a host")
        hosts.add(host)
    for given in allow:
        host = given.strip().lower()
        if not re.fullmatch(HOST_PATTERN, host):
            raise UsageError(
                f"--allow-host {given!r} is not a host name (give e.g. mirror.example.org, no scheme)"
            )
        hosts.add(host)
    return frozenset(hosts)


def _match_editions(
    registry: Registry, decl: CorpusDeclaration, files: tuple[MetadataFile, ...]
) -> dict[str, str]:
    """Edition per metadata file; refuse a file that is another corpus's by name or row count."""
    editions: dict[str, str] = {}
    own_names = {e.metadata.lower() for e in decl.editions}
    for meta in files:
        if meta.rows == 0:
            raise MetadataError(f"{meta.path} has a header but no data rows", path=str(meta.path))
        name = meta.path.name.lower()
        named = sorted(
            other.id
            for other in (c.declaration for c in registry.corpora)
            if other.id != decl.id
            and name not in own_names
            and name in {e.metadata.lower() for e in other.editions}
        )
        if named:
            raise MetadataError(
                f"{meta.path} is named like {' and '.join(named)}'s published metadata, not like any {decl.id} "
                f"file; if it belongs there, run `vqa ingest {named[0]}`",
                path=str(meta.path),
            )
        own = decl.edition_for_rows(meta.path.name, meta.rows)
        if own is not None:
            editions[meta.path.name] = own.name
            continue
        others = [
            (other.id, edition)
            for other in (c.declaration for c in registry.corpora)
            if other.id != decl.id
            for edition in other.editions
            if edition.rows == meta.rows
        ]
        if others:
            names = " or ".join(f"{cid}'s {e.metadata}" for cid, e in others)
            ids = " / ".join(sorted({cid for cid, _ in others}))
            raise MetadataError(
                f"{meta.path} has {meta.rows:,} data rows, the size of {names}, not of any known {decl.id} "
                f"file; if it belongs to another corpus, run `vqa ingest {ids}`",
                path=str(meta.path),
            )
        known = ", ".join(f"{e.metadata}: {e.rows:,}" for e in decl.editions) or "none recorded"
        log.warning(
            "%s has %s data rows, matching no known %s edition (known: %s); ingesting as edition 'unknown'. "
            "%s",
            meta.path,
            f"{meta.rows:,}",
            decl.id,
            known,
            _how_to_obtain(decl)[0].upper() + _how_to_obtain(decl)[1:],
        )
        editions[meta.path.name] = "unknown"
    return editions


# ---------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------


class _Run:
    """State of one ingest run (kept off the module so functions stay pure)."""

    def __init__(self, registry: Registry, config: IngestConfig, prepared: _Prepared, state: StateStore):
        self.registry = registry
        self.config = config
        self.prepared = prepared
        self.decl = prepared.corpus.declaration
        self.state = state
        self.root_real = os.path.realpath(config.root)
        self.clips_dir = prepared.spec.clips_dir
        self.base = str(self.clips_dir if config.clips_dir is not None else config.root)
        self.inflight: dict[int, tuple[SourceRow | None, str, str, str]] = {}
        self.inflight_keys: dict[str, int] = {}
        self.rows_read = 0
        self.reused = 0
        self.processed = 0
        self.downloaded_bytes = 0
        self.tally = Tally(log, rejections_path_for(config.output))

    # -- planning (main thread, lazily, as the pool asks for more) ----------------

    def plan(self) -> Iterator[Ready[Outcome | ClipResult] | Work[ClipTask]]:
        cap = self.config.max_rows
        for item in self.prepared.source.rows:
            if cap is not None and self.rows_read >= cap:
                break
            idx = self.rows_read
            self.rows_read += 1
            if isinstance(item, RowRejection):
                yield Ready(
                    self._rejection("@" + str(item.origin), idx, item.reason, item.detail, str(item.origin))
                )
                continue
            if not isinstance(item, SourceRow):
                raise PluginError(
                    f"plugin {self.prepared.corpus.plugin.name} yielded {type(item).__name__}, "
                    "not SourceRow or RowRejection"
                )
            yield self._plan_row(idx, item)

    def _rejection(self, key: str, idx: int, reason: str, detail: str, origin: str) -> Outcome:
        return Outcome(key=key, idx=idx, status=REJECTED, reason=reason, detail=detail, origin=origin)

    def _plan_row(self, idx: int, row: SourceRow) -> Ready[Outcome | ClipResult] | Work[ClipTask]:
        origin = str(row.origin)
        problem = clip_path_problem(row.clip)
        if problem:
            return Ready(self._rejection("@" + origin, idx, "unsafe-path", problem, origin))
        unknown = set(row.extras) - set(self.prepared.extension_names)
        if unknown:
            raise PluginError(
                f"plugin {self.prepared.corpus.plugin.name} set undeclared extension columns {sorted(unknown)} "
                f"at {origin}"
            )
        self._check_grouping(row, origin)
        path = self.clips_dir / row.clip
        src = self._src(path, row.clip)
        label = label_problem(row, self.decl)
        if label:
            return Ready(self._rejection(src, idx, label[0], label[1], origin))
        first_idx = self.inflight_keys.get(src)
        prior = self.state.get(src)
        if first_idx is None and prior is not None and prior.idx < idx:
            first_idx = prior.idx
        if first_idx is not None and first_idx != idx:
            return Ready(
                self._rejection(
                    "@" + origin,
                    idx,
                    "duplicate-row",
                    f"{src} is listed again (first at row {first_idx + 1})",
                    origin,
                )
            )
        inputs = _inputs_digest(row)
        if prior is not None and prior.idx == idx and prior.inputs == inputs and self._reusable(prior, path):
            return Ready(prior)
        self.inflight[idx] = (row, src, origin, inputs)
        self.inflight_keys[src] = idx
        url, refused = row.url, None
        if url:
            refused = url_problem(url, self.prepared.download_hosts)
            if refused is not None:
                url, refused = None, refused + self._allow_hint()
        return Work(
            ClipTask(
                idx=idx,
                key=src,
                path=str(path),
                base=self.base,
                url=url,
                hints=row.hints,
                url_refused=refused,
            )
        )

    def _allow_hint(self) -> str:
        declared = ", ".join(sorted(self.prepared.download_hosts)) or "none"
        return f" (allowed: {declared}; --allow-host HOST or --base-url URL adds one)"

    def _check_grouping(self, row: SourceRow, origin: str) -> None:
        """A group key or split the declaration does not admit is a plugin bug, not a row problem."""
        plugin = self.prepared.corpus.plugin.name
        group, split = row.content_group, row.split
        if group is not None:
            if not self.decl.content_groups:
                raise PluginError(
                    f"plugin {plugin} gave content_group {group!r} at {origin}, but {self.decl.id}'s "
                    "declaration has no content_groups text saying what a content is",
                    distribution=plugin,
                )
            if not isinstance(group, str) or not group.strip():
                raise PluginError(
                    f"plugin {plugin} gave content_group {group!r} at {origin}; a key is a non-empty string "
                    "(None when the clip is its own content)",
                    distribution=plugin,
                )
        if split is None and self.decl.splits:
            raise PluginError(
                f"plugin {plugin} gave no split at {origin}, but {self.decl.id} publishes splits "
                f"({', '.join(self.decl.splits)}) and every row must carry one",
                distribution=plugin,
            )
        if split is not None and split not in self.decl.splits:
            declared = ", ".join(self.decl.splits) or "none"
            raise PluginError(
                f"plugin {plugin} gave split {split!r} at {origin}, not one of {self.decl.id}'s declared "
                f"splits ({declared})",
                distribution=plugin,
            )

    def _src(self, path: Path, clip: str) -> str:
        """The clip path relative to the dataset root, or to the clips directory when it lies elsewhere."""
        try:
            return path.relative_to(self.config.root).as_posix()
        except ValueError:
            return Path(clip).as_posix()

    def _reusable(self, prior: Outcome, path: Path) -> bool:
        """May the recorded outcome stand without redoing the clip's work?"""
        # A duplicate is decided again: the clip it duplicated may have gone since.
        if prior.status == WRITTEN or prior.reason == "broken-clip":
            try:
                st = path.stat()
            except OSError:
                return False
            return st.st_size == prior.size and st.st_mtime_ns == prior.mtime_ns
        # A download that failed or stalled is asked again only with --retry-failed (a stalled
        # one resumes from its .part), or once the clip has appeared on disk.
        if prior.reason in (DOWNLOAD_FAILED, DOWNLOAD_STALLED):
            return not self.config.retry_failed and not path.exists()
        return False

    # -- recording (main thread, in metadata order) --------------------------------

    def record(self, item: Outcome | ClipResult) -> None:
        if isinstance(item, Outcome):
            if item.status == WRITTEN and item.sha256 is not None:
                # Planned before an earlier row of this run took the same content: a duplicate now.
                other = self.state.written_with_sha(item.sha256)
                if other is not None and other.key != item.key and other.idx < item.idx:
                    item = self._duplicate_of(item, other)
            if self.state.get(item.key) != item:
                self.state.put(item)
            else:
                self.reused += 1
            self.tally.count(item)
            return
        self.processed += 1
        source, src, origin, inputs = self.inflight.pop(item.idx)
        self.inflight_keys.pop(src, None)
        self.downloaded_bytes += item.downloaded
        prior = self.state.get(src)
        tried = item.reason in (DOWNLOAD_FAILED, DOWNLOAD_STALLED) or item.downloaded
        base = Outcome(
            key=src,
            idx=item.idx,
            status=REJECTED,
            reason=item.reason,
            detail=item.detail,
            origin=origin,
            attempts=(prior.attempts if prior else 0) + (1 if tried else 0),
            size=item.size,
            mtime_ns=item.mtime_ns,
            sha256=item.sha256,
            inputs=inputs,
            note=item.probe.method if item.probe is not None else None,
        )
        if not item.ok:
            self._store(base)
            return
        assert item.probe is not None and item.sha256 is not None and source is not None
        problem = geometry_problem(item.probe)
        if problem:
            self._store(attrs.evolve(base, reason="bad-geometry", detail=f"{src}: {problem}"))
            return
        candidate = attrs.evolve(base, status=WRITTEN, reason=None, detail=None)
        other = self.state.written_with_sha(item.sha256)
        if other is not None and other.key != src and other.idx < item.idx:
            self._store(self._duplicate_of(candidate, other))
            return
        if other is not None and other.key != src:
            # A row earlier in the metadata wins whatever order the runs decided them in.
            demoted = self._duplicate_of(other, candidate)
            self.state.put(demoted)
            log.warning("%s: duplicate: %s", other.origin, demoted.detail)
        self._store(attrs.evolve(candidate, row=orjson.dumps(self._row(source, src, item))))

    def _store(self, outcome: Outcome) -> None:
        self.state.put(outcome)
        self.tally.count(outcome)

    @staticmethod
    def _duplicate_of(loser: Outcome, kept: Outcome) -> Outcome:
        return attrs.evolve(
            loser,
            status=DUPLICATE,
            reason="duplicate",
            detail=f"{loser.key} ({loser.origin}) has the same content as {kept.key} ({kept.origin}); kept {kept.key}",
            row=None,
        )

    def _row(self, source: SourceRow, src: str, result: ClipResult) -> dict[str, Any]:
        probe = result.probe
        assert probe is not None
        row: dict[str, Any] = dict.fromkeys(self.prepared.extension_names)
        row.update(source.extras)
        row.update(
            src=src,
            src_sha256=result.sha256,
            src_size_bytes=result.size,
            width=probe.width,
            height=probe.height,
            framerate=probe.framerate,
            duration_s=probe.duration_s,
            pix_fmt=probe.pix_fmt,
            encoder_upstream=probe.codec,
            mos=float(source.mos) if source.mos is not None else math.nan,
            mos_std_dev=float(source.mos_std_dev) if source.mos_std_dev is not None else 0.0,
            n_ratings=int(source.n_ratings) if source.n_ratings is not None else 0,
            corpus=self.decl.id,
            corpus_version=self.decl.version,
            content_group=content_group_of(self.decl.id, source.content_group or src),
            split=source.split,
        )
        return row


def _inputs_digest(row: SourceRow) -> str:
    """What the plugin said about a row; a stored outcome is reused only while this is unchanged
    (e.g. raw-video hints set from an environment variable, which the metadata hash cannot see)."""
    import hashlib

    hints = attrs.astuple(row.hints) if row.hints is not None else None
    payload = [
        row.clip,
        row.mos,
        row.mos_std_dev,
        row.n_ratings,
        row.url,
        sorted(row.extras.items()),
        hints,
        row.content_group,
        row.split,
    ]
    return hashlib.sha256(orjson.dumps(payload, default=str)).hexdigest()[:32]


def ingest(registry: Registry, config: IngestConfig, *, progress: ProgressSink | None = None) -> IngestReport:
    """Ingest one corpus into ``config.output`` (resuming if state exists). See the module docstring."""
    started = time.monotonic()
    progress = progress or NoProgress()
    prepared = _prepare(registry, config)
    decl = prepared.corpus.declaration
    manifest = config.manifest_out or manifest_path_for(config.output)
    spec = JobSpec(
        output=config.output,
        manifest=manifest,
        kind=STATE_KIND,
        # A clip whose thread shows no progress (hashing, demuxing) for twice the probe timeout is
        # abandoned and counted as probe-timeout (local threads; see vqa_core.runner.watchdog); a
        # download states its own, longer limit with each beat (the stall limit plus a margin).
        stall_s=2 * config.probe_timeout_s,
        paths=(config.root, prepared.spec.clips_dir),
        executor=config.executor,
        workers=hashing_workers(config.executor, config.workers),
        scheduler=config.scheduler,
        window=config.window,
        restart=config.restart,
    )
    with run_job(spec) as job:
        _check_state(job, config, decl, prepared)
        timestamp = _timestamp(job.state, config)
        run = _Run(registry, config, prepared, job.state)
        total = sum(f.rows for f in prepared.source.files)
        if config.max_rows is not None:
            total = min(total, config.max_rows)
        settings = WorkerSettings(
            offline=config.offline,
            probe_timeout_s=config.probe_timeout_s,
            verify=config.verify,
            download=config.download,
        )
        try:
            job.drive(
                process_clip,
                run,
                progress,
                total=total,
                description=f"ingest {decl.id}",
                args=(settings,),
                on_error=_failed_task,
            )
        except MetadataError as exc:
            raise MetadataError(f"{exc}; {_how_to_obtain(decl)}", path=exc.path, line=exc.line) from None
        probed = _probe_counts(job.state.note_counts(below_idx=run.rows_read))  # finish closes the state
        written, skipped = job.finish(
            run.rows_read,
            registry.arrow_schema(decl.id),
            constants={"ingested_at_utc": timestamp},
            mismatch=PluginError,
        )
        report = IngestReport(
            corpus=decl.id,
            output=config.output,
            manifest=manifest,
            rejections=job.rejections,
            rows_read=run.rows_read,
            written=written,
            skipped=skipped,
            editions=prepared.editions,
            reused=run.reused,
            processed=run.processed,
            downloaded_bytes=run.downloaded_bytes,
            elapsed_s=time.monotonic() - started,
        )
        _write_ingest_manifest(registry, config, prepared, report, timestamp, job, probed)
    run.tally.close(skipped)
    return report


def _failed_task(task: ClipTask, exc: Exception) -> ClipResult:
    """A task that raised, or took every worker it ran on down with it, is a counted rejection.

    A rerun tries it again (``worker-error`` is never reused from the state). A
    lost executor is no clip's fault: it stops the run, state kept. A task the
    watchdog abandoned (no progress at all, e.g. blocked in the kernel) is a
    ``probe-timeout``, tried again by a rerun too; abandoned while downloading,
    it is ``download-stalled`` (its ``.part`` kept, resumed by ``--retry-failed``).
    """
    if isinstance(exc, ExecutorError | cf.CancelledError):
        raise exc
    if isinstance(exc, StalledTask) and exc.activity == DOWNLOADING:
        return ClipResult(
            task.idx,
            task.key,
            reason=DOWNLOAD_STALLED,
            detail=f"{task.key}: {exc} from {task.url}; the clip was abandoned (--retry-failed resumes it)",
            transient=True,
        )
    if isinstance(exc, StalledTask):
        return ClipResult(
            task.idx,
            task.key,
            reason="probe-timeout",
            detail=f"{task.key}: {exc} while hashing or probing; the clip was abandoned (a rerun tries again)",
        )
    lines = str(exc).strip().splitlines()
    detail = f"{task.key}: {type(exc).__name__}" + (f": {lines[0][:300]}" if lines else "")
    return ClipResult(task.idx, task.key, reason="worker-error", detail=detail)


def _check_state(
    job: JobRun[Any, Any], config: IngestConfig, decl: CorpusDeclaration, prepared: _Prepared
) -> None:
    """A new state records the corpus and its metadata; a kept one must be of the same, unchanged."""
    state = job.state
    if job.fresh:
        state.set_meta("corpus", decl.id)
        state.set_meta("metadata", prepared.fingerprint)
        return
    recorded = state.get_meta("corpus")
    if recorded != decl.id:
        raise StateError(
            f"{config.output} holds an ingest of {recorded}, not {decl.id}; choose another output or pass --restart"
        )
    if state.get_meta("metadata") != prepared.fingerprint:
        raise StateError(
            f"the metadata of {decl.id} changed since {state.path.name} was written; rerun with --restart "
            "to ingest it from scratch"
        )


def _timestamp(state: StateStore, config: IngestConfig) -> str:
    """An explicit --timestamp or SOURCE_DATE_EPOCH wins; else the first run's time is kept."""
    explicit = config.timestamp or os.environ.get(env.SOURCE_DATE_EPOCH)
    recorded = state.get_meta("ingested_at_utc")
    if explicit or recorded is None:
        value = run_timestamp(config.timestamp)
        state.set_meta("ingested_at_utc", value)
        return value
    return recorded


def _probe_counts(notes: dict[str, int]) -> dict[str, int]:
    """How the shard's probed clips learnt their pixel format: from the codec headers, or from
    FFmpeg's analysis of a decoded frame (raw clips, from their hints, only when there are any).
    Read from the state, so a resumed run counts the clips of earlier runs too."""
    counts = {"header": notes.get("header", 0), "analysed": notes.get("analysed", 0)}
    if notes.get("hints"):
        counts["hints"] = notes["hints"]
    return counts


def _write_ingest_manifest(
    registry: Registry,
    config: IngestConfig,
    prepared: _Prepared,
    report: IngestReport,
    timestamp: str,
    job: JobRun[Any, Any],
    probed: dict[str, int],
) -> None:
    decl = prepared.corpus.declaration
    manifest = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=run_timestamp(config.timestamp),
        versions=registry.versions(),
        inputs={"metadata": [dict(describe_file(f.path), rows=f.rows) for f in prepared.source.files]},
        outputs={
            "shard": describe_file(config.output),
            "rejections": describe_file(report.rejections),
            "state": describe_file(state_path_for(config.output), hash_file=False),
        },
        corpus=decl.id,
        corpus_version=decl.version,
        plugin={"distribution": prepared.corpus.plugin.name, "version": prepared.corpus.plugin.version},
        editions=report.editions,
        row_schema=SCHEMA_ID,
        columns=[*BASE_FIELDS, *GROUPING_FIELDS, *prepared.extension_names],
        ingested_at_utc=timestamp,
        probe=probed,
        stats={
            "rows_read": report.rows_read,
            "written": report.written,
            "skipped": report.skipped,
            "skipped_total": sum(report.skipped.values()),
        },
        run={
            "processed": report.processed,
            "reused_from_state": report.reused,
            "downloaded_bytes": report.downloaded_bytes,
            "elapsed_s": round(report.elapsed_s, 3),
        },
        config={
            "root": config.root,
            "clips_dir": prepared.spec.clips_dir,
            "metadata": [f.path for f in prepared.source.files],
            "max_rows": config.max_rows,
            "workers": job.workers,
            "executor": config.executor,
            "scheduler": job.scheduler_address,
            "offline": config.offline,
            "retry_failed": config.retry_failed,
            "verify": config.verify,
            "base_url": prepared.spec.base_url,
            "download_hosts": sorted(prepared.download_hosts),
            "stall_timeout_s": config.download.stall_timeout_s,
        },
    )
    write_manifest(report.manifest, manifest)
