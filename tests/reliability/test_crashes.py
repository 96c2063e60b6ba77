"""``kill -9`` at seeded instants of ingest, features, aggregate and merge-grid; concurrent writers.

Every kill is a real ``SIGKILL`` of ``python -m vqa_core …`` at a time drawn
from a seeded generator. Kills alternate between two kinds: one waits until the
process holds the output's lock, then strikes at a seeded share of the time an
uninterrupted run spent holding it (so it always meets a ``writing`` process,
however slow start-up is on a loaded machine); the other strikes at an instant
over the measured length of an uninterrupted run (from shortly before it took
the lock to shortly before it ended), which may meet it ``starting`` or
``writing``. Only kills that find the process still running are counted. After the kills,
a rerun must give exactly the bytes of the uninterrupted run (fixed
``--timestamp``), with no temporary file left behind. The suite delivers at
least :data:`MIN_KILLS` kills in all (asserted per command).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

N_CLIPS = 1_500
N_FEATURE_CLIPS = 300
AGGREGATE_ROWS = 60_000
GRID_ROWS = 15_000
#: Kills per command; 18 + 12 + 10 + 10 = 50.
KILLS = {"ingest": 18, "features": 12, "aggregate": 10, "merge-grid": 10}
MIN_KILLS = sum(KILLS.values())

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory, konvid_drop_factory: Any) -> Path:
    return konvid_drop_factory(tmp_path_factory.mktemp("crash-drop"), N_CLIPS)


def _timed(kit: ModuleType, args: list[str | Path], lock: Path) -> tuple[float, float]:
    """Run to completion; ``(seconds until it held the output's lock, seconds in all)``."""
    started = time.monotonic()
    proc = subprocess.Popen(
        kit.vqa_command(*args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=kit.vqa_env(),
    )
    locked = None
    while proc.poll() is None:
        if locked is None and lock.exists() and lock.read_text().strip() == str(proc.pid):
            locked = time.monotonic() - started
        time.sleep(0.002)
    total = time.monotonic() - started
    assert proc.returncode == 0 and proc.stderr is not None, proc.stderr
    proc.stderr.close()
    return locked if locked is not None else 0.0, total


@pytest.fixture(scope="module")
def work(kit: ModuleType, drop: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Inputs and uninterrupted reference outputs (and their durations) of the four commands."""
    ref = tmp_path_factory.mktemp("crash-reference")
    inputs = tmp_path_factory.mktemp("crash-inputs")
    durations = {"ingest": _timed(kit, _ingest(kit, drop, ref), ref / "k.jsonl.lock")}
    lines = (ref / "k.jsonl").read_bytes().splitlines()
    few = inputs / "few.jsonl"
    few.write_bytes(b"\n".join(lines[:N_FEATURE_CLIPS]) + b"\n")
    durations["features"] = _timed(kit, _features(kit, drop, few, ref), ref / "f.jsonl.lock")
    big = inputs / "big.jsonl"
    big.write_bytes(_many_rows(lines, AGGREGATE_ROWS))
    durations["aggregate"] = _timed(kit, _aggregate(kit, big, ref), ref / "u.parquet.lock")
    grids = [inputs / "g0.jsonl", inputs / "g1.jsonl"]
    for part, grid in enumerate(grids):
        grid.write_bytes(
            b"".join(orjson.dumps(_grid_row(i + part * GRID_ROWS // 2)) + b"\n" for i in range(GRID_ROWS))
        )
    durations["merge-grid"] = _timed(kit, _merge(kit, grids, ref), ref / "m.jsonl.lock")
    return {"ref": ref, "few": few, "big": big, "grids": grids, "durations": durations}


def _many_rows(lines: list[bytes], n: int) -> bytes:
    """``n`` valid corpus rows: the shard's rows with new src and content hashes."""
    out = bytearray()
    for i in range(n):
        row = orjson.loads(lines[i % len(lines)])
        row["src"] = f"copy/{i}.mp4"
        row["src_sha256"] = f"{i:064x}"
        out += orjson.dumps(row, option=orjson.OPT_SORT_KEYS) + b"\n"
    return bytes(out)


def _grid_row(i: int) -> dict[str, object]:
    from vqa_core.gridrows import GRID_KEYS

    row: dict[str, object] = dict.fromkeys(GRID_KEYS, 0.25)
    row.update(
        src=f"s{i % 997}.yuv",
        src_sha256=f"{i % 5000:064x}",
        encoder="libx264",
        preset="fast",
        crf=20 + i % 30,
    )
    return row


def _ingest(kit: ModuleType, drop: Path, out: Path) -> list[str | Path]:
    return kit.ingest_args(drop, out / "k.jsonl")


def _features(kit: ModuleType, drop: Path, shard: Path, out: Path) -> list[str | Path]:
    return [
        "features",
        "extract",
        shard,
        "--root",
        drop,
        "-o",
        out / "f.jsonl",
        "--timestamp",
        kit.TIMESTAMP,
        "--workers",
        "2",
        "-q",
    ]


def _aggregate(kit: ModuleType, shard: Path, out: Path) -> list[str | Path]:
    return ["aggregate", shard, "-o", out / "u.parquet", "--timestamp", kit.TIMESTAMP]


def _merge(kit: ModuleType, grids: list[Path], out: Path) -> list[str | Path]:
    return ["merge-grid", *grids, "-o", out / "m.jsonl", "--timestamp", kit.TIMESTAMP]


def _holds(lock: Path, pid: int) -> bool:
    try:
        return lock.read_text().strip() == str(pid)
    except OSError:
        return False


def _kill_at(
    kit: ModuleType, args: list[str | Path], delay: float, *, lock: Path, after_lock: bool = False
) -> str | None:
    """Start the command, ``SIGKILL`` it after ``delay`` s (counted from when it took the output's
    lock when ``after_lock``). ``None`` if it had finished by then, else where it was:
    ``"writing"`` (it held the output's lock) or ``"starting"``."""
    proc = subprocess.Popen(
        kit.vqa_command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=kit.vqa_env()
    )
    if after_lock:
        while proc.poll() is None and not _holds(lock, proc.pid):
            time.sleep(0.002)
    try:
        proc.wait(timeout=delay)
        return None
    except subprocess.TimeoutExpired:
        phase = "writing" if _holds(lock, proc.pid) else "starting"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return phase


def _kill_sequence(
    kit: ModuleType,
    args: list[str | Path],
    timing: tuple[float, float],
    rng: random.Random,
    kills: int,
    out: Path,
    check: Callable[[], None],
    *,
    first: int = 0,
) -> list[str]:
    """Deliver ``kills`` kills at seeded instants; the phase of each.

    Kill number ``first + i`` is an after-lock kill when even: it waits for the
    lock, then strikes within the first 95 % of the reference run's time under
    the lock. When odd, its instant is uniform from shortly before the reference
    run took its lock (start-up before that writes nothing) to shortly before it
    ended. A run that finishes before its instant resumed the earlier kills:
    ``check`` verifies its output, then ``out`` is emptied and the next instant
    meets a first run again.
    """
    locked, total = timing
    phases: list[str] = []
    attempts = 0
    while len(phases) < kills and attempts < 4 * kills:
        attempts += 1
        if (first + len(phases)) % 2 == 0:
            delay = rng.uniform(0.0, 0.95 * max(total - locked, 0.0))
            phase = _kill_at(kit, args, delay, lock=_lock_of(args), after_lock=True)
        else:
            phase = _kill_at(kit, args, rng.uniform(0.8 * locked, 0.97 * total), lock=_lock_of(args))
        if phase is None:
            check()
            for path in out.iterdir():
                path.unlink()
        else:
            phases.append(phase)
    return phases


def _lock_of(args: list[str | Path]) -> Path:
    output = Path(args[args.index("-o") + 1])
    return output.with_name(output.name + ".lock")


def _same(out: Path, ref: Path, *names: str) -> None:
    for name in names:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


def _stats(manifest: Path) -> Any:
    return orjson.loads(manifest.read_bytes())["stats"]


@pytest.mark.parametrize("seed", range(KILLS["ingest"] // 2))
def test_ingest_killed_twice_then_rerun_gives_the_uninterrupted_shard(
    kit: ModuleType, drop: Path, work: dict[str, Any], tmp_path: Path, seed: int
) -> None:
    args = _ingest(kit, drop, tmp_path)

    def check() -> None:
        _same(tmp_path, work["ref"], "k.jsonl", "k.rejections.jsonl")
        assert _stats(tmp_path / "k.manifest.json") == _stats(work["ref"] / "k.manifest.json")
        assert kit.temporaries(tmp_path) == []

    phases = _kill_sequence(kit, args, work["durations"]["ingest"], random.Random(seed), 2, tmp_path, check)
    kit.run_vqa(*args).assert_ok()
    check()
    print(f"kills: {phases}")  # the figures docs/reliability.md reports (pytest -s)
    assert len(phases) == 2 and "writing" in phases


@pytest.mark.parametrize("seed", range(KILLS["features"] // 2))
def test_features_killed_twice_then_rerun_gives_the_uninterrupted_output(
    kit: ModuleType, drop: Path, work: dict[str, Any], tmp_path: Path, seed: int
) -> None:
    args = _features(kit, drop, work["few"], tmp_path)

    def check() -> None:
        _same(tmp_path, work["ref"], "f.jsonl", "f.rejections.jsonl")
        assert _stats(tmp_path / "f.manifest.json") == _stats(work["ref"] / "f.manifest.json")
        assert kit.temporaries(tmp_path) == []

    phases = _kill_sequence(
        kit, args, work["durations"]["features"], random.Random(100 + seed), 2, tmp_path, check
    )
    kit.run_vqa(*args).assert_ok()
    check()
    print(f"kills: {phases}")  # the figures docs/reliability.md reports (pytest -s)
    assert len(phases) == 2 and "writing" in phases


@pytest.mark.parametrize(
    ("command", "make", "names"),
    [
        ("aggregate", lambda kit, w, out: _aggregate(kit, w["big"], out), ("u.parquet", "u.manifest.json")),
        ("merge-grid", lambda kit, w, out: _merge(kit, w["grids"], out), ("m.jsonl", "m.manifest.json")),
    ],
)
def test_aggregate_and_merge_killed_leave_the_old_output_or_none_and_rerun_gives_the_same(
    kit: ModuleType,
    work: dict[str, Any],
    tmp_path: Path,
    command: str,
    make: Callable[[ModuleType, dict[str, Any], Path], list[str | Path]],
    names: tuple[str, ...],
) -> None:
    args = make(kit, work, tmp_path)
    output, manifest = tmp_path / names[0], tmp_path / names[1]

    def check() -> None:
        assert output.read_bytes() == (work["ref"] / names[0]).read_bytes()
        assert _stats(manifest) == _stats(work["ref"] / names[1])
        assert kit.temporaries(tmp_path) == []

    rng = random.Random(command)
    phases: list[str] = []
    for _ in range(KILLS[command]):
        phases += _kill_sequence(
            kit, args, work["durations"][command], rng, 1, tmp_path, check, first=len(phases)
        )
        # never a torn output: absent (a first run) or the complete bytes of an earlier run
        assert not output.exists() or output.read_bytes() == (work["ref"] / names[0]).read_bytes()
        kit.run_vqa(*args).assert_ok()
        check()
        for path in tmp_path.iterdir():
            path.unlink()  # the next kill meets a first run again
    print(f"kills: {phases}")
    assert len(phases) == KILLS[command]
    assert phases.count("writing") >= KILLS[command] // 2, phases


# -- concurrent writers ------------------------------------------------------------------------------


def _wait_for_lock(lock: Path, pid: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if lock.exists() and lock.read_text().strip() == str(pid):
            return
        time.sleep(0.005)
    raise AssertionError("the first writer never took the lock")


@pytest.mark.parametrize("command", ["ingest", "features"])
def test_a_second_run_on_the_same_output_is_refused_and_the_first_completes(
    kit: ModuleType, drop: Path, work: dict[str, Any], tmp_path: Path, command: str
) -> None:
    args = (
        _ingest(kit, drop, tmp_path) if command == "ingest" else _features(kit, drop, work["few"], tmp_path)
    )
    name = "k.jsonl" if command == "ingest" else "f.jsonl"
    first = subprocess.Popen(
        kit.vqa_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kit.vqa_env()
    )
    _wait_for_lock(tmp_path / f"{name}.lock", first.pid, first)
    second = kit.run_vqa(*args)
    second.assert_clean_error("is being written by another vqa process", f"pid {first.pid}", code=5)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    _same(tmp_path, work["ref"], name)


def test_aggregate_merge_and_ingest_refuse_an_output_another_process_holds(
    kit: ModuleType, drop: Path, work: dict[str, Any], tmp_path: Path
) -> None:
    """The lock is held by this test process (a real flock from another process than the CLI's)."""
    from vqa_core.runner.lock import output_lock

    commands = {
        "u.parquet": _aggregate(kit, work["big"], tmp_path),
        "m.jsonl": _merge(kit, work["grids"], tmp_path),
        "k.jsonl": _ingest(kit, drop, tmp_path),
    }
    for name, args in commands.items():
        with output_lock(tmp_path / name):
            kit.run_vqa(*args).assert_clean_error(
                "is being written by another vqa process", f"pid {os.getpid()}", code=5
            )
            assert not (tmp_path / name).exists()
        kit.run_vqa(*args).assert_ok()  # released: the same command now runs


def test_two_aggregates_started_together_never_interleave(
    kit: ModuleType, work: dict[str, Any], tmp_path: Path
) -> None:
    args = _aggregate(kit, work["big"], tmp_path)
    outcomes = []
    for _ in range(3):
        procs = [
            subprocess.Popen(
                kit.vqa_command(*args),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=kit.vqa_env(),
            )
            for _ in range(2)
        ]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
        for proc in procs:
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        for code, stderr in results:
            assert code == 0 or (code == 5 and "is being written by another vqa process" in stderr), stderr
        outcomes.append(sorted(code for code, _ in results))
        assert (tmp_path / "u.parquet").read_bytes() == (work["ref"] / "u.parquet").read_bytes()
    assert [0, 5] in outcomes  # they did overlap, and the lock decided
