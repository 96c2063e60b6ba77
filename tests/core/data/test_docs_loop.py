"""The training loop of docs/interop.md, run as written for one epoch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "interop.md"


def test_the_documented_loop_trains_one_epoch(sample_table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    loop = next(b for b in blocks if "for batch in loader" in b)
    namespace: dict[str, Any] = {"TABLE": sample_table.table, "ROOTS": sample_table.roots}
    exec(compile(loop, str(DOC), "exec"), namespace)
    assert re.fullmatch(r"last loss \d+\.\d{4}, 0 clips skipped\n", capsys.readouterr().out)
    assert len(namespace["dataset"]) == 18
