"""The document a ``--json`` command prints when it has no result to print."""

from __future__ import annotations

import attrs

from vqa_core.cli.results.base import Result, doc

__all__ = ["ErrorResult"]


@attrs.frozen(kw_only=True)
class ErrorResult(Result):
    """Any command with `--json` that stopped before it had a result: the same line as on
    stderr, and the exit status. A command that has a result (a failed `verify`, a training
    gate missed, downloads still failing) prints that result instead; its exit status says
    the rest."""

    COMMAND = ""
    SCHEMA = "vqa-error-v1"

    error: str = attrs.field(
        metadata=doc("the message, as on stderr after `error: ` (or click's `Error: ` for a usage error)")
    )
    exit_code: int = attrs.field(metadata=doc("the exit status (2, 3, 4, 5, 1 or 130)"))
