"""Helpers shared by the command modules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from vqa_core.runner import DEFAULT_EXECUTOR, EXECUTORS

if TYPE_CHECKING:
    from vqa_core.registry import Registry

F = TypeVar("F", bound=Callable[..., object])


def load_registry(ctx: click.Context, *, strict: bool | None = None) -> Registry:
    """Discover plugins; ``--strict`` on the root command or here makes broken ones fatal."""
    from vqa_core.registry import Registry

    root = ctx.find_root().obj or {}
    if strict is None and root.get("strict"):
        strict = True
    return Registry.discover(strict=strict)


def executor_options(workers_default: str = "CPU count") -> Callable[[F], F]:
    """``--workers``, ``--executor`` and ``--scheduler``: where a command's per-clip work runs;
    ``workers_default`` says what ``--workers`` defaults to for this command."""
    return functools.partial(_with_executor_options, workers_default=workers_default)


def _with_executor_options(command: F, *, workers_default: str) -> F:
    for option in reversed(
        (
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                help=f"Parallel workers (default: {workers_default}); with --executor dask, wait until "
                "this many have joined.",
            ),
            click.option(
                "--executor",
                type=click.Choice(EXECUTORS),
                default=DEFAULT_EXECUTOR,
                show_default=True,
                help="Where per-clip work runs: local threads (thread is the same), local processes, "
                "or a Dask cluster.",
            ),
            click.option(
                "--scheduler", help="Dask scheduler address or scheduler file (or VQA_DASK_SCHEDULER)."
            ),
        )
    ):
        command = option(command)
    return command


def verbosity_options(command: F) -> F:
    """``-q/--quiet`` and ``-v/--verbose`` of every long-running command.

    They set up logging as they are parsed and are read back with
    :func:`~vqa_core.cli._progress.verbosity` and
    :func:`~vqa_core.cli._progress.make_progress`, so a command's signature does not carry them.
    """
    from vqa_core.cli._verbosity import remember_verbosity

    for option in reversed(
        (
            click.option(
                "-q",
                "--quiet",
                is_flag=True,
                expose_value=False,
                callback=remember_verbosity,
                help="Only errors and warnings: no progress display.",
            ),
            click.option(
                "-v",
                "--verbose",
                count=True,
                expose_value=False,
                callback=remember_verbosity,
                help="Debug logging on stderr as well.",
            ),
        )
    ):
        command = option(command)
    return command


def fit_options(command: F) -> F:
    """``--epochs``, ``--batch-size`` and ``--lr``: how each MOS head is trained (train, evaluate)."""
    for option in reversed(
        (
            click.option(
                "--epochs",
                default=100,
                show_default=True,
                type=click.IntRange(min=1),
                help="Passes over the training rows, per model.",
            ),
            click.option(
                "--batch-size",
                default=256,
                show_default=True,
                type=click.IntRange(min=1),
                help="Rows per training step.",
            ),
            click.option(
                "--lr",
                default=1e-2,
                show_default=True,
                type=click.FloatRange(min=0.0, min_open=True),
                help="AdamW learning rate.",
            ),
        )
    ):
        command = option(command)
    return command
