"""Documents of the commands that bring a corpus in: ``fetch``, ``sample``, ``ingest``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from vqa_core.cli.results.base import Result, doc
from vqa_core.documents import omit_none

if TYPE_CHECKING:
    from vqa_core.fetch import ArchiveRecord, FetchReport
    from vqa_core.grid import GridIngestResult
    from vqa_core.ingest.engine import IngestReport
    from vqa_core.sources import SampleDrop

__all__ = [
    "DOWNLOAD_REASONS",
    "FetchedArchive",
    "FetchResult",
    "SampleResult",
    "IngestResult",
    "GridRejection",
    "IngestGridResult",
]

#: Skip reasons of an ingest that mean a download problem remains (exit 4).
DOWNLOAD_REASONS: Final = ("download-failed", "download-stalled")


@omit_none
@attrs.frozen(kw_only=True)
class FetchedArchive:
    """One archive, as ``fetch_manifest.json`` records it."""

    file: str = attrs.field(metadata=doc("archive file name in the dataset root"))
    url: str = attrs.field(metadata=doc("where it was (or would have been) downloaded from"))
    downloaded: bool = attrs.field(metadata=doc("downloaded by this run (`false`: already present)"))
    extracted: bool = attrs.field(metadata=doc("a zip that is unpacked"))
    size_bytes: int | None = attrs.field(default=None, metadata=doc("archive size"))
    sha256: str | None = attrs.field(default=None, metadata=doc("archive SHA-256"))
    extracted_to: Path | None = attrs.field(default=None, metadata=doc("folder it was unpacked into"))
    files: int | None = attrs.field(default=None, metadata=doc("files unpacked from it"))
    archive_deleted: bool | None = attrs.field(
        default=None, metadata=doc("deleted after unpacking (`--delete-archives`)")
    )

    @classmethod
    def of(cls, record: ArchiveRecord) -> FetchedArchive:
        return cls(
            file=record.file,
            url=record.url,
            downloaded=record.downloaded,
            extracted=record.extracted,
            size_bytes=record.size_bytes,
            sha256=record.sha256,
            extracted_to=record.extracted_to,
            files=record.files,
            archive_deleted=record.archive_deleted,
        )


@attrs.frozen(kw_only=True)
class FetchResult(Result):
    """`vqa fetch`: the corpus's published archives in the dataset root."""

    COMMAND = "fetch"
    SCHEMA = "vqa-fetch-result-v1"

    corpus: str = attrs.field(metadata=doc("corpus id"))
    root: Path = attrs.field(metadata=doc("dataset root filled"))
    manifest: Path = attrs.field(metadata=doc("`fetch_manifest.json` in the root"))
    downloaded: list[str] = attrs.field(metadata=doc("archives downloaded by this run"))
    skipped: list[str] = attrs.field(metadata=doc("archives already present and unchanged"))
    extracted: list[str] = attrs.field(metadata=doc("archives unpacked by this run"))
    archives: list[FetchedArchive] = attrs.field(metadata=doc("every archive, as the manifest records it"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))

    @classmethod
    def of(cls, report: FetchReport, *, elapsed_s: float) -> FetchResult:
        return cls(
            corpus=report.corpus,
            root=report.root,
            manifest=report.manifest,
            downloaded=list(report.downloaded),
            skipped=list(report.skipped),
            extracted=list(report.extracted),
            archives=[FetchedArchive.of(a) for a in report.archives],
            elapsed_s=elapsed_s,
        )


@attrs.frozen(kw_only=True)
class SampleResult(Result):
    """`vqa sample`: a synthetic dataset in the corpus's published layout."""

    COMMAND = "sample"
    SCHEMA = "vqa-sample-result-v1"

    corpus: str = attrs.field(metadata=doc("corpus id"))
    root: Path = attrs.field(metadata=doc("dataset root written (give it to `vqa ingest --root`)"))
    metadata: list[Path] = attrs.field(metadata=doc("metadata files written, as published"))
    clips: int = attrs.field(metadata=doc("clips written"))
    bad_rows: int = attrs.field(metadata=doc("metadata rows made unusable on purpose (each is a rejection)"))
    seed: int = attrs.field(metadata=doc("seed: the same seed writes the same bytes"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))

    @classmethod
    def of(cls, corpus: str, drop: SampleDrop, *, seed: int, elapsed_s: float) -> SampleResult:
        return cls(
            corpus=corpus,
            root=drop.root,
            metadata=list(drop.metadata),
            clips=drop.clips,
            bad_rows=drop.bad_rows,
            seed=seed,
            elapsed_s=elapsed_s,
        )


@attrs.frozen(kw_only=True)
class IngestResult(Result):
    """`vqa ingest` of a corpus with subjective scores: a clip shard."""

    COMMAND = "ingest"
    SCHEMA = "vqa-ingest-result-v1"

    corpus: str = attrs.field(metadata=doc("corpus id"))
    output: Path = attrs.field(metadata=doc("the shard (`.jsonl` or `.parquet`)"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    rejections: Path = attrs.field(metadata=doc("its rejections list (`.rejections.jsonl`)"))
    rows_read: int = attrs.field(metadata=doc("metadata rows read"))
    written: int = attrs.field(metadata=doc("rows written to the shard"))
    skipped: dict[str, int] = attrs.field(metadata=doc("rows not written, per reason (`bad-mos`, …)"))
    editions: dict[str, str] = attrs.field(metadata=doc("metadata file → the published edition it matches"))
    reused: int = attrs.field(metadata=doc("rows decided by an earlier, interrupted run"))
    processed: int = attrs.field(metadata=doc("rows decided by this run"))
    downloaded_bytes: int = attrs.field(metadata=doc("bytes downloaded by this run"))
    downloads_remaining: int = attrs.field(
        metadata=doc("clips whose download failed or stalled; more than 0 exits 4")
    )
    elapsed_s: float = attrs.field(metadata=doc("wall time of the ingest, seconds"))

    @classmethod
    def of(cls, report: IngestReport) -> IngestResult:
        return cls(
            corpus=report.corpus,
            output=report.output,
            manifest=report.manifest,
            rejections=report.rejections,
            rows_read=report.rows_read,
            written=report.written,
            skipped=dict(sorted(report.skipped.items())),
            editions=dict(report.editions),
            reused=report.reused,
            processed=report.processed,
            downloaded_bytes=report.downloaded_bytes,
            downloads_remaining=sum(report.skipped.get(reason, 0) for reason in DOWNLOAD_REASONS),
            elapsed_s=report.elapsed_s,
        )


@attrs.frozen(kw_only=True)
class GridRejection:
    """A metadata line that did not make an encode-grid row."""

    reason: str = attrs.field(metadata=doc("the reason it is counted under"))
    detail: str = attrs.field(metadata=doc("what is wrong, in words"))
    origin: str = attrs.field(metadata=doc("`file:line` of the metadata"))


@attrs.frozen(kw_only=True)
class IngestGridResult(Result):
    """`vqa ingest` of a corpus without subjective scores (BVI-DVC): encode-grid rows."""

    COMMAND = "ingest"
    SCHEMA = "vqa-ingest-grid-result-v1"

    corpus: str = attrs.field(metadata=doc("corpus id"))
    output: Path = attrs.field(metadata=doc("the encode-grid rows (`.jsonl`)"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    rows_written: int = attrs.field(metadata=doc("rows written"))
    duplicates: int = attrs.field(metadata=doc("duplicate encodes dropped"))
    rejected: dict[str, int] = attrs.field(metadata=doc("rejected metadata lines, per reason"))
    rejections: list[GridRejection] = attrs.field(metadata=doc("every rejected metadata line"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))

    @classmethod
    def of(cls, corpus: str, result: GridIngestResult, *, elapsed_s: float) -> IngestGridResult:
        return cls(
            corpus=corpus,
            output=result.output,
            manifest=result.manifest,
            rows_written=result.rows_written,
            duplicates=result.duplicates,
            rejected=result.rejected_by_reason,
            rejections=[
                GridRejection(reason=r.reason, detail=r.detail, origin=str(r.origin))
                for r in result.rejections
            ],
            elapsed_s=elapsed_s,
        )
