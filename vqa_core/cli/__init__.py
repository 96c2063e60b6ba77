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

from vqa_core import env
from vqa_core.cli._failures import invoke_guarded, remember_args, write_exit_statuses
from vqa_core.cli._lazy import LazyGroup
from vqa_core.cli._sections import StagedGroup
from vqa_core.cli.version import version_option

__all__ = ["main", "VqaGroup"]


class VqaGroup(StagedGroup, LazyGroup):
    """A click group that turns every error into one line and the right exit status, lists its
    commands by stage, and imports each command when it is used."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        remember_args(ctx, args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        return invoke_guarded(ctx, lambda: super(VqaGroup, self).invoke(ctx))

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        write_exit_statuses(formatter)


@click.group(cls=VqaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@version_option
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


#: Every command, imported only when it runs (or ``--help`` and completion list it).
COMMANDS = {
    "corpora": "vqa_core.cli.corpora:corpora",
    "fetch": "vqa_core.cli.fetch:command",
    "sample": "vqa_core.cli.sample:command",
    "ingest": "vqa_core.cli.ingest:command",
    "verify": "vqa_core.cli.verify:command",
    "aggregate": "vqa_core.cli.aggregate:aggregate",
    "report": "vqa_core.cli.report:report",
    "merge-grid": "vqa_core.cli.merge:merge_grid",
    "features": "vqa_core.cli.features:group",
    "labels": "vqa_core.cli.labels:group",
    "train": "vqa_core.cli.train:group",
    "evaluate": "vqa_core.cli.evaluate:command",
    "export": "vqa_core.cli.export:command",
    "predict": "vqa_core.cli.predict:command",
    "demo": "vqa_core.cli.demo:command",
    "plugin": "vqa_core.cli.plugin:command",
}
main.lazy_commands.update(COMMANDS)


def run() -> None:  # pragma: no cover - console-script shim
    main(prog_name="vqa")
