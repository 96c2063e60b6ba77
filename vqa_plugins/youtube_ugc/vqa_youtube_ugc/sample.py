"""A synthetic YouTube UGC drop in the published layout.

``original_videos_MOS_for_YouTube_UGC_dataset.xlsx`` is a real spreadsheet
(written with openpyxl) with the ``MOS`` sheet under its published header and a
``readme`` sheet; numbers are spreadsheet numbers, the chunk cells of videos
shorter than 20 s are empty. Clips sit under ``original_videos/`` as the bucket
lays them out (``<category>/<resolution>P/<vid>.mkv``), except every third one,
which is a flat ``<vid>_crf_10_ss_00_t_20.0.mp4`` transcode, so the sample
exercises the suffix matching.

Scores follow the picture: MOS = ``1 + 4·quality`` plus rater noise; the
chunk scores scatter around it. The workbook's timestamps are fixed, so the
same seed gives the same bytes.
"""

from __future__ import annotations

import datetime
import os
import random
import zipfile
from pathlib import Path
from typing import Final

from vqa_core.plugin import ClipSpec, SampleDrop, write_clip
from vqa_youtube_ugc.clips import bucket_path
from vqa_youtube_ugc.columns import COLUMNS
from vqa_youtube_ugc.mos_sheet import SHEET, SPREADSHEET

__all__ = ["write_youtube_ugc", "write_workbook", "README_LINES"]

_CATEGORIES: Final = ("Gaming", "Sports", "Vlog", "HowTo", "Lecture", "NewsClip", "MusicVideo", "Animation")
_RESOLUTIONS: Final = (360, 480, 720, 1080, 2160)
_GEOMETRIES: Final = ((320, 180), (240, 136), (480, 270))
#: Every date the workbook records, fixed so the bytes repeat.
_FIXED_TIME: Final = datetime.datetime(2019, 5, 1)

README_LINES: Final = (
    "MOS of the original YouTube UGC videos (synthetic sample written by vqa).",
    "vid: video id, <category>_<resolution>P-<hash>; the clip is original_videos/<category>/<resolution>P/<vid>.mkv",
    "# subjects: ratings per video",
    "MOS full: mean opinion score of the whole video on a 1-5 scale; std full: its standard deviation",
    "MOS chunk00/05/10: scores of the chunks starting at 0, 5 and 10 s; empty where the video is too short",
)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose members all carry one fixed timestamp."""

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_FIXED_TIME.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl streams worksheets through temporary files; ZipFile.write would stamp their mtime
        name = arcname if arcname is not None else os.fspath(filename)
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)


def write_workbook(path: Path, rows: list[list[object]], *, readme_first: bool = False) -> Path:
    """Write the MOS spreadsheet: sheet ``MOS`` (published header + ``rows``) and ``readme``."""
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    workbook = openpyxl.Workbook()
    mos = workbook.active
    assert mos is not None
    mos.title = SHEET
    mos.append(list(COLUMNS))
    for row in rows:
        mos.append(row)
    readme = workbook.create_sheet("readme", 0 if readme_first else None)
    for line in README_LINES:
        readme.append([line])
    workbook.properties.creator = "vqa"
    workbook.properties.created = _FIXED_TIME
    workbook.properties.modified = _FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    # openpyxl's save() stamps the current time into the archive; its writer on our archive does not
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return path


def _score(rng: random.Random, centre: float, spread: float) -> float:
    return round(min(4.7, max(1.2, centre + rng.gauss(0.0, spread))), 6)


def write_youtube_ugc(directory: Path, clips: int, seed: int, bad_rows: int = 0) -> SampleDrop:
    """``clips`` good rows, then ``bad_rows`` rows whose MOS cell is not a number (no clip)."""
    rng = random.Random(seed)
    videos = directory / "original_videos"
    rows: list[list[object]] = []
    seen: set[str] = set()
    for i in range(clips):
        category = rng.choice(_CATEGORIES)
        resolution = rng.choice(_RESOLUTIONS)
        vid = f"{category}_{resolution}P-{rng.randrange(0x10000):04x}"
        while vid in seen:
            vid = f"{category}_{resolution}P-{rng.randrange(0x10000):04x}"
        seen.add(vid)
        quality = rng.random()
        width, height = _GEOMETRIES[i % len(_GEOMETRIES)]
        spec = ClipSpec(width=width, height=height, fps=rng.choice((24, 25, 30)), frames=12, quality=quality)
        if i % 3 == 2:
            write_clip(videos / f"{vid}_crf_10_ss_00_t_20.0.mp4", spec, seed=seed * 1000 + i)
        else:
            write_clip(videos / bucket_path(category, resolution, vid), spec, seed=seed * 1000 + i)
        mos = _score(rng, 1.0 + 4.0 * quality, 0.12)
        short = i % 4 == 3  # shorter than 20 s: only the first chunk was rated
        chunks = [_score(rng, mos, 0.15) if k == 0 or not short else None for k in range(3)]
        stds = [round(rng.uniform(0.5, 1.1), 6) if k == 0 or not short else None for k in range(3)]
        std_full = round(rng.uniform(0.5, 1.0), 6)
        rows.append([vid, category, resolution, rng.randrange(95, 130), mos, *chunks, std_full, *stds])
    rows.sort(key=lambda r: str(r[0]))  # the published sheet is sorted by vid
    for k in range(bad_rows):
        rows.append(
            [f"Broken_360P-{k:04x}", "Broken", 360, 100, "n/a", None, None, None, 0.5, None, None, None]
        )
    workbook = write_workbook(directory / SPREADSHEET, rows)
    return SampleDrop(root=directory, metadata=(workbook,), clips=clips, bad_rows=bad_rows)
