"""docs/cli.md cannot drift: its document reference is generated from the attrs classes, every
command with ``--json`` is on it, and the exit statuses it lists are the code's."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.cli.results.reference import BEGIN, END, reference_markdown
from vqa_core.cli.results.registry import RESULTS
from vqa_core.errors import ExitCode

REPO = Path(__file__).resolve().parents[3]
PAGE = REPO / "docs" / "cli.md"


def _leaves(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.update(_leaves(command, f"{path} "))
        else:
            found[path] = command
    return found


def _takes_json(command: click.Command) -> bool:
    return any(isinstance(p, click.Option) and "--json" in p.opts for p in command.params)


def test_the_reference_section_is_generated_from_the_classes() -> None:
    page = PAGE.read_text()
    section = page[page.index(BEGIN) : page.index(END) + len(END)] + "\n"
    assert section == reference_markdown(), (
        "docs/cli.md's reference is out of date: replace it with the output of "
        "`python -m vqa_core.cli.results.reference`"
    )


def test_every_command_that_has_a_result_takes_json_and_is_on_the_page() -> None:
    page = PAGE.read_text()
    leaves = _leaves(main)
    without = {name for name, command in leaves.items() if not _takes_json(command)}
    assert without == {"plugin new"}  # it writes a package folder; its one line says which
    table = {
        m.group(1) for m in re.finditer(r"^\| `vqa ([a-z][a-z-]*(?: [a-z][a-z-]*)*)", page, re.MULTILINE)
    }
    assert table == set(leaves) - without
    documented = {cls.COMMAND for cls in RESULTS if cls.COMMAND}
    assert documented == set(leaves) - without - {"corpora list"}  # the array keeps its old shape
    for cls in RESULTS:
        assert f"`{cls.SCHEMA}`" in page


def test_the_exit_statuses_are_on_the_page_and_in_help() -> None:
    page = PAGE.read_text()
    rows = {int(m.group(1)) for m in re.finditer(r"^\| (\d+) \| ", page, re.MULTILINE)}
    assert rows == {int(code) for code in ExitCode} | {130}
    shown = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert shown.exit_code == 0
    listed = shown.output.split("Exit status (every command):\n", 1)[1].splitlines()
    assert listed == [f"  {int(code)}  {code.meaning}" for code in ExitCode]


def test_the_readme_links_the_page() -> None:
    assert "(docs/cli.md)" in (REPO / "README.md").read_text()
