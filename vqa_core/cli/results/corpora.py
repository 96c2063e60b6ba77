"""Documents of ``vqa corpora list`` and ``vqa corpora info``.

``corpora list --json`` prints a JSON array, as it has since it first had ``--json``: each
element is a :class:`CorpusEntry` (a usable corpus) or a :class:`PluginEntry` (a broken,
disabled or, with ``--all``, built-in plugin, whose ``id`` is ``null``). It is the one
document without the ``command`` and ``schema`` keys; its schema name is
:data:`LIST_SCHEMA`, for the reference page.
"""

from __future__ import annotations

from typing import Final

import attrs

from vqa_core.cli.results.base import Result, doc

__all__ = ["LIST_SCHEMA", "PluginEntry", "CorpusEntry", "EditionInfo", "ColumnInfo", "CorpusInfoResult"]

LIST_SCHEMA: Final = "vqa-corpora-list-v1"


@attrs.frozen(kw_only=True)
class PluginEntry:
    """A plugin that provides no usable corpus here."""

    id: None = attrs.field(metadata=doc("`null`: no corpus"))
    distribution: str = attrs.field(metadata=doc("the plugin's distribution (or module) name"))
    version: str | None = attrs.field(metadata=doc("its version"))
    edition: None = attrs.field(metadata=doc("`null`"))
    scale: None = attrs.field(metadata=doc("`null`"))
    clips: None = attrs.field(metadata=doc("`null`"))
    licence: None = attrs.field(metadata=doc("`null`"))
    status: str = attrs.field(metadata=doc("`broken`, `disabled` or `builtin`"))
    error: str | None = attrs.field(metadata=doc("why it is broken or disabled"))
    hooks: list[str] = attrs.field(metadata=doc("hooks it implements"))


@attrs.frozen(kw_only=True)
class CorpusEntry:
    """A corpus an installed plugin provides."""

    id: str = attrs.field(metadata=doc("corpus id"))
    distribution: str = attrs.field(metadata=doc("the plugin's distribution"))
    version: str | None = attrs.field(metadata=doc("its version"))
    edition: str = attrs.field(metadata=doc("the published edition the plugin reads"))
    scale: str = attrs.field(metadata=doc("stored MOS scale (`1-5`, `0-100`, `none`)"))
    scale_lo: float | None = attrs.field(metadata=doc("its lowest value (`null`: no labels)"))
    scale_hi: float | None = attrs.field(metadata=doc("its highest value"))
    label_kind: str = attrs.field(metadata=doc("what the labels are (`mos`, `dmos`, `none`)"))
    clips: int | None = attrs.field(metadata=doc("clips the corpus publishes (`null`: unknown)"))
    licence: str = attrs.field(metadata=doc("its licence"))
    licence_url: str = attrs.field(metadata=doc("where the licence is published"))
    access: str = attrs.field(metadata=doc("how the data is obtained (`open`, `form`, …)"))
    status: str = attrs.field(metadata=doc("`ok`, or `failed` once a hook of its plugin raised"))
    error: str | None = attrs.field(metadata=doc("the failure, when `failed`"))
    hooks: list[str] = attrs.field(metadata=doc("hooks its plugin implements"))


@attrs.frozen(kw_only=True)
class EditionInfo:
    """A published release of one metadata file, recognised by its row count."""

    name: str = attrs.field(metadata=doc("the edition, as the manifest records it"))
    metadata: str = attrs.field(metadata=doc("the metadata file name, as published"))
    rows: int = attrs.field(metadata=doc("its data rows"))
    note: str = attrs.field(metadata=doc("where the count comes from"))


@attrs.frozen(kw_only=True)
class ColumnInfo:
    """A column the corpus adds to its shards."""

    name: str = attrs.field(metadata=doc("column name"))
    type: str = attrs.field(metadata=doc("its Arrow type"))


@attrs.frozen(kw_only=True)
class CorpusInfoResult(CorpusEntry, Result):
    """`vqa corpora info`: what one corpus is, and how to obtain it (every `CorpusEntry` key too)."""

    COMMAND = "corpora info"
    SCHEMA = "vqa-corpus-info-v1"

    title: str = attrs.field(metadata=doc("its title"))
    citation: str = attrs.field(metadata=doc("how to cite it"))
    homepage: str = attrs.field(metadata=doc("its homepage"))
    access_instructions: str = attrs.field(metadata=doc("how to obtain the data"))
    editions: list[EditionInfo] = attrs.field(metadata=doc("known published metadata files"))
    default_metadata: list[str] = attrs.field(metadata=doc("metadata files read when none is given"))
    default_clips_dir: str = attrs.field(metadata=doc("where the clips are below the root"))
    downloads: bool = attrs.field(metadata=doc("ingest downloads missing clips"))
    download_hosts: list[str] = attrs.field(metadata=doc("hosts clips may be downloaded from"))
    extension_columns: list[ColumnInfo] = attrs.field(metadata=doc("columns the corpus adds"))
    notes: str = attrs.field(metadata=doc("what a user should know"))
    content_groups: str = attrs.field(metadata=doc("what identifies a content (empty: each clip is its own)"))
    splits: list[str] = attrs.field(metadata=doc("splits the corpus publishes"))
    api: str | None = attrs.field(metadata=doc("plugin API versions the plugin declares"))
