"""Helpers shared by the command modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from vqa_core.registry import Registry


def load_registry(ctx: click.Context, *, strict: bool | None = None) -> Registry:
    """Discover plugins; ``--strict`` on the root command or here makes broken ones fatal."""
    from vqa_core.registry import Registry

    root = ctx.find_root().obj or {}
    if strict is None and root.get("strict"):
        strict = True
    return Registry.discover(strict=strict)


def print_json(data: object) -> None:
    import json

    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
