"""stdout is the result and nothing else, while progress, logs and hints run on stderr.

``vqa ingest --json`` runs as a real process with its stdout piped into a JSON parser and its
stderr on a pseudo-terminal, so the progress bar is drawn (as for a person watching) while a
script reads the result.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from vqa_core.cli.results.acquire import IngestResult
from vqa_core.cli.results.registry import parse_result


def _drain(fd: int, into: bytearray) -> None:
    """Read a pseudo-terminal until its other end closes (a full buffer would stall the writer)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed its side
            return
        if not chunk:
            return
        into.extend(chunk)


def test_stdout_parses_as_one_document_while_the_progress_bar_draws(
    cli: ModuleType, inputs: Any, tmp_path: Path
) -> None:
    primary, secondary = pty.openpty()
    terminal = bytearray()
    reader = threading.Thread(target=_drain, args=(primary, terminal))
    reader.start()
    out = tmp_path / "k.jsonl"
    try:
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "vqa_core", "ingest", "konvid-1k", "--root", str(inputs.drop)),
                *("-o", str(out), "--timestamp", cli.STAMP, "-v", "--json"),
            ],
            stdout=subprocess.PIPE,
            stderr=secondary,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"},
            timeout=300,
            check=False,
        )
    finally:
        os.close(secondary)
        reader.join(timeout=60)
        os.close(primary)
    assert proc.returncode == 0, terminal.decode(errors="replace")
    document = parse_result(json.loads(proc.stdout))  # one JSON document, nothing before or after
    assert isinstance(document, IngestResult) and document.written == 8
    shown = terminal.decode(errors="replace")
    assert "\x1b[?25l" in shown and "konvid-1k" in shown  # a live display drew (it hides the cursor)
    assert "warning: " in shown  # the sample drop is no known edition: a log line, on stderr
    assert b"\x1b" not in proc.stdout  # no terminal control on stdout


def test_with_stderr_piped_too_every_log_line_stays_off_stdout(
    cli: ModuleType, inputs: Any, tmp_path: Path
) -> None:
    ran = cli.vqa_process(
        *("ingest", "konvid-1k", "--root", inputs.drop, "-o", tmp_path / "k.jsonl", "-vv", "--json")
    )
    assert ran.code == 0, ran.stderr
    assert isinstance(ran.document(), IngestResult)
    assert ran.stderr.startswith("warning: ")


def test_without_json_the_summary_is_stdout_and_hints_are_stderr(
    cli: ModuleType, inputs: Any, tmp_path: Path
) -> None:
    ran = cli.vqa_process("sample", "konvid-1k", tmp_path / "drop", "--clips", "2")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith("konvid-1k: wrote 2 clips") and len(ran.stdout.splitlines()) == 1
    assert ran.stderr.startswith("ingest it with: vqa ingest konvid-1k")

    ran = cli.vqa_process(
        "ingest", "konvid-1k", "--root", tmp_path / "drop", "-o", tmp_path / "k.jsonl", "-q"
    )
    assert ran.code == 0, ran.stderr
    assert ran.stdout.startswith("konvid-1k: 2 rows read, 2 written") and len(ran.stdout.splitlines()) == 1
