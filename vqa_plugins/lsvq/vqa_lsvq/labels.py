"""LSVQ label files: ``labels_train_test.csv`` and ``labels_test_1080p.csv``.

Published header of ``labels_train_test.csv`` (38 columns)::

    name,p1,p2,p3,height,width,mos_p1,mos_p2,mos_p3,mos,frame_number,fn_last_frame,
    left_p1,right_p1,top_p1,bottom_p1,start_p1,end_p1,  (the same six for p2 and p3)
    top_vid,left_vid,bottom_vid,right_vid,start_vid,end_vid,is_test,is_valid

``labels_test_1080p.csv`` has the same columns without ``is_test`` (37). ``p1``..``p3``
are bracketed lists with commas inside quotes (``"[0, 319, 0, 179, 0, 47]"``); some
coordinates are written as ``888.0``; ``is_test`` / ``is_valid`` are ``True``/``False``.

``name`` carries the batch folder and no extension (``yfcc-batch1/747``,
``ia-batch20/No._2_Trojans_top_No._1_Skippers_in_baseball``): the clip is
``<clips dir>/<name>.mp4``, the suffix appended whatever dots the name holds
(docs/decisions/0020-lsvq-splits-and-clip-names.md). ``mos`` and the patch scores
are on 0–100. The split of a row: ``test-1080p`` for every row of the 1080p file
(a file whose name says ``1080p``, or one without an ``is_test`` column), else
``test`` / ``train`` from ``is_test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from vqa_core.plugin import (
    MetadataError,
    MetadataFile,
    Record,
    RowRejection,
    SourceRow,
    SourceRows,
    SourceSpec,
    Table,
    clip_path_problem,
    open_table,
    reject,
    to_float,
)
from vqa_lsvq.declarations import LSVQ

__all__ = [
    "LABEL_FILES",
    "HEADER_TRAIN_TEST",
    "HEADER_TEST_1080P",
    "PATCH_MOS_COLUMNS",
    "SPLIT_TRAIN",
    "SPLIT_TEST",
    "SPLIT_TEST_1080P",
    "CLIP_SUFFIX",
    "find_label_files",
    "clip_for",
    "parse_bool",
    "fixed_split",
    "source_rows",
]

#: The label files as published, in the order they are read when ``--metadata`` is not given.
LABEL_FILES: Final = ("labels_train_test.csv", "labels_test_1080p.csv")
CLIP_SUFFIX: Final = ".mp4"
SPLIT_TRAIN: Final = "train"
SPLIT_TEST: Final = "test"
SPLIT_TEST_1080P: Final = "test-1080p"
PATCH_MOS_COLUMNS: Final = ("mos_p1", "mos_p2", "mos_p3")

_PATCH_COORDS: Final = tuple(
    f"{edge}_p{n}" for n in (1, 2, 3) for edge in ("left", "right", "top", "bottom", "start", "end")
)
HEADER_TRAIN_TEST: Final[tuple[str, ...]] = (
    "name",
    "p1",
    "p2",
    "p3",
    "height",
    "width",
    *PATCH_MOS_COLUMNS,
    "mos",
    "frame_number",
    "fn_last_frame",
    *_PATCH_COORDS,
    "top_vid",
    "left_vid",
    "bottom_vid",
    "right_vid",
    "start_vid",
    "end_vid",
    "is_test",
    "is_valid",
)
HEADER_TEST_1080P: Final[tuple[str, ...]] = tuple(c for c in HEADER_TRAIN_TEST if c != "is_test")

_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})


def find_label_files(root: Path) -> list[Path]:
    """The published label files present under ``root``; ``MetadataError`` when there is none."""
    found = [root / name for name in LABEL_FILES if (root / name).is_file()]
    if not found:
        raise MetadataError(
            f"no LSVQ label file under {root} (looked for {' and '.join(LABEL_FILES)})", path=str(root)
        )
    return found


def clip_for(name: str, clips_dir: Path) -> str:
    """The clip path of a label ``name``: ``<name>.mp4``.

    Names are written without an extension, yet some contain dots
    (``Natasha_6.14_…``, ``…_In_Norton.``), so the suffix is always appended. A
    few published names already end in ``.mp4``; for those, ``<name>.mp4`` is
    still preferred, and ``<name>`` itself is used only when it is the file on disk.
    """
    clip = name + CLIP_SUFFIX
    if (
        name.lower().endswith(CLIP_SUFFIX)
        and clip_path_problem(name) is None  # never touch the file system for an unsafe name
        and not (clips_dir / clip).exists()
        and (clips_dir / name).is_file()
    ):
        return name
    return clip


def parse_bool(text: str) -> bool:
    """``True``/``False`` as pandas writes them (also ``1``/``0``); ``ValueError`` otherwise."""
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"{text!r} is not True or False")


def fixed_split(path: Path, has_is_test: bool) -> str | None:
    """The split every row of ``path`` has, or ``None`` when ``is_test`` decides per row."""
    if "1080p" in path.name.lower() or not has_is_test:
        return SPLIT_TEST_1080P
    return None


def _patch_score(record: Record, index: int | None) -> float | None:
    """A patch MOS: ``None`` when the column or the value is absent (``nan``); ``ValueError``
    when it is not a number inside the 0–100 scale."""
    if index is None:
        return None
    text = record.cell(index)
    if text is None or text.strip().lower() == "nan":
        return None
    value = to_float(text)
    if not LSVQ.scale.contains(value):
        raise ValueError(f"{text.strip()!r} is outside the {LSVQ.scale.name} scale")
    return value


def _rows(tables: list[Table], clips_dir: Path) -> Iterator[SourceRow | RowRejection]:
    for table in tables:
        header = table.header
        assert header is not None
        missing = [c for c in ("name", "mos") if not header.has(c)]
        if missing:
            raise MetadataError(
                f"{table.path}:1: header {','.join(header.names)[:200]!r} is not an LSVQ label file's "
                f"(it lacks {' and '.join(missing)}; expected {','.join(HEADER_TRAIN_TEST[:10])},…)",
                path=str(table.path),
                line=1,
            )
        width = len(header.names)
        i_name, i_mos = header.index("name"), header.index("mos")
        i_test, i_valid = header.index("is_test"), header.index("is_valid")
        i_patches = [header.index(c) for c in PATCH_MOS_COLUMNS]
        split_of_file = fixed_split(table.path, i_test is not None)
        assert i_name is not None and i_mos is not None
        for record in table.records():
            if record.problem:
                yield reject(record, "bad-row")
                continue
            if len(record.cells) < width:
                yield reject(
                    record, "bad-row", f"ragged line: {len(record.cells)} fields, the header has {width}"
                )
                continue
            name = record.cell(i_name)
            if name is None:
                yield reject(record, "bad-row", "no name")
                continue
            clip = clip_for(name, clips_dir)
            try:
                mos = to_float(record.cell(i_mos))
            except ValueError as exc:
                yield reject(record, "bad-mos", f"mos {exc}", clip=clip)
                continue
            patches: dict[str, float | None] = {}
            for column, index in zip(PATCH_MOS_COLUMNS, i_patches, strict=True):
                try:
                    patches[f"lsvq_{column}"] = _patch_score(record, index)
                except ValueError as exc:
                    yield reject(record, "bad-mos", f"{column} {exc}", clip=clip)
                    break
            if len(patches) < len(PATCH_MOS_COLUMNS):
                continue
            split = split_of_file
            if split is None:
                assert i_test is not None
                try:
                    split = SPLIT_TEST if parse_bool(record.cell(i_test) or "") else SPLIT_TRAIN
                except ValueError:
                    shown = record.cell(i_test)
                    yield reject(
                        record,
                        "bad-row",
                        f"is_test {shown!r} is not True or False" if shown else "no is_test value",
                        clip=clip,
                    )
                    continue
            is_valid: bool | None = None
            valid_text = record.cell(i_valid) if i_valid is not None else None
            if valid_text is not None:
                try:
                    is_valid = parse_bool(valid_text)
                except ValueError:
                    yield reject(
                        record, "bad-row", f"is_valid {valid_text!r} is not True or False", clip=clip
                    )
                    continue
            yield SourceRow(
                clip=clip,
                mos=mos,
                origin=record.origin,
                split=split,
                extras={"lsvq_split": split, "lsvq_is_valid": is_valid, **patches},
            )


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = list(spec.metadata) or find_label_files(spec.root)
    tables = [open_table(path, delimiters=(",",)) for path in paths]
    return SourceRows(
        files=[MetadataFile(t.path, t.data_lines) for t in tables], rows=_rows(tables, spec.clips_dir)
    )
