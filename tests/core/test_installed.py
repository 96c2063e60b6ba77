"""The plugin group's entry points, read cheaply, are the ones importlib.metadata lists."""

from __future__ import annotations

import importlib.metadata as md
import os
import subprocess
import sys
from pathlib import Path

from vqa_core.hookspecs import ENTRY_POINT_GROUP
from vqa_core.installed import name_and_version, plugin_entry_points


def _key(ep: md.EntryPoint) -> tuple[str, str, str | None, str | None]:
    return (ep.name, ep.value, ep.group, ep.dist.version if ep.dist else None)


def test_the_same_entry_points_as_the_standard_library() -> None:
    ours = [_key(ep) for ep in plugin_entry_points()]
    assert ours == [_key(ep) for ep in md.entry_points(group=ENTRY_POINT_GROUP)]
    assert len(ours) >= 7
    assert [_key(ep) for ep in plugin_entry_points("console_scripts")] == [
        _key(ep) for ep in md.entry_points(group="console_scripts")
    ]


def _dist(site: Path, version: str, entry_points: str) -> None:
    info = site / f"vqa_twice-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: vqa-twice\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(entry_points)


def test_a_shadowed_copy_of_a_distribution_contributes_nothing(tmp_path: Path) -> None:
    """The first copy on sys.path is the installed one, even when only the second names the group."""
    _dist(tmp_path / "first", "2.0", "[console_scripts]\ntwice = vqa_twice:main\n")
    _dist(tmp_path / "second", "1.0", "[vqa.corpora]\nvqa_twice = vqa_twice\n")
    code = (
        "import importlib.metadata as md\n"
        "from vqa_core.installed import plugin_entry_points\n"
        "ours = [(e.value, e.dist.version) for e in plugin_entry_points()]\n"
        "theirs = [(e.value, e.dist.version) for e in md.entry_points(group='vqa.corpora')]\n"
        "assert ours == theirs, (ours, theirs)\n"
        "print(any(v == 'vqa_twice' for v, _ in ours))\n"
    )
    path = os.pathsep.join([str(tmp_path / "first"), str(tmp_path / "second")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_names_and_versions_as_the_standard_library_reads_them() -> None:
    dists = list(md.distributions())
    assert len(dists) > 50  # every installed distribution, whatever tool wrote its metadata
    for dist in dists:
        assert name_and_version(dist) == (dist.metadata["Name"], dist.version)
