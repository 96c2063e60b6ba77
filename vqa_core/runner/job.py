"""One resumable, ordered, parallel job: every input row decided, in input order, into one output.

A job (ingest, feature extraction) reads its input lazily and turns each row
into either an outcome decided at once (:class:`~vqa_core.runner.executor.Ready`)
or per-row work (:class:`~vqa_core.runner.executor.Work`) for the executor; it
records every outcome, in input order, in the resume state. What is left is
the same for every job, and lives here::

    with run_job(spec) as job:              # executor, output lock, resume state
        ...                                 # check or record what the input is (job.fresh)
        job.drive(fn, run, progress, total=n, description="...")  # run: the engine's Job
        written, skipped = job.finish(run.rows_read, schema)   # output, rejections; state closed
        ...                                 # the manifest, still under the lock
    run.tally.close(skipped)

A rerun continues from the state; ``--restart`` (``spec.restart``) forgets it.
Everything the job writes is written while it holds the output's lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import attrs

from vqa_core.errors import StateError
from vqa_core.fsutil import ensure_directory
from vqa_core.runner import DEFAULT_EXECUTOR
from vqa_core.runner.accounting import Tally, tally
from vqa_core.runner.executor import Executor, Ready, Work, opened_executor, run_ordered, slots
from vqa_core.runner.lock import output_lock
from vqa_core.runner.outputs import clear_for_restart, rejections_path_for, render_rejections, render_rows
from vqa_core.runner.progress import ProgressSink
from vqa_core.runner.state import Outcome, StateKind, StateStore, begin

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["JobSpec", "Job", "JobRun", "run_job"]

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class JobSpec:
    """Where a job writes and where its per-row work runs."""

    output: Path
    #: The manifest sidecar the job writes beside the output (its stale temporaries are cleaned up).
    manifest: Path
    kind: StateKind
    #: Seconds without progress after which a task on local threads is abandoned.
    stall_s: float
    #: Folders the per-row work reads: a cluster's workers must see them where the client does.
    paths: tuple[Path, ...] = ()
    executor: str = DEFAULT_EXECUTOR
    workers: int | None = None
    scheduler: str | None = None
    #: Items in flight at once; default 4 × workers (at least 8).
    window: int | None = None
    restart: bool = False
    #: Outcomes per commit of the state (also committed at least once a second).
    commit_every: int = 256


class Job(Protocol[T, R]):
    """What a job gives the runner: its plan, and where each outcome is recorded."""

    rows_read: int
    tally: Tally

    def plan(self) -> Iterator[Ready[Outcome | R] | Work[T]]: ...

    def record(self, item: Outcome | R) -> None: ...


@attrs.define
class JobRun(Generic[T, R]):
    """A job while it runs: its executor and state, held open by :func:`run_job`."""

    spec: JobSpec
    executor: Executor
    state: StateStore
    #: Tasks run at once (a cluster's threads once connected).
    workers: int
    window: int
    #: The state was new: the job records what identifies its input; else it checks that.
    fresh: bool

    @property
    def rejections(self) -> Path:
        return rejections_path_for(self.spec.output)

    @property
    def scheduler_address(self) -> str | None:
        """The Dask scheduler the work ran on, for the manifest (``None`` on local pools)."""
        address: str | None = getattr(self.executor, "address", None)
        return address

    def drive(
        self,
        fn: Callable[..., R],
        job: Job[T, R],
        progress: ProgressSink,
        *,
        total: int | None,
        description: str,
        args: tuple[Any, ...] = (),
        on_error: Callable[[T, Exception], R] | None = None,
    ) -> None:
        """Run ``fn(task, *args)`` for each Work of ``job.plan()`` and record every outcome in input order."""
        self.state.commit()
        progress.start(total, description)
        try:
            for item in run_ordered(
                self.executor, fn, job.plan(), window=self.window, args=args, on_error=on_error
            ):
                job.record(item)
                progress.advance(job.tally.written, job.tally.skipped)
        finally:
            self.state.commit()
            progress.finish()
        self.state.set_meta("rows_read", str(job.rows_read))
        self.state.commit()

    def finish(
        self,
        rows_read: int,
        schema: pa.Schema,
        *,
        constants: Mapping[str, Any] | None = None,
        mismatch: Callable[[str], Exception] = StateError,
    ) -> tuple[int, dict[str, int]]:
        """Render the output and its rejections, then close the state; ``(written, skipped by reason)``.

        The state is closed so that a manifest written next describes its final size.
        """
        render_rows(self.state, self.spec.output, rows_read, schema, constants=constants, mismatch=mismatch)
        render_rejections(self.state, self.rejections, rows_read)
        counts = tally(self.state, rows_read)
        self.state.close()
        return counts


@contextlib.contextmanager
def run_job(spec: JobSpec) -> Iterator[JobRun[Any, Any]]:
    """Open the executor (checked before anything is touched), take the output's lock, open the state.

    With ``spec.restart`` the state and what the last run rendered are removed
    first; a state that is not this kind's, or an output without a state, is refused.
    """
    ensure_directory(spec.output.parent)
    with (
        opened_executor(
            spec.executor, spec.workers, spec.scheduler, stall_s=spec.stall_s, paths=spec.paths
        ) as executor,
        output_lock(spec.output, rejections_path_for(spec.output), spec.manifest),
        StateStore(spec.output, commit_every=spec.commit_every) as state,
    ):
        workers = slots(executor, spec.workers)
        if spec.restart:
            clear_for_restart(state, spec.output)
        fresh = begin(state, spec.output, spec.kind)
        yield JobRun(spec, executor, state, workers, spec.window or max(8, 4 * workers), fresh)
