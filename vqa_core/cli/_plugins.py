"""``--feature-schema`` and plugins loaded only when a command turns out to need them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from vqa_core.train.schemas import CORE_SCHEMAS

if TYPE_CHECKING:
    from vqa_core.registry import Registry

F = TypeVar("F", bound=Callable[..., object])


def plugins_when_needed(ctx: click.Context) -> Callable[[], Registry]:
    """Discover plugins (honouring ``--strict``) only if a plugin's schema or key columns are asked for."""
    from vqa_core.cli._common import load_registry

    return lambda: load_registry(ctx)


def feature_schema_option(what: str) -> Callable[[F], F]:
    """``--feature-schema NAME``: one of core's schemas or one an installed plugin declares.

    Not a choice list: listing plugin schemas would load every plugin for ``--help``.
    """
    return click.option(
        "--feature-schema",
        required=True,
        metavar="NAME",
        help=f"{what}: {', '.join(CORE_SCHEMAS)}, or a schema an installed plugin declares "
        "(an unknown name lists them all).",
    )
