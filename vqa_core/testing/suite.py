"""The checks of the conformance kit (see :mod:`vqa_core.testing`)."""

from __future__ import annotations

import itertools
import math
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from vqa_core.registry import RegisteredCorpus, Registry

__all__ = ["ConformanceSuite", "PLACEHOLDER"]

#: Text the plugin template leaves for authors to replace; the kit refuses it.
PLACEHOLDER = re.compile(r"<(?:FILL|TODO)[^>]*>|\bTODO\b|REPLACE ME", re.IGNORECASE)

_HEAVY = ("av", "torch", "onnxruntime")
#: Plain Arrow types an extension column may have (aliases for ``pyarrow.type_for_alias``).
_ARROW_TYPES = ("string", "large_string", "int64", "int32", "float64", "float32", "bool", "date32")
_SAMPLE_CLIPS = 3
#: Plugin statuses of a loaded plugin: "failed" means a hook raised at call time, not at load.
_LOADED = ("ok", "failed")
#: Enough clips that a corpus with published splits can show more than one.
_GROUP_SAMPLE_CLIPS = 6

_REGISTRIES: dict[tuple[Any, ...], Registry] = {}


def _fail(message: str) -> None:
    pytest.fail(message, pytrace=False)


def _labelled(fn: Any) -> Any:
    """Run this check only on corpora with subjective labels."""
    fn.vqa_labelled_only = True
    return fn


class ConformanceSuite:
    """Subclass with ``distribution = "vqa-x"`` (installed) or ``plugins = [(name, module)]``."""

    #: Installed distribution(s) whose ``vqa.corpora`` entry points to check.
    distribution: ClassVar[str | Sequence[str] | None] = None
    #: Or: ``(name, plugin object)`` pairs registered directly (no installation needed).
    plugins: ClassVar[Sequence[tuple[str, object]] | None] = None
    #: A folder of corpus pages, one ``<corpus-id>.md`` per corpus, to check against the
    #: declarations (or pass ``--vqa-corpus-pages DIR``); ``None``: no page check.
    corpus_pages: ClassVar[str | os.PathLike[str] | None] = None

    # -- collection ---------------------------------------------------------------

    @classmethod
    def _names(cls, config: pytest.Config) -> tuple[str, ...]:
        if cls.distribution is not None:
            return (cls.distribution,) if isinstance(cls.distribution, str) else tuple(cls.distribution)
        return tuple(config.getoption("--vqa-plugin", default=[]) or ())

    @classmethod
    def _registry(cls, config: pytest.Config) -> Registry:
        if cls.plugins is not None:
            key: tuple[Any, ...] = ("plugins", tuple((n, id(p)) for n, p in cls.plugins))
            if key not in _REGISTRIES:
                _REGISTRIES[key] = Registry.from_plugins(cls.plugins)
            return _REGISTRIES[key]
        names = cls._names(config)
        key = ("dist", names)
        if key not in _REGISTRIES:
            _REGISTRIES[key] = Registry.for_distributions(names)
        return _REGISTRIES[key]

    @classmethod
    def pytest_generate_tests(cls, metafunc: pytest.Metafunc) -> None:
        if "corpus_id" in metafunc.fixturenames:
            ids = [c.id for c in cls._registry(metafunc.config).corpora]
            labelled = [c.id for c in cls._registry(metafunc.config).corpora if c.declaration.has_labels]
            wanted = labelled if getattr(metafunc.function, "vqa_labelled_only", False) else ids
            metafunc.parametrize(
                "corpus_id", wanted or [pytest.param(None, marks=pytest.mark.skip("no corpus"))]
            )

    @pytest.fixture
    def registry(self, request: pytest.FixtureRequest) -> Registry:
        return type(self)._registry(request.config)

    def _corpus(self, registry: Registry, corpus_id: str) -> RegisteredCorpus:
        return registry.corpus(corpus_id)

    # -- loading and declarations ----------------------------------------------------

    def test_plugin_loads(self, registry: Registry, request: pytest.FixtureRequest) -> None:
        names = type(self)._names(request.config)
        if type(self).plugins is None and not names:
            _fail('name the plugin: set `distribution = "vqa-x"` on the suite or pass --vqa-plugin DIST')
        broken = registry.broken
        if broken:
            _fail("; ".join(f"plugin {p.name} is broken: {p.error}" for p in broken))
        # a plugin that failed in an earlier check of this session is still loaded
        loaded = [p for p in registry.plugins if p.status in _LOADED]
        if not loaded:
            _fail(
                f"no vqa.corpora entry point found for {', '.join(names)}: declare "
                '[project.entry-points."vqa.corpora"] in pyproject.toml and reinstall'
            )
        if not registry.corpora:
            _fail("the plugin loads but declares no corpus: call register(CorpusDeclaration(...))")

    def test_declaration_is_filled_in(self, registry: Registry, corpus_id: str) -> None:
        decl = self._corpus(registry, corpus_id).declaration
        for field in (
            "title",
            "licence",
            "licence_url",
            "citation",
            "homepage",
            "access_instructions",
            "notes",
        ):
            value = str(getattr(decl, field))
            if PLACEHOLDER.search(value):
                _fail(f"{corpus_id}: declaration field {field!r} still holds a placeholder: {value!r}")
        if not decl.editions:
            _fail(
                f"{corpus_id}: declare at least one Edition(name, metadata, rows) so "
                "row counts identify the release"
            )

    def test_readme_is_filled_in(self, registry: Registry) -> None:
        import importlib.metadata as md

        for plugin in registry.plugins:
            if plugin.status not in _LOADED or plugin.version is None:
                continue
            try:
                text = md.metadata(plugin.name).get_payload() or ""  # type: ignore[attr-defined]
            except md.PackageNotFoundError:
                continue
            found = PLACEHOLDER.search(text)
            if found:
                _fail(
                    f"{plugin.name}: its README still holds the placeholder {found.group(0)!r}; "
                    "fill in the corpus licence and citation"
                )

    def test_plugin_api_declared(self, registry: Registry) -> None:
        for plugin in registry.plugins:
            if plugin.status in _LOADED and not plugin.api:
                _fail(f'{plugin.name}: set vqa_plugin_api = ">=1,<2" in the plugin module')

    def test_corpus_page_documents_the_declaration(
        self, registry: Registry, corpus_id: str, request: pytest.FixtureRequest
    ) -> None:
        """The corpus page names every edition (with its row count), extension column and the clips folder."""
        pages = type(self).corpus_pages or request.config.getoption("--vqa-corpus-pages", default=None)
        if pages is None:
            pytest.skip(
                "no corpus pages to check: set corpus_pages on the suite or pass --vqa-corpus-pages DIR"
            )
        page = Path(pages) / f"{corpus_id}.md"
        if not page.is_file():
            _fail(f"{corpus_id}: no corpus page {page}; write one that documents the declaration")
        text = page.read_text(encoding="utf-8")
        corpus = self._corpus(registry, corpus_id)
        for edition in corpus.declaration.editions:
            if edition.name not in text or f"{edition.rows:,}" not in text:
                _fail(
                    f"{corpus_id}: {page.name} does not name edition {edition.name!r} with its "
                    f"row count {edition.rows:,}"
                )
        for field in corpus.extension:
            if f"`{field.name}`" not in text:
                _fail(f"{corpus_id}: {page.name} does not document extension column `{field.name}`")
        clips_dir = corpus.declaration.default_clips_dir
        if clips_dir and f"{clips_dir}/" not in text:
            _fail(f"{corpus_id}: {page.name} does not name the clips folder {clips_dir}/")

    @_labelled
    def test_scale_conversion(self, registry: Registry, corpus_id: str) -> None:
        decl = self._corpus(registry, corpus_id).declaration
        conversion = registry.scale_conversion(corpus_id)
        if conversion is None:
            _fail(f"{corpus_id}: a labelled corpus needs a scale conversion; do not return None for it")
        assert conversion is not None
        lo, hi = decl.scale.lo, decl.scale.hi
        ends = sorted([conversion.convert(lo), conversion.convert(hi)])
        if not (math.isclose(ends[0], 0.0, abs_tol=1e-9) and math.isclose(ends[1], 100.0, abs_tol=1e-9)):
            _fail(f"{corpus_id}: the conversion maps the scale ends {lo}..{hi} to {ends}, not 0..100")
        points = [lo + (hi - lo) * k / 20 for k in range(21)]
        values = [conversion.convert(p) for p in points]
        rising = all(b > a for a, b in itertools.pairwise(values))
        falling = all(b < a for a, b in itertools.pairwise(values))
        if not (rising if decl.scale.kind != "dmos" else falling):
            _fail(f"{corpus_id}: the conversion is not monotone in the right direction over {lo}..{hi}")
        if conversion.convert_std(1.0) < 0:
            _fail(f"{corpus_id}: a std dev must stay non-negative after conversion")

    def test_extension_columns(self, registry: Registry, corpus_id: str) -> None:
        import pyarrow as pa

        allowed = {pa.type_for_alias(name) for name in _ARROW_TYPES}
        corpus = self._corpus(registry, corpus_id)
        for field in corpus.extension:
            if field.type not in allowed and not pa.types.is_timestamp(field.type):
                _fail(
                    f"{corpus_id}: extension column {field.name!r} has type {field.type}; "
                    f"use one of {', '.join(_ARROW_TYPES)} or a timestamp"
                )

    def test_declaring_is_light(self, registry: Registry, corpus_id: str) -> None:
        plugin = registry.pm.get_plugin(self._plugin_name(registry, corpus_id))
        name = getattr(plugin, "__name__", None)
        if not isinstance(name, str):
            pytest.skip(f"{corpus_id}: the plugin is an object, not an importable module")
        code = (
            "import sys, vqa_core.registry as r, importlib\n"
            f"m = importlib.import_module({name!r})\n"
            f"reg = r.Registry.from_plugins([('p', m)])\n"
            "[c.declaration for c in reg.corpora]\n"
            f"print(','.join(x for x in {_HEAVY!r} if x in sys.modules))\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            _fail(
                f"{corpus_id}: importing the plugin in a fresh interpreter failed: {out.stderr.strip()[-500:]}"
            )
        heavy = out.stdout.strip()
        if heavy:
            _fail(
                f"{corpus_id}: declaring the corpus imported {heavy}; import heavy modules inside the "
                "hooks that need them so `vqa corpora list` stays fast"
            )

    def _plugin_name(self, registry: Registry, corpus_id: str) -> str:
        owner = registry._owner[corpus_id]
        name = registry.pm.get_name(owner)
        assert name is not None
        return name

    # -- the sample drop through the real engine ---------------------------------------

    @_labelled
    def test_sample_drop_ingests(self, registry: Registry, corpus_id: str, tmp_path: Path) -> None:
        import pyarrow as pa

        from vqa_core.ingest import IngestConfig, ingest
        from vqa_core.sample import write_sample

        drop = write_sample(registry, corpus_id, tmp_path / "drop", clips=_SAMPLE_CLIPS, seed=7)
        output = tmp_path / "shard.jsonl"
        report = ingest(
            registry,
            IngestConfig(
                corpus_id=corpus_id,
                root=drop.root,
                output=output,
                metadata=tuple(drop.metadata),
                workers=2,
                timestamp="2026-01-01T00:00:00Z",
                offline=True,
            ),
        )
        expected = drop.clips - drop.bad_rows
        if report.written != expected:
            _fail(
                f"{corpus_id}: the sample drop has {drop.clips} clips ({drop.bad_rows} deliberately bad) "
                f"but ingest wrote {report.written} rows; skipped: {report.skipped}. Make the sample "
                "metadata name the clips it writes, in the published layout"
            )
        schema = registry.arrow_schema(corpus_id)
        import orjson

        rows = [orjson.loads(line) for line in output.read_bytes().splitlines()]
        try:
            table = pa.Table.from_pylist(rows, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            _fail(f"{corpus_id}: a sample row does not match the corpus's Arrow schema: {exc}")
        extra = {k for row in rows for k in row} - set(schema.names)
        if extra:
            _fail(f"{corpus_id}: rows carry columns outside the schema: {sorted(extra)}")
        if table.num_rows != expected:
            _fail(f"{corpus_id}: {table.num_rows} rows in the shard, expected {expected}")

    @_labelled
    def test_bad_metadata_lines_are_counted(self, registry: Registry, corpus_id: str, tmp_path: Path) -> None:
        """Unusable metadata rows become counted rejections with their file and line, never exceptions."""
        from vqa_core.ingest import IngestConfig, ingest
        from vqa_core.sample import write_sample

        drop = write_sample(registry, corpus_id, tmp_path / "drop", clips=2, seed=11, bad_rows=3)
        expected_bad = drop.bad_rows
        if expected_bad == 0:
            # The plugin does not write bad rows itself: corrupt its text metadata instead.
            text_files = [Path(p) for p in drop.metadata if _is_text(Path(p))]
            if not text_files:
                _fail(
                    f"{corpus_id}: the sample metadata is not text, so the kit cannot corrupt it; "
                    "accept `bad_rows` in vqa_write_sample and write that many unusable rows"
                )
            garbage = [
                "\x00oops",
                ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
                "not a row at all;;;",
            ]
            for path in text_files:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write("\n".join(garbage) + "\n")
            expected_bad = len(garbage) * len(text_files)
        try:
            report = ingest(
                registry,
                IngestConfig(
                    corpus_id=corpus_id,
                    root=drop.root,
                    output=tmp_path / "shard.jsonl",
                    metadata=tuple(drop.metadata),
                    offline=True,
                    timestamp="2026-01-01T00:00:00Z",
                ),
            )
        except Exception as exc:
            _fail(
                f"{corpus_id}: metadata with bad rows raised {type(exc).__name__}: {exc}; yield "
                "RowRejection for a bad row instead of raising"
            )
        skipped = sum(report.skipped.values())
        if report.written != drop.clips:
            _fail(f"{corpus_id}: bad rows cost good ones: {report.written} of {drop.clips} written")
        if skipped != expected_bad:
            _fail(
                f"{corpus_id}: {expected_bad} unusable rows gave {skipped} counted rejections "
                f"({report.skipped}); every unusable row must be exactly one RowRejection"
            )
        import orjson

        names = {Path(p).name for p in drop.metadata}
        for line in report.rejections.read_bytes().splitlines():
            origin = str(orjson.loads(line)["origin"])
            file, _, number = origin.rpartition(":")
            if not any(file.startswith(n) for n in names) or not number.isdigit() or int(number) < 1:
                _fail(f"{corpus_id}: rejection origin {origin!r} does not name a metadata file and line")

    # -- content groups and splits ------------------------------------------------------

    def _sample_rows(self, registry: Registry, corpus_id: str, tmp_path: Path) -> list[dict[str, Any]]:
        """What the plugin says about each row of its sample drop: the group key and split it gives.

        Read through the hooks, not the engine, so a failure names the row and the rule it broke
        (the engine would stop at the first such row with a PluginError).
        """
        from vqa_core.sample import write_sample
        from vqa_core.schema import SourceRow
        from vqa_core.sources import GridSettings, SourceSpec

        decl = self._corpus(registry, corpus_id).declaration
        drop = write_sample(registry, corpus_id, tmp_path / "drop", clips=_GROUP_SAMPLE_CLIPS, seed=5)
        spec = SourceSpec(
            root=drop.root, metadata=tuple(drop.metadata), clips_dir=drop.root / decl.default_clips_dir
        )
        rows: list[dict[str, Any]] = []
        if decl.has_labels:
            for item in registry.source_rows(corpus_id, spec).rows:
                if isinstance(item, SourceRow):
                    where = str(item.origin)
                    rows.append({"where": where, "group": item.content_group, "split": item.split})
        else:
            grid = registry.encode_grid_rows(corpus_id, spec, GridSettings(timestamp="2026-01-01T00:00:00Z"))
            for index, grid_row in enumerate(grid, start=1):
                if isinstance(grid_row, Mapping):
                    where = f"grid row {index} ({grid_row.get('src')})"
                    rows.append({"where": where, "group": grid_row.get("content_group"), "split": None})
        if not rows:
            _fail(f"{corpus_id}: the sample drop gave no usable row to check content groups and splits on")
        return rows

    def test_content_groups_follow_the_declaration(
        self, registry: Registry, corpus_id: str, tmp_path: Path
    ) -> None:
        """A corpus that says what a content is keys every sample row; one that does not keys none."""
        decl = self._corpus(registry, corpus_id).declaration
        rows = self._sample_rows(registry, corpus_id, tmp_path)
        if decl.content_groups:
            unkeyed = [r["where"] for r in rows if not r["group"]]
            if unkeyed:
                _fail(
                    f"{corpus_id}: the declaration says what identifies a content ({decl.content_groups!r}) "
                    f"but sample rows give no content_group key: {', '.join(unkeyed[:3])}; set "
                    "SourceRow.content_group (grid rows: a content_group key) on every row"
                )
            if not decl.has_labels:
                wrong = [r["where"] for r in rows if not str(r["group"]).startswith(f"{corpus_id}/")]
                if wrong:
                    _fail(
                        f"{corpus_id}: grid rows must write content_group as '{corpus_id}/<key>': "
                        f"{', '.join(wrong[:3])}"
                    )
        else:
            keyed = [f"{r['where']} ({r['group']!r})" for r in rows if r["group"] is not None]
            if keyed:
                _fail(
                    f"{corpus_id}: sample rows give content_group keys ({', '.join(keyed[:3])}) but the "
                    "declaration has no content_groups text; declare what identifies a content, or leave "
                    "the key None when every clip is its own content"
                )

    def test_splits_follow_the_declaration(self, registry: Registry, corpus_id: str, tmp_path: Path) -> None:
        """Every split a sample row carries is declared; with declared splits, every row has one."""
        decl = self._corpus(registry, corpus_id).declaration
        rows = self._sample_rows(registry, corpus_id, tmp_path)
        undeclared = [
            f"{r['where']} ({r['split']!r})" for r in rows if r["split"] not in (None, *decl.splits)
        ]
        if undeclared:
            declared = ", ".join(decl.splits) or "none"
            _fail(
                f"{corpus_id}: sample rows carry splits the declaration does not list ({declared}): "
                f"{', '.join(undeclared[:3])}; add them to CorpusDeclaration.splits"
            )
        if decl.splits:
            missing = [r["where"] for r in rows if r["split"] is None]
            if missing:
                _fail(
                    f"{corpus_id}: the corpus publishes splits ({', '.join(decl.splits)}) but sample rows "
                    f"carry none: {', '.join(missing[:3])}; set SourceRow.split on every row"
                )


def _is_text(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError):
        return False
    return path.suffix.lower() in (".csv", ".txt", ".tsv", "")
