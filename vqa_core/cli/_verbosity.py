"""``-q/--quiet`` and ``-v/--verbose``: what a long-running command logs on stderr.

The options (:func:`vqa_core.cli._common.verbosity_options`) carry no parameter: their
callback sets up logging as the command line is parsed and keeps what was asked in the
context, where :func:`verbosity` reads it back.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import attrs
import click

from vqa_core.errors import UsageError

__all__ = ["Verbosity", "verbosity", "remember_verbosity", "configure_logging"]

#: Where the command's -q/-v live in ``click.Context.meta`` (shared by every context of a run).
_META_KEY: Final = "vqa.verbosity"


@attrs.frozen
class Verbosity:
    """What ``-q`` and ``-v`` asked for."""

    quiet: bool = False
    verbose: int = 0


def verbosity(ctx: click.Context | None = None) -> Verbosity:
    """The ``-q``/``-v`` of the running command (defaults outside a command, or without the options)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return Verbosity()
    found = ctx.meta.get(_META_KEY, {})
    return Verbosity(bool(found.get("quiet")), int(found.get("verbose") or 0))


def remember_verbosity(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Option callback of ``-q`` and ``-v``: keep the value and set up logging as options are parsed.

    Both callbacks run before the command does, whichever comes first on the command line, so
    the second one sees both and the logging they agree on is in place when the command starts.
    """
    if ctx.resilient_parsing:  # shell completion: parse, do nothing
        return value
    found = ctx.meta.setdefault(_META_KEY, {})
    found[param.name] = value
    if found.get("quiet") and found.get("verbose"):
        raise UsageError("-q/--quiet and -v/--verbose exclude each other")
    configure_logging(0 if found.get("quiet") else int(found.get("verbose") or 0))
    return value


class _StderrHandler(logging.Handler):
    """``warning: <message>`` on whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)
        except Exception:  # why: logging must never take the run down
            self.handleError(record)


def configure_logging(verbose: int = 0) -> None:
    """Warnings (rejections with file:line) to stderr, one line each; ``verbose`` ≥ 1 adds
    everything vqa logs, down to debug."""
    logger = logging.getLogger("vqa")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.DEBUG if verbose > 0 else logging.WARNING)
    logger.propagate = False
