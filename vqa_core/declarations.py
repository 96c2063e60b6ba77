"""What a corpus plugin declares about each corpus it provides.

A declaration is data only: identity, licence, citation, how to obtain the
data, the scale of the stored ``mos``, the known editions with their row
counts, and the default on-disk layout of the published archives. The
registry validates declarations when a plugin loads; an invalid one marks the
plugin broken and names every problem with its path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal
from urllib.parse import urlsplit

import attrs

from vqa_core.scales import MosScale, resolve_scale

__all__ = [
    "Access",
    "Archive",
    "Edition",
    "CorpusDeclaration",
    "CORPUS_ID_PATTERN",
    "COLUMN_PREFIX_PATTERN",
    "SPLIT_NAME_PATTERN",
    "HOST_PATTERN",
]

#: How the data is obtained: ``open`` (public download), ``form`` (request form,
#: then download), ``manual`` (copy by hand; no download URL exists).
Access = Literal["open", "form", "manual"]

CORPUS_ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
COLUMN_PREFIX_PATTERN: Final = re.compile(r"^[a-z][a-z0-9]*_$")
#: A published split name as rows carry it in ``split`` (``train``, ``test-1080p``).
SPLIT_NAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: A lower-case DNS name or IPv4 address, as a download host is declared (no scheme, port or path).
HOST_PATTERN: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty string")


def _url(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
        raise ValueError(f"{attribute.name} must be an http(s) URL, got {value!r}")


@attrs.frozen
class Edition:
    """A known published release of one metadata file, recognised by its row count."""

    #: Recorded as the edition in the manifest, e.g. ``konvid-1k-2017``.
    name: str = attrs.field(validator=_nonempty)
    #: The metadata file name as published, e.g. ``KoNViD_1k_attributes.csv``.
    metadata: str = attrs.field(validator=_nonempty)
    #: Data rows in that file (header excluded).
    rows: int = attrs.field(
        validator=attrs.validators.and_(attrs.validators.instance_of(int), attrs.validators.gt(0))
    )
    #: Where the count comes from, for the docs.
    note: str = ""


@attrs.frozen
class Archive:
    """A published download of the corpus that ``vqa fetch`` retrieves (and unpacks, for zips)."""

    url: str = attrs.field(validator=_url)
    #: Unpack a ``.zip`` into this folder under the dataset root ("" = the root itself).
    extract_to: str = ""
    #: Bytes the archive unpacks to, where known: ``vqa fetch`` refuses an archive whose entries
    #: add up to more (``None``: a generous default cap applies, see :mod:`vqa_core.fetch`).
    unpacked_bytes: int | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(
            attrs.validators.and_(attrs.validators.instance_of(int), attrs.validators.gt(0))
        ),
    )

    @property
    def filename(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]


def _archive_tuple(value: Iterable[Archive]) -> tuple[Archive, ...]:
    return tuple(value)


def _edition_tuple(value: Iterable[Edition]) -> tuple[Edition, ...]:
    return tuple(value)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _split_tuple(value: Iterable[str]) -> tuple[str, ...]:
    # why: tuple("train") would silently become five one-letter splits
    if isinstance(value, str):
        raise ValueError(f"splits must be a sequence of names, not the string {value!r}")
    return tuple(value)


def _splits(_: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    bad = [name for name in value if not isinstance(name, str) or not SPLIT_NAME_PATTERN.match(name)]
    if bad:
        raise ValueError(
            f"{attribute.name} must be names matching {SPLIT_NAME_PATTERN.pattern}, got {', '.join(map(repr, bad))}"
        )
    repeated = sorted({name for name in value if value.count(name) > 1})
    if repeated:
        raise ValueError(f"{attribute.name} names {', '.join(map(repr, repeated))} more than once")


def _host_tuple(value: Iterable[str]) -> tuple[str, ...]:
    # why: tuple("example.org") would silently become one-letter hosts
    if isinstance(value, str):
        raise ValueError(f"download_hosts must be a sequence of host names, not the string {value!r}")
    return tuple(value)


def _archive_hosts(declaration: CorpusDeclaration) -> tuple[str, ...]:
    return tuple(sorted({urlsplit(a.url).hostname or "" for a in declaration.archives} - {""}))


def _hosts(_: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    bad = [h for h in value if not isinstance(h, str) or not re.fullmatch(HOST_PATTERN, h)]
    if bad:
        raise ValueError(
            f"{attribute.name} must be lower-case host names without scheme, port or path, got "
            + ", ".join(map(repr, bad))
        )


def _text(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{attribute.name} must be a string, got {type(value).__name__}")


def _editions(_: object, attribute: attrs.Attribute[tuple[Edition, ...]], value: tuple[Edition, ...]) -> None:
    if not all(isinstance(e, Edition) for e in value):
        raise ValueError(f"{attribute.name} must hold Edition objects")


@attrs.frozen
class CorpusDeclaration:
    """One corpus a plugin provides.

    The ``id`` is the stable label written into every row's ``corpus`` field;
    ``version`` is written into ``corpus_version``.
    """

    id: str = attrs.field(validator=attrs.validators.matches_re(CORPUS_ID_PATTERN))
    title: str = attrs.field(validator=_nonempty)
    version: str = attrs.field(validator=_nonempty)
    #: Scale of the *stored* ``mos`` column; a name from ``KNOWN_SCALES`` or a MosScale.
    scale: MosScale = attrs.field(converter=resolve_scale)
    licence: str = attrs.field(validator=_nonempty)
    licence_url: str = attrs.field(validator=_url)
    citation: str = attrs.field(validator=_nonempty)
    homepage: str = attrs.field(validator=_url)
    access: Access = attrs.field(validator=attrs.validators.in_(("open", "form", "manual")))
    #: How to obtain the data, in a sentence or two; shown when data is missing.
    access_instructions: str = attrs.field(validator=_nonempty)
    #: Known editions by metadata file; the first one is the reference edition.
    editions: tuple[Edition, ...] = attrs.field(converter=_edition_tuple, validator=_editions, factory=tuple)
    #: Clips in the reference edition (may differ from the label rows: takedowns).
    expected_clips: int | None = attrs.field(default=None)
    #: Namespace every extension column of this corpus starts with, e.g. ``lsvq_``.
    column_prefix: str = attrs.field(
        default="", validator=attrs.validators.matches_re(r"^$|^[a-z][a-z0-9]*_$")
    )
    #: Metadata file(s) looked for under ``--root`` when ``--metadata`` is not given.
    default_metadata: tuple[str, ...] = attrs.field(converter=_str_tuple, factory=tuple)
    #: Folder under ``--root`` holding the clips when ``--clips-dir`` is not given.
    default_clips_dir: str = ""
    #: Whether rows carry download URLs (``vqa ingest`` fetches missing clips).
    downloads: bool = False
    #: Published archives ``vqa fetch`` can download into the dataset root.
    archives: tuple[Archive, ...] = attrs.field(converter=_archive_tuple, factory=tuple)
    #: Hosts the metadata's download URLs may name (``ugc-dataset.example.org``; any port).
    #: A row whose URL names another host is ``url-not-allowed`` unless the user allows it
    #: (``--allow-host``, ``--base-url``). Default: the hosts of ``archives``.
    download_hosts: tuple[str, ...] = attrs.field(
        converter=_host_tuple,
        default=attrs.Factory(_archive_hosts, takes_self=True),
        validator=_hosts,
    )
    #: Anything a user must know that the fields above cannot say.
    notes: str = ""
    #: One sentence saying what identifies a content (the source several clips were made
    #: from), e.g. "content_name: the source video a bitrate-ladder rung was encoded from".
    #: Empty: every clip is its own content, and rows must not carry a ``content_group`` key.
    content_groups: str = attrs.field(default="", validator=_text)
    #: The split names the corpus publishes (``("train", "test")``); rows may carry only
    #: these in ``split``, and every row must carry one. Empty: the corpus publishes none.
    splits: tuple[str, ...] = attrs.field(converter=_split_tuple, factory=tuple, validator=_splits)

    def __attrs_post_init__(self) -> None:
        if self.downloads and not self.download_hosts:
            raise ValueError("downloads=True needs download_hosts: the hosts its metadata's URLs may name")

    @property
    def has_labels(self) -> bool:
        return self.scale.has_labels

    def edition_for_rows(self, metadata_name: str, rows: int) -> Edition | None:
        """The edition whose file has ``rows`` data rows (file name compared case-insensitively)."""
        same_file = [e for e in self.editions if e.metadata.lower() == metadata_name.lower()]
        for edition in same_file or self.editions:
            if edition.rows == rows:
                return edition
        return None
