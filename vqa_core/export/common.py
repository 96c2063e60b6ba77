"""What every export format shares: the options, the rows, the groups, licences and publishing.

An export reads a unified table (``vqa aggregate``) or a labelled table (``vqa labels
materialize``), turns each row into an :class:`ExportRow` (the clip path as
``--paths`` says, the MOS on the ``--mos`` axis), splits the rows into
:class:`Group` s (``--by``) and hands them to one format's writer. The writer
fills a staging folder beside ``DIR``; the manifest goes in last and the staging
folder then replaces ``DIR`` in one rename, so a reader sees the old export or
the whole new one (docs/decisions/0056-exports.md).
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from vqa_core.errors import ExportError, UsageError

if TYPE_CHECKING:
    from vqa_core.registry import Registry

__all__ = [
    "FORMATS",
    "GROUPINGS",
    "NO_SPLIT",
    "ALL_ROWS",
    "MANIFEST_NAME",
    "MANIFEST_SCHEMA",
    "ExportConfig",
    "ExportRow",
    "Group",
    "CorpusInfo",
    "ExportPlan",
    "WrittenFile",
    "WriterOutput",
    "redistribution",
    "resolve_path",
    "group_rows",
    "file_stem",
    "hub_name",
    "parse_roots",
]

Format = Literal["dover", "pyiqa", "hf", "csv"]
FORMATS: Final[tuple[str, ...]] = ("dover", "pyiqa", "hf", "csv")
GROUPINGS: Final[tuple[str, ...]] = ("none", "corpus", "split")
#: The group of rows without a published split under ``--by split``.
NO_SPLIT: Final = "unsplit"
#: The one group under ``--by none``.
ALL_ROWS: Final = "all"
MANIFEST_NAME: Final = "export.manifest.json"
MANIFEST_SCHEMA: Final = "vqa-export-v1"

_KEY_COLUMNS: Final = ("src", "corpus", "split", "content_group")


def _roots(value: Mapping[str, Path | str]) -> dict[str, Path]:
    return {str(k): Path(v) for k, v in value.items()}


@attrs.frozen
class ExportConfig:
    """One ``vqa export`` run: the table, the format, ``DIR`` and the options."""

    table: Path = attrs.field(converter=Path)
    format: str = attrs.field(validator=attrs.validators.in_(FORMATS))
    out: Path = attrs.field(converter=Path)
    by: str = attrs.field(default="none", validator=attrs.validators.in_(GROUPINGS))
    paths: str = attrs.field(default="relative", validator=attrs.validators.in_(("relative", "absolute")))
    mos: str = attrs.field(default="0-100", validator=attrs.validators.in_(("0-100", "native")))
    #: Dataset root per corpus id, for ``paths="absolute"``.
    roots: Mapping[str, Path] = attrs.field(factory=dict, converter=_roots)
    #: ``created_at_utc`` of the manifest (default: now).
    timestamp: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.roots and self.paths != "absolute":
            raise UsageError("--root is only used with --paths absolute")


@attrs.frozen
class ExportRow:
    """One clip as every format writes it."""

    src: str
    #: The clip as the export names it: ``src``, or the corpus root joined with it.
    path: str
    #: The MOS on the chosen axis.
    mos: float
    corpus: str
    split: str | None
    content_group: str | None
    #: Spread of the ratings on the chosen axis, where the table has it (0–100 axis of a unified table).
    mos_std_dev: float | None
    #: Where the row is in the input table (``file:row n``), for error messages.
    where: str
    #: Every column of the input row, as read.
    record: Mapping[str, Any] = attrs.field(repr=False, eq=False)


@attrs.frozen
class Group:
    """The rows of one output file (or one ``DatasetDict`` key)."""

    key: str
    rows: tuple[ExportRow, ...]


@attrs.frozen
class CorpusInfo:
    """A corpus in the table, with what its declaration says about using its labels elsewhere."""

    id: str
    rows: int
    title: str | None
    licence: str | None
    licence_url: str | None
    citation: str | None
    homepage: str | None
    #: ``permitted`` / ``forbidden`` / ``not-granted`` / ``unknown`` (:func:`redistribution`).
    redistribution: str
    #: The native scales of its rows (``mos_native_scale``), where the table has them.
    native_scales: tuple[str, ...] = ()

    @property
    def may_redistribute(self) -> bool:
        return self.redistribution == "permitted"

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self) | {"may_redistribute": self.may_redistribute}


@attrs.frozen
class ExportPlan:
    """Everything a writer needs: the groups and the facts the card and the docs state."""

    config: ExportConfig
    #: ``unified`` or ``labelled``.
    kind: str
    #: The input table's column names, in order.
    columns: tuple[str, ...]
    #: The input column the MOS comes from (``mos``, ``mos_native`` or ``mos_raw_0_100``).
    mos_column: str
    groups: tuple[Group, ...]
    corpora: tuple[CorpusInfo, ...]

    @property
    def rows(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def axis(self) -> str:
        """The MOS axis in words, for cards and summaries."""
        if self.config.mos == "native":
            return "each corpus's native scale (see mos_native_scale)"
        return "0-100 (the unified axis)"


@attrs.frozen
class WrittenFile:
    """One output of a writer: its group, its path relative to ``DIR``, its rows."""

    key: str
    path: str
    rows: int


@attrs.frozen
class WriterOutput:
    files: tuple[WrittenFile, ...]
    warnings: tuple[str, ...] = ()
    #: Versions of the libraries that wrote the files (``datasets`` for ``hf``).
    versions: Mapping[str, str] = attrs.field(factory=dict)


Writer = Callable[[ExportPlan, Path], WriterOutput]


# --- pure rules -------------------------------------------------------------------------------

_CREATIVE_COMMONS: Final = re.compile(r"^(cc[ -]?(by|0)|creative commons)", re.IGNORECASE)
_FORBIDS: Final = re.compile(r"\bno[ -]redistribution\b|\bnot (be )?redistribut", re.IGNORECASE)


def redistribution(licence: str | None) -> str:
    """May an export of this corpus's labels be passed on? Decided from the declaration's licence text.

    ``forbidden``: the licence says so ("Research use, no redistribution").
    ``permitted``: a Creative Commons licence or a "free use" grant (their terms — attribution,
    non-commercial, share-alike, keeping a notice — still apply).
    ``not-granted``: a use-only licence ("Research use", "Academic use, attribution"): it grants
    use, not redistribution, and without a grant there is none.
    ``unknown``: the corpus's plugin is not installed, so its licence cannot be read.
    """
    if licence is None:
        return "unknown"
    if _FORBIDS.search(licence):
        return "forbidden"
    if _CREATIVE_COMMONS.match(licence.strip()) or licence.strip().lower().startswith("free use"):
        return "permitted"
    return "not-granted"


def resolve_path(src: str, corpus: str, mode: str, roots: Mapping[str, Path]) -> str:
    """The clip path an export writes: ``src`` itself, or ``src`` under the corpus's absolute root."""
    if mode == "relative":
        return src
    return str(Path(os.path.abspath(roots[corpus])) / src)


def hub_name(key: str) -> str:
    """A group key as a Hub split name (``^\\w+(\\.\\w+)*$``): ``test-1080p`` → ``test_1080p``."""
    return re.sub(r"\W", "_", key)


def file_stem(key: str) -> str:
    """A group key as part of a file name (keys are corpus ids and split names: already safe)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


def group_rows(rows: Iterable[ExportRow], by: str) -> tuple[Group, ...]:
    """Rows per output, in first-seen order of the keys and table order within each."""
    groups: dict[str, list[ExportRow]] = {}
    for row in rows:
        if by == "none":
            key = ALL_ROWS
        elif by == "corpus":
            key = row.corpus
        else:
            key = row.split if row.split is not None else NO_SPLIT
        groups.setdefault(key, []).append(row)
    if by == "split" and NO_SPLIT in groups:
        named = [r for r in groups[NO_SPLIT] if r.split == NO_SPLIT]
        if named and len(named) != len(groups[NO_SPLIT]):
            raise ExportError(
                f"the table has a split named {NO_SPLIT!r} and rows without a split; "
                "--by split cannot keep them apart (use --by corpus or --by none)"
            )
    return tuple(Group(key, tuple(members)) for key, members in groups.items())


def parse_roots(values: Sequence[str]) -> dict[str, Path]:
    """``CORPUS=DIR`` options as a mapping; :class:`UsageError` on a malformed or repeated one."""
    roots: dict[str, Path] = {}
    for value in values:
        corpus, sep, folder = value.partition("=")
        if not sep or not corpus.strip() or not folder.strip():
            raise UsageError(f"--root {value!r}: expected CORPUS=DIR, e.g. --root lsvq=/data/LSVQ")
        if corpus in roots:
            raise UsageError(f"--root names {corpus!r} twice")
        roots[corpus] = Path(folder)
    return roots


# --- reading the table ------------------------------------------------------------------------


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@attrs.frozen
class _Loaded:
    kind: str
    columns: tuple[str, ...]
    mos_column: str
    rows: tuple[ExportRow, ...]
    skipped: Mapping[str, int]


def load_rows(config: ExportConfig) -> _Loaded:
    """The table's rows as :class:`ExportRow` s; rows without a clip or a finite MOS are counted, not written."""
    from vqa_core.tables.loose import read_table

    loaded = read_table(config.table, strings=lambda names: [n for n in _KEY_COLUMNS if n in names])
    columns = tuple(loaded.columns)
    missing = [c for c in ("src", "corpus") if c not in columns]
    if missing:
        raise ExportError(
            f"{config.table}: not a unified or labelled table (no {', '.join(missing)} column); "
            "export the output of vqa aggregate or vqa labels materialize"
        )
    if "mos_native" in columns and "mos" in columns:
        kind = "unified"
        mos_column = "mos" if config.mos == "0-100" else "mos_native"
    elif "mos_raw_0_100" in columns:
        kind = "labelled"
        if config.mos == "native":
            raise ExportError(
                f"{config.table}: a labelled table has no mos_native column; use --mos 0-100 "
                "(its mos_raw_0_100) or export the unified table"
            )
        mos_column = "mos_raw_0_100"
    else:
        raise ExportError(
            f"{config.table}: no MOS columns an export can use (a unified table has mos and mos_native, "
            "a labelled one mos_raw_0_100)"
        )
    records = loaded.table.to_pylist()
    corpora = {r.get("corpus") for r in records if r.get("corpus")}
    if config.paths == "absolute":
        lacking = sorted(str(c) for c in corpora if c not in config.roots)
        if lacking:
            raise UsageError(
                "--paths absolute needs --root CORPUS=DIR for every corpus in the table; missing: "
                + ", ".join(lacking)
            )
    skipped: Counter[str] = Counter()
    rows = []
    for index, record in enumerate(records):
        src, corpus = record.get("src"), record.get("corpus")
        if not src or not corpus:
            skipped["no clip or corpus"] += 1
            continue
        mos = _finite(record.get(mos_column))
        if mos is None:
            skipped[f"no {mos_column}"] += 1
            continue
        std = _finite(record.get("mos_std_dev")) if kind == "unified" and config.mos == "0-100" else None
        rows.append(
            ExportRow(
                src=str(src),
                path=resolve_path(str(src), str(corpus), config.paths, config.roots),
                mos=mos,
                corpus=str(corpus),
                split=record.get("split"),
                content_group=record.get("content_group"),
                # why: 0.0 is the shard format's "not published", not a spread of zero
                mos_std_dev=std if std else None,
                where=loaded.where(index),
                record=record,
            )
        )
    return _Loaded(kind, columns, mos_column, tuple(rows), dict(skipped))


def corpus_infos(rows: Sequence[ExportRow], registry: Registry | None) -> tuple[CorpusInfo, ...]:
    """Each corpus in the rows with its declaration's licence, citation and native scales."""
    counts = Counter(r.corpus for r in rows)
    scales: dict[str, set[str]] = {}
    for row in rows:
        scale = row.record.get("mos_native_scale")
        if scale:
            scales.setdefault(row.corpus, set()).add(str(scale))
    known = {c.id: c.declaration for c in registry.corpora} if registry is not None else {}
    infos = []
    for corpus in sorted(counts):
        decl = known.get(corpus)
        infos.append(
            CorpusInfo(
                id=corpus,
                rows=counts[corpus],
                title=decl.title if decl else None,
                licence=decl.licence if decl else None,
                licence_url=decl.licence_url if decl else None,
                citation=decl.citation if decl else None,
                homepage=decl.homepage if decl else None,
                redistribution=redistribution(decl.licence if decl else None),
                native_scales=tuple(sorted(scales.get(corpus, ()))),
            )
        )
    return tuple(infos)


def licence_warning(corpora: Sequence[CorpusInfo]) -> str | None:
    """One line naming the corpora whose labels may not be passed on, with their licences."""
    held = [c for c in corpora if not c.may_redistribute]
    if not held:
        return None
    named = ", ".join(
        f"{c.id} ({c.licence})" if c.licence else f"{c.id} (licence unknown: plugin not installed)"
        for c in held
    )
    return (
        f"the licences of {named} do not permit redistribution: keep this export among people "
        "who obtained those corpora themselves (nothing is uploaded)"
    )


# --- publishing -------------------------------------------------------------------------------


def check_destination(out: Path) -> None:
    """``DIR`` must be new, empty, or an earlier export (which is replaced); never someone's folder."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ExportError(f"{out} is a file; --out needs a folder")
    if any(out.iterdir()) and not (out / MANIFEST_NAME).is_file():
        raise ExportError(
            f"{out} holds files that are not a vqa export (no {MANIFEST_NAME}); choose a new or empty folder"
        )


def staging_folder(out: Path) -> Path:
    folder = out.with_name(f".{out.name}.staging-{secrets.token_hex(4)}")
    folder.mkdir(parents=True)
    return folder


def remove_stale_staging(out: Path) -> None:
    """Staging folders a killed export left beside ``DIR`` (call while holding its lock)."""
    if not out.parent.is_dir():
        return
    for entry in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(entry, ignore_errors=True)
    for entry in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(entry, ignore_errors=True)


def publish(staging: Path, out: Path) -> None:
    """Put the finished staging folder in place of ``DIR`` (the earlier export goes)."""
    from vqa_core.fsutil import fsync_dir

    if out.exists():
        old = out.with_name(f".{out.name}.old-{secrets.token_hex(4)}")
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
    fsync_dir(out.parent)


def files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted, as paths relative to it."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
