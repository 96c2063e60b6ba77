"""``vqa plugin new``: a complete, installable corpus-plugin package to start from.

The package works as written — its parser reads a ``clip,mos,std,n_ratings``
CSV, its sample writer makes a drop in that format, its tests run the
conformance kit — but the declaration and README carry ``<FILL: …>``
placeholders for the corpus's licence, citation and access, which the kit
refuses until the author replaces them with the facts from the dataset's own
page.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template
from typing import Final

from vqa_core import __version__
from vqa_core.errors import UsageError

__all__ = ["new_plugin", "NAME_PATTERN"]

NAME_PATTERN: Final = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def _core_range() -> str:
    major, minor = (int(x) for x in __version__.split(".")[:2])
    upper = f"{major + 1}" if major >= 1 else f"0.{minor + 1}"
    return f">={major}.{minor},<{upper}"


_PYPROJECT = Template("""\
[build-system]
requires = ["hatchling>=1.27,<2"]
build-backend = "hatchling.build"

[project]
name = "vqa-$dist_name"
version = "0.1.0"
description = "vqa corpus plugin: $corpus_id"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["vqa-core$core_range"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points."vqa.corpora"]
$module = "vqa_$module"

[tool.hatch.build.targets.wheel]
packages = ["vqa_$module"]
""")

_README = Template("""\
# vqa-$dist_name

A [vqa](https://pypi.org/project/vqa-core/) corpus plugin for **$corpus_id**.

    pip install vqa-core vqa-$dist_name
    vqa corpora info $corpus_id
    vqa sample $corpus_id drop/ && vqa ingest $corpus_id --root drop/ -o $corpus_id.jsonl

## The corpus

- Licence: <FILL: the licence the dataset's own page states, and its URL>
- Citation: <FILL: the paper to cite>
- How to obtain it: <FILL: download or request steps>

This package ships parsers and a synthetic sample writer only; it contains no
clip, score or derived value of the corpus.

## Development

    pip install -e '.[test]'
    pytest                       # runs the vqa conformance kit and the parser tests
""")

_INIT = Template('''\
"""vqa corpus plugin for $corpus_id: declaration, metadata parser and sample writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vqa_core.plugin import CorpusDeclaration, SampleDrop, SourceRows, SourceSpec, hookimpl

from vqa_$module.declaration import CORPUS

vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(CORPUS)


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    from vqa_$module.parsing import source_rows

    return source_rows(source)


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    from vqa_$module.sample import write_sample

    return write_sample(directory, clips, seed)
''')

_DECLARATION = Template('''\
"""What this plugin declares about $corpus_id. Replace every <FILL: ...> with the dataset's facts."""

from __future__ import annotations

from vqa_core.plugin import CorpusDeclaration, Edition

CORPUS = CorpusDeclaration(
    id="$corpus_id",
    title="<FILL: the corpus's full name>",
    version="$corpus_id-1",
    scale="1-5",  # the scale of the mos you store: "1-5", "0-100" or MosScale(lo, hi)
    licence="<FILL: licence name>",
    licence_url="https://example.org/<FILL:licence-url>",
    citation="<FILL: authors. title. venue year.>",
    homepage="https://example.org/<FILL:homepage>",
    access="open",
    access_instructions="<FILL: how to obtain scores.csv and the clips>",
    editions=[Edition("$corpus_id-1", "scores.csv", 100, "<FILL: where this count comes from>")],
    expected_clips=100,
    column_prefix="${prefix}_",
    default_metadata=["scores.csv"],
    default_clips_dir="clips",
)
''')

_PARSING = Template('''\
"""Reading $corpus_id's published metadata: ``scores.csv`` with ``clip,mos,std,n_ratings``."""

from __future__ import annotations

from collections.abc import Iterator

from vqa_core.plugin import (
    MetadataError,
    MetadataFile,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    open_table,
    reject,
    to_float,
    to_int,
)

METADATA = "scores.csv"


def _rows(table: Table) -> Iterator[SourceRow | RowRejection]:
    if table.header is None or not table.header.has("clip") or not table.header.has("mos"):
        names = ",".join(table.header.names) if table.header else ""
        raise MetadataError(f"{table.path}: header {names!r} lacks the clip and mos columns", path=str(table.path))
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        clip = record.get("clip")
        if not clip:
            yield reject(record, "bad-row", "no clip name")
            continue
        try:
            mos = to_float(record.get("mos"))
        except ValueError as exc:
            yield reject(record, "bad-mos", f"mos {exc}", clip=clip)
            continue
        try:
            std = record.get("std")
            n = record.get("n_ratings")
            yield SourceRow(
                clip=clip,
                mos=mos,
                origin=record.origin,
                mos_std_dev=to_float(std) if std else None,
                n_ratings=to_int(n) if n else None,
            )
        except ValueError as exc:
            yield reject(record, "bad-row", str(exc), clip=clip)


def source_rows(source: SourceSpec) -> SourceRows:
    path = source.metadata[0] if source.metadata else source.root / METADATA
    if not path.is_file():
        raise MetadataError(f"{path} does not exist", path=str(path))
    table = open_table(path, delimiters=(",", ";"))
    return SourceRows(files=[MetadataFile(path, table.data_lines)], rows=_rows(table))
''')

_SAMPLE = Template('''\
"""A synthetic $corpus_id drop in the published layout: ``scores.csv`` and ``clips/``."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from vqa_core.plugin import ClipSpec, SampleDrop, write_clip

from vqa_$module.parsing import METADATA


def write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    rows = []
    for i in range(clips):
        quality = rng.random()
        name = f"clip{i:04d}.mp4"
        write_clip(directory / "clips" / name, ClipSpec(frames=10, quality=quality), seed=seed * 1000 + i)
        mos = min(5.0, max(1.0, 1 + 4 * quality + rng.gauss(0, 0.1)))
        rows.append([name, f"{mos:.3f}", f"{rng.uniform(0.4, 0.9):.3f}", str(rng.randint(20, 40))])
    metadata = directory / METADATA
    with open(metadata, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\\n")
        writer.writerow(["clip", "mos", "std", "n_ratings"])
        writer.writerows(rows)
    return SampleDrop(root=directory, metadata=[metadata], clips=clips)
''')

_TEST_CONFORMANCE = Template("""\
from vqa_core.testing import ConformanceSuite


class TestConformance(ConformanceSuite):
    distribution = "vqa-$dist_name"
""")

_TEST_PARSING = Template("""\
from pathlib import Path

from vqa_core.plugin import RowRejection, SourceRow, SourceSpec

from vqa_$module.parsing import source_rows


def test_good_and_bad_lines(tmp_path: Path) -> None:
    (tmp_path / "scores.csv").write_text("clip,mos,std,n_ratings\\na.mp4,3.5,0.6,30\\nb.mp4,oops,0.5,30\\n,2,0.5,30\\n")
    items = list(source_rows(SourceSpec(root=tmp_path, metadata=(), clips_dir=tmp_path / "clips")).rows)
    assert isinstance(items[0], SourceRow) and items[0].mos == 3.5 and items[0].n_ratings == 30
    assert [(i.reason, i.origin.line) for i in items[1:] if isinstance(i, RowRejection)] == [("bad-mos", 3), ("bad-row", 4)]
""")


def new_plugin(name: str, directory: Path) -> Path:
    """Write the package ``vqa-<name>`` into ``directory``; returns its folder."""
    if not NAME_PATTERN.match(name):
        raise UsageError(
            f"plugin name {name!r} must be lower case letters, digits and - or _, starting with a letter"
        )
    dist_name = name.replace("_", "-")
    module = name.replace("-", "_")
    corpus_id = dist_name if len(dist_name) >= 2 else f"{dist_name}-corpus"
    values = {
        "dist_name": dist_name,
        "module": module,
        "corpus_id": corpus_id,
        "prefix": re.sub(r"[^a-z0-9]", "", module)[:16] or "x",
        "core_range": _core_range(),
    }
    root = directory / f"vqa-{dist_name}"
    if root.exists():
        raise UsageError(f"{root} already exists")
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"vqa_{module}/__init__.py": _INIT,
        f"vqa_{module}/declaration.py": _DECLARATION,
        f"vqa_{module}/parsing.py": _PARSING,
        f"vqa_{module}/sample.py": _SAMPLE,
        "tests/test_conformance.py": _TEST_CONFORMANCE,
        "tests/test_parsing.py": _TEST_PARSING,
    }
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.substitute(values), encoding="utf-8")
    (root / f"vqa_{module}" / "py.typed").write_text("")
    return root
