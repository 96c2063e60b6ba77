from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
from torch.utils.data import DataLoader, default_collate

from vqa_core.data import ClipBatch, ClipDataset, ClipDecodeError, ClipItem, SkippedClip, collate_clips
from vqa_core.data.sampling import resized_size
from vqa_core.errors import DatasetNotFoundError, ShardError, UsageError

#: Workers start clean: a forked worker inherits locks held by the parent's threads (torch's
#: OpenMP pool after earlier training tests, FFmpeg), and can hang on one.
SPAWN = "spawn"


def _copy_roots(sample_table: Any, tmp_path: Path) -> dict[str, Path]:
    """A writable copy of the sample clips, to break one."""
    roots = {}
    for corpus, root in sample_table.roots.items():
        roots[corpus] = tmp_path / corpus
        shutil.copytree(root, roots[corpus])
    return roots


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def test_items_hold_frames_and_the_rows_keys(sample_table: Any) -> None:
    table = pq.read_table(sample_table.table).to_pylist()
    dataset = ClipDataset(sample_table.table, sample_table.roots, frames=4, short_side=36)
    assert len(dataset) == len(table) == 18
    for index in range(len(dataset)):
        item = dataset[index]
        assert isinstance(item, ClipItem)
        row = table[item.row]
        assert item.frames.dtype == torch.uint8
        width, height = resized_size(row["width"], row["height"], 36)
        assert tuple(item.frames.shape) == (4, 3, height, width)
        assert (item.mos, item.mos_native, item.mos_native_scale) == (
            row["mos"],
            row["mos_native"],
            row["mos_native_scale"],
        )
        assert (item.corpus, item.src, item.src_sha256, item.content_group) == (
            row["corpus"],
            row["src"],
            row["src_sha256"],
            row["content_group"],
        )
        assert item.split == (row["split"] or "")
        assert item.clip_frames >= 1
    assert {dataset[i].mos_native_scale for i in range(len(dataset))} == {"1-5", "0-100"}


def test_dataloader_with_two_workers_gives_what_the_main_process_gives(sample_table: Any) -> None:
    dataset = ClipDataset(sample_table.table, sample_table.roots, frames=3, stride=2, crop=64, seed=4)
    loader = DataLoader(
        dataset, batch_size=4, num_workers=2, collate_fn=collate_clips, multiprocessing_context=SPAWN
    )
    batches = list(loader)
    assert all(isinstance(b, ClipBatch) for b in batches)
    assert sum(len(b) for b in batches) == len(dataset)
    frames = torch.cat([b.frames for b in batches])
    assert frames.shape == (len(dataset), 3, 3, 64, 64)
    assert frames.dtype == torch.uint8
    expected = torch.stack([dataset[i].frames for i in range(len(dataset))])  # type: ignore[union-attr]
    assert torch.equal(frames, expected)
    assert torch.cat([b.mos for b in batches]).dtype == torch.float32
    assert torch.cat([b.row for b in batches]).tolist() == dataset.rows.tolist()


def test_default_collate_batches_items_too(sample_table: Any) -> None:
    dataset = ClipDataset(sample_table.table, sample_table.roots, frames=2, crop=32, sets=("lsvq",))
    batch = next(iter(DataLoader(dataset, batch_size=3, collate_fn=default_collate)))
    assert isinstance(batch, ClipItem)
    assert batch.frames.shape == (3, 2, 3, 32, 32)
    assert len(batch.src) == 3


def test_stride_sampling_is_deterministic_for_a_seed(ramp: Any) -> None:
    table, roots = ramp.table(100, clips=6)

    def starts(seed: int) -> list[int]:
        dataset = ClipDataset(table, roots, frames=4, stride=5, seed=seed)
        return [ramp.levels(dataset[i].frames)[0] for i in range(len(dataset))]

    first = starts(3)
    assert starts(3) == first
    assert starts(4) != first
    # six items of one clip do not all start at one frame: the start depends on the index too
    assert len(set(first)) > 1


def test_sets_and_groups_select_like_vqa_evaluate(sample_table: Any) -> None:
    rows = pq.read_table(sample_table.table).to_pylist()
    dataset = ClipDataset(sample_table.table, sample_table.roots, sets=("lsvq:train", "konvid-1k"))
    expected = [
        i
        for i, r in enumerate(rows)
        if r["corpus"] == "konvid-1k" or (r["corpus"] == "lsvq" and r["split"] == "train")
    ]
    assert dataset.rows.tolist() == expected
    groups = sorted({r["content_group"] for r in rows})[:3]
    grouped = ClipDataset(sample_table.table, sample_table.roots, groups=groups)
    assert sorted(rows[i]["content_group"] for i in grouped.rows) == sorted(
        r["content_group"] for r in rows if r["content_group"] in groups
    )
    # only the selected corpora need a root
    only = ClipDataset(sample_table.table, {"lsvq": sample_table.roots["lsvq"]}, sets=("lsvq",))
    assert {only[i].corpus for i in range(len(only))} == {"lsvq"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"sets": ("youtube-ugc",)},
            UsageError,
            r"no row of corpus 'youtube-ugc' \(corpora in the table: konvid-1k, live-vqc, lsvq\)",
        ),
        (
            {"sets": ("konvid-1k:train",)},
            UsageError,
            r"no row in split 'train' \(konvid-1k publishes no split\)",
        ),
        ({"sets": ("lsvq:val",)}, UsageError, r"its splits: test, test-1080p, train"),
        ({"sets": ("lsvq:",)}, UsageError, r"CORPUS or CORPUS:SPLIT"),
        ({"sets": "lsvq"}, UsageError, r"not one string"),
        ({"groups": ["lsvq/nope"]}, UsageError, r"content group 'lsvq/nope' is not in the table"),
        ({"frames": 0}, UsageError, r"frames must be at least 1"),
        ({"crop": (0, 4)}, UsageError, r"crop must be"),
        ({"on_error": "ignore"}, UsageError, r"on_error is 'raise' or 'skip'"),
    ],
)
def test_bad_arguments_fail_at_construction_in_one_line(
    sample_table: Any, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        ClipDataset(sample_table.table, sample_table.roots, **kwargs)
    assert "\n" not in str(caught.value)


def test_a_corpus_without_a_root_fails_at_construction(sample_table: Any, tmp_path: Path) -> None:
    roots = {"konvid-1k": sample_table.roots["konvid-1k"]}
    with pytest.raises(
        UsageError, match=r"no dataset root for corpus live-vqc, lsvq \(roots given for: konvid-1k\)"
    ):
        ClipDataset(sample_table.table, roots)
    with pytest.raises(DatasetNotFoundError, match="is not a directory"):
        ClipDataset(sample_table.table, {**sample_table.roots, "lsvq": tmp_path / "gone"})


def test_a_table_that_is_not_unified_or_labelled_is_refused(ramp: Any) -> None:
    path = ramp.base / "features.jsonl"
    path.write_text('{"src": "a.mp4", "corpus": "ramp", "si_mean": 1.0}\n')
    with pytest.raises(ShardError, match=r"not a unified or labelled table .* lacks mos, mos_raw_0_100"):
        ClipDataset(path, {"ramp": ramp.base})


def test_a_broken_clip_raises_naming_it(sample_table: Any, tmp_path: Path) -> None:
    roots = _copy_roots(sample_table, tmp_path)
    rows = pq.read_table(sample_table.table).to_pylist()
    broken = rows[4]
    _truncate(roots[broken["corpus"]] / broken["src"])
    dataset = ClipDataset(sample_table.table, roots, frames=2, crop=32)
    with pytest.raises(ClipDecodeError) as caught:
        dataset[4]
    assert caught.value.src == broken["src"]
    assert caught.value.path == str(roots[broken["corpus"]] / broken["src"])
    assert str(caught.value).startswith(f"{broken['corpus']} clip {broken['src']} (")
    assert "\n" not in str(caught.value)
    # through worker processes: torch re-raises the same type, the clip named in the message
    with pytest.raises(ClipDecodeError, match=broken["src"]):
        list(
            DataLoader(
                dataset, batch_size=3, num_workers=2, collate_fn=collate_clips, multiprocessing_context=SPAWN
            )
        )


def test_skipped_clips_are_counted_through_the_batches(sample_table: Any, tmp_path: Path) -> None:
    roots = _copy_roots(sample_table, tmp_path)
    rows = pq.read_table(sample_table.table).to_pylist()
    broken = [rows[1], rows[7], rows[8]]
    for row in broken:
        _truncate(roots[row["corpus"]] / row["src"])
    dataset = ClipDataset(sample_table.table, roots, frames=2, crop=32, on_error="skip")
    assert isinstance(dataset[1], SkippedClip)
    loader = DataLoader(
        dataset, batch_size=4, num_workers=2, collate_fn=collate_clips, multiprocessing_context=SPAWN
    )
    kept = skipped = 0
    names: list[str] = []
    for batch in loader:
        kept += len(batch)
        skipped += len(batch.skipped)
        names += [s.src for s in batch.skipped]
        assert batch.frames.shape[0] == len(batch)
    assert (kept, skipped) == (len(rows) - 3, 3)
    assert sorted(names) == sorted(r["src"] for r in broken)


def test_a_batch_of_only_skipped_clips_is_empty(ramp: Any) -> None:
    table, roots = ramp.table(10, clips=2)
    for clip in (roots["ramp"] / "clips").iterdir():
        _truncate(clip)
    dataset = ClipDataset(table, roots, frames=2, on_error="skip")
    batch = collate_clips([dataset[0], dataset[1]])
    assert len(batch) == 0 and batch.frames.shape == (0,)
    assert [s.row for s in batch.skipped] == [0, 1]
    assert all(s.reason.startswith(f"ramp clip {s.src} (") and "\n" not in s.reason for s in batch.skipped)


def test_clips_of_different_sizes_need_a_crop_to_share_a_batch(sample_table: Any) -> None:
    dataset = ClipDataset(sample_table.table, sample_table.roots, frames=1)
    items = [dataset[i] for i in range(len(dataset))]
    with pytest.raises(UsageError, match=r"clips of one batch differ in size .*give ClipDataset a crop="):
        collate_clips(items)


def test_paths_that_leave_the_root_are_refused(ramp: Any, tmp_path: Path) -> None:
    outside = ramp.clip("../outside.mp4", 4)
    (ramp.root / "clips").mkdir(parents=True, exist_ok=True)
    os.symlink(outside, ramp.root / "clips" / "link.mp4")
    table = ramp.rows(
        tmp_path / "escape.jsonl",
        [
            {"src": "../outside.mp4", "corpus": "ramp"},
            {"src": "clips/link.mp4", "corpus": "ramp"},
            {"src": str(outside), "corpus": "ramp"},
        ],
    )
    dataset = ClipDataset(table, {"ramp": ramp.root}, frames=2)
    for index, reason in enumerate(["leaves the clips directory", "outside the dataset root", "is absolute"]):
        with pytest.raises(ClipDecodeError, match=reason):
            dataset[index]


def test_a_labelled_table_gives_both_axes(ramp: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    from vqa_core.tables.loose import write_table

    ramp.clip("clips/a.mp4", 6)
    table = tmp_path / "labelled.parquet"
    write_table(
        pa.table(
            {
                "src": ["clips/a.mp4", "clips/a.mp4", "clips/a.mp4"],
                "corpus": ["ramp"] * 3,
                "si_mean": [1.0, 2.0, 3.0],
                "mos": [4.2, None, 2.0],
                "mos_raw_0_100": [80.0, None, None],
                "mos_label_status": ["ok", "missing-label", "ok"],
            }
        ),
        table,
    )
    dataset = ClipDataset(table, {"ramp": ramp.root}, frames=2)
    assert (len(dataset), dataset.unlabelled) == (2, 1)
    first, second = dataset[0], dataset[1]
    assert isinstance(first, ClipItem) and isinstance(second, ClipItem)
    assert (first.mos, first.mos_native, first.mos_native_scale) == (80.0, 4.2, "1-5")
    assert (second.mos, second.mos_native, second.row) == (25.0, 2.0, 2)
    assert (first.content_group, first.split, first.src_sha256) == ("ramp/clips/a.mp4", "", "")


def test_importing_without_torch_says_how_to_install_it() -> None:
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "from vqa_core.errors import MissingExtraError\n"
        "try:\n    import vqa_core.data\nexcept MissingExtraError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == (
        "vqa_core.data needs torch, which is part of the train extra: pip install 'vqa-core[train]'\n"
    )


def test_items_pickle_small(sample_table: Any) -> None:
    import pickle

    dataset = ClipDataset(sample_table.table, sample_table.roots)
    clone = pickle.loads(pickle.dumps(dataset))
    assert clone.rows.tolist() == dataset.rows.tolist()
    assert np.array_equal(clone[0].frames.numpy(), dataset[0].frames.numpy())  # type: ignore[union-attr]
