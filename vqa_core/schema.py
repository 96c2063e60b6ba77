"""Row models and the Arrow schemas they map to.

Three rows travel through vqa:

* :class:`SourceRow` — what a plugin reads from a corpus's metadata: the clip,
  its label and where in the metadata it came from. A line that cannot become
  a row is a :class:`RowRejection` instead, never an exception.
* :class:`CorpusRow` — one row of an ingested shard (the 15 base fields below,
  then the two grouping columns, then the corpus's extension columns).
* :class:`UnifiedRow` — one row of the aggregated table on the 0–100 axis.

The JSONL wire format of a corpus row: one object per line, keys sorted,
strings as JSON strings, integers as JSON integers, floats as JSON numbers;
``mos_std_dev`` is ``0.0`` when the corpus did not publish a spread and
``n_ratings`` is ``0`` when it did not publish a count (the conventions of the
reference shard format, kept so existing consumers read our shards).

The grouping columns (:data:`GROUPING_FIELDS`, schema ``-v2``) say which rows an
evaluation must keep on one side of a split:

* ``content_group`` — string, never null: ``"<corpus>/<key>"``, where ``<key>`` is
  the plugin's key for the source content the clip was made from (a ladder's
  ``content_name``, Waterloo IVC 4K's video number), or the row's ``src`` when
  the corpus declares no grouping, so every clip is then its own group. Rows
  with equal values show the same content; ``"konvid-1k/…"`` and
  ``"lsvq/…"`` values never collide.
* ``split`` — string or ``null``: the corpus's published split of the clip (one
  of its declaration's ``splits``, e.g. LSVQ's ``train``, ``test``,
  ``test-1080p``); ``null`` when the corpus publishes none.

Shards of schema ``-v1`` lack both; readers take ``"<corpus>/<src>"`` and
``null`` for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, SupportsFloat

import attrs

if TYPE_CHECKING:
    import pyarrow as pa

    from vqa_core.declarations import CorpusDeclaration

__all__ = [
    "Origin",
    "RawVideoHints",
    "SourceRow",
    "RowRejection",
    "CorpusRow",
    "UnifiedRow",
    "BASE_FIELDS",
    "GROUPING_FIELDS",
    "UNIFIED_FIELDS",
    "SHARED_EXTENSION_COLUMNS",
    "SCHEMA_ID",
    "UNIFIED_SCHEMA_ID",
    "base_arrow_schema",
    "grouping_arrow_fields",
    "corpus_arrow_schema",
    "content_group_of",
    "unified_arrow_schema",
]

SCHEMA_ID: Final = "vqa-corpus-row-v2"
UNIFIED_SCHEMA_ID: Final = "vqa-unified-row-v2"


@attrs.frozen
class Origin:
    """Where a row came from: a metadata file and a 1-based line (header = line 1)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def _float(value: SupportsFloat | str) -> float:
    # not converter=float: a built-in's signature, which attrs reads, costs compiling the
    # tokenizer's patterns at import
    return float(value)


@attrs.frozen
class RawVideoHints:
    """Geometry of a headerless raw clip (``.yuv``), which cannot be probed from its bytes."""

    width: int = attrs.field(validator=attrs.validators.gt(0))
    height: int = attrs.field(validator=attrs.validators.gt(0))
    pix_fmt: str = attrs.field(validator=attrs.validators.min_len(1))
    framerate: float = attrs.field(converter=_float, validator=attrs.validators.gt(0.0))


@attrs.frozen
class SourceRow:
    """One labelled clip as a plugin reads it from the corpus metadata.

    ``clip`` is the clip's path relative to the corpus's clips directory, with
    ``/`` separators (``yfcc-batch1/747.mp4``); the engine refuses paths that
    leave that directory. ``mos`` is on the corpus's declared (stored) scale and
    is ``None`` only for corpora without labels. ``None`` for ``mos_std_dev`` /
    ``n_ratings`` means "not published". ``extras`` holds the values of the
    corpus's extension columns, by column name.

    ``content_group`` is the plugin's key for the source content of the clip,
    without the corpus prefix (e.g. a ladder's ``content_name``); only a corpus whose
    declaration has ``content_groups`` text may set it, and ``None`` means "the
    clip is its own content". ``split`` is the corpus's published split of the
    clip, one of the declaration's ``splits``.
    """

    clip: str
    mos: float | None
    origin: Origin
    mos_std_dev: float | None = None
    n_ratings: int | None = None
    url: str | None = None
    extras: Mapping[str, Any] = attrs.field(factory=dict)
    hints: RawVideoHints | None = None
    content_group: str | None = None
    split: str | None = None


@attrs.frozen
class RowRejection:
    """A metadata line that does not make a row, with the reason it is counted under."""

    reason: str
    detail: str
    origin: Origin
    clip: str | None = None

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}: {self.detail}"


@attrs.frozen
class CorpusRow:
    """One row of a corpus shard: the 15 base fields of the shard format."""

    src: str
    src_sha256: str
    src_size_bytes: int
    width: int
    height: int
    framerate: float
    duration_s: float
    pix_fmt: str
    encoder_upstream: str
    mos: float
    mos_std_dev: float
    n_ratings: int
    corpus: str
    corpus_version: str
    ingested_at_utc: str


@attrs.frozen
class UnifiedRow:
    """One row of the aggregated table: ``mos`` and ``mos_std_dev`` on 0–100."""

    src: str
    src_sha256: str
    src_size_bytes: int
    width: int
    height: int
    framerate: float
    duration_s: float
    pix_fmt: str
    encoder_upstream: str
    mos: float
    mos_native: float
    mos_native_scale: str
    mos_std_dev: float
    n_ratings: int
    corpus: str
    corpus_source: str
    corpus_version: str
    ingested_at_utc: str
    aggregated_at_utc: str
    content_group: str
    split: str | None = None


BASE_FIELDS: Final[tuple[str, ...]] = tuple(a.name for a in attrs.fields(CorpusRow))
#: Core columns every shard row of schema v2 carries after the base fields (see the module docstring).
GROUPING_FIELDS: Final[tuple[str, ...]] = ("content_group", "split")
UNIFIED_FIELDS: Final[tuple[str, ...]] = tuple(a.name for a in attrs.fields(UnifiedRow))

_PY_TO_ARROW: Final = {str: "string", int: "int64", float: "float64", bool: "bool"}

#: Extension columns any corpus may add without its prefix, with their Arrow types.
#: ``mos_raw_0_100`` is the published 0–100 value of a corpus that stores 1–5.
SHARED_EXTENSION_COLUMNS: Final[dict[str, str]] = {"mos_raw_0_100": "float64"}


def _arrow_fields(cls: type) -> list[pa.Field]:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}
    hints = {a.name: a.type for a in attrs.fields(cls)}
    fields = []
    for name, hint in hints.items():
        # why: cattrs resolves the string annotations in place (attrs.resolve_types) the first
        # time it (un)structures a row, so a hint is "str" before that and the class str after;
        # "str | None" is a string before and a union whose str() reads the same after.
        text = hint if isinstance(hint, str) else str(hint) if not isinstance(hint, type) else hint.__name__
        nullable = text.endswith(" | None")
        base = text.removesuffix(" | None")
        py = {"str": str, "int": int, "float": float, "bool": bool}[base]
        fields.append(pa.field(name, types[_PY_TO_ARROW[py]], nullable=nullable))
    return fields


def base_arrow_schema() -> pa.Schema:
    """Arrow schema of the 15 base fields, in declaration order."""
    import pyarrow as pa

    return pa.schema(_arrow_fields(CorpusRow))


def grouping_arrow_fields() -> list[pa.Field]:
    """The grouping columns: ``content_group`` (string, not null), ``split`` (string, nullable)."""
    import pyarrow as pa

    return [pa.field("content_group", pa.string(), nullable=False), pa.field("split", pa.string())]


def corpus_arrow_schema(
    declaration: CorpusDeclaration | None = None, extension: Sequence[pa.Field] = ()
) -> pa.Schema:
    """Arrow schema of a corpus shard: the base fields, the grouping columns, then the
    corpus's extension columns sorted by name. Extension columns are nullable (a
    published cell may be empty)."""
    import pyarrow as pa

    del declaration  # the extension already belongs to it; kept for call sites' clarity
    ext = sorted((f.with_nullable(True) for f in extension), key=lambda f: f.name)
    return pa.schema([*_arrow_fields(CorpusRow), *grouping_arrow_fields(), *ext])


def content_group_of(corpus: str, key: str) -> str:
    """The ``content_group`` value of a row: the plugin's key (or the ``src``) under its corpus."""
    return f"{corpus}/{key}"


def unified_arrow_schema() -> pa.Schema:
    """Arrow schema of the aggregated table."""
    import pyarrow as pa

    return pa.schema(_arrow_fields(UnifiedRow))
