"""The ``vqa`` command line: click wiring only; the work lives in the library.

Exit statuses: 0 success, 2 bad input or usage (any :class:`~vqa_core.errors.VqaError`
and click's usage errors), 3 a check found problems (``vqa verify``), 1 internal error. Errors are printed as one line on
stderr; ``VQA_DEBUG=1`` adds the traceback of an internal error, and of a plugin's failure
(:class:`~vqa_core.errors.PluginCallError`, exit 2: the plugin, not vqa, raised).
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from vqa_core import __version__, env
from vqa_core.cli._sections import StagedGroup
from vqa_core.errors import PluginCallError, VqaError

__all__ = ["main", "VqaGroup"]


class VqaGroup(StagedGroup):
    """A click group that turns every error into one line and the right exit status (and lists its
    commands by stage)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VqaError as exc:
            if isinstance(exc, PluginCallError) and env.flag(env.DEBUG):
                traceback.print_exc()  # the plugin's own traceback, chained as the cause
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # why: `vqa corpora list | head` closes stdout early; that is not an error
            sys.stderr.close()
            ctx.exit(0)
        except Exception as exc:  # why: the last line of defence; one line, never a traceback by default
            if env.flag(env.DEBUG):
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (set {env.DEBUG}=1 for the traceback)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=VqaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vqa")
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help=f"Exit non-zero if any plugin is broken (also {env.STRICT_PLUGINS}=1).",
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
