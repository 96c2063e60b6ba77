"""The YouTube UGC sample drop: a real spreadsheet in the published shape, deterministic bytes."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
from vqa_youtube_ugc.columns import COLUMNS
from vqa_youtube_ugc.sample import write_youtube_ugc


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_spreadsheet_has_the_published_sheets_and_header(tmp_path: Path) -> None:
    drop = write_youtube_ugc(tmp_path, clips=8, seed=2)
    (path,) = drop.metadata
    assert path.name == "original_videos_MOS_for_YouTube_UGC_dataset.xlsx"
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["MOS", "readme"]
    rows = list(workbook["MOS"].iter_rows(values_only=True))
    workbook.close()
    assert rows[0] == tuple(COLUMNS)
    assert len(rows) == 9
    assert all(isinstance(r[2], int) and isinstance(r[4], float) for r in rows[1:])
    assert any(r[6] is None and r[7] is None for r in rows[1:])  # a video shorter than 20 s
    vids = [str(r[0]) for r in rows[1:]]
    assert vids == sorted(vids)
    on_disk = {p.name for p in (tmp_path / "original_videos").rglob("*") if p.is_file()}
    for r in rows[1:]:
        vid, category, resolution = str(r[0]), r[1], r[2]
        nested = tmp_path / "original_videos" / str(category) / f"{resolution}P" / f"{vid}.mkv"
        assert nested.is_file() or f"{vid}_crf_10_ss_00_t_20.0.mp4" in on_disk


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_youtube_ugc(tmp_path / "a", clips=3, seed=9)
    write_youtube_ugc(tmp_path / "b", clips=3, seed=9)
    write_youtube_ugc(tmp_path / "c", clips=3, seed=10)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    # whatever the clock says: every member of the workbook carries one fixed time
    with zipfile.ZipFile(tmp_path / "a" / "original_videos_MOS_for_YouTube_UGC_dataset.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2019, 5, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2019-05-01T00:00:00Z</dcterms:modified>" in core
