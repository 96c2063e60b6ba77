"""One run of ``vqa verify``: phase 1, phase 2 if needed, the report and its sidecar."""

from __future__ import annotations

import time

from vqa_core.fsutil import ensure_directory, manifest_path_for, sha256_file
from vqa_core.runner.executor import hashing_workers, opened_executor, run_ordered, slots
from vqa_core.runner.lock import output_lock
from vqa_core.runner.progress import NoProgress, ProgressSink
from vqa_core.runner.state import StateStore
from vqa_core.tables.shards import count_shard_rows
from vqa_core.verify.check import check_clip
from vqa_core.verify.config import VerifyConfig, _check_inputs
from vqa_core.verify.manifest import _write_manifest
from vqa_core.verify.report import VerifyReport, _render
from vqa_core.verify.rows import _failed_check, _Run
from vqa_core.verify.search import _Search
from vqa_core.verify.session import _fingerprint, _open_session


def verify(
    config: VerifyConfig,
    *,
    progress: ProgressSink | None = None,
    search_progress: ProgressSink | None = None,
) -> VerifyReport:
    """Check every clip of ``config.shard`` under ``config.root`` (see the module docstring).

    Returns the report whatever the clips' statuses; :meth:`VerifyReport.failure`
    gives the error to raise when not every clip is ok. Bad input raises a
    :class:`~vqa_core.errors.VqaError` before anything is written.
    """
    started = time.monotonic()
    progress = progress or NoProgress()
    search_progress = search_progress or NoProgress()
    report_path = _check_inputs(config)
    fingerprint = _fingerprint(config, sha256_file(config.shard))
    manifest = manifest_path_for(report_path)
    ensure_directory(report_path.parent)
    stall_s = 2 * config.probe_timeout_s
    requested = hashing_workers("thread", config.workers)
    with (
        opened_executor("thread", requested, None, stall_s=stall_s, paths=(config.root,)) as executor,
        output_lock(report_path, manifest),
        # a commit at least every quarter second: a kill loses little hashing, even of tiny clips
        StateStore(report_path, commit_seconds=0.25) as state,
    ):
        workers = slots(executor, requested)
        window = config.window or max(8, 4 * workers)
        _open_session(state, report_path, fingerprint, config.restart)
        run = _Run(config, state)
        progress.start(count_shard_rows(config.shard), "verify")
        try:
            for item in run_ordered(
                executor,
                check_clip,
                run.plan(),
                window=window,
                on_error=lambda task, exc: _failed_check(task, exc, stall_s),
            ):
                run.record(item)
                progress.advance(run.ok, run.not_ok)
        finally:
            state.commit()
            progress.finish()
        state.set_meta("rows_read", str(run.rows_read))
        state.commit()
        search = _Search(config, state, executor, window)
        if search.unresolved():
            search.walk()
            search.hash_candidates(search_progress)
            search.resolve()
        counts = _render(state, report_path, run.rows_read)
        result = VerifyReport(
            shard=config.shard,
            root=config.root,
            report=report_path,
            manifest=manifest,
            rows=run.rows_read,
            counts=counts,
            reused=run.reused,
            checked=run.checked,
            files_walked=search.walked,
            files_hashed=search.hashed,
            elapsed_s=time.monotonic() - started,
        )
        _write_manifest(config, result, workers)
        state.set_meta("complete", "1")
        state.commit()
    return result
