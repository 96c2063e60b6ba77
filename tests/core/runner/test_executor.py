"""``run_ordered``: input order, bounded window, and what a failed task becomes."""

from __future__ import annotations

import pytest

from vqa_core.runner.executor import LocalExecutor, Ready, Work, default_workers, hashing_workers, run_ordered


def half(n: int) -> int:
    if n % 2:
        raise ValueError(f"{n} is odd")
    return n // 2


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_on_error_turns_a_raised_task_into_a_value_in_place(kind: str) -> None:
    executor = LocalExecutor(kind, 2)
    items = [Work(4), Ready(-1), Work(3), Work(8)]
    try:
        out = list(run_ordered(executor, half, items, window=2, on_error=lambda task, exc: f"{task}: {exc}"))
    finally:
        executor.shutdown()
    assert out == [2, -1, "3: 3 is odd", 4]


def test_without_on_error_the_exception_propagates() -> None:
    executor = LocalExecutor("thread", 2)
    try:
        with pytest.raises(ValueError, match="3 is odd"):
            list(run_ordered(executor, half, [Work(2), Work(3)], window=4))
    finally:
        executor.shutdown()


def test_on_error_may_stop_the_run() -> None:
    def stop(task: int, exc: Exception) -> int:
        raise RuntimeError(f"stopped at {task}") from exc

    executor = LocalExecutor("thread", 1)
    try:
        results = run_ordered(executor, half, (Work(n) for n in (2, 5, 6)), window=2, on_error=stop)
        assert next(results) == 1
        with pytest.raises(RuntimeError, match="stopped at 5"):
            next(results)
    finally:
        executor.shutdown()


def test_hashing_runs_default_to_two_threads_a_core_and_keep_what_was_asked() -> None:
    cores = default_workers()
    assert hashing_workers("local", None) == hashing_workers("thread", None) == 2 * cores
    assert hashing_workers("thread", 3) == 3
    # a process pool and a cluster keep their own defaults
    assert hashing_workers("process", None) is None
    assert hashing_workers("dask", None) is None
    assert hashing_workers("process", 5) == 5
