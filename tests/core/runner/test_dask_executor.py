"""``--executor dask`` against a real LocalCluster (worker processes, loopback only).

Every ingest on the cluster is compared byte for byte with a local run of the
same sample drop and timestamp; faults are real: worker processes SIGKILL
themselves mid-task, the client is SIGKILLed mid-run, the scheduler is killed.
"""

from __future__ import annotations

import functools
import operator
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import orjson
import pytest
import vqa_konvid
from click.testing import CliRunner
from distributed import LocalCluster
from distributed.diagnostics.plugin import SchedulerPlugin

from vqa_core.cli import main
from vqa_core.errors import ExecutorError, UsageError
from vqa_core.ingest import IngestConfig, IngestReport, engine, ingest
from vqa_core.ingest.worker import ClipResult, ClipTask, WorkerSettings, process_clip
from vqa_core.registry import Registry
from vqa_core.runner.dask_executor import DaskExecutor, facts_mismatch, worker_facts
from vqa_core.runner.executor import Work, make_executor, run_ordered
from vqa_core.sample import write_sample

# The fault-injecting task functions below live in this module, which the worker
# processes cannot import: ship them by value.
if __name__ in sys.modules:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])

TIMESTAMP = "2024-05-01T12:00:00Z"
CORPUS = "konvid-1k"
OUTPUTS = ("shard.jsonl", "shard.rejections.jsonl")


# ---------------------------------------------------------------------------
# Fixtures: one cluster, one sample drop and one local reference run per module.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # One task at a time per worker thread (no task queued behind it on the worker), so a worker
    # that dies takes exactly the task it was running with it and the fault tests are exact.
    with (
        dask.config.set({"distributed.scheduler.worker-saturation": 1.0}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            protocol="tcp",
            dashboard_address=None,
            # why: without a dashboard the scheduler still serves /metrics on 8787 by default, and
            # warns (an error here) when another suite on this machine holds that port
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as local_cluster,
    ):
        yield local_cluster


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_plugins([("konvid", vqa_konvid)])


@pytest.fixture(scope="module")
def drop(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[Path, ...]]:
    """24 clips, one missing, one truncated, one a byte copy of another: every outcome occurs."""
    root = tmp_path_factory.mktemp("konvid-drop")
    sample = write_sample(registry, CORPUS, root, clips=24, seed=7)
    clips = sorted((root / "KoNViD_1k_videos").glob("*.mp4"))
    clips[3].unlink()
    clips[5].write_bytes(clips[5].read_bytes()[:700])
    shutil.copyfile(clips[8], clips[9])
    return root, sample.metadata


def run(
    registry: Registry,
    drop: tuple[Path, tuple[Path, ...]],
    out_dir: Path,
    executor: str = "thread",
    scheduler: str | None = None,
    **extra: Any,
) -> IngestReport:
    root, metadata = drop
    config = IngestConfig(
        corpus_id=CORPUS,
        root=root,
        output=out_dir / "shard.jsonl",
        metadata=metadata,
        executor=executor,
        scheduler=scheduler,
        workers=2 if executor != "dask" else None,
        timestamp=TIMESTAMP,
        **extra,
    )
    return ingest(registry, config)


def outputs(out_dir: Path) -> dict[str, bytes]:
    return {name: (out_dir / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def local(
    registry: Registry, drop: tuple[Path, tuple[Path, ...]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    out_dir = tmp_path_factory.mktemp("local")
    report = run(registry, drop, out_dir)
    assert report.written == 21 and report.skipped == {"broken-clip": 1, "duplicate": 1, "missing-clip": 1}
    return outputs(out_dir)


def worker_pids(executor: DaskExecutor) -> set[int]:
    return set(executor.client.run(os.getpid).values())


# ---------------------------------------------------------------------------
# Fault injection, shipped to the workers by value.
# ---------------------------------------------------------------------------


def die_once(marker: str, victim: int, task: ClipTask, settings: WorkerSettings) -> ClipResult:
    """SIGKILL this worker process the first time anyone runs task ``victim``."""
    if task.idx == victim:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
    return process_clip(task, settings)


def die_always(victim: int, task: ClipTask, settings: WorkerSettings) -> ClipResult:
    if task.idx == victim:
        os.kill(os.getpid(), signal.SIGKILL)
    return process_clip(task, settings)


def raise_on(victim: int, task: ClipTask, settings: WorkerSettings) -> ClipResult:
    if task.idx == victim:
        raise RuntimeError(f"injected failure in {task.key}")
    return process_clip(task, settings)


# ---------------------------------------------------------------------------
# Same bytes as a local run.
# ---------------------------------------------------------------------------


def test_dask_run_matches_local_run_byte_for_byte(
    registry: Registry, drop: Any, local: dict[str, bytes], cluster: LocalCluster, tmp_path: Path
) -> None:
    report = run(registry, drop, tmp_path, "dask", cluster.scheduler_address)
    assert outputs(tmp_path) == local
    assert report.written == 21 and report.processed == 24
    manifest = orjson.loads((tmp_path / "shard.manifest.json").read_bytes())
    assert manifest["config"]["executor"] == "dask"
    assert manifest["config"]["scheduler"] == cluster.scheduler_address
    assert manifest["config"]["workers"] == 2  # threads the cluster offered
    assert manifest["stats"]["written"] == 21


def test_features_on_the_cluster_match_a_local_extraction(
    drop: Any, local: dict[str, bytes], cluster: LocalCluster, tmp_path: Path
) -> None:
    from vqa_core.features import FeatureConfig, extract_features

    shard = tmp_path / "shard.jsonl"
    shard.write_bytes(local["shard.jsonl"])
    root = drop[0]
    reports = {}
    for executor, scheduler in (("thread", None), ("dask", cluster.scheduler_address)):
        config = FeatureConfig(
            shard=shard,
            root=root,
            output=tmp_path / executor / "features.jsonl",
            workers=2 if scheduler is None else None,
            executor=executor,
            scheduler=scheduler,
            sample_fps=5.0,
            timestamp=TIMESTAMP,
        )
        reports[executor] = extract_features(config)
    assert reports["dask"].written == reports["thread"].written == 21
    for name in ("features.jsonl", "features.rejections.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "thread" / name).read_bytes()
    manifest = orjson.loads((tmp_path / "dask" / "features.manifest.json").read_bytes())
    assert manifest["config"]["scheduler"] == cluster.scheduler_address
    assert manifest["config"]["workers"] == 2  # the threads the cluster offered


def test_scheduler_from_environment_through_the_cli(
    drop: Any, local: dict[str, bytes], cluster: LocalCluster, tmp_path: Path
) -> None:
    root, metadata = drop
    args = ["ingest", CORPUS, "--root", str(root), "-o", str(tmp_path / "shard.jsonl"), "-q"]
    args += ["--metadata", str(metadata[0]), "--executor", "dask", "--timestamp", TIMESTAMP]
    env = {"VQA_DASK_SCHEDULER": cluster.scheduler_address, "VQA_LOAD_PLUGINS": "vqa-konvid"}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert outputs(tmp_path) == local


def test_rerun_on_the_cluster_reuses_the_state(
    registry: Registry, drop: Any, local: dict[str, bytes], cluster: LocalCluster, tmp_path: Path
) -> None:
    run(registry, drop, tmp_path, "dask", cluster.scheduler_address)
    again = run(registry, drop, tmp_path, "dask", cluster.scheduler_address)
    # The missing clip is looked for again and the duplicate decided again (the clip it
    # duplicated may have gone); everything else comes from the state.
    assert again.processed == 2 and again.reused == 22
    assert outputs(tmp_path) == local


# ---------------------------------------------------------------------------
# Faults.
# ---------------------------------------------------------------------------


def test_worker_killed_mid_task_loses_nothing(
    registry: Registry,
    drop: Any,
    local: dict[str, bytes],
    cluster: LocalCluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = tmp_path / "killed.pid"
    monkeypatch.setattr(engine, "process_clip", functools.partial(die_once, str(marker), 10))
    report = run(registry, drop, tmp_path / "out", "dask", cluster.scheduler_address)
    killed = int(marker.read_text())
    assert outputs(tmp_path / "out") == local
    assert report.processed == 24 and report.skipped.get("worker-error") is None
    executor = DaskExecutor(cluster.scheduler_address, 2)  # the nanny restarts the worker
    try:
        assert killed not in worker_pids(executor)
    finally:
        executor.shutdown()


def test_clip_that_kills_every_worker_it_meets_is_a_counted_rejection(
    registry: Registry,
    drop: Any,
    local: dict[str, bytes],
    cluster: LocalCluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scheduler = cluster.scheduler
    assert scheduler is not None
    allowed = scheduler.allowed_failures
    scheduler.allowed_failures = 0  # give up on the first worker lost, not the fourth (test time)
    monkeypatch.setattr(engine, "process_clip", functools.partial(die_always, 11))
    try:
        report = run(registry, drop, tmp_path, "dask", cluster.scheduler_address)
    finally:
        scheduler.allowed_failures = allowed
    rejected = [
        orjson.loads(line) for line in (tmp_path / "shard.rejections.jsonl").read_bytes().splitlines()
    ]
    failed = {r["row"]: r for r in rejected if r["reason"] == "worker-error"}
    assert 12 in failed and all("KilledWorker" in r["detail"] for r in failed.values())
    # With no failure allowed, a task that merely shared the dying worker may be blamed too
    # (docs/decisions/0041-failed-tasks.md); whatever is blamed is counted, and nothing else changes.
    assert report.skipped["worker-error"] == len(failed)
    assert report.written + sum(report.skipped.values()) == 24
    # A rerun without the fault tries the failed rows again and ends as the local run.
    monkeypatch.setattr(engine, "process_clip", process_clip)
    again = run(registry, drop, tmp_path, "dask", cluster.scheduler_address)
    # and the missing clip, looked for again, and the duplicate, decided again
    assert again.processed == len(failed) + 2
    assert outputs(tmp_path) == local


@pytest.mark.parametrize("executor", ["thread", "dask"])
def test_task_that_raises_is_a_counted_rejection(
    executor: str,
    registry: Registry,
    drop: Any,
    cluster: LocalCluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "process_clip", functools.partial(raise_on, 2))
    report = run(registry, drop, tmp_path, executor, cluster.scheduler_address)
    assert report.skipped["worker-error"] == 1
    rejected = [
        orjson.loads(line) for line in (tmp_path / "shard.rejections.jsonl").read_bytes().splitlines()
    ]
    [failed] = [r for r in rejected if r["reason"] == "worker-error"]
    assert failed["row"] == 3
    assert failed["detail"] == f"{failed['key']}: RuntimeError: injected failure in {failed['key']}"
    # A rerun tries the row again; without the fault it is written like any other.
    monkeypatch.setattr(engine, "process_clip", process_clip)
    again = run(registry, drop, tmp_path, executor, cluster.scheduler_address)
    assert again.written == 21 and "worker-error" not in again.skipped


def test_client_killed_mid_run_resumes_to_the_same_bytes(
    registry: Registry, drop: Any, local: dict[str, bytes], cluster: LocalCluster, tmp_path: Path
) -> None:
    root, metadata = drop
    script = textwrap.dedent(
        """
        import os, signal, sys, time
        from pathlib import Path
        import vqa_konvid
        from vqa_core.ingest import IngestConfig, ingest
        from vqa_core.registry import Registry

        class DieAfter:
            def start(self, total, description): pass
            def advance(self, written, skipped):
                if written + skipped == 12:
                    time.sleep(1.1)  # the state commits a batch at least once a second
                if written + skipped == 15:
                    os.kill(os.getpid(), signal.SIGKILL)
            def finish(self): pass

        root, metadata, output, scheduler, timestamp = sys.argv[1:]
        config = IngestConfig(corpus_id="konvid-1k", root=Path(root), output=Path(output),
            metadata=(Path(metadata),), executor="dask", scheduler=scheduler, timestamp=timestamp)
        ingest(Registry.from_plugins([("konvid", vqa_konvid)]), config, progress=DieAfter())
        """
    )
    output = tmp_path / "shard.jsonl"
    args = [sys.executable, "-c", script, str(root), str(metadata[0]), str(output), cluster.scheduler_address]
    args.append(TIMESTAMP)
    killed = subprocess.run(args, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert not output.exists()
    report = run(registry, drop, tmp_path, "dask", cluster.scheduler_address)
    assert report.reused > 0 and report.reused + report.processed == 24
    assert outputs(tmp_path) == local


# ---------------------------------------------------------------------------
# Backpressure.
# ---------------------------------------------------------------------------


class PeakTasks(SchedulerPlugin):
    """The most tasks the scheduler held at once."""

    def __init__(self, scheduler: Any) -> None:
        self.peak = 0
        self.scheduler = scheduler

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        self.peak = max(self.peak, len(self.scheduler.tasks))


class Counting:
    """An executor proxy that counts futures handed out and not yet consumed."""

    def __init__(self, inner: DaskExecutor) -> None:
        self.inner = inner
        self.live = 0
        self.peak = 0

    def submit(self, fn: Any, /, *args: Any) -> Any:
        self.live += 1
        self.peak = max(self.peak, self.live)
        return self.inner.submit(fn, *args)

    def shutdown(self) -> None:
        self.inner.shutdown()


def test_in_flight_work_never_exceeds_the_window(cluster: LocalCluster) -> None:
    scheduler = cluster.scheduler
    assert scheduler is not None
    peak = PeakTasks(scheduler)
    scheduler.add_plugin(peak, name="vqa-peak-tasks")
    executor = Counting(DaskExecutor(cluster.scheduler_address))
    window, n = 6, 150
    try:
        results = []
        for value in run_ordered(
            executor, operator.mul, (Work(i) for i in range(n)), window=window, args=(3,)
        ):
            results.append(value)
            executor.live -= 1
            assert executor.live <= window
    finally:
        executor.shutdown()
        scheduler.remove_plugin(name="vqa-peak-tasks")
    assert results == [3 * i for i in range(n)]
    assert executor.peak == window
    # The scheduler forgets a task a few milliseconds after the client lets go of it, so a few
    # finished tasks linger beyond the window; what matters is that the count does not grow with n.
    assert window <= peak.peak <= 4 * window < n // 6


def test_window_follows_the_threads_the_cluster_offers(cluster: LocalCluster) -> None:
    executor = make_executor("dask", None, cluster.scheduler_address)
    try:
        assert isinstance(executor, DaskExecutor) and executor.workers == 2
    finally:
        executor.shutdown()
        executor.shutdown()  # idempotent


# ---------------------------------------------------------------------------
# Errors: one line, exit 2.
# ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_ingest(drop: Any, tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    root, metadata = drop
    args = ["ingest", CORPUS, "--root", str(root), "-o", str(tmp_path / "shard.jsonl"), "-q"]
    args += ["--metadata", str(metadata[0]), "--executor", "dask", *extra]
    return CliRunner().invoke(main, args, env={"VQA_LOAD_PLUGINS": "vqa-konvid", **(env or {})})


def test_unreachable_scheduler_is_one_line_and_exit_2(drop: Any, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = cli_ingest(drop, tmp_path, "--scheduler", address)
    assert result.exit_code == 2
    [error] = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert error.startswith(f"error: cannot reach the Dask scheduler at {address}: ")
    assert time.monotonic() - started < 20
    assert list(tmp_path.iterdir()) == []  # no state, no output


def test_missing_scheduler_address_is_a_usage_error(
    drop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VQA_DASK_SCHEDULER", raising=False)
    result = cli_ingest(drop, tmp_path)
    assert result.exit_code == 2
    assert "needs a scheduler: pass --scheduler" in result.stderr
    with pytest.raises(UsageError):
        DaskExecutor(None)


def test_missing_dask_names_the_extra(drop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra sees
    result = cli_ingest(drop, tmp_path, "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    [error] = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert error.startswith("error: --executor dask needs Dask distributed, which cannot be imported")
    assert error.endswith("pip install 'vqa-core[dask]'")


def test_workers_that_do_not_see_the_dataset_are_refused(cluster: LocalCluster, tmp_path: Path) -> None:
    executor = DaskExecutor(cluster.scheduler_address)
    try:
        executor.check_paths([tmp_path])  # the workers share this machine's file system
        with pytest.raises(ExecutorError, match=r"does not see .*not-mounted"):
            executor.check_paths([tmp_path / "not-mounted"])
    finally:
        executor.shutdown()


def test_too_few_workers_is_an_error(cluster: LocalCluster) -> None:
    with pytest.raises(ExecutorError, match=r"2 of the 3 Dask worker\(s\) needed joined"):
        DaskExecutor(cluster.scheduler_address, 3, worker_wait_s=0.5)


def test_facts_mismatch_names_the_worker_and_what_differs() -> None:
    mine = worker_facts()
    assert facts_mismatch(mine, {"tcp://a:1": dict(mine)}) is None
    other = dict(mine, av="0.0.1")
    assert facts_mismatch(mine, {"tcp://a:1": other}) == f"tcp://a:1 runs av 0.0.1 (client: {mine['av']})"
    broken = ModuleNotFoundError("No module named 'vqa_core'")
    assert facts_mismatch(mine, {"tcp://b:2": broken}) == (
        "tcp://b:2 cannot run vqa (ModuleNotFoundError: No module named 'vqa_core')"
    )


def wait_for_scheduler_file(path: Path, timeout_s: float = 60.0) -> str:
    """The address in a scheduler file, once it is completely written."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return str(orjson.loads(path.read_bytes())["address"])
        except (OSError, orjson.JSONDecodeError, KeyError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_lost_scheduler_stops_the_run_with_an_executor_error(tmp_path: Path) -> None:
    """A real `dask scheduler` and `dask worker`, the scheduler SIGKILLed while tasks run."""
    bin_dir = Path(sys.executable).parent
    scheduler_file = tmp_path / "scheduler.json"
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    command = [bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    scheduler = subprocess.Popen([*command, "--scheduler-file", scheduler_file], **quiet)
    worker = None
    try:
        address = wait_for_scheduler_file(scheduler_file)
        worker = subprocess.Popen(
            [bin_dir / "dask", "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
            **quiet,
        )
        executor = DaskExecutor(str(scheduler_file))  # a scheduler file works as the address too
        try:
            results = run_ordered(executor, time.sleep, (Work(0.2) for _ in range(20)), window=4)
            next(results)
            scheduler.send_signal(signal.SIGKILL)
            with pytest.raises(ExecutorError, match="rerun the same command to continue"):
                list(results)
        finally:
            executor.shutdown()
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.kill()
                proc.wait(timeout=30)
