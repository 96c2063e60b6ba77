"""Documents of the commands that combine, check and hand on tables: ``aggregate``,
``merge-grid``, ``verify``, ``report``, ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from vqa_core.cli.results.base import Result, doc, from_plain
from vqa_core.documents import omit_none

if TYPE_CHECKING:
    from vqa_core.aggregate import AggregateResult as AggregateReport
    from vqa_core.export import ExportResult as ExportReport
    from vqa_core.merge import MergeResult
    from vqa_core.report import CorpusSummary, Summary
    from vqa_core.verify.report import VerifyReport

__all__ = [
    "AggregateCorpus",
    "AggregateResult",
    "MergeInput",
    "MergeGridResult",
    "VerifyClip",
    "VerifyResult",
    "ValueCount",
    "CorpusReport",
    "ReportResult",
    "ExportFile",
    "ExportCorpus",
    "ExportResult",
]


@attrs.frozen(kw_only=True)
class AggregateCorpus:
    """What happened to the rows of one corpus."""

    rows_in: int = attrs.field(metadata=doc("rows read"))
    rows_out: int = attrs.field(metadata=doc("rows in the unified table"))
    dropped: int = attrs.field(metadata=doc("rows dropped (out of range, unknown corpus, …)"))
    duplicates: int = attrs.field(metadata=doc("rows dropped as duplicates of another row"))


@attrs.frozen(kw_only=True)
class AggregateResult(Result):
    """`vqa aggregate`: one table on the unified 0–100 MOS axis."""

    COMMAND = "aggregate"
    SCHEMA = "vqa-aggregate-result-v1"

    output: Path = attrs.field(metadata=doc("the unified table"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    shards: list[Path] = attrs.field(metadata=doc("the shards read, as given"))
    rows_in: int = attrs.field(metadata=doc("rows read from every shard"))
    rows_out: int = attrs.field(metadata=doc("rows written"))
    dropped: dict[str, dict[str, int]] = attrs.field(metadata=doc("rows dropped: reason → corpus → rows"))
    dropped_total: int = attrs.field(metadata=doc("rows dropped, all reasons"))
    same_corpus_duplicates: int = attrs.field(metadata=doc("duplicates within one corpus"))
    cross_corpus_duplicates: int = attrs.field(metadata=doc("duplicates across corpora"))
    corpora: dict[str, AggregateCorpus] = attrs.field(metadata=doc("corpus → its counts"))
    warnings: list[str] = attrs.field(metadata=doc("the warnings also printed on stderr"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))

    @classmethod
    def of(cls, result: AggregateReport, shards: list[Path], *, elapsed_s: float) -> AggregateResult:
        return cls(
            output=result.output,
            manifest=result.manifest,
            shards=shards,
            rows_in=result.rows_in,
            rows_out=result.rows_out,
            dropped={reason: dict(by) for reason, by in result.dropped.items()},
            dropped_total=result.dropped_total,
            same_corpus_duplicates=result.same_corpus_duplicates,
            cross_corpus_duplicates=result.cross_corpus_duplicates,
            corpora={name: AggregateCorpus(**counts) for name, counts in result.corpora.items()},
            warnings=list(result.messages),
            elapsed_s=elapsed_s,
        )


@attrs.frozen(kw_only=True)
class MergeInput:
    """One input of a merge, in the order given."""

    path: Path = attrs.field(metadata=doc("the grid file"))
    rows: int = attrs.field(metadata=doc("rows read from it"))
    rows_kept: int = attrs.field(metadata=doc("rows of it in the merged grid"))
    duplicates: int = attrs.field(metadata=doc("rows of it dropped as duplicates"))


@attrs.frozen(kw_only=True)
class MergeGridResult(Result):
    """`vqa merge-grid`: encode grids merged without duplicate encodes."""

    COMMAND = "merge-grid"
    SCHEMA = "vqa-merge-grid-result-v1"

    output: Path = attrs.field(metadata=doc("the merged grid"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    rows_in: int = attrs.field(metadata=doc("rows read from every input"))
    rows_out: int = attrs.field(metadata=doc("rows written"))
    duplicates: int = attrs.field(metadata=doc("rows dropped as duplicate encodes"))
    unique_sources: int = attrs.field(metadata=doc("distinct source clips (`src_sha256`)"))
    conflicts: list[str] = attrs.field(
        metadata=doc("duplicates with different scores, kept first (`--on-conflict keep-first`)")
    )
    inputs: list[MergeInput] = attrs.field(metadata=doc("per input, in the order given"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))

    @classmethod
    def of(cls, result: MergeResult, *, elapsed_s: float) -> MergeGridResult:
        return cls(
            output=result.output,
            manifest=result.manifest,
            rows_in=result.rows_in,
            rows_out=result.rows_out,
            duplicates=result.duplicates,
            unique_sources=result.unique_sources,
            conflicts=[str(c) for c in result.conflicts],
            inputs=[
                MergeInput(
                    path=Path(i["path"]), rows=i["rows"], rows_kept=i["rows_kept"], duplicates=i["duplicates"]
                )
                for i in result.inputs
            ],
            elapsed_s=elapsed_s,
        )


@attrs.frozen(kw_only=True)
class VerifyClip:
    """One row of the shard, in shard order."""

    src: str | None = attrs.field(metadata=doc("the row's clip path (`null`: the row names none)"))
    status: str = attrs.field(metadata=doc("`ok`, `moved`, `missing`, `changed`, `unreadable` or `invalid`"))


@attrs.frozen(kw_only=True)
class VerifyResult(Result):
    """`vqa verify`: are the clips on disk still those the shard describes.

    Printed streamed, `clips` last, one clip in memory at a time.
    """

    COMMAND = "verify"
    SCHEMA = "vqa-verify-result-v1"

    shard: Path = attrs.field(metadata=doc("the shard checked"))
    root: Path = attrs.field(metadata=doc("the dataset root"))
    report: Path = attrs.field(metadata=doc("the per-clip report (`.jsonl`)"))
    manifest: Path = attrs.field(metadata=doc("its manifest sidecar"))
    rows: int = attrs.field(metadata=doc("clips the shard names"))
    ok: bool = attrs.field(metadata=doc("every clip is ok (else exit 3)"))
    counts: dict[str, int] = attrs.field(metadata=doc("clips per status; every status is present"))
    reused: int = attrs.field(metadata=doc("clips decided by an earlier, interrupted run"))
    checked: int = attrs.field(metadata=doc("clips checked by this run"))
    files_walked: int = attrs.field(metadata=doc("files seen while searching for moved clips"))
    files_hashed: int = attrs.field(metadata=doc("files hashed while searching for moved clips"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the check, seconds"))
    clips: list[VerifyClip] = attrs.field(metadata=doc("every clip and its status, in shard order"))

    @classmethod
    def head(cls, result: VerifyReport) -> VerifyResult:
        """The document without its clips (they are streamed from the report file)."""
        return cls(
            shard=result.shard,
            root=result.root,
            report=result.report,
            manifest=result.manifest,
            rows=result.rows,
            ok=result.ok,
            counts=dict(result.counts),
            reused=result.reused,
            checked=result.checked,
            files_walked=result.files_walked,
            files_hashed=result.files_hashed,
            elapsed_s=result.elapsed_s,
            clips=[],
        )


@attrs.frozen(kw_only=True)
class ValueCount:
    """A value of a category column and the rows that have it."""

    value: str = attrs.field(metadata=doc("the value (`1920x1080`, `29.97`, `h264`)"))
    rows: int = attrs.field(metadata=doc("rows with it"))


@attrs.frozen(kw_only=True)
class CorpusReport:
    """What one corpus (or the whole table) holds."""

    corpus: str = attrs.field(metadata=doc("corpus (`total` for the whole table)"))
    rows: int = attrs.field(metadata=doc("rows"))
    mos_mean: float | None = attrs.field(metadata=doc("mean MOS on 0–100 (`null`: no rows)"))
    mos_sd: float | None = attrs.field(metadata=doc("standard deviation of the MOS"))
    mos_min: float | None = attrs.field(metadata=doc("lowest MOS"))
    mos_max: float | None = attrs.field(metadata=doc("highest MOS"))
    std_coverage: float = attrs.field(metadata=doc("share of rows with a published spread, 0–1"))
    resolutions: list[ValueCount] = attrs.field(metadata=doc("most common resolutions (at most 3)"))
    frame_rates: list[ValueCount] = attrs.field(metadata=doc("most common frame rates"))
    codecs: list[ValueCount] = attrs.field(metadata=doc("most common codecs"))
    distinct_resolutions: int = attrs.field(metadata=doc("distinct resolutions"))
    distinct_frame_rates: int = attrs.field(metadata=doc("distinct frame rates"))
    distinct_codecs: int = attrs.field(metadata=doc("distinct codecs"))

    @classmethod
    def of(cls, summary: CorpusSummary) -> CorpusReport:
        def counts(pairs: tuple[tuple[str, int], ...]) -> list[ValueCount]:
            return [ValueCount(value=v, rows=n) for v, n in pairs]

        return cls(
            corpus=summary.corpus,
            rows=summary.rows,
            mos_mean=summary.mos_mean,
            mos_sd=summary.mos_sd,
            mos_min=summary.mos_min,
            mos_max=summary.mos_max,
            std_coverage=summary.std_coverage,
            resolutions=counts(summary.resolutions),
            frame_rates=counts(summary.frame_rates),
            codecs=counts(summary.codecs),
            distinct_resolutions=summary.distinct_resolutions,
            distinct_frame_rates=summary.distinct_frame_rates,
            distinct_codecs=summary.distinct_codecs,
        )


@omit_none
@attrs.frozen(kw_only=True)
class ReportResult(Result):
    """`vqa report`: what a unified table holds, per corpus."""

    COMMAND = "report"
    SCHEMA = "vqa-report-result-v1"

    source: Path = attrs.field(metadata=doc("the unified table"))
    sha256: str = attrs.field(metadata=doc("its SHA-256"))
    corpora: list[CorpusReport] = attrs.field(metadata=doc("per corpus"))
    total: CorpusReport = attrs.field(metadata=doc("the whole table"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))
    output: Path | None = attrs.field(default=None, metadata=doc("the report written (`-o`)"))
    manifest: Path | None = attrs.field(default=None, metadata=doc("its manifest sidecar (`-o`)"))

    @classmethod
    def of(
        cls, summary: Summary, *, elapsed_s: float, output: Path | None = None, manifest: Path | None = None
    ) -> ReportResult:
        return cls(
            source=summary.source,
            sha256=summary.sha256,
            corpora=[CorpusReport.of(c) for c in summary.corpora],
            total=CorpusReport.of(summary.total),
            elapsed_s=elapsed_s,
            output=output,
            manifest=manifest,
        )


@attrs.frozen(kw_only=True)
class ExportFile:
    """One file written (or one `DatasetDict` key)."""

    key: str = attrs.field(metadata=doc("its group: a corpus, a split, or `all`"))
    path: str = attrs.field(metadata=doc("its path relative to `--out`"))
    rows: int = attrs.field(metadata=doc("rows in it"))


@attrs.frozen(kw_only=True)
class ExportCorpus:
    """A corpus in the exported table, with what its licence says about passing it on."""

    id: str = attrs.field(metadata=doc("corpus id"))
    rows: int = attrs.field(metadata=doc("rows exported"))
    title: str | None = attrs.field(metadata=doc("its title (`null`: no installed plugin declares it)"))
    licence: str | None = attrs.field(metadata=doc("its licence"))
    licence_url: str | None = attrs.field(metadata=doc("where the licence is published"))
    citation: str | None = attrs.field(metadata=doc("how to cite it"))
    homepage: str | None = attrs.field(metadata=doc("its homepage"))
    redistribution: str = attrs.field(metadata=doc("`permitted`, `forbidden`, `not-granted` or `unknown`"))
    native_scales: list[str] = attrs.field(metadata=doc("the native scales of its rows"))
    may_redistribute: bool = attrs.field(metadata=doc("`redistribution` is `permitted`"))


@attrs.frozen(kw_only=True)
class ExportResult(Result):
    """`vqa export`: a table as the files other tools train with."""

    COMMAND = "export"
    SCHEMA = "vqa-export-result-v1"

    format: str = attrs.field(metadata=doc("`dover`, `pyiqa`, `hf` or `csv`"))
    table: Path = attrs.field(metadata=doc("the table exported"))
    kind: str = attrs.field(metadata=doc("`unified` or `labelled`"))
    out: Path = attrs.field(metadata=doc("the folder written"))
    by: str = attrs.field(metadata=doc("grouping: `none`, `corpus` or `split`"))
    paths: str = attrs.field(metadata=doc("`relative` or `absolute` clip paths"))
    mos: str = attrs.field(metadata=doc("MOS axis: `0-100` or `native`"))
    rows_in: int = attrs.field(metadata=doc("rows of the table"))
    rows_written: int = attrs.field(metadata=doc("rows written"))
    skipped: dict[str, int] = attrs.field(metadata=doc("rows not written, per reason"))
    files: list[ExportFile] = attrs.field(metadata=doc("files written"))
    corpora: list[ExportCorpus] = attrs.field(metadata=doc("corpora in the table"))
    warnings: list[str] = attrs.field(metadata=doc("the warnings also printed on stderr"))
    manifest: Path = attrs.field(metadata=doc("the export's manifest"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the command, seconds"))

    @classmethod
    def of(cls, result: ExportReport, *, elapsed_s: float) -> ExportResult:
        plain: dict[str, Any] = result.as_dict()
        return from_plain({**plain, "elapsed_s": elapsed_s}, cls)
