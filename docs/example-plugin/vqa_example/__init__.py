"""A complete, minimal corpus plugin: one corpus, a CSV parser and a sample writer.

The corpus ``example-vqa`` publishes ``scores.csv`` with the header
``clip,score,std,raters`` (scores on 0–10) and its clips in ``clips/``.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from vqa_core.plugin import (
    ClipSpec,
    CorpusDeclaration,
    Edition,
    MetadataError,
    MetadataFile,
    MosScale,
    RowRejection,
    SampleDrop,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    hookimpl,
    open_table,
    reject,
    to_float,
    to_int,
    write_clip,
)

vqa_plugin_api = ">=1,<2"

EXAMPLE = CorpusDeclaration(
    id="example-vqa",
    title="Example VQA corpus",
    version="example-vqa-1",
    scale=MosScale(0, 10),
    licence="CC0 1.0",
    licence_url="https://creativecommons.org/publicdomain/zero/1.0/",
    citation="A. Author. An example video-quality corpus. 2026.",
    homepage="https://example.org/example-vqa",
    access="open",
    access_instructions="download scores.csv and clips.zip from https://example.org/example-vqa",
    editions=[Edition("example-vqa-1", "scores.csv", 100)],
    expected_clips=100,
    column_prefix="example_",
    default_metadata=["scores.csv"],
    default_clips_dir="clips",
)


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(EXAMPLE)


def _rows(table: Table) -> Iterator[SourceRow | RowRejection]:
    if table.header is None or not table.header.has("clip", "score"):
        raise MetadataError(f"{table.path}: expected the header clip,score,std,raters", path=str(table.path))
    for record in table.records():
        if record.problem:
            yield reject(record, "bad-row")
            continue
        clip = record.get("clip")
        if not clip:
            yield reject(record, "bad-row", "no clip name")
            continue
        try:
            score = to_float(record.get("score"))
        except ValueError as exc:
            yield reject(record, "bad-mos", f"score {exc}", clip=clip)
            continue
        std = record.get("std")
        raters = record.get("raters")
        try:
            yield SourceRow(
                clip=clip,
                mos=score,
                origin=record.origin,
                mos_std_dev=to_float(std) if std else None,
                n_ratings=to_int(raters) if raters else None,
            )
        except ValueError as exc:
            yield reject(record, "bad-row", str(exc), clip=clip)


@hookimpl
def vqa_source_rows(source: SourceSpec) -> SourceRows:
    path = source.metadata[0] if source.metadata else source.root / "scores.csv"
    if not path.is_file():
        raise MetadataError(f"{path} does not exist", path=str(path))
    table = open_table(path)
    return SourceRows(files=[MetadataFile(path, table.data_lines)], rows=_rows(table))


@hookimpl
def vqa_write_sample(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    rows = []
    for i in range(clips):
        quality = rng.random()
        name = f"clip{i:03d}.mp4"
        write_clip(directory / "clips" / name, ClipSpec(frames=10, quality=quality), seed=seed + i)
        rows.append([name, f"{10 * quality:.2f}", "1.5", "24"])
    metadata = directory / "scores.csv"
    with open(metadata, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["clip", "score", "std", "raters"])
        writer.writerows(rows)
    return SampleDrop(root=directory, metadata=[metadata], clips=clips)
