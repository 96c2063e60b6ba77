"""KonVid-150k metadata: ``k150ka_scores.csv`` and ``k150kb_scores.csv``.

Published headers::

    k150ka_scores.csv   video_name,video_score
    k150kb_scores.csv   video_name,mos,video_score

Which score is stored: part A publishes only ``video_score``; part B publishes
``video_score`` and ``mos``, two estimates that agree on about 7 % of its rows.
Storing ``video_score`` for both parts keeps one estimator across the whole
corpus (mixing estimators would make part B incomparable with part A); part
B's ``mos`` is kept in ``konvid_vote_mean`` and the part in ``konvid_part``.

Clips of part A sit in ``k150ka_extracted/`` (or ``k150ka/``), of part B in
``k150kb_extracted/`` (or ``k150kb/``), under the dataset root; with
``--clips-dir`` both parts are looked up directly in that folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vqa_core.plugin import (
    MetadataError,
    MetadataFile,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    open_table,
    reject,
    to_float,
)

__all__ = ["PART_FILES", "source_rows", "clip_folder"]

PART_FILES = {"a": "k150ka_scores.csv", "b": "k150kb_scores.csv"}
_FOLDERS = {"a": ("k150ka_extracted", "k150ka"), "b": ("k150kb_extracted", "k150kb")}


def clip_folder(root: Path, part: str) -> str:
    """The folder of a part's clips under the root: the first candidate that exists."""
    for folder in _FOLDERS[part]:
        if (root / folder).is_dir():
            return folder
    return _FOLDERS[part][0]


def _part_of(path: Path, table: Table) -> str:
    name = path.name.lower()
    if "k150kb" in name:
        return "b"
    if "k150ka" in name:
        return "a"
    assert table.header is not None
    return "b" if table.header.has("mos") else "a"


def _rows(
    tables: list[tuple[Table, str]], spec: SourceSpec, explicit_clips: bool
) -> Iterator[SourceRow | RowRejection]:
    for table, part in tables:
        header = table.header
        assert header is not None
        if not header.has("video_name") or not header.has("video_score"):
            raise MetadataError(
                f"{table.path}: header {','.join(header.names)!r} is not KonVid-150k's "
                "(needs video_name and video_score)",
                path=str(table.path),
                line=1,
            )
        folder = "" if explicit_clips else clip_folder(spec.root, part)
        decimal_comma = table.decimal_comma
        for record in table.records():
            if record.problem:
                yield reject(record, "bad-row")
                continue
            name = record.get("video_name")
            if not name:
                yield reject(record, "bad-row", "no video_name")
                continue
            if "." not in name.rsplit("/", 1)[-1]:
                name += ".mp4"
            try:
                score = to_float(record.get("video_score"), decimal_comma=decimal_comma)
            except ValueError as exc:
                yield reject(record, "bad-mos", f"video_score {exc}", clip=name)
                continue
            vote_mean = None
            if part == "b" and record.get("mos") is not None:
                try:
                    vote_mean = to_float(record.get("mos"), decimal_comma=decimal_comma)
                except ValueError as exc:
                    yield reject(record, "bad-mos", f"mos {exc}", clip=name)
                    continue
            yield SourceRow(
                clip=f"{folder}/{name}" if folder else name,
                mos=score,
                origin=record.origin,
                extras={"konvid_part": part, "konvid_vote_mean": vote_mean},
            )


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = list(spec.metadata)
    if not paths:
        paths = [spec.root / name for name in PART_FILES.values() if (spec.root / name).is_file()]
    if not paths:
        raise MetadataError(
            f"no KonVid-150k metadata under {spec.root} (looked for {' and '.join(PART_FILES.values())})",
            path=str(spec.root),
        )
    tables = []
    for path in paths:
        table = open_table(path, delimiters=(",", ";"))
        tables.append((table, _part_of(path, table)))
    explicit_clips = spec.clips_dir != spec.root
    return SourceRows(
        files=[MetadataFile(t.path, t.data_lines) for t, _ in tables],
        rows=_rows(tables, spec, explicit_clips),
    )
