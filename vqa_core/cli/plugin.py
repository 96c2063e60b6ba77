"""``vqa plugin``: tools for plugin authors."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("plugin")
def command() -> None:
    """Start a new corpus plugin."""


@command.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where to create it.",
)
def new(name: str, directory: Path) -> None:
    """Write a complete, installable plugin package vqa-NAME (fill in its <FILL: …> placeholders)."""
    from vqa_core.cli._output import hint
    from vqa_core.scaffold import new_plugin

    root = new_plugin(name, directory)
    click.echo(f"wrote {root}")
    hint("next: fill in the <FILL: …> placeholders in the declaration and README (the conformance kit")
    hint(f"refuses them), then: pip install -e '{root}[test]' && pytest {root}")
