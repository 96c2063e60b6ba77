"""The plugin contract: every hook a corpus plugin may implement.

A corpus plugin is a module (or object) registered through the ``vqa.corpora``
entry-point group. It imports what it needs from :mod:`vqa_core.plugin` (the
plugin API; nothing else in core is promised), marks its functions with
:data:`~vqa_core.plugin.hookimpl` and implements the hooks below; an
implementation may take fewer arguments than the spec (pluggy passes only
those it names), so specs only ever gain arguments. The module must also say which contract versions it supports::

    vqa_plugin_api = ">=1,<2"

Hooks are grouped by the phase in which the host calls them. Every hook that
takes a ``corpus`` is called only on the plugin that declared that corpus, plus
core's built-in defaults (today: the scale conversion), so one plugin can never
answer for another's corpus, and an implementation never needs to check that
``corpus`` is one of its own. A plugin with several corpora tells them apart by
``corpus.id``. Likewise, a hook that takes a feature ``schema`` is called only on
the plugin that declared that schema. What a ``None`` return means is said per
hook: it is never "not mine".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import pyarrow as pa

    from vqa_core.declarations import CorpusDeclaration
    from vqa_core.featureschema import FeatureSchema
    from vqa_core.scales import ScaleConversion
    from vqa_core.schema import RowRejection
    from vqa_core.sources import GridSettings, SampleDrop, SourceRows, SourceSpec

__all__ = ["hookspec", "hookimpl", "PROJECT_NAME", "ENTRY_POINT_GROUP", "PLUGIN_API_VERSION"]

PROJECT_NAME = "vqa"
#: The entry-point group a plugin distribution registers its module under.
ENTRY_POINT_GROUP = "vqa.corpora"
#: Version of this contract and of the plugin API (:mod:`vqa_core.plugin`). A plugin's
#: ``vqa_plugin_api`` specifier must admit it. A minor bump adds, a major bump breaks.
#: 1.1 adds :mod:`vqa_core.plugin`, the one module plugins import from core; the hooks
#: are those of 1.0. 1.2 adds the feature hooks (``vqa_feature_schemas``,
#: ``vqa_derive_features``, ``vqa_display_profile``), ``vqa_label_key_columns``, and
#: :class:`~vqa_core.featureschema.FeatureSchema` and ``float_column`` to the plugin API.
PLUGIN_API_VERSION = "1.2"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -------------------------------------------------------------------------
# Declaration phase: the registry asks each plugin once, when it loads.
# -------------------------------------------------------------------------


@hookspec
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    """Declare the corpora this plugin provides.

    Call ``register`` once per corpus with a :class:`~vqa_core.declarations.CorpusDeclaration`.
    Declare ``content_groups`` (what identifies a source content) when several
    clips show one content, and ``splits`` when the corpus publishes splits.
    The registry validates each declaration (all problems at once, each with its
    field), refuses a corpus id another plugin already declared, and marks the
    whole plugin ``broken`` if anything is wrong, so a half-valid plugin never
    contributes half its corpora.

    :param register: Callback taking one ``CorpusDeclaration``.
    :return: Nothing; the return value is ignored.

    Called by the registry once per plugin, right after the plugin is imported,
    before any command runs. Must not import heavy modules (``av``, ``torch``):
    ``vqa corpora list`` runs this hook.

    .. versionadded:: 1.0
    """


@hookspec
def vqa_schema_extension(corpus: CorpusDeclaration) -> Sequence[pa.Field] | None:
    """Return the extra typed columns rows of ``corpus`` carry.

    Each field must be a ``pyarrow.Field`` whose name starts with the corpus's
    ``column_prefix`` (or is one of core's shared columns such as
    ``mos_raw_0_100``) and does not collide with a base column. Extension
    columns are nullable in the shard schema.

    :param corpus: The declaration of one corpus this plugin registered.
    :return: The fields, or ``None`` (or an empty sequence) for no extension.

    Called by the registry when the plugin loads, once per corpus the plugin
    registered (to validate names); the fields are kept for building each
    shard's Arrow schema.

    .. versionadded:: 1.0
    """


@hookspec
def vqa_label_key_columns(corpus: CorpusDeclaration) -> Sequence[str] | None:
    """Name the extension columns of ``corpus`` that identify a clip, for joining labels.

    ``vqa labels materialize`` infers a key column (when the user names none) from a
    list of well-known names: core's clip ids (``key``, ``clip_key``, ``clip_id``,
    ``video_id``), then the columns every installed plugin names here (corpora in id
    order), then generic names (``content_id``, ``file_name``, … ``src``, ``path``). A
    column named here must be one of the corpus's extension columns
    (``vqa_schema_extension``); any other name breaks the plugin.

    :param corpus: The declaration of one corpus this plugin registered.
    :return: The column names, most specific first, or ``None`` (or an empty sequence)
        for none.

    Called by the registry when the plugin loads, once per corpus the plugin
    registered, after ``vqa_schema_extension``; the names are kept for ``vqa labels
    materialize``.

    .. versionadded:: 1.2
    """


# -------------------------------------------------------------------------
# Ingestion phase: ``vqa ingest`` and ``vqa sample``.
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def vqa_source_rows(corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows | None:
    """Read the corpus's published metadata and yield its rows.

    Return a :class:`~vqa_core.sources.SourceRows` whose ``files`` lists every
    metadata file read with its data-row count (the engine matches counts to
    known editions before iterating), and whose ``rows`` yields, lazily and in
    metadata order, one :class:`~vqa_core.schema.SourceRow` per usable line or
    one :class:`~vqa_core.schema.RowRejection` per unusable line (missing name,
    unparsable MOS, ragged line). A per-line problem must never raise.

    Raise :class:`~vqa_core.errors.MetadataError` (one clear line) when a whole
    file is unusable: empty, header only, wrong format, missing a required
    column. The engine checks range and finiteness of ``mos`` itself.

    Set ``SourceRow.content_group`` (the plugin's key of the clip's source
    content, without the corpus id) only if the declaration has
    ``content_groups`` text, and ``SourceRow.split`` to one of the declared
    ``splits``; the engine raises :class:`~vqa_core.errors.PluginError` otherwise.

    :param corpus: The declaration of a corpus this plugin registered.
    :param source: Dataset root, the existing metadata files to read, the clips
        directory clip paths are relative to, and an optional download base URL.
    :return: The rows. ``None`` (or no implementation) makes the host fail with
        a :class:`~vqa_core.errors.PluginError` naming the plugin: a corpus with
        labels must implement this hook.

    Stops at the first non-None result. Called by the ingestion engine once per run.

    .. versionadded:: 1.0
    """


@hookspec(firstresult=True)
def vqa_encode_grid_rows(
    corpus: CorpusDeclaration, source: SourceSpec, settings: GridSettings
) -> Iterable[Mapping[str, Any] | RowRejection] | None:
    """Yield the encode-grid rows of a corpus without subjective scores.

    For corpora declared with ``scale="none"`` (BVI-DVC): each row is a mapping
    with at least the 54 keys of the encode-grid schema
    (:data:`vqa_core.gridrows.GRID_KEYS`); missing metrics are ``None``, never NaN.
    A corpus that declares ``content_groups`` adds ``content_group``
    (``"<corpus>/<key>"``) to every row.
    A file that cannot become a row yields a
    :class:`~vqa_core.schema.RowRejection` instead of raising.

    :param corpus: The declaration of a label-less corpus this plugin registered.
    :param source: Where the corpus's cached per-sequence files lie.
    :param settings: Encoder, preset, CRF, pixel format and VMAF model to stamp
        on the rows, and the run's timestamp.
    :return: The rows, lazily. ``None`` (or no implementation) makes the host
        fail with a :class:`~vqa_core.errors.PluginError` naming the plugin.

    Stops at the first non-None result. Called by ``vqa ingest`` for corpora
    without labels, instead of the clip pipeline.

    .. versionadded:: 1.0
    """


@hookspec(firstresult=True)
def vqa_scale_conversion(corpus: CorpusDeclaration) -> ScaleConversion | None:
    """Return how the stored ``mos`` of ``corpus`` maps onto the unified 0–100 axis.

    Core's built-in implementation runs last and returns the affine map of the
    declared scale (``lo`` → 0, ``hi`` → 100; reversed for ``dmos``). Override it
    only when the corpus has a published, better-founded mapping; the
    conformance kit checks that a conversion is monotone and maps the scale
    ends to 0 and 100.

    :param corpus: The declaration of a corpus this plugin registered.
    :return: A :class:`~vqa_core.scales.ScaleConversion`, or ``None`` to use
        core's default for this corpus (which itself returns ``None`` for corpora
        without labels).

    Stops at the first non-None result. The owning plugin is asked first, then
    core's default. Called by ``vqa aggregate`` once per corpus.

    .. versionadded:: 1.0
    """


@hookspec(firstresult=True)
def vqa_write_sample(
    corpus: CorpusDeclaration, directory: Path, clips: int, seed: int, bad_rows: int
) -> SampleDrop | None:
    """Write a tiny synthetic dataset of ``corpus`` into ``directory``.

    The metadata must be in the corpus's real published format (same file
    names, header, quoting, delimiter, folder layout) so that ingesting the
    sample exercises the real parser; the clips are small generated videos
    (see :mod:`vqa_core.samples`) with the containers, codecs and pixel formats
    the corpus has. Same ``seed`` → same bytes.

    :param corpus: The declaration of a corpus this plugin registered.
    :param directory: An existing, empty directory to write into.
    :param clips: How many clips to write (at least 1).
    :param seed: Seed for every random choice.
    :param bad_rows: How many extra, deliberately unusable metadata rows to add
        (an unparsable score, a missing name …) after the ``clips`` good ones, so
        the conformance kit can check they become counted rejections in any
        metadata format. Report how many were written in ``SampleDrop.bad_rows``;
        an implementation that ignores the argument writes none (the kit then
        corrupts text metadata itself).
    :return: A :class:`~vqa_core.sources.SampleDrop` describing what was written.
        ``None`` (or no implementation) makes the host fail with a
        :class:`~vqa_core.errors.PluginError`: the plugin cannot write a sample.

    Stops at the first non-None result. Called by ``vqa sample``, ``make demo``
    and the conformance kit.

    .. versionadded:: 1.0
    """


# -------------------------------------------------------------------------
# Training phase: ``vqa train mos-head``, ``vqa evaluate`` and ``vqa predict``.
# -------------------------------------------------------------------------


@hookspec
def vqa_feature_schemas() -> Iterable[FeatureSchema] | None:
    """Declare the feature schemas this plugin contributes.

    A :class:`~vqa_core.featureschema.FeatureSchema` names an ordered list of features
    a MOS head reads; the name is recorded in every model sidecar, so it keeps its
    features and their order for good. A row's value for a feature is its own column,
    else ``<feature>_mean``; for the schema's ``derived`` features, else what
    ``vqa_derive_features`` gives; for its ``display`` features, else the row's own
    display columns (``vqa_derive_features``) or the display profile
    (``vqa_display_profile``). The registry refuses a schema whose name core or
    another plugin already uses, and one with derived or display features whose
    plugin does not implement the hooks that provide them; either marks the whole
    plugin ``broken``.

    :return: The schemas, or ``None`` (or an empty iterable) for none.

    Called by the registry once per plugin, right after ``vqa_register_corpora``. Must
    not import heavy modules: ``vqa corpora list`` runs this hook.

    .. versionadded:: 1.2
    """


@hookspec(firstresult=True)
def vqa_derive_features(schema: FeatureSchema, table: pa.Table) -> Mapping[str, Sequence[float]] | None:
    """Derive the schema's derived and display features from a table's own columns.

    For each of ``schema.derived`` and ``schema.display`` the table's columns define,
    one value per row (a sequence or a numpy array, in row order), NaN or ``None``
    where a row has none; leave out a feature the table has no column for. The host
    uses a value only where the row has neither the feature's column nor
    ``<feature>_mean``, and a display feature the rows do not define takes the display
    profile's value. Read numbers with :func:`~vqa_core.plugin.float_column`, so a
    derivation reads a column the way an own-column feature is read.

    :param schema: One of the schemas this plugin declared.
    :param table: The rows being projected (a ``pyarrow.Table``), as the user gave them.
    :return: Feature name → values. A name outside the schema's derived and display
        features, or a length other than the table's, makes the host fail with a
        :class:`~vqa_core.errors.PluginError`. ``None``: nothing to derive.

    Stops at the first non-None result. Called by ``vqa train mos-head``, ``vqa
    evaluate`` and ``vqa predict`` once per table, for schemas with derived or
    display features.

    .. versionadded:: 1.2
    """


@hookspec(firstresult=True)
def vqa_display_profile(schema: FeatureSchema, document: Mapping[str, Any]) -> Mapping[str, float] | None:
    """Read a display profile: the display features of ``schema`` a JSON document defines.

    ``document`` is the JSON object of the ``--display-profile`` file as written; which
    fields it may hold (and where) is for the plugin to define and document. The host
    reads the file (a missing file, invalid JSON or anything but an object is refused
    before this hook runs), records it in the model sidecar with the returned values,
    and uses a value for every row that does not define that feature itself.

    :param schema: One of the schemas this plugin declared, with display features.
    :param document: The profile's top-level JSON object.
    :return: Display feature name → finite number, leaving out features the document
        does not define; an empty mapping makes the host refuse the profile ("did not
        contain any recognised display fields"). A name outside ``schema.display`` or
        a value that is not a finite number makes the host fail with a
        :class:`~vqa_core.errors.PluginError`. ``None`` (or no implementation): the
        plugin cannot read profiles, also a :class:`~vqa_core.errors.PluginError`.

    Stops at the first non-None result. Called by ``vqa train mos-head`` once per run
    with ``--display-profile``, for a schema with display features.

    .. versionadded:: 1.2
    """
