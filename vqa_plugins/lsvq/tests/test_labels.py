"""The LSVQ label-file parser: every published format variant and every rule of a row."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from vqa_lsvq import labels

from vqa_core.errors import MetadataError
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec


def _spec(root: Path, *metadata: Path) -> SourceSpec:
    return SourceSpec(root=root, metadata=tuple(metadata), clips_dir=root)


def _items(root: Path, *metadata: Path) -> list[SourceRow | RowRejection]:
    return list(labels.source_rows(_spec(root, *metadata)).rows)


def test_published_headers_have_38_and_37_columns(kit) -> None:
    assert ",".join(labels.HEADER_TRAIN_TEST) == kit.header_38
    assert ",".join(labels.HEADER_TEST_1080P) == kit.header_37
    assert len(labels.HEADER_TRAIN_TEST) == 38 and len(labels.HEADER_TEST_1080P) == 37


def test_train_test_file_keeps_split_patches_and_batch_folder(tmp_path: Path, kit) -> None:
    path = kit.write_labels(
        tmp_path / "labels_train_test.csv",
        [
            kit.line("yfcc-batch1/747", "67.75", is_test="True", is_valid="True"),
            kit.line("ia-batch18/Town_Meeting", "8.467", is_test="False", is_valid="False"),
        ],
    )
    source = labels.source_rows(_spec(tmp_path, path))
    assert [(f.path.name, f.rows) for f in source.files] == [("labels_train_test.csv", 2)]
    first, second = list(source.rows)
    assert isinstance(first, SourceRow) and isinstance(second, SourceRow)
    assert first.clip == "yfcc-batch1/747.mp4"
    assert first.mos == 67.75
    assert first.mos_std_dev is None and first.n_ratings is None  # LSVQ publishes neither
    assert first.extras == {
        "lsvq_split": "test",
        "lsvq_is_valid": True,
        "lsvq_mos_p1": 55.25,
        "lsvq_mos_p2": 63.0,
        "lsvq_mos_p3": 58.75,
    }
    assert first.origin.file == "labels_train_test.csv" and first.origin.line == 2
    assert second.clip == "ia-batch18/Town_Meeting.mp4"
    assert second.extras["lsvq_split"] == "train" and second.extras["lsvq_is_valid"] is False


def test_1080p_file_without_is_test_is_the_1080p_split_with_float_coordinates(tmp_path: Path, kit) -> None:
    path = kit.write_labels(
        tmp_path / "labels_test_1080p.csv",
        [kit.line("yfcc-batch1/722", "78.77", is_test=None, float_p3=True, is_valid="False")],
        header=kit.header_37,
    )
    assert "888.0" not in path.read_text() and "300.0,556.0" in path.read_text()
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow)
    assert row.extras["lsvq_split"] == "test-1080p"
    assert row.extras["lsvq_is_valid"] is False
    assert row.mos == 78.77


def test_both_files_together_keep_each_rows_split(tmp_path: Path, kit) -> None:
    kit.write_labels(
        tmp_path / "labels_train_test.csv",
        [kit.line("yfcc-batch1/1", is_test="False"), kit.line("yfcc-batch1/2", is_test="True")],
    )
    kit.write_labels(
        tmp_path / "labels_test_1080p.csv", [kit.line("yfcc-batch4/3", is_test=None)], header=kit.header_37
    )
    source = labels.source_rows(_spec(tmp_path))  # no --metadata: the published names under the root
    assert [f.path.name for f in source.files] == list(labels.LABEL_FILES)
    splits = [(r.clip, r.extras["lsvq_split"]) for r in source.rows if isinstance(r, SourceRow)]
    assert splits == [
        ("yfcc-batch1/1.mp4", "train"),
        ("yfcc-batch1/2.mp4", "test"),
        ("yfcc-batch4/3.mp4", "test-1080p"),
    ]


def test_redistributed_copies_are_read_by_their_names(tmp_path: Path, kit) -> None:
    whole_test = kit.write_labels(
        tmp_path / "LSVQ_whole_test.csv", [kit.line("yfcc-batch1/5", is_test="True")]
    )
    whole_1080p = kit.write_labels(
        tmp_path / "LSVQ_whole_test_1080p.csv",
        [kit.line("yfcc-batch1/6", is_test=None)],
        header=kit.header_37,
    )
    rows = [r for r in _items(tmp_path, whole_test, whole_1080p) if isinstance(r, SourceRow)]
    assert [r.extras["lsvq_split"] for r in rows] == ["test", "test-1080p"]


def test_a_file_named_1080p_is_the_1080p_split_even_with_is_test(tmp_path: Path, kit) -> None:
    path = kit.write_labels(tmp_path / "my_1080p_labels.csv", [kit.line("yfcc-batch1/7", is_test="True")])
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow) and row.extras["lsvq_split"] == "test-1080p"


@pytest.mark.parametrize(
    "name, clip",
    [
        ("ia-batch20/No._2_Trojans_top_No._1_Skippers_in_baseball", "…baseball.mp4"),
        ("ia-batch20/Natasha_6.14_Transgender_Activist", "…Activist.mp4"),
        ("ia-batch20/Sentiments_About_Voting_In_Norton.", "…Norton..mp4"),
        ("yfcc-batch1/747", "…747.mp4"),
    ],
)
def test_names_with_dots_still_get_the_mp4_suffix(tmp_path: Path, kit, name: str, clip: str) -> None:
    path = kit.write_labels(tmp_path / "labels_train_test.csv", [kit.line(name)])
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow)
    assert row.clip == name + ".mp4" and row.clip.endswith(clip.lstrip("…"))


def test_a_name_already_ending_in_mp4(tmp_path: Path, kit) -> None:
    name = "ia-batch20/spanishrevolution-Acampada-IwyMSILW9Xo.mp4"
    path = kit.write_labels(tmp_path / "labels_train_test.csv", [kit.line(name)])
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow) and row.clip == name + ".mp4"  # nothing on disk: the rule
    kit.clip(tmp_path / name, seed=1)
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow) and row.clip == name  # the file on disk has no second suffix
    kit.clip(tmp_path / (name + ".mp4"), seed=2)
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow) and row.clip == name + ".mp4"  # both exist: the rule wins


def test_an_unsafe_name_is_not_looked_up_on_disk(tmp_path: Path, kit) -> None:
    assert labels.clip_for("../../etc/passwd.mp4", tmp_path) == "../../etc/passwd.mp4.mp4"


def test_bad_lines_are_counted_with_their_line(tmp_path: Path, kit) -> None:
    good = kit.line("yfcc-batch1/1")
    lines = [
        good,
        kit.line(""),  # no name
        kit.line("yfcc-batch1/2", "sixty"),  # unparsable MOS
        kit.line("yfcc-batch1/3", is_test="maybe"),
        kit.line("yfcc-batch1/4", is_test=""),
        kit.line("yfcc-batch1/5", is_valid="yes"),
        kit.line("yfcc-batch1/6", patches=("55.0", "abc", "58.0")),
        kit.line("yfcc-batch1/7", patches=("55.0", "58.0", "140")),
        kit.line("yfcc-batch1/8") + ",surplus",  # ragged: one field too many
        ",".join(kit.line("yfcc-batch1/9").split(",")[:20]),  # ragged: too few fields
        "yfcc-batch1/10\x00,1",
        kit.line("yfcc-batch1/11", "nan"),  # not finite: passed through, the engine rejects it
    ]
    path = kit.write_labels(tmp_path / "labels_train_test.csv", lines)
    items = _items(tmp_path, path)
    assert len(items) == len(lines)
    found = [(i.origin.line, i.reason) for i in items if isinstance(i, RowRejection)]
    assert found == [
        (3, "bad-row"),
        (4, "bad-mos"),
        (5, "bad-row"),
        (6, "bad-row"),
        (7, "bad-row"),
        (8, "bad-mos"),
        (9, "bad-mos"),
        (10, "bad-row"),
        (11, "bad-row"),
        (12, "bad-row"),
    ]
    details = {i.origin.line: i.detail for i in items if isinstance(i, RowRejection)}
    assert details[3] == "no name"
    assert "'sixty' is not a number" in details[4]
    assert details[5] == "is_test 'maybe' is not True or False"
    assert details[6] == "no is_test value"
    assert "mos_p2" in details[8] and "mos_p3" in details[9] and "outside" in details[9]
    assert "ragged" in details[10] and "ragged" in details[11]
    rows = [i for i in items if isinstance(i, SourceRow)]
    assert [r.origin.line for r in rows] == [2, 13]
    assert math.isnan(rows[1].mos or 0.0)


def test_nan_patch_scores_are_unpublished_not_rejected(tmp_path: Path, kit) -> None:
    path = kit.write_labels(
        tmp_path / "labels_train_test.csv", [kit.line("yfcc-batch1/1", patches=("nan", "", "NaN"))]
    )
    (row,) = _items(tmp_path, path)
    assert isinstance(row, SourceRow)
    assert [row.extras[f"lsvq_mos_p{n}"] for n in (1, 2, 3)] == [None, None, None]


def test_a_wrong_header_fails_while_iterating_not_before(tmp_path: Path) -> None:
    path = tmp_path / "labels_train_test.csv"
    path.write_text("video,score\nyfcc-batch1/1,50\n", encoding="utf-8")
    source = labels.source_rows(_spec(tmp_path, path))  # the row count is known first
    assert source.files[0].rows == 1
    with pytest.raises(MetadataError, match="lacks name and mos"):
        list(source.rows)


def test_no_label_file_under_the_root(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match=r"labels_train_test\.csv and labels_test_1080p\.csv"):
        labels.source_rows(_spec(tmp_path))


@pytest.mark.parametrize("text, value", [("True", True), ("False", False), (" true ", True), ("0", False)])
def test_parse_bool(text: str, value: bool) -> None:
    assert labels.parse_bool(text) is value


def test_parse_bool_refuses_other_text() -> None:
    with pytest.raises(ValueError, match="not True or False"):
        labels.parse_bool("Yes")
