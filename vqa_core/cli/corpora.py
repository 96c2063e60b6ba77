"""``vqa corpora``: what is installed, and what each corpus is."""

from __future__ import annotations

from typing import Any

import click

from vqa_core.cli._common import load_registry
from vqa_core.cli._output import emit, json_option


@click.group()
def corpora() -> None:
    """List installed corpus plugins and show what each corpus is."""


@corpora.command("list")
@json_option
@click.option("--all", "include_builtins", is_flag=True, help="Include core's built-in plugins.")
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Also check what each corpus's tables hold (extension columns, feature schemas); exit 3 if "
    "any plugin is broken (after listing them all).",
)
@click.pass_context
def list_corpora(ctx: click.Context, as_json: bool, include_builtins: bool, strict: bool | None) -> None:
    """Installed corpora: id, distribution, version, edition, scale, clips, licence, status."""
    from vqa_core import env
    from vqa_core.listing import corpus_entries
    from vqa_core.registry import Registry

    root_strict = (ctx.find_root().obj or {}).get("strict")
    strict = bool(strict or root_strict or env.flag(env.STRICT_PLUGINS))
    # Broken plugins are listed first; --strict decides the exit status afterwards. What the
    # corpora's tables hold (extension columns, feature schemas) is not listed: it is asked for
    # and checked under --strict, and by every command that uses it (it costs pyarrow).
    registry = Registry.discover(strict=False, declarations_only=not strict)
    entries = corpus_entries(registry, include_builtins=include_builtins)
    # an array, as since --json was first there: the one document without command and schema
    emit(as_json, lambda: entries, lambda: _print_table(entries))
    if strict and registry.broken:
        from vqa_core.errors import PluginLoadError

        raise PluginLoadError(f"broken plugins: {', '.join(p.name for p in registry.broken)}")


_COLUMNS = ("id", "distribution", "version", "edition", "scale", "clips", "licence", "status")


def _cells(e: dict[str, object]) -> list[str]:
    clips = f"{e['clips']:,}" if isinstance(e["clips"], int) else "-"
    return [clips if c == "clips" else str(e[c] or "-") for c in _COLUMNS]


def _errors(entries: list[dict[str, object]]) -> list[tuple[str, str]]:
    """``(status, "distribution: error")`` of each broken or failed plugin, once each."""
    shown: dict[tuple[object, object], tuple[str, str]] = {}
    for e in entries:
        # a failed plugin has one entry per corpus but one error: say it once
        if e["status"] in ("broken", "failed"):
            shown.setdefault(
                (e["distribution"], e["error"]), (str(e["status"]), f"{e['distribution']}: {e['error']}")
            )
    return list(shown.values())


def _print_table(entries: list[dict[str, object]]) -> None:
    import sys

    if not sys.stdout.isatty():
        # a pipe gets data, one line per entry, and the command does not pay for rich
        from vqa_core.cli._table import plain_table

        lines = [plain_table(_COLUMNS, [_cells(e) for e in entries])]
        click.echo("\n".join(lines + [f"{status} {what}" for status, what in _errors(entries)]))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell is Text, never markup: ids, names and licences come from plugins and may
    # hold brackets ("x[/bogus]") that rich would otherwise parse, and fail on.
    table = Table(title="Installed corpora", title_justify="left")
    for column in _COLUMNS:
        table.add_column(column, no_wrap=column in ("id", "distribution", "version", "status"))
    for e in entries:
        *cells, status = _cells(e)
        style = {"ok": "green", "broken": "red", "failed": "red", "disabled": "yellow"}.get(status, "")
        table.add_row(*map(Text, cells), Text(status, style=style))
    console = Console()
    console.print(table)
    for status, what in _errors(entries):
        console.print(Text.assemble((status, "red"), f" {what}"), highlight=False)


@corpora.command("info")
@click.argument("corpus_id")
@json_option
@click.pass_context
def info(ctx: click.Context, corpus_id: str, as_json: bool) -> None:
    """Licence, citation and how to obtain the data of one corpus."""
    from vqa_core.listing import corpus_info

    data = corpus_info(load_registry(ctx), corpus_id)
    emit(as_json, lambda: _info_document(data), lambda: click.echo(_info_text(data)))


def _info_document(data: dict[str, Any]) -> object:
    from vqa_core.cli.results.base import from_plain
    from vqa_core.cli.results.corpora import CorpusInfoResult

    return from_plain(data, CorpusInfoResult)


def _info_text(data: dict[str, Any]) -> str:
    lines = [
        f"{data['id']} — {data['title']}",
        f"  plugin:      {data['distribution']} {data['version'] or ''}".rstrip(),
        f"  edition:     {data['edition']}",
        f"  scale:       {data['scale']} ({data['label_kind']})",
        f"  clips:       {data['clips'] if data['clips'] is not None else 'unknown'}",
        f"  licence:     {data['licence']} <{data['licence_url']}>",
        f"  homepage:    {data['homepage']}",
        f"  access:      {data['access']} — {data['access_instructions']}",
        f"  citation:    {data['citation']}",
    ]
    for edition in data["editions"]:
        lines.append(f"  known file:  {edition['metadata']}: {edition['rows']:,} rows ({edition['name']})")
    if data["extension_columns"]:
        cols = ", ".join(f"{c['name']}:{c['type']}" for c in data["extension_columns"])
        lines.append(f"  extra cols:  {cols}")
    groups = data["content_groups"] or "none declared (every clip is its own content)"
    lines.append(f"  groups:      {groups}")
    lines.append(f"  splits:      {', '.join(data['splits']) or 'none published'}")
    if data["notes"]:
        lines.append(f"  note:        {data['notes']}")
    return "\n".join(lines)
