"""A synthetic LSVQ drop in the published layout.

Both label files with their full published headers (38 and 37 columns, patch
lists quoted, the 1080p file's third-patch coordinates written as floats,
``True``/``False`` flags), clips as ``<batch folder>/<name>.mp4`` with
extension-less names in the labels. When two or more clips are asked for, the
first two share a basename in different batch folders (as real LSVQ names do)
and the third name has dots inside it, so the sample exercises both rules of
the parser.

Scores follow the picture: each clip gets a quality in [0, 1] that drives its
noise, blockiness and CRF, and its MOS is ``10 + 80·quality`` plus rater noise,
inside the published 8–92 range.
"""

from __future__ import annotations

import csv
import random
import string
from collections.abc import Sequence
from pathlib import Path

from vqa_core.plugin import ClipSpec, SampleDrop, write_clip
from vqa_lsvq.labels import CLIP_SUFFIX, HEADER_TEST_1080P, HEADER_TRAIN_TEST, LABEL_FILES

__all__ = ["write_lsvq", "sample_names"]

#: (width, height): landscape and portrait, small enough to keep the suite fast.
_GEOMETRIES = ((320, 180), (180, 320), (240, 136), (480, 270))
_IA_TITLES = ("Town_Meeting", "Parade_Highlights", "School_Board", "Sand_Sculpting_Timelapse")


def sample_names(rng: random.Random, count: int) -> list[str]:
    """Label names: batch folder plus an extension-less clip name, all distinct."""
    shared = rng.randrange(1, 900)
    fixed = [
        f"yfcc-batch1/{shared}",
        f"yfcc-batch3/{shared}",  # the same basename in another batch
        f"ia-batch20/{rng.choice(_IA_TITLES)}_6.{rng.randrange(10, 30)}_part_2",  # dots inside
    ]
    names = fixed[:count]
    while len(names) < count:
        if len(names) % 2:
            name = f"yfcc-batch{rng.randrange(1, 30)}/{rng.randrange(1, 9000)}"
        else:
            token = "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(11))
            name = f"ia-batch{rng.randrange(1, 21)}/youtube-{token}"
        if name not in names:
            names.append(name)
    return names


def _mos(rng: random.Random, quality: float, spread: float = 3.0) -> float:
    return min(91.4, max(8.5, 10.0 + 80.0 * quality + rng.gauss(0.0, spread)))


def _fmt(value: float) -> str:
    return repr(round(value, 13))


def _patch(rng: random.Random, width: int, height: int, frames: int, *, whole_frame: bool) -> list[int]:
    """``[left, right, top, bottom, start, end]``: 40 % of each side, or the whole frame for
    a time-only patch; 40 % of the frames, or all of them for a space-only patch."""
    if whole_frame:
        left, right, top, bottom = 0, width, 0, height
    else:
        pw, ph = int(width * 0.4), int(height * 0.4)
        left, top = rng.randrange(0, width - pw + 1), rng.randrange(0, height - ph + 1)
        right, bottom = left + pw, top + ph
    span = max(1, int(frames * 0.4))
    start = rng.randrange(0, frames - span + 1)
    return [left, right, top, bottom, start, start + span]


def _row(rng: random.Random, name: str, spec: ClipSpec, *, float_p3: bool, is_test: bool | None) -> list[str]:
    w, h, frames = spec.width, spec.height, spec.frames
    p1 = [*_patch(rng, w, h, frames, whole_frame=False)[:4], 0, frames]
    p2 = _patch(rng, w, h, frames, whole_frame=True)
    p3 = _patch(rng, w, h, frames, whole_frame=False)
    mos = _mos(rng, spec.quality)
    patch_mos = [_mos(rng, spec.quality, spread=6.0) for _ in range(3)]
    p3_cells = [f"{float(v)}" for v in p3] if float_p3 else [str(v) for v in p3]
    row = [
        name,
        str(p1),
        str(p2),
        str(p3),
        str(h),
        str(w),
        *(_fmt(v) for v in patch_mos),
        _fmt(mos),
        str(frames),
        f"{name}/image_{frames:05d}",
        *(str(v) for v in p1),
        *(str(v) for v in p2),
        *p3_cells,
        "0",
        "0",
        str(h),
        str(w),
        "0",
        str(frames),
    ]
    if is_test is not None:
        row.append(str(is_test))
    row.append(str(rng.random() < (0.95 if is_test is not None else 0.2)))
    return row


def _write(path: Path, header: Sequence[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")  # minimal quoting: only the patch lists
        writer.writerow(header)
        writer.writerows(rows)


def write_lsvq(directory: Path, clips: int, seed: int) -> SampleDrop:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    train_test: list[list[str]] = []
    test_1080p: list[list[str]] = []
    for i, name in enumerate(sample_names(rng, clips)):
        width, height = _GEOMETRIES[i % len(_GEOMETRIES)]
        spec = ClipSpec(
            width=width,
            height=height,
            fps=rng.choice((24, 25, 30)),
            frames=rng.randrange(10, 19),
            quality=rng.random(),
        )
        write_clip(directory / (name + CLIP_SUFFIX), spec, seed=seed * 1000 + i)
        if i % 3 == 2:
            test_1080p.append(_row(rng, name, spec, float_p3=True, is_test=None))
        else:
            train_test.append(_row(rng, name, spec, float_p3=False, is_test=i % 4 == 1))
    written = []
    for file_name, header, rows in (
        (LABEL_FILES[0], HEADER_TRAIN_TEST, train_test),
        (LABEL_FILES[1], HEADER_TEST_1080P, test_1080p),
    ):
        if rows:
            _write(directory / file_name, header, rows)
            written.append(directory / file_name)
    return SampleDrop(root=directory, metadata=tuple(written), clips=clips)
