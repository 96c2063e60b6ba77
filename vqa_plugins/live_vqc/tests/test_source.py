from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.io import savemat
from vqa_live_vqc.source import find_metadata, source_rows

from vqa_core.errors import MetadataError
from vqa_core.schema import SourceRow
from vqa_core.sources import SourceSpec


def _spec(root: Path, *metadata: Path) -> SourceSpec:
    return SourceSpec(root=root, metadata=tuple(metadata), clips_dir=root / "Video")


def _mat(path: Path, names: list[str], mos: list[float]) -> Path:
    cell = np.empty((len(names), 1), dtype=object)
    for i, name in enumerate(names):
        cell[i, 0] = name
    savemat(path, {"video_list": cell, "mos": np.array(mos, dtype=float).reshape(-1, 1)})
    return path


def test_published_data_mat_is_preferred_under_the_root(tmp_path: Path) -> None:
    _mat(tmp_path / "data.mat", ["A001.mp4"], [40.0])
    (tmp_path / "mos.csv").write_text("filename,mos\nA002.mp4,41\n")
    assert find_metadata(tmp_path).name == "data.mat"
    source = source_rows(_spec(tmp_path))
    assert [(f.path.name, f.rows) for f in source.files] == [("data.mat", 1)]
    assert [r.clip for r in source.rows] == ["A001.mp4"]


def test_text_files_are_found_when_there_is_no_mat(tmp_path: Path) -> None:
    (tmp_path / "mos.txt").write_text("A001,40\n")
    assert find_metadata(tmp_path).name == "mos.txt"
    (tmp_path / "mos.csv").write_text("filename,mos\nA001,40\n")
    assert find_metadata(tmp_path).name == "mos.csv"


def test_no_metadata_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match=r"no LIVE-VQC metadata under .* data\.mat, mos\.csv, mos\.txt"):
        source_rows(_spec(tmp_path))


def test_format_follows_content_not_suffix(tmp_path: Path) -> None:
    mat_named_txt = _mat(tmp_path / "scores.txt", ["A001"], [33.0])
    (row,) = list(source_rows(_spec(tmp_path, mat_named_txt)).rows)
    assert isinstance(row, SourceRow) and row.clip == "A001.mp4"
    text_named_mat = tmp_path / "data.mat"
    text_named_mat.write_text("A001.mp4,45\n")
    with pytest.raises(MetadataError, match="not a MATLAB MAT-file"):
        source_rows(_spec(tmp_path, text_named_mat))


def test_only_one_metadata_file(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("A001,1\n")
    with pytest.raises(MetadataError, match="give --metadata once"):
        source_rows(_spec(tmp_path, a, a))
