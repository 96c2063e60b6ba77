"""The objects exchanged with a plugin when it reads a corpus or writes a sample.

:class:`SourceSpec` says where a corpus lies on disk; a plugin answers with
:class:`SourceRows`: the metadata files it read (with their data-row counts,
which identify the edition) and a lazy iterable of rows and rejections.
:class:`SampleDrop` describes a synthetic dataset written by a plugin.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

from vqa_core.schema import RowRejection, SourceRow

__all__ = ["SourceSpec", "MetadataFile", "SourceRows", "SampleDrop", "GridSettings"]


def _files(value: Iterable[MetadataFile]) -> tuple[MetadataFile, ...]:
    return tuple(value)


def _paths(value: Iterable[Path]) -> tuple[Path, ...]:
    return tuple(value)


@attrs.frozen
class SourceSpec:
    """Where one corpus lies on disk, as the user gave it (or the declaration's defaults).

    ``metadata`` holds the metadata files the user named, each an existing file
    (the engine checks before calling the plugin); when it is empty the plugin
    looks for the corpus's published file names under ``root`` and raises
    :class:`~vqa_core.errors.MetadataError` if none is there. ``clips_dir`` is the
    directory clip paths are relative to. ``base_url`` replaces the download host of the
    published URLs when set (mirrors, loopback test servers).
    """

    root: Path
    metadata: tuple[Path, ...]
    clips_dir: Path
    base_url: str | None = None


@attrs.frozen
class MetadataFile:
    """A metadata file a plugin read, and how many data rows it holds (header excluded)."""

    path: Path
    rows: int


@attrs.frozen
class SourceRows:
    """A plugin's answer to ``vqa_source_rows``.

    ``files`` is known before iteration starts; ``rows`` is consumed lazily,
    once, in metadata order.
    """

    files: tuple[MetadataFile, ...] = attrs.field(converter=_files)
    rows: Iterable[SourceRow | RowRejection]


@attrs.frozen
class SampleDrop:
    """A synthetic dataset a plugin wrote: pass ``root`` (and ``metadata``) to ``vqa ingest``."""

    root: Path
    metadata: tuple[Path, ...] = attrs.field(converter=_paths)
    clips: int
    #: Extra metadata rows the sample deliberately made unusable (each must become a rejection).
    bad_rows: int = 0


@attrs.frozen
class GridSettings:
    """The encode settings an encode-grid corpus stamps on its rows (``vqa ingest`` options)."""

    encoder: str = "libx264"
    preset: str = "fast"
    crf: int = 35
    pix_fmt: str = "yuv420p10le"
    vmaf_model: str = "vmaf_v0.6.1"
    #: The run's timestamp, written into every row.
    timestamp: str = ""
