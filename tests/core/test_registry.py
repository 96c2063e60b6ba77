from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration
from vqa_core.errors import PluginError, PluginLoadError, UnknownCorpusError
from vqa_core.registry import Registry
from vqa_core.sources import SourceRows, SourceSpec
from vqa_core.testing import toy_declaration


class Plugin:
    """A plugin object declaring the given corpora (and extension fields)."""

    vqa_plugin_api = ">=1,<2"

    def __init__(self, *decls: CorpusDeclaration, extension: list[pa.Field] | None = None) -> None:
        self.decls = decls
        self.extension = extension

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        for decl in self.decls:
            register(decl)

    @hookimpl
    def vqa_schema_extension(self, corpus: CorpusDeclaration) -> list[pa.Field] | None:
        return self.extension


class Raising(Plugin):
    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        raise RuntimeError("boom while declaring")


class Misspelled(Plugin):
    @hookimpl
    def vqa_register_corpus(self, register: Callable[[CorpusDeclaration], None]) -> None:
        """Misspelled on purpose: no such hook."""


def test_healthy_plugins_load_sorted_by_id() -> None:
    registry = Registry.from_plugins(
        [("b", Plugin(toy_declaration("zeta"))), ("a", Plugin(toy_declaration("alpha")))]
    )
    assert [c.id for c in registry.corpora] == ["alpha", "zeta"]
    assert registry.broken == []


def test_a_plugin_that_raises_is_broken_and_the_others_load() -> None:
    registry = Registry.from_plugins(
        [("bad", Raising(toy_declaration("ex"))), ("good", Plugin(toy_declaration("why")))]
    )
    assert [c.id for c in registry.corpora] == ["why"]
    [broken] = registry.broken
    assert broken.name == "bad"
    assert "RuntimeError: boom while declaring" in (broken.error or "")


def test_a_plugin_whose_import_fails_is_broken() -> None:
    def load() -> object:
        raise ImportError("No module named 'missing_dependency'")

    from vqa_core.registry import _Candidate

    registry = Registry()
    registry._load_all([_Candidate("vqa-broken", "1.0", "broken = broken", load)])
    [broken] = registry.broken
    assert broken.error == "import failed: ImportError: No module named 'missing_dependency'"


def test_duplicate_corpus_id_names_the_first_declarer() -> None:
    registry = Registry.from_plugins(
        [("first", Plugin(toy_declaration("same"))), ("second", Plugin(toy_declaration("same")))]
    )
    assert [c.plugin.name for c in registry.corpora] == ["first"]
    [broken] = registry.broken
    assert broken.name == "second"
    assert "corpus id 'same' is already declared by first" in (broken.error or "")


def test_unknown_scale_name_is_reported() -> None:
    class BadScale(Plugin):
        @hookimpl
        def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
            register(toy_declaration("ex", scale="1-7"))

    registry = Registry.from_plugins([("p", BadScale())])
    assert "unknown scale '1-7'" in (registry.broken[0].error or "")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (pa.field("mos", pa.float64()), "collides with the base schema"),
        (pa.field("other_x", pa.string()), "must start with 'toy_'"),
        (pa.field("mos_raw_0_100", pa.string()), "shared column 'mos_raw_0_100' must be float64"),
        (pa.field("split", pa.string()), "extension column 'split' collides with the base schema"),
    ],
)
def test_invalid_extension_columns_break_the_plugin(field: pa.Field, message: str) -> None:
    registry = Registry.from_plugins([("p", Plugin(toy_declaration("ex"), extension=[field]))])
    assert message in (registry.broken[0].error or "")
    assert registry.corpora == []


def test_an_extension_column_cannot_take_the_content_group_name_even_under_its_prefix() -> None:
    decl = toy_declaration("ex", column_prefix="content_")
    registry = Registry.from_plugins(
        [("p", Plugin(decl, extension=[pa.field("content_group", pa.string())]))]
    )
    assert "extension column 'content_group' collides with the base schema" in (
        registry.broken[0].error or ""
    )


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        (("train", "Test"), "splits must be names matching ^[a-z0-9][a-z0-9-]*$, got 'Test'"),
        (("train", "-x", "a b"), "got '-x', 'a b'"),
        (("",), "got ''"),
        (("train", "test", "train"), "splits names 'train' more than once"),
        ("train", "splits must be a sequence of names, not the string 'train'"),
    ],
)
def test_invalid_split_names_break_the_plugin(splits: Any, message: str) -> None:
    class BadSplits(Plugin):
        @hookimpl
        def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
            register(toy_declaration("ex", splits=splits))

    registry = Registry.from_plugins([("p", BadSplits())])
    assert message in (registry.broken[0].error or "")
    assert registry.corpora == []


def test_content_groups_and_splits_are_declared_data() -> None:
    decl = toy_declaration("ex", content_groups="scene: the source scene", splits=["train", "test-1080p"])
    assert decl.splits == ("train", "test-1080p") and decl.content_groups == "scene: the source scene"
    plain = toy_declaration("ex")
    assert (plain.content_groups, plain.splits) == ("", ())
    with pytest.raises(ValueError, match="content_groups must be a string"):
        toy_declaration("ex", content_groups=None)


def test_shared_and_prefixed_extension_columns_are_accepted() -> None:
    fields = [pa.field("toy_a", pa.string()), pa.field("mos_raw_0_100", pa.float64())]
    registry = Registry.from_plugins([("p", Plugin(toy_declaration("ex"), extension=fields))])
    assert registry.arrow_schema("ex").names[-2:] == ["mos_raw_0_100", "toy_a"]


def test_a_misspelled_hook_breaks_the_plugin() -> None:
    registry = Registry.from_plugins([("typo", Misspelled(toy_declaration("ex")))])
    assert "invalid hooks" in (registry.broken[0].error or "")
    assert "vqa_register_corpus" in (registry.broken[0].error or "")


@pytest.mark.parametrize(
    ("api", "message"),
    [
        (None, "declares no vqa_plugin_api"),
        (">=2,<3", "needs plugin API >=2,<3, but this vqa-core provides 1.2"),
        ("banana", "is not a version specifier"),
    ],
)
def test_plugin_api_range_is_checked(api: str | None, message: str) -> None:
    plugin = Plugin(toy_declaration("ex"))
    plugin.vqa_plugin_api = api  # type: ignore[assignment]
    registry = Registry.from_plugins([("p", plugin)])
    assert message in (registry.broken[0].error or "")


def test_disable_and_load_lists_use_distribution_names(monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = [("vqa-one", Plugin(toy_declaration("one"))), ("vqa_two", Plugin(toy_declaration("two")))]
    monkeypatch.setenv("VQA_DISABLE_PLUGINS", "VQA-Two")
    registry = Registry.from_plugins(plugins)
    assert [c.id for c in registry.corpora] == ["one"]
    assert [p.status for p in registry.plugins if p.name == "vqa_two"] == ["disabled"]
    monkeypatch.delenv("VQA_DISABLE_PLUGINS")
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "vqa-two")
    assert [c.id for c in Registry.from_plugins(plugins).corpora] == ["two"]
    monkeypatch.setenv("VQA_LOAD_PLUGINS", "")
    assert Registry.from_plugins(plugins).corpora == []


def test_strict_turns_a_broken_plugin_into_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = [("bad", Raising(toy_declaration("ex")))]
    with pytest.raises(PluginLoadError, match="plugin bad is broken"):
        Registry.from_plugins(plugins, strict=True)
    monkeypatch.setenv("VQA_STRICT_PLUGINS", "1")
    with pytest.raises(PluginLoadError):
        Registry.from_plugins(plugins, strict=None)


def test_per_corpus_hooks_reach_only_the_declaring_plugin(tmp_path: Any) -> None:
    calls: list[str] = []

    class Greedy(Plugin):
        @hookimpl
        def vqa_source_rows(self, corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
            calls.append(corpus.id)
            return SourceRows(files=[], rows=[])

    registry = Registry.from_plugins(
        [("owner", Plugin(toy_declaration("mine"))), ("greedy", Greedy(toy_declaration("theirs")))]
    )
    spec = SourceSpec(root=tmp_path, metadata=(), clips_dir=tmp_path)
    with pytest.raises(PluginError, match="returned no source rows"):
        registry.source_rows("mine", spec)
    assert calls == []
    registry.source_rows("theirs", spec)
    assert calls == ["theirs"]


def test_unknown_corpus_says_what_to_install() -> None:
    registry = Registry.from_plugins([("p", Plugin(toy_declaration("toy")))])
    with pytest.raises(UnknownCorpusError, match="pip install vqa-chug"):
        registry.corpus("chug")
    with pytest.raises(
        UnknownCorpusError, match="no installed plugin provides corpus 'nope'; installed: toy"
    ):
        registry.corpus("nope")


def test_a_broken_first_party_plugin_is_named_when_its_corpus_is_asked_for() -> None:
    class Fails(Plugin):
        @hookimpl
        def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
            raise ValueError("cannot parse")

    registry = Registry.from_plugins([("vqa-chug", Fails())])
    with pytest.raises(UnknownCorpusError, match="plugin vqa-chug is installed but broken"):
        registry.corpus("chug")


def test_versions_list_core_and_healthy_plugins() -> None:
    registry = Registry.from_plugins([("p", Plugin(toy_declaration("toy")))])
    versions = registry.versions()
    assert "vqa-core" in versions and "p" in versions


def test_download_hosts_are_validated_and_default_to_the_archive_hosts() -> None:
    from vqa_core.declarations import Archive

    derived = toy_declaration("toy-hosts", archives=[Archive("https://files.example.org:8443/a.zip")])
    assert derived.download_hosts == ("files.example.org",)
    for bad in (
        ("https://files.example.org",),
        ("Files.Example.org",),
        ("files.example.org/x",),
        "files.example.org",
    ):
        with pytest.raises(ValueError, match="download_hosts"):
            toy_declaration("toy-hosts", download_hosts=bad)
    with pytest.raises(ValueError, match="downloads=True needs download_hosts"):
        toy_declaration("toy-hosts", downloads=True)
