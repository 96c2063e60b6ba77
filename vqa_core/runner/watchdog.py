"""A watchdog for per-clip work on local threads: one clip cannot stall a run.

Per-clip work reports progress with :func:`beat` (every hashed MiB, every
demuxed packet, every decoded frame, every chunk a download receives).
:class:`WatchedThreadPool` runs the work on daemon threads and knows, for each
running task, when its thread last made progress.
:func:`~vqa_core.runner.executor.run_ordered` asks it while waiting: a task
without progress for longer than its limit is *abandoned* — its result becomes
:class:`StalledTask` (the engines count it, e.g. as ``probe-timeout``), a fresh
thread takes its place, and the run goes on. The stuck thread is a daemon, so
it does not keep the process alive once the run has finished.

The limit is the pool's ``stall_s`` unless the last beat stated its own: a
thread about to wait on the network (``beat(allow_s=..., activity=
"downloading")``) may legitimately stay silent for as long as its own timeouts
allow, which need not match the limit that suits hashing and probing
(docs/decisions/0053-download-stalls-and-hostile-servers.md).

Why threads cannot simply be interrupted: a thread blocked in a system call
(``open()`` of a FIFO, a read on a hung network file system) cannot be stopped
from Python, and PyAV's ``timeout`` only interrupts FFmpeg's own loops
(docs/decisions/0048-per-clip-watchdog.md).
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Final

__all__ = ["beat", "StalledTask", "WatchedThreadPool"]

#: thread ident → (time of its last beat, seconds it may stay silent or None for the pool's limit, activity)
_BEATS: dict[int, tuple[float, float | None, str | None]] = {}
_SENTINEL: Final = None


def beat(allow_s: float | None = None, activity: str | None = None) -> None:
    """Record that the calling thread is making progress (cheap: one dict store).

    ``allow_s``: the thread may stay silent this long from now before it counts
    as stuck (a network wait bounded by its own timeouts); ``None`` keeps the
    pool's ``stall_s``. ``activity`` names what it is doing, for the verdict if
    it is abandoned all the same.
    """
    _BEATS[threading.get_ident()] = (time.monotonic(), allow_s, activity)


class StalledTask(Exception):
    """A task made no progress for ``idle_s`` seconds and was abandoned."""

    def __init__(self, idle_s: float, activity: str | None = None) -> None:
        super().__init__(f"no progress for {idle_s:.0f} s" + (f" while {activity}" if activity else ""))
        self.idle_s = idle_s
        #: What its last beat said it was doing (``None``: the pool's own work, e.g. hashing, probing).
        self.activity = activity


class WatchedThreadPool:
    """A fixed-size pool of daemon threads whose tasks are abandoned after ``stall_s`` without progress."""

    def __init__(self, workers: int, *, stall_s: float, name: str = "vqa") -> None:
        self.workers = workers
        self.stall_s = stall_s
        self._name = name
        self._queue: queue.SimpleQueue[tuple[cf.Future[Any], Callable[..., Any], tuple[Any, ...]] | None]
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        #: future → (thread ident, start time) while it runs
        self._running: dict[cf.Future[Any], tuple[int, float]] = {}
        self._threads: list[threading.Thread] = []
        self._left_behind: set[int] = set()
        self._count = itertools.count()
        self.abandoned = 0
        for _ in range(workers):
            self._spawn()

    def _spawn(self) -> None:
        thread = threading.Thread(target=self._work, name=f"{self._name}-{next(self._count)}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not _SENTINEL:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            ident = threading.get_ident()
            with self._lock:
                self._running[future] = (ident, time.monotonic())
            try:
                result = fn(*args)
            except BaseException as exc:  # why: a future carries whatever the task raised
                outcome: tuple[bool, Any] = (False, exc)
            else:
                outcome = (True, result)
            with self._lock:
                abandoned = self._running.pop(future, None) is None
            _BEATS.pop(ident, None)
            if abandoned:
                return  # a replacement took this thread's place; its late result is dropped
            if outcome[0]:
                future.set_result(outcome[1])
            else:
                future.set_exception(outcome[1])

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        self._queue.put((future, fn, args))
        return future

    def _silence(self, future: cf.Future[Any]) -> tuple[float, float, str | None] | None:
        """(seconds since the task's last progress, its limit, its activity); ``None`` when not running."""
        with self._lock:
            running = self._running.get(future)
        if running is None:
            return None
        ident, started = running
        last, allow_s, activity = _BEATS.get(ident, (started, None, None))
        if last < started:  # a beat left over from the thread's previous task
            last, allow_s, activity = started, None, None
        return time.monotonic() - last, self.stall_s if allow_s is None else allow_s, activity

    def idle_seconds(self, future: cf.Future[Any]) -> float | None:
        """Seconds since the task's thread last made progress; ``None`` when it is not running."""
        silence = self._silence(future)
        return None if silence is None else silence[0]

    def overdue(self, future: cf.Future[Any]) -> StalledTask | None:
        """The verdict on a running task silent for longer than its limit, else ``None``."""
        silence = self._silence(future)
        if silence is None or silence[0] < silence[1]:
            return None
        return StalledTask(silence[0], silence[2])

    def abandon(self, future: cf.Future[Any]) -> bool:
        """Give up on a running task: its thread is left behind and a new one starts."""
        with self._lock:
            running = self._running.pop(future, None)
            if running is None:
                return False
            self._left_behind.add(running[0])
            self.abandoned += 1
        self._spawn()
        return True

    def shutdown(self) -> None:
        """Cancel queued tasks, let running ones finish, and stop the threads.

        A task that stalls meanwhile is abandoned like during the run, so
        shutting down never waits on a stuck thread.
        """
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        with self._lock:
            running = list(self._running)
        for future in running:
            while not future.done():
                try:
                    future.exception(timeout=min(1.0, self.stall_s))
                except (cf.TimeoutError, cf.CancelledError):
                    silence = self._silence(future)
                    if silence is None or silence[0] >= silence[1]:
                        self.abandon(future)
                        break
        alive = [t for t in self._threads if t.is_alive() and t.ident not in self._left_behind]
        for _ in alive:
            self._queue.put(_SENTINEL)
        for thread in alive:
            thread.join()
