"""``vqa --version``: core, the plugin API it speaks, and every installed corpus plugin.

Read from the installed distributions' metadata only: no plugin is imported, so
the answer comes as fast as the metadata can be read and is the same whether a
plugin works or not (``vqa corpora list`` says that).
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import TypeVar

import click

__all__ = ["version_text", "version_option"]

F = TypeVar("F", bound=Callable[..., object])


def _installed_plugins() -> dict[str, str]:
    """Distribution name → version of everything in the ``vqa.corpora`` group, each once."""
    from vqa_core import env
    from vqa_core.installed import name_and_version, plugin_entry_points

    found: dict[str, str] = {}
    for entry_point in plugin_entry_points():
        dist = entry_point.dist
        name, version = name_and_version(dist) if dist is not None else (entry_point.module, None)
        # a distribution with several entry points in the group: listed once
        if all(env.normalise_name(name) != env.normalise_name(n) for n in found):
            found[name] = version or "(no distribution metadata)"
    return found


def version_text() -> str:
    """Core's version, plugin API and Python on one line, then one line per installed plugin."""
    from vqa_core import PLUGIN_API_VERSION, __version__, env

    lines = [f"vqa-core {__version__} (plugin API {PLUGIN_API_VERSION}, Python {platform.python_version()})"]
    plugins = _installed_plugins()
    allow = env.name_list(env.LOAD_PLUGINS)
    deny = env.name_list(env.DISABLE_PLUGINS) or frozenset()
    for name in sorted(plugins, key=env.normalise_name):
        key = env.normalise_name(name)
        disabled = (allow is not None and key not in allow) or key in deny
        lines.append(f"{name} {plugins[name]}" + (" (disabled)" if disabled else ""))
    if not plugins:
        lines.append("no corpus plugins installed")
    return "\n".join(lines)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_text())
    ctx.exit()


def version_option(command: F) -> F:
    """``--version``: print :func:`version_text` and exit."""
    return click.option(
        "--version",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="Show the versions of core, its plugin API and every installed corpus plugin, and exit.",
    )(command)
