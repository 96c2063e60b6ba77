"""Document of ``vqa demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from vqa_core.cli.results.base import Result, doc

if TYPE_CHECKING:
    from vqa_core.demo import DemoResult as DemoRun

__all__ = ["DemoShard", "DemoResult"]


@attrs.frozen(kw_only=True)
class DemoShard:
    """One sample drop, ingested."""

    corpus: str = attrs.field(metadata=doc("corpus id"))
    rows: int = attrs.field(metadata=doc("metadata rows read"))
    written: int = attrs.field(metadata=doc("rows written"))
    skipped: dict[str, int] = attrs.field(metadata=doc("rows not written, per reason"))


@attrs.frozen(kw_only=True)
class DemoResult(Result):
    """`vqa demo`: the whole pipeline on every installed corpus's sample drop."""

    COMMAND = "demo"
    SCHEMA = "vqa-demo-result-v1"

    out: Path = attrs.field(metadata=doc("the folder written"))
    shards: dict[str, Path] = attrs.field(metadata=doc("corpus → its shard"))
    grids: dict[str, Path] = attrs.field(metadata=doc("corpus → its encode-grid rows"))
    ingested: list[DemoShard] = attrs.field(metadata=doc("every shard ingested"))
    artefacts: dict[str, Path] = attrs.field(metadata=doc("what to look at → where it is"))
    elapsed_s: float = attrs.field(metadata=doc("wall time of the demo, seconds"))

    @classmethod
    def of(cls, run: DemoRun, *, elapsed_s: float) -> DemoResult:
        return cls(
            out=run.out,
            shards=dict(run.shards),
            grids=dict(run.grids),
            ingested=[
                DemoShard(
                    corpus=row["corpus"],
                    rows=row["rows"],
                    written=row["written"],
                    skipped=dict(row["skipped"]),
                )
                for row in run.summary
            ],
            artefacts=dict(run.artefacts),
            elapsed_s=elapsed_s,
        )
