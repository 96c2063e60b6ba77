"""A plugin that raises at call time is named, exits 2, and is listed as failed — through real plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import orjson
import pytest
import vqa_konvid
from click.testing import CliRunner

from vqa_core import hookimpl
from vqa_core.cli import main
from vqa_core.declarations import CorpusDeclaration
from vqa_core.errors import MetadataError, PluginCallError
from vqa_core.listing import corpus_entries
from vqa_core.registry import Registry
from vqa_core.scales import ScaleConversion
from vqa_core.schema import Origin, RowRejection, SourceRow
from vqa_core.sources import MetadataFile, SampleDrop, SourceRows, SourceSpec
from vqa_core.testing import toy_declaration

LABELLED = attrs.evolve(vqa_konvid.KONVID_1K, id="toy-crash", editions=(), default_metadata=("toy.csv",))
GRID = toy_declaration("toy-grid", scale="none", editions=())


def grid_row(src: str) -> dict[str, object]:
    """A row of the encode-grid schema, valid but for its values."""
    from vqa_core.gridrows import GRID_TYPES

    kinds = {"string": "x", "integer": 1, "number": 1.5, "boolean": False, "string or integer": "fast"}
    row: dict[str, object] = {
        k: None if nullable else kinds[kind] for k, (kind, nullable) in GRID_TYPES.items()
    }
    return {**row, "schema_version": 3, "src": src}


class _Crashing:
    """A real plugin whose hook ``fail_in`` raises ``error``; rows fail on their third."""

    vqa_plugin_api = ">=1,<2"

    def __init__(self, fail_in: str, error: BaseException) -> None:
        self.fail_in = fail_in
        self.error = error

    def _raise_in(self, hook: str) -> None:
        if self.fail_in == hook:
            raise self.error

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(LABELLED)
        register(GRID)

    @hookimpl
    def vqa_source_rows(self, corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
        self._raise_in("call")

        def rows() -> Iterator[SourceRow | RowRejection]:
            yield SourceRow(clip="a.mp4", mos=3.0, origin=Origin("toy.csv", 2))
            yield RowRejection("bad-mos", "not a number", Origin("toy.csv", 3))
            self._raise_in("rows")
            yield SourceRow(clip="c.mp4", mos=3.0, origin=Origin("toy.csv", 4))

        return SourceRows(files=[MetadataFile(source.root / "toy.csv", 3)], rows=rows())

    @hookimpl
    def vqa_encode_grid_rows(self, corpus: CorpusDeclaration) -> Iterator[dict[str, object]]:
        yield grid_row("first.yuv")
        self._raise_in("grid")

    @hookimpl
    def vqa_scale_conversion(self, corpus: CorpusDeclaration) -> ScaleConversion | None:
        self._raise_in("scale")
        return None

    @hookimpl
    def vqa_write_sample(self, corpus: CorpusDeclaration, directory: Path) -> SampleDrop:
        self._raise_in("sample")
        raise AssertionError("not reached")


def registry_of(fail_in: str, error: BaseException | None = None) -> Registry:
    return Registry.from_plugins([("vqa-crash", _Crashing(fail_in, error or KeyError("x")))], strict=True)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "toy.csv").write_text("clip,mos\na.mp4,3\nb.mp4,x\nc.mp4,3\n")
    return data


def invoke(monkeypatch: pytest.MonkeyPatch, registry: Registry, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls, strict=None, **_: registry))
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stderr


def failed_entries(registry: Registry) -> dict[str, str | None]:
    return {e["id"]: e["error"] for e in corpus_entries(registry) if e["status"] == "failed"}


def test_a_row_generator_that_raises_is_named_with_the_last_row_it_yielded(
    monkeypatch: pytest.MonkeyPatch, root: Path, tmp_path: Path
) -> None:
    registry = registry_of("rows")
    code, stderr = invoke(
        monkeypatch, registry, "ingest", "toy-crash", "--root", str(root), "-o", str(tmp_path / "o.jsonl")
    )
    assert code == 2
    lines = stderr.strip().splitlines()
    assert lines[-1] == (
        "error: plugin vqa-crash failed in vqa_source_rows for toy-crash after toy.csv:3: KeyError: 'x' "
        "(a bug in the plugin; report it to its authors; VQA_DEBUG=1 shows the traceback)"
    )
    assert "Traceback" not in stderr
    # the failure is the plugin's, in this process: both its corpora say so, and stay usable
    error = "vqa_source_rows failed for toy-crash after toy.csv:3: KeyError: 'x'"
    assert failed_entries(registry) == {"toy-crash": error, "toy-grid": error}
    assert {p.name: p.status for p in registry.plugins if p.status != "builtin"} == {"vqa-crash": "failed"}
    assert registry.corpus("toy-grid").plugin.status == "failed"
    table = CliRunner().invoke(main, ["corpora", "list"])
    assert table.exit_code == 0 and f"failed vqa-crash: {error}" in table.stdout
    listed = CliRunner().invoke(main, ["corpora", "list", "--json"])
    assert {e["id"]: e["status"] for e in json.loads(listed.stdout)} == {
        "toy-crash": "failed",
        "toy-grid": "failed",
    }


def test_the_error_chains_the_cause_and_says_when_no_row_came_first(root: Path) -> None:
    registry = registry_of("call")
    spec = SourceSpec(root=root, metadata=(), clips_dir=root)
    with pytest.raises(PluginCallError) as caught:
        registry.source_rows("toy-crash", spec)
    err = caught.value
    assert (err.distribution, err.hook, err.corpus, err.origin) == (
        "vqa-crash",
        "vqa_source_rows",
        "toy-crash",
        None,
    )
    assert isinstance(err.__cause__, KeyError) and err.exit_code == 2

    def no_rows() -> Iterator[SourceRow]:
        raise ValueError("bad header")
        yield  # pragma: no cover

    class _Empty(_Crashing):
        @hookimpl
        def vqa_source_rows(self, corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
            return SourceRows(files=[], rows=no_rows())

    empty = Registry.from_plugins([("vqa-empty", _Empty("none", KeyError("x")))], strict=True)
    with pytest.raises(
        PluginCallError, match=r"vqa_source_rows for toy-crash before the first row: ValueError: bad header"
    ):
        list(empty.source_rows("toy-crash", spec).rows)


def test_grid_rows_that_raise_name_the_last_grid_row(
    monkeypatch: pytest.MonkeyPatch, root: Path, tmp_path: Path
) -> None:
    registry = registry_of("grid", RuntimeError("lost the cache"))
    code, stderr = invoke(
        monkeypatch, registry, "ingest", "toy-grid", "--root", str(root), "-o", str(tmp_path / "g.jsonl")
    )
    assert code == 2
    assert stderr.strip() == (
        "error: plugin vqa-crash failed in vqa_encode_grid_rows for toy-grid after row 1 (src first.yuv): "
        "RuntimeError: lost the cache (a bug in the plugin; report it to its authors; VQA_DEBUG=1 shows the traceback)"
    )
    assert failed_entries(registry)["toy-grid"] == (
        "vqa_encode_grid_rows failed for toy-grid after row 1 (src first.yuv): RuntimeError: lost the cache"
    )


def test_a_scale_conversion_that_raises_fails_aggregate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry = registry_of("scale", ZeroDivisionError("division by zero"))
    shard = tmp_path / "s.jsonl"
    row = {
        "src": "a.mp4",
        "src_sha256": "0" * 64,
        "src_size_bytes": 1000,
        "width": 960,
        "height": 540,
        "framerate": 29.97,
        "duration_s": 8.0,
        "pix_fmt": "yuv420p",
        "encoder_upstream": "h264",
        "mos": 3.0,
        "mos_std_dev": 0.5,
        "n_ratings": 20,
        "corpus": "toy-crash",
        "corpus_version": "konvid-1k-2017",
        "ingested_at_utc": "2026-02-01T00:00:00+00:00",
    }
    shard.write_bytes(orjson.dumps(row) + b"\n")
    code, stderr = invoke(monkeypatch, registry, "aggregate", str(shard), "-o", str(tmp_path / "u.jsonl"))
    assert code == 2, stderr
    assert stderr.strip().startswith(
        "error: plugin vqa-crash failed in vqa_scale_conversion for toy-crash: ZeroDivisionError: division by zero ("
    )
    assert "toy-crash" in failed_entries(registry)


def test_a_plugin_error_on_purpose_keeps_its_own_message(
    monkeypatch: pytest.MonkeyPatch, root: Path, tmp_path: Path
) -> None:
    registry = registry_of(
        "rows", MetadataError("toy.csv:4: the mos column is missing", path="toy.csv", line=4)
    )
    code, stderr = invoke(
        monkeypatch, registry, "ingest", "toy-crash", "--root", str(root), "-o", str(tmp_path / "o.jsonl")
    )
    assert code == 2
    assert (
        stderr.strip().splitlines()[-1].startswith("error: toy.csv:4: the mos column is missing; to obtain")
    )
    assert failed_entries(registry) == {}


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(3), MemoryError()])
def test_interrupts_exits_and_memory_errors_are_never_wrapped(root: Path, error: BaseException) -> None:
    registry = registry_of("rows", error)
    rows = registry.source_rows("toy-crash", SourceSpec(root=root, metadata=(), clips_dir=root)).rows
    with pytest.raises(type(error)):
        list(rows)
    assert failed_entries(registry) == {}


def test_a_crash_in_cores_own_fallback_stays_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_affine(native: object) -> ScaleConversion:
        raise ZeroDivisionError("core's bug")

    monkeypatch.setattr(ScaleConversion, "affine", staticmethod(broken_affine))
    registry = registry_of("none")
    with pytest.raises(ZeroDivisionError):
        registry.scale_conversion("toy-crash")
    assert failed_entries(registry) == {}


# -- an installed distribution, in its own process ------------------------------------------


CRASHING_SAMPLE = """\
import attrs
from vqa_core import hookimpl
from vqa_konvid.declarations import KONVID_1K
vqa_plugin_api = '>=1,<2'
@hookimpl
def vqa_register_corpora(register):
    register(attrs.evolve(KONVID_1K, id='toy-sample'))
@hookimpl
def vqa_write_sample(corpus, directory):
    return {}['clips']
"""


def test_an_installed_plugin_is_named_with_its_version_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "vqa_crash_example-0.3.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vqa-crash-example\nVersion: 0.3.0\n")
    (info / "entry_points.txt").write_text("[vqa.corpora]\nvqa_crash_example = vqa_crash_example\n")
    (info / "RECORD").write_text("")
    (site / "vqa_crash_example.py").write_text(CRASHING_SAMPLE)
    env = {**os.environ, "PYTHONPATH": str(site), "VQA_LOAD_PLUGINS": "vqa-crash-example,vqa-konvid"}

    def vqa(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vqa_core", *args],
            capture_output=True,
            text=True,
            env={**env, **extra},
            check=False,
        )

    plain = vqa("sample", "toy-sample", str(tmp_path / "drop"))
    assert plain.returncode == 2
    assert plain.stderr.splitlines() == [
        "error: plugin vqa-crash-example 0.3.0 failed in vqa_write_sample for toy-sample: KeyError: 'clips' "
        "(a bug in the plugin; report it to its authors; VQA_DEBUG=1 shows the traceback)"
    ]
    debug = vqa("sample", "toy-sample", str(tmp_path / "drop2"), VQA_DEBUG="1")
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert "vqa_crash_example.py" in debug.stderr and "return {}['clips']" in debug.stderr
    assert "The above exception was the direct cause" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1] == plain.stderr.strip()
    # across processes nothing is remembered: a fresh listing shows the plugin ok
    listed = vqa("corpora", "list", "--json")
    assert {e["id"]: e["status"] for e in json.loads(listed.stdout)}["toy-sample"] == "ok"


def test_the_demo_stops_at_a_crashing_sample_writer_instead_of_skipping_it(tmp_path: Path) -> None:
    from vqa_core.demo import run_demo

    registry = registry_of("sample", IndexError("list index out of range"))
    with pytest.raises(PluginCallError, match=r"vqa_write_sample for toy-crash: IndexError: list index"):
        run_demo(registry, tmp_path / "demo", echo=lambda line: None)
    assert "toy-crash" in failed_entries(registry)
