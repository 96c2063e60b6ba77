"""How long ``vqa corpora list --json`` takes against importing what it cannot do without.

The baseline is a Python process that imports click, pluggy, attrs and
``importlib.metadata`` and exits: a command that lists plugins cannot cost less.
Each round runs the baseline and every measured command once, as fresh
processes, in an order that rotates every round (so neither side always runs
on a cache the other just warmed). After one discarded warm-up round it reports,
per command, the median wall time and CPU time (user + system) over the rounds,
and the median over the rounds of each round's ratio to the baseline's run.

    .venv/bin/python bench/cli_startup.py              # --rounds 15
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BASELINE = (
    "baseline: import click, pluggy, attrs, importlib.metadata",
    [sys.executable, "-c", "import click, pluggy, attrs, importlib.metadata"],
)
COMMANDS = [
    ("vqa corpora list --json", [str(BIN / "vqa"), "corpora", "list", "--json"]),
    ("vqa corpora list (piped table)", [str(BIN / "vqa"), "corpora", "list"]),
    ("vqa --version", [str(BIN / "vqa"), "--version"]),
    ("completion of `vqa corp`", [str(BIN / "vqa")]),
]
COMPLETION = {"_VQA_COMPLETE": "bash_complete", "COMP_WORDS": "vqa corp", "COMP_CWORD": "1"}


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (at least 7)")
    rounds = max(7, parser.parse_args().rounds)
    # bytecode is written in round 0, as an installed wheel has it: without it every run
    # would compile the modules it imports, which no user pays twice
    env = {k: v for k, v in os.environ.items() if not k.startswith("VQA_") and k != "PYTHONDONTWRITEBYTECODE"}
    load = os.getloadavg()[0]
    jobs = [BASELINE, *COMMANDS]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in jobs}
    for index in range(rounds + 1):
        shift = index % len(jobs)
        for name, argv in jobs[shift:] + jobs[:shift]:
            measured = _run(argv, {**env, **COMPLETION} if name.startswith("completion") else env)
            if index:  # round 0 warms the page cache and writes the bytecode
                times[name].append(measured)
    base = times[BASELINE[0]]
    print(f"{rounds} rounds; load average before: {load:.2f}")
    print("| command | wall ms | CPU ms | wall / baseline | CPU / baseline |")
    print("|---|---:|---:|---:|---:|")
    for name, _ in jobs:
        runs = times[name]
        # the ratio of each round's two runs, then the median: load that drifts between rounds
        # moves both runs of a round alike
        wall = statistics.median(w / b for (w, _), (b, _) in zip(runs, base, strict=True))
        cpu = statistics.median(c / b for (_, c), (_, b) in zip(runs, base, strict=True))
        print(
            f"| {name} | {statistics.median(w for w, _ in runs) * 1000:.0f} | "
            f"{statistics.median(c for _, c in runs) * 1000:.0f} | {wall:.2f}× | {cpu:.2f}× |"
        )


if __name__ == "__main__":
    main()
