"""How a command ends when it fails: one line on stderr, one exit status, and with ``--json``
one error document on stdout.

The exit statuses are :class:`~vqa_core.errors.ExitCode`; each :class:`VqaError` carries
its own. With ``--json`` stdout always holds exactly one JSON document: the command's
result when it got as far as printing one (a failed ``verify``, a missed training gate,
downloads still failing), otherwise an error document (``vqa-error-v1``) written here.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from vqa_core import env
from vqa_core.errors import ExitCode, PluginCallError, VqaError

__all__ = ["write_exit_statuses", "remember_args", "invoke_guarded", "json_command"]

#: Key of the root context's ``meta``: the arguments after ``vqa``, to find ``--json`` even
#: when parsing them is what failed.
_ARGS = "vqa.args"

#: Exit status of an interrupted command (128 + SIGINT, as shells report it).
INTERRUPTED = 130


def write_exit_statuses(formatter: click.HelpFormatter) -> None:
    """The ``Exit status`` section of ``vqa --help``: every status and its one meaning."""
    with formatter.section("Exit status (every command)"):
        formatter.write_dl([(str(code.value), code.meaning) for code in ExitCode])


def remember_args(ctx: click.Context, args: Sequence[str]) -> None:
    ctx.meta[_ARGS] = tuple(args)


def invoke_guarded(ctx: click.Context, invoke: Callable[[], Any]) -> Any:
    """Run ``invoke``; turn every error into one stderr line, the right exit status and, with
    ``--json``, an error document."""
    try:
        return invoke()
    except VqaError as exc:
        if isinstance(exc, PluginCallError) and env.flag(env.DEBUG):
            traceback.print_exc()  # the plugin's own traceback, chained as the cause
        _fail(ctx, f"error: {exc}", exc.exit_code)
    except click.ClickException as exc:
        # a usage error click found: click prints it (with the usage line) on stderr
        _document(ctx, exc.format_message(), exc.exit_code)
        raise
    except (click.exceptions.Exit, click.exceptions.Abort):
        raise
    except KeyboardInterrupt:
        _fail(ctx, "interrupted", INTERRUPTED)
    except BrokenPipeError:
        # why: `vqa corpora list | head` closes stdout early; that is not an error
        sys.stderr.close()
        ctx.exit(ExitCode.OK)
    except Exception as exc:  # why: the last line of defence; one line, never a traceback by default
        if env.flag(env.DEBUG):
            traceback.print_exc()
        _fail(
            ctx,
            f"internal error: {type(exc).__name__}: {exc} (set {env.DEBUG}=1 for the traceback)",
            ExitCode.INTERNAL,
        )


def _fail(ctx: click.Context, line: str, code: int) -> NoReturn:
    click.echo(line, err=True)
    _document(ctx, line.removeprefix("error: "), code)
    ctx.exit(code)


def _document(ctx: click.Context, message: str, code: int) -> None:
    """The error document on stdout, if ``--json`` was asked for and no document is there yet."""
    from vqa_core.cli._output import EMITTED

    command = json_command(ctx)
    if command is None or ctx.meta.get(EMITTED):
        return
    from vqa_core.cli.results.failure import ErrorResult
    from vqa_core.documents import document_bytes

    document = ErrorResult(command=command, error=message, exit_code=int(code))
    click.echo(document_bytes(document).decode(), nl=False)
    ctx.meta[EMITTED] = True


def json_command(ctx: click.Context) -> str | None:
    """The command asked for (``corpora list``) when it takes ``--json`` and was given it."""
    tokens: tuple[str, ...] = ctx.meta.get(_ARGS, ())
    if "--" in tokens:
        tokens = tokens[: tokens.index("--")]
    if "--json" not in tokens:
        return None
    command: click.Command = ctx.find_root().command
    path: list[str] = []
    for token in tokens:
        if not isinstance(command, click.Group):
            break
        if token.startswith("-"):
            continue  # an option of a group (--strict): groups take no values
        found = command.get_command(ctx, token)
        if found is None:
            return None
        path.append(token)
        command = found
    takes_json = any(isinstance(p, click.Option) and "--json" in p.opts for p in command.params)
    return " ".join(path) if takes_json and not isinstance(command, click.Group) else None
