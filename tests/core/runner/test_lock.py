"""``output_lock``: one writer per output, refused at once, released by the kernel, never removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vqa_core.errors import OutputError, StateError
from vqa_core.runner.lock import lock_path_for, output_lock


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "o.jsonl"
    with output_lock(out) as lock:
        assert lock == tmp_path / "sub" / "o.jsonl.lock"
        assert lock.read_text() == str(os.getpid())
        refused = rf"o\.jsonl is being written by another vqa process \(pid {os.getpid()}\)"
        with pytest.raises(StateError, match=refused), output_lock(out):
            pass
    with output_lock(out):  # released: taken again
        pass
    assert lock_path_for(out).exists()  # the file stays; only the flock goes


def test_a_holder_killed_with_its_lock_does_not_block(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from vqa_core.runner.lock import output_lock\n"
        f"with output_lock(Path({str(out)!r})):\n"
        "    os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with output_lock(out):
        pass


def test_stale_temporaries_of_the_output_and_its_companions_go(tmp_path: Path) -> None:
    out, manifest = tmp_path / "o.jsonl", tmp_path / "o.manifest.json"
    stale = [tmp_path / ".o.jsonl.01234567.tmp", tmp_path / ".o.manifest.json.76543210.tmp"]
    other = tmp_path / ".x.jsonl.01234567.tmp"
    for path in [*stale, other]:
        path.write_text("torn")
    with output_lock(out, manifest):
        assert not any(p.exists() for p in stale)
    assert other.exists()


def test_a_folder_named_dot_is_locked_beside_it_by_its_full_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert lock_path_for(Path(".")) == tmp_path / "models.lock"
    assert lock_path_for(Path("..")) == tmp_path.parent / f"{tmp_path.name}.lock"
    with pytest.raises(OutputError, match="cannot be an output"):
        lock_path_for(Path("/"))
