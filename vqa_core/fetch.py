"""``vqa fetch``: download a corpus's published archives and unpack them safely.

Each archive streams to ``<name>.part`` and resumes with HTTP ``Range`` (see
:mod:`vqa_core.ingest.download`); a zip is checked entry by entry (CRC-32)
before anything is unpacked, and refused as a whole if any entry would land
outside its target folder (``..``, absolute paths, drive letters) or is a
symbolic link. Before anything is written a zip is also refused if it is too
large to be what it claims (:class:`ExtractLimits`): more entries than
:data:`MAX_ENTRIES`; more unpacked bytes than the declaration's
``Archive.unpacked_bytes`` or, undeclared, :data:`DEFAULT_MAX_UNPACKED_BYTES`;
a compression ratio above :data:`MAX_RATIO` overall or for any entry over
:data:`RATIO_FLOOR_BYTES` (a zip bomb: video and metadata compress far less);
or more unpacked bytes than the target's free space. While unpacking, an
entry that yields a different byte count than its header declared is refused
and its partial file removed. Fetching is idempotent: ``fetch_manifest.json`` in the dataset
root records each archive's size and SHA-256 and what was unpacked, and a
rerun skips what is already done. A download never writes through a symlink
that leads out of the dataset root, and one that receives nothing for the
stall limit stops with its partial file kept (``--stall-timeout``).

Progress, in bytes, goes to an optional :class:`~vqa_core.runner.progress.ProgressSink`:
per archive a download phase, then, for a zip, its CRC check and its unpacking.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Final

import attrs
import cattrs
import orjson

from vqa_core import env
from vqa_core.declarations import Archive
from vqa_core.documents import converter, omit_none
from vqa_core.errors import DownloadError, UsageError, VqaError
from vqa_core.fsutil import atomic_writer
from vqa_core.ingest.download import DOWNLOAD_STALLED, Downloader, DownloadPolicy, part_path
from vqa_core.locations import apply_base_url
from vqa_core.provenance import FileEntry, Manifest, provenance, write_manifest
from vqa_core.registry import Registry
from vqa_core.runner.lock import output_lock
from vqa_core.runner.progress import BYTES, NoProgress, Phase, ProgressSink
from vqa_core.timestamps import run_timestamp

__all__ = [
    "FetchError",
    "FetchReport",
    "FetchManifest",
    "ArchiveRecord",
    "ExtractLimits",
    "fetch",
    "safe_extract",
    "free_bytes",
    "MANIFEST_NAME",
    "MAX_ENTRIES",
    "DEFAULT_MAX_UNPACKED_BYTES",
    "MAX_RATIO",
    "RATIO_FLOOR_BYTES",
]

MANIFEST_NAME: Final = "fetch_manifest.json"
MANIFEST_SCHEMA: Final = "vqa-fetch-manifest-v1"

#: Entries in one archive; the largest corpus publishes about 150,000 clips.
MAX_ENTRIES: Final = 200_000
#: Unpacked bytes when the declaration does not give ``unpacked_bytes``: above the largest
#: published corpus archive, far below what a zip bomb claims.
DEFAULT_MAX_UNPACKED_BYTES: Final = 1 << 40
#: Unpacked : packed bytes. Encoded video barely compresses and text metadata stays near
#: 10:1; only padding (zeros) reaches hundreds, which is what a zip bomb is made of.
MAX_RATIO: Final = 200
#: Below this many unpacked bytes (per entry, or the whole archive) the ratio is not checked:
#: a small file of repeated text may compress very well and harms nobody.
RATIO_FLOOR_BYTES: Final = 1 << 20


class FetchError(VqaError):
    """An archive is damaged or unsafe to unpack."""


@attrs.frozen
class FetchReport:
    corpus: str
    root: Path
    downloaded: tuple[str, ...]
    skipped: tuple[str, ...]
    extracted: tuple[str, ...]
    manifest: Path
    #: Every archive as the manifest records it (what ``--json`` prints).
    archives: tuple[ArchiveRecord, ...] = ()

    def summary(self) -> str:
        return (
            f"{self.corpus}: {len(self.downloaded)} downloaded, {len(self.skipped)} already present, "
            f"{len(self.extracted)} unpacked into {self.root}; manifest {self.manifest}"
        )


@omit_none
@attrs.frozen(kw_only=True)
class ArchiveRecord:
    """What ``fetch_manifest.json`` says about one archive; a rerun trusts it while the file
    keeps its size (or was deleted on purpose after unpacking)."""

    file: str
    url: str
    #: Downloaded by this run (``false``: already present).
    downloaded: bool
    size_bytes: int | None = None
    sha256: str | None = None
    extracted: bool
    extracted_to: Path | None = None
    #: Files unpacked from a zip.
    files: int | None = None
    archive_deleted: bool | None = None


@attrs.frozen(kw_only=True)
class FetchManifest(Manifest):
    """``fetch_manifest.json`` in the dataset root, rewritten after each archive."""

    corpus: str
    root: Path
    archives: list[ArchiveRecord]


@attrs.frozen
class ExtractLimits:
    """What :func:`safe_extract` accepts before it writes anything."""

    max_unpacked_bytes: int = attrs.field(
        default=DEFAULT_MAX_UNPACKED_BYTES, validator=attrs.validators.gt(0)
    )
    max_entries: int = attrs.field(default=MAX_ENTRIES, validator=attrs.validators.gt(0))
    max_ratio: float = attrs.field(default=MAX_RATIO, validator=attrs.validators.gt(1))
    ratio_floor_bytes: int = attrs.field(default=RATIO_FLOOR_BYTES, validator=attrs.validators.ge(0))

    @classmethod
    def for_archive(cls, archive: Archive) -> ExtractLimits:
        """The default limits, with the archive's declared unpacked size as the size cap."""
        return cls(max_unpacked_bytes=archive.unpacked_bytes or DEFAULT_MAX_UNPACKED_BYTES)


def free_bytes(target: Path) -> int:
    """Free space on the file system that holds ``target`` (or its nearest existing parent)."""
    path = target.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def _gib(n: int) -> str:
    return f"{n / (1 << 30):,.1f} GiB" if n >= 1 << 30 else f"{n:,} bytes"


def _check_sizes(
    archive: Path,
    members: list[zipfile.ZipInfo],
    limits: ExtractLimits,
    free: Callable[[Path], int],
    target: Path,
) -> None:
    """Refuse an archive that is too large, too compressed or too many (headers only, nothing read)."""
    if len(members) > limits.max_entries:
        raise FetchError(
            f"{archive}: refusing to unpack: {len(members):,} entries, more than the limit of {limits.max_entries:,}"
        )
    unpacked = sum(i.file_size for i in members)
    packed = sum(i.compress_size for i in members)
    if unpacked > limits.max_unpacked_bytes:
        raise FetchError(
            f"{archive}: refusing to unpack: its entries add up to {_gib(unpacked)}, more than the limit of "
            f"{_gib(limits.max_unpacked_bytes)}"
        )
    if unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1):
        raise FetchError(
            f"{archive}: refusing to unpack: {_gib(unpacked)} packed into {_gib(packed)} "
            f"(ratio {unpacked / max(packed, 1):,.0f}:1, limit {limits.max_ratio:,.0f}:1); a zip bomb?"
        )
    for info in members:
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise FetchError(
                f"{archive}: refusing to unpack: entry {info.filename!r} unpacks {_gib(info.compress_size)} to "
                f"{_gib(info.file_size)} (ratio {info.file_size / max(info.compress_size, 1):,.0f}:1, "
                f"limit {limits.max_ratio:,.0f}:1); a zip bomb?"
            )
    available = free(target)
    if unpacked > available:
        raise FetchError(
            f"{archive}: refusing to unpack: it needs {_gib(unpacked)} and {target} has {_gib(available)} free"
        )


def _copy_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, archive: Path, phase: Phase) -> None:
    """Unpack one entry, counting its bytes: a header that lies about the size is refused."""
    written = 0
    with zf.open(info) as src, atomic_writer(dest) as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > info.file_size:
                break
            out.write(chunk)
            phase.add(len(chunk))
        if written != info.file_size:
            # raised inside the writer: its temporary file is removed, dest is untouched
            raise FetchError(
                f"{archive}: entry {info.filename!r} unpacks to {'more than ' if written > info.file_size else ''}"
                f"{written:,} bytes but its header declares {info.file_size:,}; the archive is damaged or forged"
            )


def _failing_crc(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], phase: Phase) -> str | None:
    """The first entry whose CRC-32 does not match, read as :meth:`zipfile.ZipFile.testzip` reads
    them (every byte of every entry, in order), with the bytes read told to ``phase``."""
    for info in members:
        try:
            with zf.open(info.filename) as entry:
                while chunk := entry.read(1 << 20):
                    phase.add(len(chunk))
        except zipfile.BadZipFile:
            return info.filename
    return None


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\x00" in name:
        return "contains a NUL byte"
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if ".." in posix.parts:
        return "leaves the target folder"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    return None


def safe_extract(
    archive: Path,
    target: Path,
    *,
    limits: ExtractLimits | None = None,
    free: Callable[[Path], int] = free_bytes,
    progress: ProgressSink | None = None,
) -> int:
    """Unpack ``archive`` into ``target`` after checking every entry; returns the file count.

    Raises :class:`FetchError` (and unpacks nothing) for an unsafe entry, a
    corrupt archive, or one beyond ``limits`` or the free space ``free`` reports
    for ``target``. An entry whose unpacked size differs from its header stops
    the unpacking there (its partial file is removed). ``progress`` is told the bytes checked,
    then the bytes unpacked.
    """
    limits = limits or ExtractLimits()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FetchError(f"{archive} is not a readable zip archive ({exc})") from None
    with zf:
        members = zf.infolist()
        for info in members:
            problem = _unsafe_member(info)
            if problem:
                raise FetchError(f"{archive}: refusing to unpack: entry {info.filename!r} {problem}")
        # from the headers alone, before the CRC pass reads (and decompresses) every entry
        _check_sizes(archive, members, limits, free, target)
        unpacked = sum(i.file_size for i in members)
        try:
            with Phase(progress, unpacked, f"check {archive.name}", BYTES) as phase:
                bad = _failing_crc(zf, members, phase)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise FetchError(f"{archive} is damaged ({exc}); delete it and fetch again") from None
        if bad is not None:
            raise FetchError(f"{archive}: entry {bad!r} fails its CRC check; delete it and fetch again")
        target.mkdir(parents=True, exist_ok=True)
        with Phase(progress, unpacked, f"unpack {archive.name}", BYTES) as phase:
            return _unpack(zf, members, target, archive, phase)


def _unpack(
    zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], target: Path, archive: Path, phase: Phase
) -> int:
    """Write every checked entry under ``target``; returns the file count."""
    real_target = os.path.realpath(target)
    count = 0
    for info in members:
        dest = target / PurePosixPath(info.filename.replace("\\", "/"))
        if not os.path.realpath(dest).startswith(real_target + os.sep):
            raise FetchError(f"{archive}: entry {info.filename!r} resolves outside {target}")
        if info.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        _copy_entry(zf, info, dest, archive, phase)
        count += 1
    return count


class _DownloadMeter:
    """A download's bytes as a phase on ``sink``, started at the first report: only the server's
    response says how large the file is."""

    def __init__(self, sink: ProgressSink, description: str) -> None:
        self.sink = sink
        self.description = description
        self.started = False

    def __call__(self, done: int, total: int | None) -> None:
        if not self.started:
            self.started = True
            self.sink.start(total, self.description, BYTES)
        self.sink.advance(done)

    def finish(self) -> None:
        if self.started:
            self.sink.finish()


def _previous_records(path: Path) -> dict[str, ArchiveRecord]:
    """What an earlier fetch recorded, by archive file name. The manifest is only a cache: an
    unreadable one, or a record that does not match :class:`ArchiveRecord`, counts as nothing
    recorded, and that archive is checked again."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    archives = data.get("archives") if isinstance(data, dict) else None
    records = {}
    for entry in archives if isinstance(archives, list) else ():
        if not isinstance(entry, dict):
            continue
        try:
            record = converter.structure(entry, ArchiveRecord)
        except cattrs.BaseValidationError:
            continue
        records[record.file] = record
    return records


def fetch(
    registry: Registry,
    corpus_id: str,
    root: Path,
    *,
    base_url: str | None = None,
    delete_archives: bool = False,
    timestamp: str | None = None,
    policy: DownloadPolicy | None = None,
    progress: ProgressSink | None = None,
) -> FetchReport:
    """Download and unpack every archive of ``corpus_id`` into ``root`` (see the module docstring)."""
    corpus = registry.corpus(corpus_id).declaration
    progress = progress or NoProgress()
    if not corpus.archives:
        raise UsageError(f"{corpus_id} publishes no archive vqa can fetch; {corpus.access_instructions}")
    base_url = base_url or os.environ.get(env.base_url_variable(corpus_id)) or None
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST_NAME
    # one writer per dataset root, as for every command: two fetches into one root would
    # download the same archives and unpack over each other
    with output_lock(manifest_path):
        previous = _previous_records(manifest_path)
        downloaded: list[str] = []
        skipped: list[str] = []
        extracted: list[str] = []
        records: list[ArchiveRecord] = []
        with Downloader(policy) as downloader:
            for archive in corpus.archives:
                record, unpacked_now = _fetch_one(
                    downloader, archive, root, base_url, previous.get(archive.filename), progress
                )
                (downloaded if record.downloaded else skipped).append(archive.filename)
                if unpacked_now:
                    extracted.append(archive.filename)
                if delete_archives and record.extracted and (root / archive.filename).exists():
                    (root / archive.filename).unlink()
                    record = attrs.evolve(record, archive_deleted=True)
                records.append(record)
                # Record progress after each archive: an interrupted fetch keeps what it finished.
                _write(manifest_path, registry, corpus_id, root, records, timestamp)
        return FetchReport(
            corpus_id,
            root,
            tuple(downloaded),
            tuple(skipped),
            tuple(extracted),
            manifest_path,
            tuple(records),
        )


def _write(
    path: Path,
    registry: Registry,
    corpus_id: str,
    root: Path,
    records: list[ArchiveRecord],
    timestamp: str | None,
) -> None:
    common = provenance(
        MANIFEST_SCHEMA, created_at_utc=run_timestamp(timestamp), versions=registry.versions()
    )
    write_manifest(path, FetchManifest(**common, corpus=corpus_id, root=root, archives=list(records)))


def _still_done(previous: ArchiveRecord, dest: Path, is_zip: bool) -> bool:
    """Did an earlier fetch finish this archive, and is its file unchanged (or deleted on purpose)?"""
    size = dest.stat().st_size if dest.exists() else None
    if size is None:
        return bool(is_zip and previous.extracted and previous.archive_deleted)
    return size == previous.size_bytes and (previous.extracted or not is_zip)


def _fetch_one(
    downloader: Downloader,
    archive: Archive,
    root: Path,
    base_url: str | None,
    previous: ArchiveRecord | None,
    progress: ProgressSink,
) -> tuple[ArchiveRecord, bool]:
    """The archive's record after this run, and whether it was unpacked now."""
    dest = root / archive.filename
    url = apply_base_url(archive.url, base_url, archive.url.rsplit("/", 1)[0])
    is_zip = archive.filename.lower().endswith(".zip")
    target = root / archive.extract_to if archive.extract_to else root
    if previous is not None and _still_done(previous, dest, is_zip):
        return attrs.evolve(previous, downloaded=False, url=url), False
    downloaded = False
    if not dest.exists():
        meter = _DownloadMeter(progress, f"download {archive.filename}")
        try:
            downloader.fetch(url, dest, within=root, on_bytes=meter)
        except DownloadError as exc:
            kept = part_path(dest)
            resume = (
                f"; {kept.stat().st_size:,} bytes kept in {kept.name}: run the command again to resume"
                if exc.reason == DOWNLOAD_STALLED and kept.is_file() and not kept.is_symlink()
                else ""
            )
            raise DownloadError(
                f"cannot fetch {archive.filename}: {exc}{resume}",
                url=url,
                transient=exc.transient,
                reason=exc.reason,
            ) from None
        finally:
            meter.finish()
        downloaded = True
    entry = FileEntry.of(dest)
    record = ArchiveRecord(
        file=archive.filename,
        url=url,
        downloaded=downloaded,
        size_bytes=entry.size_bytes,
        sha256=entry.sha256,
        extracted=is_zip,
    )
    if not is_zip:
        return record, False
    try:
        files = safe_extract(dest, target, limits=ExtractLimits.for_archive(archive), progress=progress)
    except FetchError:
        if downloaded:
            dest.unlink(missing_ok=True)  # a freshly downloaded bad archive is not kept
        raise
    return attrs.evolve(record, extracted_to=target, files=files), True
