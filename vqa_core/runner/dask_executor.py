"""Per-item work on a Dask distributed cluster (``--executor dask``).

The client — the ``vqa`` process — keeps everything that is written: the resume
state, the output and its manifest, in metadata order. The cluster only runs
the per-item function (``process_clip`` for ingest) on tasks it is sent, and
hands results back as :class:`concurrent.futures.Future` objects, so
:func:`~vqa_core.runner.executor.run_ordered` bounds the work in flight and
restores input order exactly as it does for a local pool.

Failures, and who handles them:

- A worker that dies mid-task: the scheduler gives its tasks to other workers.
  A task that has taken ``distributed.scheduler.allowed-failures`` + 1 workers
  down with it (a clip that crashes the decoder) fails with ``KilledWorker``.
- A task that raises is run again up to ``retries`` times, anywhere; after that
  its future raises the task's exception. The ingest engine counts either case
  as a ``worker-error`` rejection, which a rerun tries again.
- A lost scheduler cancels every task; the futures then raise
  :class:`~vqa_core.errors.ExecutorError`, which stops the run. The resume
  state keeps every row decided so far, so a rerun continues.

When it connects, the executor checks what it can before any work is sent: the
scheduler answers, at least ``workers`` workers have joined, and each of them
runs the same vqa-core, PyAV and FFmpeg as the client (probe results must match
a local run bit for bit). :meth:`DaskExecutor.check_paths` checks that the
workers see the dataset at the client's path. Workers that join later are not
checked (docs/scale-out.md).

Dask is the optional extra ``vqa-core[dask]``; importing this module does not
import it.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import socket
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final

from vqa_core.errors import ExecutorError, UsageError

__all__ = ["DaskExecutor", "INSTALL_HINT", "worker_facts", "missing_directories", "facts_mismatch"]

INSTALL_HINT: Final = "pip install 'vqa-core[dask]'"
#: Seconds to wait for the first (or the ``workers``-th) worker to join.
WORKER_WAIT_S: Final = 60.0
#: Reruns of a task that raised, on any worker, before its exception is final.
RETRIES: Final = 2


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ExecutorError(
            f"--executor dask needs Dask distributed, which cannot be imported ({exc}); {INSTALL_HINT}"
        ) from None
    return distributed


def worker_facts() -> dict[str, str]:
    """What must be equal on the client and every worker for results to match (runs on workers)."""
    import av

    from vqa_core import __version__

    libavformat = ".".join(str(n) for n in av.library_versions.get("libavformat", ()))
    libavcodec = ".".join(str(n) for n in av.library_versions.get("libavcodec", ()))
    return {
        "vqa-core": __version__,
        "av": str(av.__version__),
        "libavformat": libavformat,
        "libavcodec": libavcodec,
    }


def missing_directories(paths: list[str]) -> list[str]:
    """The given directories this machine does not see (runs on workers)."""
    return [p for p in paths if not os.path.isdir(p)]


def facts_mismatch(expected: Mapping[str, str], found: Mapping[str, object]) -> str | None:
    """A one-line description of how a worker differs from the client, or ``None``.

    ``found`` maps worker address to the worker's :func:`worker_facts` or the
    exception it raised computing them.
    """
    problems: list[str] = []
    for address, facts in sorted(found.items()):
        if isinstance(facts, BaseException):
            problems.append(f"{address} cannot run vqa ({type(facts).__name__}: {facts})")
            continue
        if not isinstance(facts, Mapping):
            problems.append(f"{address} answered {facts!r}")
            continue
        differ = [
            f"{name} {facts.get(name, 'missing')} (client: {value})"
            for name, value in expected.items()
            if facts.get(name) != value
        ]
        if differ:
            problems.append(f"{address} runs " + ", ".join(differ))
    return _some(problems) if problems else None


def _some(problems: list[str], shown: int = 3) -> str:
    """The first ``shown`` problems on one line, and how many more there are."""
    more = f" and {len(problems) - shown} more" if len(problems) > shown else ""
    return "; ".join(problems[:shown]) + more


def _connect_timeout_s() -> float:
    import dask
    from dask.utils import parse_timedelta

    value = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="seconds")
    return float(value) if value else 30.0


def _check_reachable(address: str) -> None:
    """Fail in one line, without Dask's reconnect loop, when nothing listens at a TCP address."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"bad Dask scheduler address {address!r}: {exc}") from None
    if scheme not in ("tcp", "tls"):
        return  # other transports (ucx, ws) are left to Dask to connect
    try:
        host, port = parse_host_port(location, default_port=8786)
    except ValueError as exc:
        raise UsageError(f"bad Dask scheduler address {address!r}: {exc}") from None
    try:
        socket.create_connection((host, port), timeout=_connect_timeout_s()).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {address}: {reason}; start one with `dask scheduler` "
            "and pass its address with --scheduler or VQA_DASK_SCHEDULER"
        ) from None


class DaskExecutor:
    """An :class:`~vqa_core.runner.executor.Executor` backed by a ``distributed.Client``.

    :param scheduler_address: ``tcp://host:port`` (``host:port`` works too) or
        the path of a scheduler file written by ``dask scheduler --scheduler-file``.
    :param workers: wait until at least this many workers have joined
        (default: one); the run's window follows the threads they offer.
    """

    def __init__(
        self,
        scheduler_address: str | None,
        workers: int | None = None,
        *,
        worker_wait_s: float = WORKER_WAIT_S,
        retries: int = RETRIES,
    ) -> None:
        if not scheduler_address:
            raise UsageError(
                "--executor dask needs a scheduler: pass --scheduler tcp://HOST:8786 or set VQA_DASK_SCHEDULER"
            )
        if workers is not None and workers < 1:
            raise UsageError("--workers must be at least 1")
        distributed = _import_distributed()
        self.address = scheduler_address
        scheduler_file = scheduler_address if os.path.isfile(scheduler_address) else None
        if scheduler_file is None:
            _check_reachable(scheduler_address)
        try:
            if scheduler_file is not None:
                client = distributed.Client(scheduler_file=scheduler_file, set_as_default=False)
            else:
                client = distributed.Client(scheduler_address, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(
                f"cannot connect to the Dask scheduler at {scheduler_address}: {exc}"
            ) from None
        self.client: Any = client
        self._closed = False
        self._lock = threading.Lock()
        try:
            self._await_workers(workers or 1, worker_wait_s)
            self._check_workers()
        except BaseException:
            self._close_client()
            raise
        #: Threads the cluster offered when the run started; the engine sizes its window from it.
        self.workers: int = max(1, sum(self.client.nthreads().values()))
        self._pool = self.client.get_executor(pure=False, retries=retries)

    # -- connecting ----------------------------------------------------------------

    def _await_workers(self, n: int, wait_s: float) -> None:
        try:
            self.client.wait_for_workers(n, timeout=wait_s)
        except TimeoutError:
            have = len(self.client.nthreads())
            raise ExecutorError(
                f"{have} of the {n} Dask worker(s) needed joined the scheduler at {self.address} within "
                f"{wait_s:g} s; start workers with `dask worker {self.address}`"
            ) from None

    def _check_workers(self) -> None:
        expected = worker_facts()
        found = self.client.run(worker_facts, on_error="return")
        problem = facts_mismatch(expected, found)
        if problem:
            raise ExecutorError(
                f"Dask workers must run what the client runs, or results would differ from a local run: "
                f"{problem}; install the same versions on every worker"
            )

    def check_paths(self, paths: Iterable[Path | str]) -> None:
        """Raise :class:`ExecutorError` unless every worker sees each directory at the same path."""
        wanted = [os.fspath(p) for p in paths]
        found = self.client.run(missing_directories, wanted, on_error="return")
        problems = []
        for address, missing in sorted(found.items()):
            if isinstance(missing, BaseException):
                problems.append(f"{address} failed to look ({type(missing).__name__}: {missing})")
            elif missing:
                problems.append(f"{address} does not see {', '.join(missing)}")
        if problems:
            raise ExecutorError(
                "every Dask worker must see the dataset at the client's path (a shared file system): "
                + _some(problems)
            )

    # -- the Executor protocol -------------------------------------------------------

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        """Start ``fn(*args)`` on the cluster; the future raises ExecutorError if the scheduler is lost."""
        if self._closed:
            raise ExecutorError("the Dask executor is shut down")
        inner: cf.Future[Any] = self._pool.submit(fn, *args)
        outer: cf.Future[Any] = cf.Future()
        outer.add_done_callback(partial(_cancel_inner, inner))
        # Only a weak way back: a cycle would keep the Dask future, and so the task and its result
        # on the cluster, alive until the next garbage collection instead of until the caller is done.
        inner.add_done_callback(partial(self._settle, weakref.ref(outer)))
        return outer

    def _settle(self, outer_ref: weakref.ref[cf.Future[Any]], inner: cf.Future[Any]) -> None:
        """Hand the cluster's outcome to the caller's future (runs on the client's event loop)."""
        outer = outer_ref()
        if outer is None or outer.done():
            return  # the caller dropped or cancelled it
        try:
            if inner.cancelled():
                outer.set_exception(
                    ExecutorError(
                        f"the Dask scheduler at {self.address} dropped the run's tasks (connection lost or "
                        "scheduler restarted); every row decided so far is kept: rerun the same command to "
                        "continue"
                    )
                )
            elif (exc := inner.exception()) is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(inner.result())
        except cf.InvalidStateError:
            pass  # cancelled by the caller between the check and the set

    def shutdown(self) -> None:
        """Cancel what is still pending and close the connection (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._pool.shutdown(wait=False)
        self._close_client()

    def _close_client(self) -> None:
        self._closed = True
        # why: with the scheduler already gone there is nothing left to release
        with contextlib.suppress(OSError, TimeoutError):
            self.client.close()


def _cancel_inner(inner: cf.Future[Any], outer: cf.Future[Any]) -> None:
    if outer.cancelled():
        inner.cancel()
