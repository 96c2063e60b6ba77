"""What a long job reports while it runs, to a display the library does not draw.

A job works in phases (ingest has one; ``vqa fetch`` has a download, a check and
an unpack per archive). Each phase calls :meth:`ProgressSink.start` once with
its total (``None`` when unknown), a description and the unit it counts in
(``rows``, ``bytes``, ``epochs``, …), then :meth:`~ProgressSink.advance` with
the counts so far (running totals, not increments; the second count is what
was skipped, for jobs that skip), and :meth:`~ProgressSink.finish` when the
phase ends, whether it succeeded or not. The command line draws a bar from it
on a terminal and a periodic line otherwise; the library itself stays free of
any display code. :class:`Phase` is the usual way to drive a sink.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Final, Protocol, TypeVar

__all__ = ["ProgressSink", "NoProgress", "Phase", "ROWS", "BYTES"]

#: The unit of a phase that counts table rows (the default).
ROWS: Final = "rows"
#: The unit of a phase that counts bytes: displays show sizes and transfer rates.
BYTES: Final = "bytes"

T = TypeVar("T")


class ProgressSink(Protocol):
    """What a job reports while it runs (the CLI draws a progress bar from it)."""

    def start(self, total: int | None, description: str, unit: str = ROWS) -> None: ...

    def advance(self, written: int, skipped: int = 0) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """The sink of a run nobody watches."""

    def start(self, total: int | None, description: str, unit: str = ROWS) -> None:
        pass

    def advance(self, written: int, skipped: int = 0) -> None:
        pass

    def finish(self) -> None:
        pass


class Phase:
    """One phase on a sink, counted up from zero; a context manager that always finishes it.

    ``with Phase(sink, total, "fetch x.zip", BYTES) as phase: phase.add(len(chunk))``
    """

    def __init__(self, sink: ProgressSink | None, total: int | None, description: str, unit: str = ROWS):
        self.sink: ProgressSink = sink or NoProgress()
        self.total = total
        self.description = description
        self.unit = unit
        self.done = 0

    def __enter__(self) -> Phase:
        self.sink.start(self.total, self.description, self.unit)
        return self

    def add(self, n: int = 1) -> None:
        """Count ``n`` more units done."""
        self.done += n
        self.sink.advance(self.done)

    def reach(self, done: int) -> None:
        """Set the count of units done (a download resumed from its partial file starts above zero)."""
        self.done = done
        self.sink.advance(self.done)

    def counting(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, each counted as one unit once the consumer has taken it."""
        for item in items:
            yield item
            self.add()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.sink.finish()
