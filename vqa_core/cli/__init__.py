"""The ``vqa`` command line: click wiring only; the work lives in the library.

Exit statuses are :class:`~vqa_core.errors.ExitCode`, one meaning each for every command:
0 success, 1 internal error, 2 bad input or usage (any :class:`~vqa_core.errors.VqaError`
unless it says otherwise, and click's usage errors), 3 a check failed, 4 a network or
download problem remains, 5 the output is locked by another run. Errors are printed as one
line on stderr (and, with ``--json``, as an error document on stdout:
:mod:`vqa_core.cli._failures`); ``VQA_DEBUG=1`` adds the traceback of an internal error,
and of a plugin's failure (:class:`~vqa_core.errors.PluginCallError`, exit 2: the plugin,
not vqa, raised).
"""

from __future__ import annotations

from typing import Any

import click

from vqa_core import __version__, env
from vqa_core.cli._failures import invoke_guarded, remember_args, write_exit_statuses
from vqa_core.cli._sections import StagedGroup

__all__ = ["main", "VqaGroup"]


class VqaGroup(StagedGroup):
    """A click group that turns every error into one line and the right exit status (and lists its
    commands by stage)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        remember_args(ctx, args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        return invoke_guarded(ctx, lambda: super(VqaGroup, self).invoke(ctx))

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        write_exit_statuses(formatter)


@click.group(cls=VqaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vqa")
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help=f"Exit 3 if any plugin is broken (also {env.STRICT_PLUGINS}=1).",
)
@click.pass_context
def main(ctx: click.Context, strict: bool | None) -> None:
    """Turn published video-quality corpora into one verified, resumable table."""
    ctx.ensure_object(dict)
    if strict:
        ctx.obj["strict"] = True


def _register_commands() -> None:
    from vqa_core.cli import (
        aggregate,
        corpora,
        demo,
        evaluate,
        export,
        features,
        fetch,
        ingest,
        labels,
        merge,
        plugin,
        predict,
        report,
        sample,
        train,
        verify,
    )

    for command in (
        corpora.corpora,
        fetch.command,
        sample.command,
        ingest.command,
        verify.command,
        aggregate.aggregate,
        report.report,
        merge.merge_grid,
        features.group,
        labels.group,
        train.group,
        evaluate.command,
        export.command,
        predict.command,
        demo.command,
        plugin.command,
    ):
        main.add_command(command)


_register_commands()


def run() -> None:  # pragma: no cover - console-script shim
    main(prog_name="vqa")
