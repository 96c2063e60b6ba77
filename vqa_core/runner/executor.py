"""Run per-item work in parallel and hand results back in input order.

The caller feeds a lazy iterable of :class:`Ready` (already decided, no work)
and :class:`Work` items; at most ``window`` items are in flight, so a 150,000-row
manifest never becomes 150,000 futures. Results come back in input order, so
the writer's output is deterministic whatever order the workers finish in.

Executors: ``local`` threads (the default, also called ``thread``: hashing,
PyAV probing and decoding release the GIL, see docs/decisions/0003-worker-pool.md)
and ``process``. Others (Dask) plug in through :class:`Executor`. The thread pool is watched
(:mod:`vqa_core.runner.watchdog`): a task that makes no progress for
its limit (``stall_s``, or what its last beat allowed) is abandoned and its item fails with
:class:`~vqa_core.runner.watchdog.StalledTask`, so one stuck clip cannot stall
a run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeVar

import attrs

if TYPE_CHECKING:
    from vqa_core.runner.watchdog import StalledTask

__all__ = [
    "Ready",
    "Work",
    "Executor",
    "LocalExecutor",
    "make_executor",
    "opened_executor",
    "slots",
    "run_ordered",
    "default_workers",
    "hashing_workers",
    "DEFAULT_STALL_S",
]

#: Seconds without progress after which a task on the thread pool is abandoned.
DEFAULT_STALL_S: Final = 120.0

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class Ready(Generic[R]):
    """An item decided without work; passes through in order."""

    value: R


@attrs.frozen
class Work(Generic[T]):
    """An item to run ``fn`` on."""

    task: T


class Executor(Protocol):
    """Anything that can start ``fn(task, *args)`` and return a future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]: ...

    def shutdown(self) -> None: ...


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def hashing_workers(kind: str, requested: int | None) -> int | None:
    """Workers for a run that reads and hashes every byte (ingest, verify): ``requested``, else
    twice the CPU count on local threads, else the executor's own default (``None``).

    A thread alternates waiting for a read with hashing what it read, so a second thread per
    core keeps the disk busy while the first hashes (decision 0068); a process pool or a
    cluster keeps its own default.
    """
    if requested is not None:
        return requested
    return 2 * default_workers() if kind in ("local", "thread") else None


class LocalExecutor:
    """A thread pool (watched: see :mod:`vqa_core.runner.watchdog`) or a process pool."""

    def __init__(
        self, kind: str = "thread", workers: int | None = None, *, stall_s: float | None = None
    ) -> None:
        from vqa_core.runner.watchdog import WatchedThreadPool

        workers = workers or default_workers()
        self.kind = kind
        self.workers = workers
        self._watched: WatchedThreadPool | None = None
        if kind == "thread":
            self._watched = WatchedThreadPool(workers, stall_s=stall_s or DEFAULT_STALL_S)
            self._pool: cf.Executor | WatchedThreadPool = self._watched
        elif kind == "process":
            import multiprocessing

            # forkserver: no inherited locks or sqlite handles from the parent
            ctx = multiprocessing.get_context("forkserver")
            self._pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        else:
            raise ValueError(f"unknown local executor {kind!r}")

    @property
    def stall_s(self) -> float | None:
        """Seconds without progress after which a task is abandoned (thread pools only)."""
        return self._watched.stall_s if self._watched is not None else None

    def idle_seconds(self, future: cf.Future[Any]) -> float | None:
        return self._watched.idle_seconds(future) if self._watched is not None else None

    def overdue(self, future: cf.Future[Any]) -> StalledTask | None:
        """The verdict on a task silent for longer than its limit (thread pools only)."""
        return self._watched.overdue(future) if self._watched is not None else None

    def abandon(self, future: cf.Future[Any]) -> bool:
        return self._watched.abandon(future) if self._watched is not None else False

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        if isinstance(self._pool, cf.Executor):
            self._pool.shutdown(wait=True, cancel_futures=True)
        else:
            self._pool.shutdown()


def make_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None, *, stall_s: float | None = None
) -> Executor:
    """``local``/``thread`` (threads, watched with ``stall_s``), ``process``, or ``dask``
    (needs ``vqa-core[dask]``)."""
    from vqa_core import env
    from vqa_core.errors import UsageError

    if kind in ("local", "thread"):
        return LocalExecutor("thread", workers, stall_s=stall_s)
    if kind == "process":
        return LocalExecutor("process", workers)
    if kind == "dask":
        from vqa_core.runner.dask_executor import DaskExecutor

        executor: Executor = DaskExecutor(scheduler or os.environ.get(env.DASK_SCHEDULER), workers)
        return executor
    raise UsageError(f"unknown executor {kind!r}; use local, thread, process or dask")


@contextlib.contextmanager
def opened_executor(
    kind: str,
    workers: int | None,
    scheduler: str | None,
    *,
    stall_s: float | None,
    paths: Sequence[Path] = (),
) -> Iterator[Executor]:
    """A run's executor, connected and checked before any state is touched; shut down at exit.

    On a cluster, its workers must see each of ``paths`` (the folders that
    exist) where the client does, or the run stops here with one line.
    """
    executor = make_executor(kind, workers, scheduler, stall_s=stall_s)
    try:
        check_paths = getattr(executor, "check_paths", None)
        if check_paths is not None:
            check_paths([p for p in paths if p.is_dir()])
        yield executor
    finally:
        executor.shutdown()


def slots(executor: Executor, requested: int | None) -> int:
    """How many tasks run at once: a cluster's size once connected, else the requested count."""
    workers: int | None = getattr(executor, "workers", None)
    return workers or requested or default_workers()


def run_ordered(  # noqa: C901  # why: one generator whose closures share the deques its finally cancels; split, the window and cancelling would be spread apart
    executor: Executor,
    fn: Callable[..., R],
    items: Iterable[Ready[R] | Work[T]],
    *,
    window: int,
    args: tuple[Any, ...] = (),
    on_error: Callable[[T, Exception], R] | None = None,
) -> Iterator[R]:
    """Yield ``fn(task, *args)`` for each Work and the value of each Ready, in input order.

    When ``fn`` raised (or the executor failed the task), ``on_error(task, exc)``
    gives the item's value instead, or raises to stop the run; without it the
    exception propagates. On a watched pool, a task that stalls is abandoned and
    handed to ``on_error`` as :class:`~vqa_core.runner.watchdog.StalledTask`.
    """
    stall_s: float | None = getattr(executor, "stall_s", None)
    overdue: Callable[[cf.Future[Any]], StalledTask | None] | None = getattr(executor, "overdue", None)

    def result(slot: cf.Future[R]) -> R:
        if stall_s is None or overdue is None:
            return slot.result()
        while True:
            try:
                return slot.result(timeout=min(1.0, stall_s / 4))
            except cf.TimeoutError:
                verdict = overdue(slot)
                if verdict is not None and executor.abandon(slot):  # type: ignore[attr-defined]
                    raise verdict from None

    pending: deque[cf.Future[R] | R] = deque()
    markers: deque[bool] = deque()  # True where the slot holds a future
    tasks: deque[T | None] = deque()  # the task of each future, for on_error

    def pop() -> R:
        is_future = markers.popleft()
        slot = pending.popleft()
        task = tasks.popleft()
        if not is_future:
            return slot  # type: ignore[return-value]
        if on_error is None:
            return result(slot)  # type: ignore[arg-type]
        try:
            return result(slot)  # type: ignore[arg-type]
        except Exception as exc:  # why: the caller decides what a failed task becomes
            return on_error(task, exc)  # type: ignore[arg-type]

    try:
        for item in items:
            if isinstance(item, Work):
                pending.append(executor.submit(fn, item.task, *args))
                markers.append(True)
                tasks.append(item.task)
            else:
                pending.append(item.value)
                markers.append(False)
                tasks.append(None)
            # Hand back everything already finished at the head, and block once the window is full.
            while pending and (len(pending) >= window or (not markers[0] or pending[0].done())):  # type: ignore[union-attr]
                yield pop()
        while pending:
            yield pop()
    finally:
        for slot, is_future in zip(pending, markers, strict=True):
            if is_future:
                slot.cancel()  # type: ignore[union-attr]
