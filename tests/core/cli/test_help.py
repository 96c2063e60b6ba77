"""Help texts: every option of every command says what it does, and ``vqa --help`` lists the
commands by pipeline stage."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.cli._sections import STAGES


def _commands(
    command: click.Command, path: tuple[str, ...] = ("vqa",)
) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(path), command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


def test_every_option_of_every_command_has_help() -> None:
    missing = [
        f"{name} {'/'.join(param.opts)}"
        for name, command in _commands(main)
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()
    ]
    assert missing == [], "options without help text"


def test_every_command_has_help_and_its_help_page_renders() -> None:
    runner = CliRunner()
    for name, command in _commands(main):
        assert (command.help or command.short_help or "").strip(), f"{name} has no help text"
        result = runner.invoke(main, [*name.split()[1:], "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_every_command_is_in_exactly_one_stage() -> None:
    named = [name for _, names in STAGES for name in names]
    assert len(named) == len(set(named)), "a command is named in two stages"
    assert sorted(named) == sorted(main.commands), "STAGES and the registered commands differ"


def _sections(help_text: str) -> dict[str, list[str]]:
    """Heading → the command names listed under it, from a help page."""
    sections: dict[str, list[str]] = {}
    heading = None
    for line in help_text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            heading = line[:-1]
            sections[heading] = []
        elif heading is not None and line.startswith("  ") and not line.startswith("   "):
            sections[heading].append(line.split()[0])
    return sections


def test_top_level_help_groups_the_commands_by_stage() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    sections = _sections(result.stdout)
    assert "Commands" not in sections
    shown = {
        heading: names
        for heading, names in sections.items()
        if heading not in ("Options", "Exit status (every command)")
    }
    assert shown == {
        "Corpora": ["corpora", "sample", "fetch", "plugin"],
        "Ingest": ["ingest", "verify"],
        "Tables": ["aggregate", "merge-grid", "report", "export"],
        "Features and labels": ["features", "labels"],
        "Models": ["train", "evaluate", "predict"],
        "Other": ["demo"],
    }
    assert list(shown) == [heading for heading, _ in STAGES]


def test_descriptions_line_up_across_stages() -> None:
    text = CliRunner().invoke(main, ["--help"], terminal_width=100).stdout
    commands = {name for _, names in STAGES for name in names}
    starts = set()
    for line in text.splitlines():
        words = line.split()
        if line.startswith("  ") and words and words[0] in commands:
            starts.add(line.index(words[1], 2 + len(words[0])))
    assert len(starts) == 1, text


def test_a_command_missing_from_the_stages_is_still_listed() -> None:
    from vqa_core.cli._sections import StagedGroup

    group = StagedGroup("tool")
    group.add_command(click.Command("ingest", help="Known."))
    group.add_command(click.Command("zzz-new", help="Not placed in a stage yet."))
    sections = _sections(CliRunner().invoke(group, ["--help"]).stdout)
    assert sections["Ingest"] == ["ingest"]
    assert sections["Other"] == ["zzz-new"]
