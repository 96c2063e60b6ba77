"""What the command-line tests share: the real ``vqa`` command (in this process or as a
subprocess), inputs for every command built once, and a site with a broken plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.cli.results.base import Result
from vqa_core.cli.results.failure import ErrorResult
from vqa_core.cli.results.registry import parse_result

STAMP = "2026-01-01T00:00:00Z"


@attrs.frozen
class Ran:
    """A finished ``vqa`` command: exit status, stdout, stderr."""

    code: int
    stdout: str
    stderr: str

    def document(self) -> Result:
        """stdout as exactly one JSON document, read strictly against its schema."""
        return parse_result(json.loads(self.stdout))

    def error(self, code: int, *contains: str) -> ErrorResult:
        """Exit ``code``; one ``error:`` line on stderr and the same line as an error document."""
        assert self.code == code, (self.code, self.stdout, self.stderr)
        assert "Traceback" not in self.stderr
        lines = [line for line in self.stderr.splitlines() if line.startswith("error: ")]
        assert len(lines) == 1, self.stderr
        document = self.document()
        assert isinstance(document, ErrorResult) and document.exit_code == code
        assert lines[0] == f"error: {document.error}"
        for text in contains:
            assert text in document.error, (text, document.error)
        return document


def vqa(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
    """``vqa ARGS`` in this process (stdout and stderr apart)."""
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    return Ran(int(result.exit_code), result.stdout, result.stderr)


def vqa_process(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
    """``vqa ARGS`` as its own process."""
    proc = subprocess.run(
        [sys.executable, "-m", "vqa_core", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)


@attrs.frozen
class Inputs:
    """Something for every command to read: a KoNViD-1k sample drop and what the pipeline
    makes of it, and two encode grids. Read-only: commands write into their own folders."""

    drop: Path
    shard: Path
    unified: Path
    grid_drop: Path
    grids: tuple[Path, Path]
    features: Path
    labelled: Path
    model: Path


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    import vqa_bvi_dvc
    import vqa_konvid

    from vqa_core.aggregate import aggregate
    from vqa_core.features import FeatureConfig, extract_features
    from vqa_core.grid import ingest_grid
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.labels import MaterializeConfig, materialize_labels
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample
    from vqa_core.sources import GridSettings, SourceSpec
    from vqa_core.train import TrainConfig, train_mos_head
    from vqa_core.train.model import FitSettings

    base = tmp_path_factory.mktemp("cli-inputs")
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid), ("vqa-bvi-dvc", vqa_bvi_dvc)], strict=True)
    drop = write_sample(registry, "konvid-1k", base / "drop", clips=8, seed=21).root
    shard = base / "konvid-1k.jsonl"
    ingest(registry, IngestConfig(corpus_id="konvid-1k", root=drop, output=shard, workers=2, timestamp=STAMP))
    unified = base / "unified.parquet"
    aggregate(registry, [shard], unified, timestamp=STAMP)
    grid_drop = base / "grid-drop"
    grid_drop.mkdir()
    registry.write_sample("bvi-dvc", grid_drop, 2, seed=0)
    grids = (base / "g1.jsonl", base / "g2.jsonl")
    for grid in grids:
        source = SourceSpec(root=grid_drop, metadata=(), clips_dir=grid_drop)
        ingest_grid(registry, "bvi-dvc", source, GridSettings(timestamp="2026-01-01T00:00:00+00:00"), grid)
    features = base / "features.parquet"
    extract_features(FeatureConfig(shard=shard, root=drop, output=features, workers=2, sample_fps=10.0))
    labelled = base / "labelled.parquet"
    materialize_labels(MaterializeConfig(features=features, labels=(shard,), out=labelled, timestamp=STAMP))
    trained = train_mos_head(
        TrainConfig(
            out=base / "model",
            feature_schema="vqa-nr-v1",
            table=labelled,
            folds=2,
            fit=FitSettings(epochs=5, hidden=(8,)),
            timestamp=STAMP,
        )
    )
    return Inputs(drop, shard, unified, grid_drop, grids, features, labelled, trained.model)


def fake_distribution(site: Path, name: str, module: str, source: str) -> None:
    """A minimal installed distribution: dist-info with a ``vqa.corpora`` entry point, and its module."""
    info = site / f"{module}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[vqa.corpora]\n{module} = {module}\n")
    (info / "RECORD").write_text("")
    (site / f"{module}.py").write_text(source)


@pytest.fixture(scope="session")
def distribution_writer() -> Callable[[Path, str, str, str], None]:
    """:func:`fake_distribution`, for test modules (which cannot import this conftest)."""
    return fake_distribution


@pytest.fixture(scope="session")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for ``PYTHONPATH`` with a plugin that fails to import."""
    site = tmp_path_factory.mktemp("broken-site")
    fake_distribution(site, "vqa-broken-json", "vqa_broken_json", "raise RuntimeError('broken on purpose')\n")
    return site


@pytest.fixture(scope="session")
def cli() -> ModuleType:
    """This module: test modules cannot import it (``--import-mode=importlib``), so they get it here."""
    return sys.modules[__name__]
