"""What a command prints: one JSON document or the human summary on stdout, the rest on stderr.

With ``--json`` a command prints exactly one JSON document on stdout (its result, or an
error document when there is none: :mod:`vqa_core.cli._failures`); without it, the human
summary. Hints ("next: …"), warnings, logs and progress always go to stderr, so stdout can
be piped into a parser or a file whatever else the command says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs
import click

__all__ = ["json_option", "emit", "hint", "warn", "document_was_printed", "EMITTED"]

F = TypeVar("F", bound=Callable[..., object])

#: Key of the root context's ``meta``: a document is on stdout, an error must not add another.
EMITTED = "vqa.json-emitted"


def json_option(command: F) -> F:
    """``--json``: the result as one JSON document on stdout (parameter ``as_json``)."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print the result as one JSON document on stdout (logs, warnings and progress stay on "
        "stderr); on a failure, an error document (see docs/cli.md).",
    )(command)


def emit(as_json: bool, document: Callable[[], object], human: Callable[[], None]) -> None:
    """Print the result: ``document()`` (an attrs result or a plain value) as JSON, or ``human()``."""
    if not as_json:
        human()
        return
    value = document()
    if attrs.has(type(value)):
        from vqa_core.documents import document_bytes

        text = document_bytes(value)
    else:
        text = _plain_json(value)
    click.echo(text.decode(), nl=False)
    document_was_printed()


def _plain_json(value: object) -> bytes:
    """A plain value (no converter needed) as the document writer writes it."""
    import json

    try:
        # why json first: `corpora list --json` must stay quick to start, and importing orjson
        # (which imports json and dataclasses itself) costs it about 4 ms more
        text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a number that is not finite: orjson writes null, as every document has it
        import orjson

        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    return (text + "\n").encode()


def document_was_printed() -> None:
    """Record that stdout holds the command's document (an error after it adds none)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().meta[EMITTED] = True


def hint(text: str) -> None:
    """A suggestion of what to run next: stderr, never part of the result."""
    click.echo(text, err=True)


def warn(text: str) -> None:
    """``warning: text`` on stderr."""
    click.echo(f"warning: {text}", err=True)
