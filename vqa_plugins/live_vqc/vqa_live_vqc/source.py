"""Which LIVE-VQC metadata file to read, and its rows.

Looked for under ``--root`` when ``--metadata`` is not given, in this order:
``data.mat`` (as published), ``mos.csv``, ``mos.txt``. The first one present is
read; the format is taken from the content (a file starting with ``MATLAB`` is
a MAT-file), not from the suffix.
"""

from __future__ import annotations

import logging
from pathlib import Path

from vqa_core.plugin import MetadataError, MetadataFile, SourceRows, SourceSpec
from vqa_live_vqc.declarations import LIVE_VQC
from vqa_live_vqc.matfile import is_mat_file, read_mat
from vqa_live_vqc.text import open_scores, text_rows

__all__ = ["find_metadata", "source_rows"]

log = logging.getLogger("vqa.live_vqc")


def find_metadata(root: Path) -> Path:
    found = [root / name for name in LIVE_VQC.default_metadata if (root / name).is_file()]
    if not found:
        raise MetadataError(
            f"no LIVE-VQC metadata under {root} (looked for {', '.join(LIVE_VQC.default_metadata)})",
            path=str(root),
        )
    if len(found) > 1:
        log.info(
            "reading %s; also present: %s (pass --metadata to choose)",
            found[0],
            ", ".join(p.name for p in found[1:]),
        )
    return found[0]


def source_rows(spec: SourceSpec) -> SourceRows:
    paths = spec.metadata or (find_metadata(spec.root),)
    if len(paths) != 1:
        raise MetadataError(
            "LIVE-VQC has one metadata file (data.mat or a filename,mos text file); give --metadata once",
            path=str(paths[1]),
        )
    path = paths[0]
    if is_mat_file(path):
        labels = read_mat(path)
        return SourceRows(files=[MetadataFile(path, len(labels.names))], rows=labels.rows())
    if path.suffix.lower() == ".mat":
        raise MetadataError(
            f"{path}: not a MATLAB MAT-file (it does not start with 'MATLAB')", path=str(path)
        )
    shape, table = open_scores(path)
    return SourceRows(files=[MetadataFile(path, table.data_lines)], rows=text_rows(shape, table))
