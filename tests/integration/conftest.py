"""Wheels of the repository, built once per session, and fresh virtual environments made from them.

A fresh environment per extra (:func:`lean_venv`) holds the built wheels, installed
without dependencies, and sees exactly the distributions the wheel's metadata asks
for with those extras: links to the copies this test environment already has,
found through ``importlib.metadata`` and put on the new environment's path by a
``.pth`` file. Nothing is downloaded, and a module the extra does not bring (torch
for ``predict``, matplotlib for core alone) really cannot be imported there.
"""

from __future__ import annotations

import email.parser
import importlib.metadata as md
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def _build(target: Path, *sources: Path) -> list[Path]:
    for source in sources:
        subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(target), str(source)],
            check=True,
            capture_output=True,
        )
    return sorted(target.glob("*.whl"))


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheels of vqa-core, vqa-konvid and vqa-lsvq (sdists are built too), by module name."""
    target = tmp_path_factory.mktemp("dist")
    built = _build(target, REPO, REPO / "vqa_plugins" / "konvid", REPO / "vqa_plugins" / "lsvq")
    assert any(p.suffix == ".gz" for p in target.iterdir()), "sdists are built too"
    return {p.name.split("-")[0]: p for p in built}


def wheel_requirements(wheel: Path, extras: Iterable[str]) -> list[Requirement]:
    """What ``wheel``'s metadata requires when installed with ``extras``."""
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    wanted = ("", *extras)
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    return [
        r for r in requirements if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in wanted)
    ]


def _closure(requirements: Iterable[Requirement]) -> set[str]:
    """The installed distributions ``requirements`` need, transitively (their own extras left out)."""
    found: set[str] = set()
    todo = list(requirements)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        for line in md.distribution(name).requires or []:
            nested = Requirement(line)
            if nested.marker is None or nested.marker.evaluate({"extra": ""}):
                todo.append(nested)
    return found


def _link_distributions(names: Iterable[str], layer: Path) -> None:
    """Links in ``layer`` to every top-level file and folder of the installed distributions ``names``."""
    layer.mkdir(parents=True)
    for name in sorted(names):
        dist = md.distribution(name)
        site = Path(str(dist.locate_file("")))
        tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in sorted(tops):
            source = site / top
            if source.exists() and not (layer / top).exists():
                (layer / top).symlink_to(source)


@pytest.fixture(scope="session")
def lean_venv(
    wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[tuple[str, ...]], Path]:
    """A function of extras giving the ``bin`` folder of a fresh environment with vqa-core, those
    extras and the vqa-konvid plugin (one environment per set of extras, made once)."""
    made: dict[tuple[str, ...], Path] = {}

    def make(extras: tuple[str, ...]) -> Path:
        if extras in made:
            return made[extras]
        root = tmp_path_factory.mktemp("venv-" + ("-".join(extras) or "core"))
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "env")], check=True)
        python = root / "env" / "bin" / "python"
        pip = [sys.executable, "-m", "pip", "--python", str(python)]
        install = subprocess.run(
            [
                *pip,
                "install",
                "--quiet",
                "--no-deps",
                "--no-index",
                str(wheels["vqa_core"]),
                str(wheels["vqa_konvid"]),
            ],
            capture_output=True,
            text=True,
        )
        assert install.returncode == 0, install.stderr[-2000:]
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        _link_distributions(_closure(wheel_requirements(wheels["vqa_core"], extras)), root / "deps")
        (Path(site) / "vqa_test_deps.pth").write_text(f"{root / 'deps'}\n")
        # every requirement of every installed distribution is met, by the links alone
        check = subprocess.run([*pip, "check"], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        made[extras] = root / "env" / "bin"
        return made[extras]

    return make
