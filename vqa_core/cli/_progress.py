"""Progress display: a rich bar on a terminal, periodic one-line logs otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import click

__all__ = ["make_progress", "configure_logging"]


class RichProgress:
    """Rows/s, ETA and written/skipped counts on an interactive terminal (stderr)."""

    def __init__(self, labels: tuple[str, str] = ("written", "skipped")) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._labels = labels

    def start(self, total: int | None, description: str) -> None:
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn(
                f"{self._labels[0]} {{task.fields[written]:,}} {self._labels[1]} {{task.fields[skipped]:,}}"
            ),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._started = time.monotonic()
        # the column renders the description as markup: a corpus id is data, not markup
        self._task = self._progress.add_task(escape(description), total=total, written=0, skipped=0, rate="")
        self._progress.start()

    def advance(self, written: int, skipped: int) -> None:
        done = written + skipped
        elapsed = max(1e-9, time.monotonic() - self._started)
        self._progress.update(
            self._task, completed=done, written=written, skipped=skipped, rate=f"{done / elapsed:,.1f} rows/s"
        )

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()


class LogProgress:
    """One line every ``every_s`` seconds on stderr: for logs, CI and pipes."""

    def __init__(self, every_s: float = 10.0, labels: tuple[str, str] = ("written", "skipped")) -> None:
        self.every_s = every_s
        self._labels = labels
        self._total: int | None = None
        self._description = ""
        self._done = 0

    def start(self, total: int | None, description: str) -> None:
        self._total, self._description = total, description
        self._started = self._last = time.monotonic()

    def advance(self, written: int, skipped: int) -> None:
        self._done = written + skipped
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            rate = self._done / max(1e-9, now - self._started)
            of = f"/{self._total:,}" if self._total else ""
            eta = ""
            if self._total and rate > 0:
                eta = f", ETA {max(0.0, (self._total - self._done) / rate):,.0f} s"
            click.echo(
                f"{self._description}: {self._done:,}{of} rows, {rate:,.1f} rows/s, "
                f"{self._labels[0]} {written:,}, {self._labels[1]} {skipped:,}{eta}",
                err=True,
            )

    def finish(self) -> None:
        pass


def make_progress(
    enabled: bool = True, *, labels: tuple[str, str] = ("written", "skipped")
) -> RichProgress | LogProgress:
    """A bar on a terminal, else a line every few seconds; ``labels`` name the two counts."""
    if enabled and sys.stderr.isatty():
        return RichProgress(labels)
    return LogProgress(labels=labels)


class _StderrHandler(logging.Handler):
    """``warning: <message>`` on whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)
        except Exception:  # why: logging must never take the run down
            self.handleError(record)


def configure_logging(verbosity: int = 0) -> None:
    """Warnings (rejections with file:line) to stderr, one line each."""
    logger = logging.getLogger("vqa")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO if verbosity else logging.WARNING)
    logger.propagate = False
