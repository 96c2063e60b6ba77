"""Finding the clip of a ``scores.txt`` row on disk.

A row names its clip only through its tokens: ``<encoder>_<video>_<resolution>_<level>``.
The published clips are raw ``.yuv`` files with that stem; a copy may instead
hold encoded clips (``.mp4``, ``.mkv``, ``.webm``, ``.mov``) with the same stem,
which are probed like any container. The clips may lie directly in the clips
directory or one folder down (one folder per encoder archive, e.g.
``HEVC/HEVC_1_540p_1.yuv``).

Lookup order for a stem: the clips directory before its subfolders (subfolders
by name), and within one folder ``.yuv`` before the containers in the order
above. A stem found nowhere maps to ``<stem>.yuv`` in the clips directory, so
the engine reports it as a missing clip under its published name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

__all__ = ["RAW_SUFFIX", "CONTAINER_SUFFIXES", "ClipIndex", "clip_stem", "is_raw"]

RAW_SUFFIX: Final = ".yuv"
CONTAINER_SUFFIXES: Final = (".mp4", ".mkv", ".webm", ".mov")
_RANK: Final = {s: i for i, s in enumerate((RAW_SUFFIX, *CONTAINER_SUFFIXES))}


def clip_stem(encoder: str, video: str, resolution: str, level: str) -> str:
    """``HEVC_1_540p_1``: the published clip name without its suffix."""
    return f"{encoder}_{video}_{resolution}_{level}"


class ClipIndex:
    """Clip files under a clips directory, by stem and by file name (scanned once)."""

    def __init__(self, clips_dir: Path) -> None:
        self.clips_dir = clips_dir
        self._by_stem: dict[str, tuple[tuple[int, int, str], str]] = {}
        self._by_name: dict[str, tuple[int, str]] = {}
        self._scan()

    def _scan(self) -> None:
        folders: list[tuple[int, str]] = [(0, "")]
        try:
            top = sorted(os.scandir(self.clips_dir), key=lambda e: e.name)
        except OSError:
            return  # no clips directory: every row becomes a missing clip
        for entry in top:
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                folders.append((1, entry.name))
        for depth, folder in folders:
            base = self.clips_dir / folder if folder else self.clips_dir
            try:
                entries = sorted(os.scandir(base), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                suffix = os.path.splitext(entry.name)[1].lower()
                if suffix not in _RANK or not entry.is_file():
                    continue
                relative = f"{folder}/{entry.name}" if folder else entry.name
                stem = entry.name[: -len(suffix)]
                key = (depth, _RANK[suffix], folder)
                if stem not in self._by_stem or key < self._by_stem[stem][0]:
                    self._by_stem[stem] = (key, relative)
                if entry.name not in self._by_name or depth < self._by_name[entry.name][0]:
                    self._by_name[entry.name] = (depth, relative)

    def for_stem(self, stem: str) -> str:
        """The clip path (relative, ``/``-separated) of a stem; ``<stem>.yuv`` when none is on disk."""
        found = self._by_stem.get(stem)
        return found[1] if found else stem + RAW_SUFFIX

    def for_name(self, name: str) -> str:
        """The clip path of a file name given in the metadata (found in a subfolder if need be)."""
        found = self._by_name.get(name)
        return found[1] if found else name


def is_raw(clip: str) -> bool:
    """Whether a clip path names a headerless raw file (geometry from hints, not from its bytes)."""
    return clip.lower().endswith(RAW_SUFFIX)
