"""The plugin API: everything a corpus plugin may import from core, and nothing else.

A corpus plugin imports from this module only. Every name in ``__all__`` is
promised: it keeps its meaning for as long as :data:`PLUGIN_API_VERSION` keeps
its major number. The rest of ``vqa_core`` is internal and may change in any
release. The hooks themselves (what the host calls, with which arguments,
and what a return value means) are specified in :mod:`vqa_core.hookspecs`.

The promised names, by purpose:

Hook marker and contract version
    :data:`hookimpl` marks a hook implementation. :data:`PLUGIN_API_VERSION`
    is the version of this API; a plugin module states the versions it
    supports as ``vqa_plugin_api = ">=1,<2"``.

Declaring a corpus
    :class:`CorpusDeclaration`, :class:`Edition` (a published metadata file
    and its data-row count), :class:`Archive` (a published download),
    :class:`MosScale` (a scale other than the named ones such as ``"1-5"``)
    and :class:`ScaleConversion` (what ``vqa_scale_conversion`` returns).

Rows a plugin produces
    :class:`SourceSpec` (where the corpus lies, handed to the hooks),
    :class:`SourceRows` (what ``vqa_source_rows`` returns) with its
    :class:`MetadataFile` entries, one :class:`SourceRow` per usable metadata
    line or one :class:`RowRejection` per unusable one, :class:`Origin` (the
    file and line a row came from), :class:`RawVideoHints` (geometry of
    headerless raw clips), :class:`SampleDrop` (what ``vqa_write_sample``
    returns) and :class:`GridSettings` (handed to ``vqa_encode_grid_rows``).

Errors a plugin raises
    :class:`MetadataError` (a whole metadata file is unusable),
    :class:`DatasetNotFoundError` (the files are not where they should be) and
    :class:`UsageError` (a setting the user gave is wrong).

Parsing published metadata
    :func:`open_table` streams a delimited text file as a :class:`Table` of
    :class:`Record` objects under a :class:`Header`; :func:`to_float` and
    :func:`to_int` parse cells strictly; :func:`reject` turns a record into a
    :class:`RowRejection` with its origin.

Writing sample drops
    :class:`ClipSpec`, :func:`write_clip` (an encoded clip in a real
    container), :func:`write_raw_clip` (headerless raw video) and
    :func:`raw_frame_bytes` (the size of one raw frame).

Download URLs and clip paths
    :func:`apply_base_url` points a published download URL at a mirror or a
    test server (``SourceSpec.base_url``); use it rather than rewriting URLs
    yourself. :func:`clip_path_problem` says why a clip path from metadata is
    unsafe (absolute, escaping the clips folder), or returns ``None``.

Encode-grid rows (corpora without subjective scores)
    :data:`GRID_KEYS` (the keys every grid row has),
    :data:`GRID_SCHEMA_VERSION` and :data:`CANONICAL_FEATURES` (the libvmaf
    feature names the grid stores).

Feature schemas for training (since 1.2)
    :class:`FeatureSchema` (what ``vqa_feature_schemas`` returns: a name, the
    ordered features, which of them the plugin derives and which describe the
    display) and :func:`float_column` (a table column as float64, read the way
    the host reads feature columns, for ``vqa_derive_features``).

Versioning: adding a name to this module is a minor bump of
:data:`PLUGIN_API_VERSION` (1.1 → 1.2); removing or changing the meaning of a
name, or of a hook, is a major bump (1.x → 2.0), which a plugin declaring
``">=1,<2"`` then refuses to load against.

Importing this module is cheap: it loads none of ``pyarrow``, ``av``,
``numpy`` or ``torch`` (``vqa corpora list`` imports every plugin), and the
metadata readers and sample writers load when a plugin first asks for one of
their names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vqa_core.columns import float_column
from vqa_core.declarations import Archive, CorpusDeclaration, Edition
from vqa_core.errors import DatasetNotFoundError, MetadataError, UsageError
from vqa_core.featureschema import FeatureSchema
from vqa_core.gridrows import CANONICAL_FEATURES, GRID_KEYS, GRID_SCHEMA_VERSION
from vqa_core.hookspecs import PLUGIN_API_VERSION, hookimpl
from vqa_core.locations import apply_base_url, clip_path_problem
from vqa_core.scales import MosScale, ScaleConversion
from vqa_core.schema import Origin, RawVideoHints, RowRejection, SourceRow
from vqa_core.sources import GridSettings, MetadataFile, SampleDrop, SourceRows, SourceSpec

if TYPE_CHECKING:
    from vqa_core.parsing import Header, Record, Table, open_table, reject, to_float, to_int
    from vqa_core.samples import ClipSpec, raw_frame_bytes, write_clip, write_raw_clip

__all__ = [
    # hook marker and contract version
    "hookimpl",
    "PLUGIN_API_VERSION",
    # declaring a corpus
    "CorpusDeclaration",
    "Edition",
    "Archive",
    "MosScale",
    "ScaleConversion",
    # rows a plugin produces
    "SourceSpec",
    "SourceRows",
    "MetadataFile",
    "SourceRow",
    "RowRejection",
    "Origin",
    "RawVideoHints",
    "SampleDrop",
    "GridSettings",
    # errors a plugin raises
    "MetadataError",
    "DatasetNotFoundError",
    "UsageError",
    # parsing published metadata
    "open_table",
    "Table",
    "Record",
    "Header",
    "to_float",
    "to_int",
    "reject",
    # writing sample drops
    "ClipSpec",
    "write_clip",
    "write_raw_clip",
    "raw_frame_bytes",
    # download URLs and clip paths
    "apply_base_url",
    "clip_path_problem",
    # encode-grid rows
    "GRID_KEYS",
    "GRID_SCHEMA_VERSION",
    "CANONICAL_FEATURES",
    # feature schemas for training
    "FeatureSchema",
    "float_column",
]

#: Names whose modules load on first use: a plugin's ``__init__`` and declarations (all that
#: ``vqa corpora list`` imports) need neither the CSV reader nor the clip writers.
_LAZY = {
    **dict.fromkeys(
        ("Header", "Record", "Table", "open_table", "reject", "to_float", "to_int"), "vqa_core.parsing"
    ),
    **dict.fromkeys(("ClipSpec", "raw_frame_bytes", "write_clip", "write_raw_clip"), "vqa_core.samples"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
