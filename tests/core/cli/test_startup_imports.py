"""What ``vqa corpora list`` (and a TAB of shell completion) imports, pinned.

Its cost is its imports: bench/cli_startup.py measures it against importing
click, pluggy, attrs and importlib.metadata alone (at most 1.5×). Times are not
asserted here; the modules are. A module that appears here costs every run of the
command and every TAB: import it where it is used, or add it below if it must load.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vqa_core.cli import COMMANDS

#: The baseline imports first, then the command: what it adds is written to argv[1].
RUNNER = """
import sys
import click, pluggy, attrs, importlib.metadata
before = set(sys.modules)
from vqa_core.cli import main
try:
    main(sys.argv[2:], prog_name="vqa")
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
with open(sys.argv[1], "w") as out:
    out.write("\\n".join(sorted(set(sys.modules) - before)))
"""

#: Core's modules behind `vqa corpora list`: the plugin API the plugins import, the registry
#: and listing, and the CLI's group with the one command.
LIST_CORE = {
    "vqa_core",
    "vqa_core._version",
    "vqa_core.apiversion",
    "vqa_core.builtins",
    "vqa_core.builtins.scale",
    "vqa_core.catalogue",
    "vqa_core.cli",
    "vqa_core.cli._common",
    "vqa_core.cli._failures",
    "vqa_core.cli._lazy",
    "vqa_core.cli._output",
    "vqa_core.cli._sections",
    "vqa_core.cli.corpora",
    "vqa_core.cli.version",
    "vqa_core.columns",
    "vqa_core.declarations",
    "vqa_core.env",
    "vqa_core.errors",
    "vqa_core.featureschema",
    "vqa_core.gridrows",
    "vqa_core.hookspecs",
    "vqa_core.installed",
    "vqa_core.listing",
    "vqa_core.locations",
    "vqa_core.plugin",
    "vqa_core.registry",
    "vqa_core.runner",
    "vqa_core.scales",
    "vqa_core.schema",
    "vqa_core.sources",
}
#: The standard library beyond the baseline: the catalogue (TOML), the CLI's error reporting
#: (traceback), and json for --json.
LIST_OTHERS = ("tomllib", "traceback", "json", "_json")


def _added(tmp_path: Path, *args: str, **env: str) -> set[str]:
    out = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(out), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(out.read_text().split())


@pytest.mark.parametrize("args", [("corpora", "list", "--json"), ("corpora", "list")], ids=["json", "table"])
def test_corpora_list_imports_only_what_listing_needs(tmp_path: Path, args: tuple[str, ...]) -> None:
    added = _added(tmp_path, *args)
    core = {m for m in added if m.split(".")[0] == "vqa_core"}
    expected = LIST_CORE | ({"vqa_core.cli._table"} if "--json" not in args else set())
    assert core == expected, f"new: {sorted(core - expected)}, gone: {sorted(expected - core)}"
    plugins = {m for m in added if m.startswith("vqa_") and m.split(".")[0] != "vqa_core"}
    # a plugin's package and its declarations: its readers and writers load when they work
    assert plugins and all(m.count(".") == 0 or m.endswith(".declarations") for m in plugins), sorted(plugins)
    rest = added - core - plugins
    assert {m for m in rest if m.split(".")[0] not in LIST_OTHERS} == set()


def test_a_tab_of_completion_loads_only_the_command_it_offers_and_no_plugin(tmp_path: Path) -> None:
    added = _added(tmp_path, _VQA_COMPLETE="bash_complete", COMP_WORDS="vqa corp", COMP_CWORD="1")
    core = {m for m in added if m.startswith("vqa")}
    assert core == {
        "vqa_core",
        "vqa_core._version",
        "vqa_core.cli",
        "vqa_core.cli._common",
        "vqa_core.cli._failures",
        "vqa_core.cli._lazy",
        "vqa_core.cli._output",
        "vqa_core.cli._sections",
        "vqa_core.cli.corpora",  # its short help is shown beside the completion
        "vqa_core.cli.version",
        "vqa_core.env",
        "vqa_core.errors",
        "vqa_core.hookspecs",
        "vqa_core.runner",
    }


def test_every_command_is_found_by_its_name() -> None:
    from vqa_core.cli import main

    for name in COMMANDS:
        command = main.get_command(None, name)  # type: ignore[arg-type]  # the context is not used
        assert command is not None and command.name == name
    assert main.list_commands(None) == sorted(COMMANDS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        [{"id": "x", "scale_lo": 1.0, "scale_hi": 5.0, "clips": 1_200, "hooks": [], "error": None}],
        {"b": [1, 2.5, "é — ü", {"z": True, "a": None}], "a": {}, "c": "line\nbreak\t\u0001"},
        [],
    ],
)
def test_a_plain_document_has_the_bytes_orjson_gives_it(value: object) -> None:
    """json writes the listing (orjson would cost it ~4 ms to import), to the same bytes."""
    import orjson

    from vqa_core.cli._output import _plain_json

    assert (
        _plain_json(value) == orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )


def test_a_number_that_is_not_finite_is_null() -> None:
    from vqa_core.cli._output import _plain_json

    assert _plain_json({"x": float("nan")}) == b'{\n  "x": null\n}\n'
