"""The LSVQ sample drop: published layout, deterministic bytes."""

from __future__ import annotations

import csv
import hashlib
import random
from pathlib import Path

from vqa_lsvq import labels
from vqa_lsvq.sample import sample_names, write_lsvq


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_sample_is_in_the_published_layout(tmp_path: Path) -> None:
    drop = write_lsvq(tmp_path, clips=6, seed=5)
    train_test, test_1080p = drop.metadata
    with open(train_test, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == labels.HEADER_TRAIN_TEST
    assert all(len(r) == 38 for r in rows)
    assert {r[-2] for r in rows[1:]} <= {"True", "False"}
    text = train_test.read_text()
    assert '"[' in text and ']"' in text  # the patch lists are quoted
    with open(test_1080p, newline="", encoding="utf-8") as fh:
        rows_1080p = list(csv.reader(fh))
    assert tuple(rows_1080p[0]) == labels.HEADER_TEST_1080P and all(len(r) == 37 for r in rows_1080p)
    left_p3 = labels.HEADER_TEST_1080P.index("left_p3")
    assert all(r[left_p3].endswith(".0") for r in rows_1080p[1:])  # written as floats, as published
    names = [r[0] for r in rows[1:] + rows_1080p[1:]]
    assert not any(n.endswith(".mp4") for n in names)  # extension-less, as published
    for name in names:
        assert (tmp_path / (name + ".mp4")).is_file()  # <root>/<batch>/<name>.mp4
    basenames = [n.rsplit("/", 1)[1] for n in names]
    assert len(set(basenames)) < len(basenames)  # two batches share a basename


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_lsvq(tmp_path / "a", clips=3, seed=9)
    write_lsvq(tmp_path / "b", clips=3, seed=9)
    write_lsvq(tmp_path / "c", clips=3, seed=10)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_one_clip_writes_only_the_train_test_file(tmp_path: Path) -> None:
    drop = write_lsvq(tmp_path, clips=1, seed=0)
    assert [p.name for p in drop.metadata] == ["labels_train_test.csv"]


def test_sample_names_are_distinct_with_dots_and_shared_basenames() -> None:
    names = sample_names(random.Random(1), 40)
    assert len(set(names)) == 40
    assert names[0].split("/")[1] == names[1].split("/")[1] and names[0] != names[1]
    assert "." in names[2]
