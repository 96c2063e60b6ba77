"""Finding a YouTube UGC clip on disk by its ``vid``, and where to download a missing one.

Copies of the corpus name clips differently: the public bucket has
``original_videos/<category>/<resolution>P/<vid>.mkv``, some mirrors re-wrap
them as ``<vid>.mp4``, and widely shared 20-second transcodes are
``<vid>_crf_10_ss_00_t_20.0.mp4``; folders may be nested as in the bucket or
flat. :func:`index_clips` walks the clips folder once and indexes every video
file under each prefix of its name that ends before a ``.`` or ``_``, so a row
finds its clip with one dictionary lookup whatever the suffix (a glob per row
would read the directory 1,380 times). When several files carry the same
``vid``, the original wins: a name that is exactly ``<vid>.<ext>`` before a
derived one, then ``.mkv`` before ``.mp4`` before other containers, then the
path in sort order (docs/decisions/0023-youtube-ugc-clips-and-downloads.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Final

import attrs

from vqa_core.plugin import apply_base_url
from vqa_youtube_ugc.declarations import BUCKET

__all__ = [
    "VIDEO_SUFFIXES",
    "ClipIndex",
    "index_clips",
    "bucket_url",
    "bucket_path",
    "parse_resolution",
    "split_vid",
]

#: Containers indexed, in order of preference when one vid has several files.
VIDEO_SUFFIXES: Final = (".mkv", ".mp4", ".webm", ".mov", ".avi", ".y4m")
_VID_SHAPE: Final = re.compile(r"^(?P<category>[A-Za-z]+)_(?P<resolution>\d{3,4})[Pp]-[0-9A-Za-z]+$")


def _rank(name: str, key: str, relpath: str) -> tuple[int, int, str]:
    suffix = PurePosixPath(name).suffix.lower()
    exact = 0 if name[: -len(suffix)] == key else 1
    return exact, VIDEO_SUFFIXES.index(suffix), relpath


@attrs.frozen
class ClipIndex:
    """Clips under one folder by every ``vid`` they may belong to."""

    by_key: dict[str, tuple[tuple[int, int, str], str]]
    #: Whether the clips found sit in sub-folders (downloads then follow the bucket layout).
    nested: bool

    def find(self, vid: str) -> str | None:
        """The clip path (relative, ``/``-separated) of ``vid``, or ``None``."""
        hit = self.by_key.get(vid)
        return hit[1] if hit else None

    def __len__(self) -> int:
        return len({path for _, path in self.by_key.values()})


def index_clips(clips_dir: Path) -> ClipIndex:
    """Walk ``clips_dir`` once (a missing folder is an empty index)."""
    by_key: dict[str, tuple[tuple[int, int, str], str]] = {}
    nested = flat = False
    for folder, dirs, files in os.walk(clips_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        relfolder = Path(folder).relative_to(clips_dir).as_posix()
        for name in sorted(files):
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in VIDEO_SUFFIXES or name.startswith("."):
                continue
            relpath = name if relfolder == "." else f"{relfolder}/{name}"
            if relfolder == ".":
                flat = True
            else:
                nested = True
            for cut, char in enumerate(name):
                if char in "._" and cut > 0:
                    key = name[:cut]
                    rank = _rank(name, key, relpath)
                    if key not in by_key or rank < by_key[key][0]:
                        by_key[key] = (rank, relpath)
    return ClipIndex(by_key, nested=nested or not flat)


def parse_resolution(value: str | None) -> int | None:
    """``1080``, ``1080.0`` (``1080,0`` from a semicolon export), ``1080P`` or ``1080p`` → 1080;
    ``None`` for anything else."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{2,5})(?:[.,]0+)?\s*[Pp]?\s*", value)
    return int(match.group(1)) if match else None


def split_vid(vid: str) -> tuple[str | None, int | None]:
    """Category and resolution encoded in a published vid (``Gaming_1080P-0ce6``)."""
    match = _VID_SHAPE.match(vid)
    if match is None:
        return None, None
    return match.group("category"), int(match.group("resolution"))


def bucket_path(category: str, resolution: int, vid: str) -> str:
    """``Gaming/1080P/Gaming_1080P-0ce6.mkv``: the clip's place in the bucket's ``original_videos``."""
    return f"{category}/{resolution}P/{vid}.mkv"


def bucket_url(category: str, resolution: int, vid: str, base_url: str | None = None) -> str:
    """The public download URL of an original clip, with ``base_url`` replacing the bucket host."""
    url = f"{BUCKET}/original_videos/{bucket_path(category, resolution, vid)}"
    return apply_base_url(url, base_url, BUCKET)
