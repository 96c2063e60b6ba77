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
    "--strict", is_flag=True, default=None, help="Exit 3 if any plugin is broken (after listing them all)."
)
@click.pass_context
def list_corpora(ctx: click.Context, as_json: bool, include_builtins: bool, strict: bool | None) -> None:
    """Installed corpora: id, distribution, version, edition, scale, clips, licence, status."""
    from vqa_core.listing import corpus_entries

    # Broken plugins are listed first; --strict decides the exit status afterwards.
    registry = load_registry(ctx, strict=False)
    entries = corpus_entries(registry, include_builtins=include_builtins)
    # an array, as since --json was first there: the one document without command and schema
    emit(as_json, lambda: entries, lambda: _print_table(entries))
    root_strict = (ctx.find_root().obj or {}).get("strict")
    from vqa_core import env

    if (strict or root_strict or env.flag(env.STRICT_PLUGINS)) and registry.broken:
        from vqa_core.errors import PluginLoadError

        raise PluginLoadError(f"broken plugins: {', '.join(p.name for p in registry.broken)}")


def _print_table(entries: list[dict[str, object]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell is Text, never markup: ids, names and licences come from plugins and may
    # hold brackets ("x[/bogus]") that rich would otherwise parse, and fail on.
    table = Table(title="Installed corpora", title_justify="left")
    for column in ("id", "distribution", "version", "edition", "scale", "clips", "licence", "status"):
        table.add_column(column, no_wrap=column in ("id", "distribution", "version", "status"))
    for e in entries:
        status = str(e["status"])
        style = {"ok": "green", "broken": "red", "failed": "red", "disabled": "yellow"}.get(status, "")
        table.add_row(
            Text(str(e["id"] or "-")),
            Text(str(e["distribution"] or "-")),
            Text(str(e["version"] or "-")),
            Text(str(e["edition"] or "-")),
            Text(str(e["scale"] or "-")),
            Text(f"{e['clips']:,}" if isinstance(e["clips"], int) else "-"),
            Text(str(e["licence"] or "-")),
            Text(status, style=style),
        )
    import sys

    # A pipe gets the full width: the table is data there, not a screen layout.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    shown: set[tuple[object, object]] = set()
    for e in entries:
        status = str(e["status"])
        # a failed plugin has one entry per corpus but one error: say it once
        if status in ("broken", "failed") and (e["distribution"], e["error"]) not in shown:
            shown.add((e["distribution"], e["error"]))
            console.print(
                Text.assemble((status, "red"), f" {e['distribution']}: {e['error']}"), highlight=False
            )


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
