"""Shell completion through click's ``_VQA_COMPLETE``, as docs/shell-completion.md sets it up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _complete(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_VQA_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([str(BIN / "vqa")], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_console_script_completes_commands_subcommands_and_options() -> None:
    assert _complete("vqa corp", 1) == ["plain,corpora"]
    assert _complete("vqa corpora ", 2) == ["plain,info", "plain,list"]
    assert _complete("vqa ingest --exec", 2) == ["plain,--executor"]


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("bash", "complete -o nosort -F _vqa_completion vqa"),
        ("zsh", "#compdef vqa"),
        ("fish", "complete --no-files --command vqa"),
    ],
)
def test_each_shell_gets_its_script(shell: str, line: str) -> None:
    env = {**os.environ, "_VQA_COMPLETE": f"{shell}_source"}
    done = subprocess.run([str(BIN / "vqa")], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and line in done.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_through_the_sourced_script() -> None:
    script = (
        'eval "$(_VQA_COMPLETE=bash_source vqa)"\n'
        "COMP_WORDS=(vqa corp); COMP_CWORD=1; _vqa_completion vqa\n"
        'echo "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "corpora"
