"""The watchdog's limits: the pool's own, and the longer one a thread states before a network wait."""

from __future__ import annotations

import threading

from vqa_core.ingest.engine import _failed_task
from vqa_core.ingest.worker import ClipResult, ClipTask
from vqa_core.runner.executor import Work, run_ordered
from vqa_core.runner.watchdog import StalledTask, WatchedThreadPool, beat


def _silent(allow_s: float | None, release: threading.Event, wait_s: float) -> str:
    """Beat once (stating ``allow_s`` if given), then make no progress for up to ``wait_s``."""
    beat(allow_s, "downloading" if allow_s is not None else None)
    release.wait(wait_s)
    return "done"


def test_a_thread_silent_within_the_limit_it_stated_is_not_abandoned() -> None:
    """2 s of silence on a pool whose own limit is 0.5 s: the thread said it may wait 30 s."""
    pool = WatchedThreadPool(1, stall_s=0.5)
    try:
        results = list(run_ordered(pool, _silent, [Work(30.0)], window=1, args=(threading.Event(), 2.0)))
    finally:
        pool.shutdown()
    assert results == ["done"] and pool.abandoned == 0


def test_the_same_silence_without_a_stated_limit_is_abandoned() -> None:
    release = threading.Event()
    pool = WatchedThreadPool(1, stall_s=0.5)
    try:
        results = list(
            run_ordered(pool, _silent, [Work(None)], window=1, args=(release, 60.0), on_error=lambda _, e: e)
        )
    finally:
        release.set()
        pool.shutdown()
    (verdict,) = results
    assert isinstance(verdict, StalledTask) and verdict.activity is None and pool.abandoned == 1


def test_a_download_silent_past_its_stated_limit_is_a_stalled_download() -> None:
    release = threading.Event()
    task = ClipTask(idx=0, key="videos/a.mp4", path="/nowhere/a.mp4", base="/nowhere", url="https://h/a.mp4")
    pool = WatchedThreadPool(1, stall_s=60.0)  # the stated 1 s governs, not the pool's minute
    try:
        (verdict,) = run_ordered(
            pool, _silent, [Work(1.0)], window=1, args=(release, 60.0), on_error=lambda _, e: e
        )
    finally:
        release.set()
        pool.shutdown()
    assert isinstance(verdict, StalledTask) and verdict.activity == "downloading"
    result = _failed_task(task, verdict)
    assert isinstance(result, ClipResult)
    assert result.reason == "download-stalled" and result.transient
    assert "while downloading" in (result.detail or "")
