"""Progress display of the long-running commands, all of it on stderr.

A command's progress is a rich bar on an interactive terminal and, anywhere else
(a pipe, a log file, CI), one line every :data:`~vqa_core.env.PROGRESS_INTERVAL`
seconds (10 by default); ``-q`` silences both (:mod:`vqa_core.cli._verbosity`). stdout
is left to the command's result, so ``vqa … --json | jq`` works while a bar runs.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Final

import click

from vqa_core import env
from vqa_core.cli._verbosity import verbosity
from vqa_core.errors import UsageError
from vqa_core.runner.progress import BYTES, ROWS, NoProgress, ProgressSink

__all__ = ["make_progress", "progress_interval", "RichProgress", "LogProgress", "DEFAULT_INTERVAL_S"]

#: Seconds between two progress lines when stderr is not a terminal.
DEFAULT_INTERVAL_S: Final = 10.0

Labels = tuple[str, str] | None


def progress_interval() -> float:
    """Seconds between two progress lines off a terminal (``VQA_PROGRESS_INTERVAL``; 0: every update)."""
    raw = os.environ.get(env.PROGRESS_INTERVAL, "").strip()
    if not raw:
        return DEFAULT_INTERVAL_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < float("inf"):  # why: also refuses NaN and inf
        raise UsageError(f"{env.PROGRESS_INTERVAL} must be a number of seconds >= 0, not {raw!r}")
    return value


def make_progress(*, labels: Labels = ("written", "skipped")) -> ProgressSink:
    """The running command's progress display: nothing under ``-q``, a bar on a terminal, else lines.

    ``labels`` name the two counts a job reports (written and skipped rows, say); ``None``
    for a job that reports one count only (bytes, epochs).
    """
    if verbosity().quiet:
        return NoProgress()
    if sys.stderr.isatty():
        return RichProgress(labels)
    return LogProgress(progress_interval(), labels)


def size(n: float) -> str:
    """Bytes for people: ``1.5 GiB``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def rate_text(per_second: float, unit: str) -> str:
    """``35.2 MiB/s`` for bytes, ``12.5 rows/s`` for anything else."""
    return f"{size(per_second)}/s" if unit == BYTES else f"{per_second:,.1f} {unit}/s"


def duration(seconds: float) -> str:
    """``45 s``, ``12 min 05 s``, ``3 h 02 min``."""
    s = round(max(0.0, seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class RichProgress:
    """A bar with counts, rate and ETA on an interactive terminal (stderr)."""

    def __init__(self, labels: Labels = ("written", "skipped")) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._labels = labels
        self._unit = ROWS
        self._started = time.monotonic()

    def _columns(self, unit: str) -> list[Any]:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[Any] = [TextColumn("[bold]{task.description}"), BarColumn()]
        # the rate is ours, not rich's: KiB/s beside KiB (rich's speed column is decimal, kB/s)
        columns += [DownloadColumn(binary_units=True) if unit == BYTES else MofNCompleteColumn()]
        columns.append(TextColumn("{task.fields[rate]}"))
        if self._labels is not None:
            first, second = self._labels
            columns.append(
                TextColumn(f"{first} {{task.fields[written]:,}} {second} {{task.fields[skipped]:,}}")
            )
        return [*columns, TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]

    def start(self, total: int | None, description: str, unit: str = ROWS) -> None:
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import Progress

        self._unit = unit
        self._progress = Progress(*self._columns(unit), console=Console(stderr=True), transient=False)
        self._started = time.monotonic()
        # the column renders the description as markup: a corpus id is data, not markup
        self._task = self._progress.add_task(escape(description), total=total, written=0, skipped=0, rate="")
        self._progress.start()

    def advance(self, written: int, skipped: int = 0) -> None:
        done = written + skipped
        self._progress.update(
            self._task,
            completed=done,
            written=written,
            skipped=skipped,
            rate=rate_text(done / max(1e-9, time.monotonic() - self._started), self._unit),
        )

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class LogProgress:
    """One line every ``every_s`` seconds on stderr, and a last one when the phase ends: for logs,
    CI and pipes. A phase shorter than ``every_s`` prints nothing."""

    def __init__(self, every_s: float = DEFAULT_INTERVAL_S, labels: Labels = ("written", "skipped")) -> None:
        self.every_s = every_s
        self._labels = labels
        self._total: int | None = None
        self._description = ""
        self._unit = ROWS
        self._counts = (0, 0)
        self._shown: tuple[int, int] | None = None
        self._started = self._last = time.monotonic()

    def start(self, total: int | None, description: str, unit: str = ROWS) -> None:
        self._total, self._description, self._unit = total, description, unit
        self._counts, self._shown = (0, 0), None
        self._started = self._last = time.monotonic()

    def advance(self, written: int, skipped: int = 0) -> None:
        self._counts = (written, skipped)
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self._echo(self.line(now - self._started))

    def finish(self) -> None:
        # why: a log that said 80 % should also say when the phase ended
        if self._shown is not None and self._shown != self._counts:
            self._echo(self.line(time.monotonic() - self._started, final=True))

    def _echo(self, text: str) -> None:
        self._shown = self._counts
        click.echo(text, err=True)

    def line(self, elapsed: float, *, final: bool = False) -> str:
        """``ingest konvid-1k: 1,200/5,000 rows (24 %), 40.0 rows/s, written 1,180, skipped 20, ETA 95 s``."""
        written, skipped = self._counts
        done = written + skipped
        rate = done / max(1e-9, elapsed)
        total = self._total
        if self._unit == BYTES:
            text = size(done) + (f"/{size(total)}" if total else "")
        else:
            text = f"{done:,}" + (f"/{total:,}" if total else "") + f" {self._unit}"
        if total:
            text += f" ({100 * done / total:.0f} %)"
        parts = [text, rate_text(rate, self._unit)]
        if self._labels is not None:
            parts.append(f"{self._labels[0]} {written:,}, {self._labels[1]} {skipped:,}")
        if final:
            parts.append(f"done in {duration(elapsed)}")
        elif total and rate > 0:
            parts.append(f"ETA {duration((total - done) / rate)}")
        return f"{self._description}: " + ", ".join(parts)
