"""``vqa --help`` lists the commands by pipeline stage, not alphabetically.

Sixteen commands in one alphabetical list hide the order they are used in. Every
command is named in exactly one stage below (a test holds that); one that is not
is still listed, under the last stage, rather than hidden.
"""

from __future__ import annotations

from typing import Final

import click

__all__ = ["STAGES", "StagedGroup"]

#: (heading, command names in the order shown), in the order a corpus goes through them.
STAGES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("Corpora", ("corpora", "sample", "fetch", "plugin")),
    ("Ingest", ("ingest", "verify")),
    ("Tables", ("aggregate", "merge-grid", "report", "export")),
    ("Features and labels", ("features", "labels")),
    ("Models", ("train", "evaluate", "predict")),
    ("Other", ("demo",)),
)


class StagedGroup(click.Group):
    """A click group whose help lists its commands under the headings of :data:`STAGES`."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands: dict[str, click.Command] = {}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands[name] = command
        if not commands:
            return
        named = {name for _, names in STAGES for name in names}
        rest = tuple(name for name in commands if name not in named)
        sections = [*STAGES[:-1], (STAGES[-1][0], (*STAGES[-1][1], *rest))]
        width = max(len(name) for name in commands)
        limit = formatter.width - 6 - width
        for heading, names in sections:
            # why: padded to one width so the descriptions line up across sections
            rows = [
                (name.ljust(width), commands[name].get_short_help_str(limit))
                for name in names
                if name in commands
            ]
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)
