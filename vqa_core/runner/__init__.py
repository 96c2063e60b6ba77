"""The shared runner: one resumable, ordered, parallel job per output, and one writer per output.

Ingest (:mod:`vqa_core.ingest`), feature extraction (:mod:`vqa_core.features`)
and ``vqa verify`` decide every row of their input, on a pool, in input order,
and keep what they decided in a resume state beside the output. The modules
here each do one part of that:

- :mod:`~vqa_core.runner.job`: the job itself, from opening the executor, the
  lock and the state to rendering the output (:func:`~vqa_core.runner.job.run_job`);
- :mod:`~vqa_core.runner.executor`: local threads or processes, or Dask
  (:mod:`~vqa_core.runner.dask_executor`), in input order with bounded work in flight;
- :mod:`~vqa_core.runner.watchdog`: abandons a task on local threads that stops making progress;
- :mod:`~vqa_core.runner.state`: the SQLite resume state;
- :mod:`~vqa_core.runner.outputs`: the output and its rejections list, rendered from the state;
- :mod:`~vqa_core.runner.accounting`: rows written and skipped, logged and counted;
- :mod:`~vqa_core.runner.progress`: what a long job reports while it runs (:class:`~vqa_core.runner.progress.ProgressSink`),
  for any job of the library, not only the runner's;
- :mod:`~vqa_core.runner.lock`: :func:`~vqa_core.runner.lock.output_lock`, which every
  command that writes an output holds while it writes.

Importing this package imports none of them (a command's ``--help`` must stay cheap).
"""

from __future__ import annotations

from typing import Final

__all__ = ["EXECUTORS", "DEFAULT_EXECUTOR"]

#: Where per-row work runs: ``local`` and ``thread`` are the same watched thread pool.
EXECUTORS: Final = ("local", "thread", "process", "dask")
#: The executor of every job unless told otherwise, in the CLI and the Python API alike.
DEFAULT_EXECUTOR: Final = "local"
