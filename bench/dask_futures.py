"""Which futures to hand ``run_ordered``: per-task cost and how many tasks the scheduler holds.

Usage (from the repository root)::

    .venv/bin/python bench/dask_futures.py --tasks 1500

No-op tasks (``operator.mul``) through ``run_ordered`` on a ``LocalCluster`` of
2 worker processes × 1 thread, with three kinds of futures:

- ``raw``: ``client.submit(..., pure=False)``; each ``.result()`` is a blocking
  round trip from the calling thread;
- ``client-executor``: ``client.get_executor(pure=False)``, results gathered on
  the client's event loop;
- ``DaskExecutor``: what ``--executor dask`` uses (the client executor, wrapped).

For each, tasks/s at two windows and the most tasks the scheduler held at once
(docs/decisions/0040-dask-futures.md).
"""

from __future__ import annotations

import argparse
import operator
import time
from typing import Any

from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import SchedulerPlugin

from vqa_core.runner.dask_executor import DaskExecutor
from vqa_core.runner.executor import Work, run_ordered


class PeakTasks(SchedulerPlugin):
    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.peak = 0

    def transition(self, *args: Any, **kwargs: Any) -> None:
        self.peak = max(self.peak, len(self.scheduler.tasks))


class Raw:
    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Any, /, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def shutdown(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1500)
    args = parser.parse_args()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.submit(operator.mul, 1, 1).result()
        print("| futures | window | tasks/s | ms/task | most tasks on the scheduler |")
        print("|---|---:|---:|---:|---:|")
        for window in (8, 64):
            for name in ("raw", "client-executor", "DaskExecutor"):
                executor: Any
                if name == "raw":
                    executor = Raw(client)
                elif name == "client-executor":
                    executor = client.get_executor(pure=False)
                else:
                    executor = DaskExecutor(cluster.scheduler_address)
                peak = PeakTasks(cluster.scheduler)
                cluster.scheduler.add_plugin(peak, name="peak")
                started = time.perf_counter()
                items = (Work(i) for i in range(args.tasks))
                out = list(run_ordered(executor, operator.mul, items, window=window, args=(2,)))
                elapsed = time.perf_counter() - started
                cluster.scheduler.remove_plugin(name="peak")
                executor.shutdown()
                assert out == [2 * i for i in range(args.tasks)]
                rate = args.tasks / elapsed
                print(f"| {name} | {window} | {rate:.0f} | {1000 / rate:.2f} | {peak.peak} |")


if __name__ == "__main__":
    main()
