"""data.mat as published (and as re-saved by other tools), read through scipy."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.io import savemat
from vqa_live_vqc.matfile import is_mat_file, read_mat

from vqa_core.errors import MetadataError
from vqa_core.schema import RowRejection, SourceRow


def _cell(values: list[object], shape: tuple[int, int] | None = None) -> np.ndarray:
    cell = np.empty((len(values), 1), dtype=object)
    for i, value in enumerate(values):
        cell[i, 0] = value
    return cell.reshape(shape) if shape else cell


def test_published_layout_585_by_1_cell_and_double(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    names = [f"A{i:03d}.mp4" for i in range(1, 586)]
    mos = np.linspace(6.224, 94.287, 585).reshape(585, 1)
    savemat(path, {"video_list": _cell(names), "mos": mos})
    labels = read_mat(path)
    assert len(labels.names) == 585 and labels.names[0] == "A001.mp4" and labels.names[-1] == "A585.mp4"
    rows = list(labels.rows())
    assert all(isinstance(r, SourceRow) for r in rows)
    first, last = rows[0], rows[-1]
    assert isinstance(first, SourceRow) and isinstance(last, SourceRow)
    assert (first.clip, first.mos, str(first.origin)) == ("A001.mp4", pytest.approx(6.224), "data.mat:1")
    assert (last.clip, str(last.origin)) == ("A585.mp4", "data.mat:585")


def test_row_vectors_char_matrix_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "LIVE_VQC_data.mat"
    savemat(path, {"video_names": np.array(["A001", "A002"]), "scores": np.array([[40.0, 41.5]])})
    rows = list(read_mat(path).rows())
    assert [r.clip for r in rows] == ["A001.mp4", "A002.mp4"]
    assert [r.mos for r in rows if isinstance(r, SourceRow)] == [40.0, 41.5]


def test_bad_entries_become_rejections(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    names = _cell(["A001.mp4", "", "A003.mp4", "A004.mp4", np.array([1.0, 2.0])])
    mos = _cell([50.0, 51.0, np.nan, np.array([1.0, 2.0]), 3.0])
    savemat(path, {"video_list": names, "mos": mos})
    items = list(read_mat(path).rows())
    good, empty, nan_mos, two_values, not_text = items
    assert isinstance(good, SourceRow) and good.mos == 50.0
    assert isinstance(empty, RowRejection) and empty.reason == "bad-row" and str(empty.origin) == "data.mat:2"
    # NaN is passed on: the engine rejects non-finite MOS itself, with its own message
    assert isinstance(nan_mos, SourceRow) and nan_mos.mos is not None and math.isnan(nan_mos.mos)
    assert isinstance(two_values, RowRejection) and two_values.reason == "bad-mos"
    assert "2 values" in two_values.detail
    assert isinstance(not_text, RowRejection) and "not text" in not_text.detail


def test_missing_variable_names_what_the_file_holds(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    savemat(path, {"video_list": _cell(["A001.mp4"]), "dmos": np.array([[1.0]])})
    with pytest.raises(
        MetadataError, match=r"no MOS variable \(mos or MOS or scores or score\).*holds: dmos"
    ):
        read_mat(path)


def test_lists_of_different_length_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    savemat(path, {"video_list": _cell(["A001.mp4", "A002.mp4"]), "mos": np.array([[1.0]])})
    with pytest.raises(MetadataError, match="video_list has 2 entries but mos has 1"):
        read_mat(path)


def test_empty_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    savemat(path, {"video_list": np.empty((0, 1), dtype=object), "mos": np.empty((0, 1))})
    with pytest.raises(MetadataError, match="video_list is empty"):
        read_mat(path)


def test_not_a_mat_file(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    path.write_text("A001.mp4,45\n")
    assert not is_mat_file(path)
    with pytest.raises(MetadataError, match="not a MATLAB MAT-file"):
        read_mat(path)


def test_damaged_mat_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    path.write_bytes(b"MATLAB 5.0 MAT-file" + b"\0" * 200)
    with pytest.raises(MetadataError, match="cannot read the MAT-file"):
        read_mat(path)


def test_v73_hdf5_file_says_how_to_resave(tmp_path: Path) -> None:
    path = tmp_path / "data.mat"
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(116, b" ") + b"\0" * 8 + b"\x00\x02IM"
    path.write_bytes(header + b"\0" * 384 + b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(MetadataError, match=r"v7\.3 \(HDF5\).*-v7"):
        read_mat(path)
