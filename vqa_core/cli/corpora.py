"""``vqa corpora``: what is installed, and what each corpus is."""

from __future__ import annotations

import click

from vqa_core.cli._common import load_registry, print_json


@click.group()
def corpora() -> None:
    """List installed corpus plugins and show what each corpus is."""


@corpora.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.option("--all", "include_builtins", is_flag=True, help="Include core's built-in plugins.")
@click.option("--strict", is_flag=True, default=None, help="Exit non-zero if any plugin is broken.")
@click.pass_context
def list_corpora(ctx: click.Context, as_json: bool, include_builtins: bool, strict: bool | None) -> None:
    """Installed corpora: id, distribution, version, edition, scale, clips, licence, status."""
    from vqa_core.listing import corpus_entries

    # Broken plugins are listed first; --strict decides the exit status afterwards.
    registry = load_registry(ctx, strict=False)
    entries = corpus_entries(registry, include_builtins=include_builtins)
    if as_json:
        print_json(entries)
    else:
        _print_table(entries)
    root_strict = (ctx.find_root().obj or {}).get("strict")
    from vqa_core import env

    if (strict or root_strict or env.flag(env.STRICT_PLUGINS)) and registry.broken:
        names = ", ".join(p.name for p in registry.broken)
        click.echo(f"error: broken plugins: {names}", err=True)
        ctx.exit(2)


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
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def info(ctx: click.Context, corpus_id: str, as_json: bool) -> None:
    """Licence, citation and how to obtain the data of one corpus."""
    from vqa_core.listing import corpus_info

    data = corpus_info(load_registry(ctx), corpus_id)
    if as_json:
        print_json(data)
        return
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
    click.echo("\n".join(lines))
