"""Items/s of ``ClipDataset`` through ``DataLoader(num_workers=2)`` against PyAV alone, same run.

    .venv/bin/python bench/clip_dataset_bench.py [clips] [passes]

Writes ``clips`` H.264 clips of 5 s at 25 fps under bench/.work/clip-dataset/
(half 320x180, half 1280x720; kept between runs), then times, on the same
clips, each pass over every clip taking 8 uniformly sampled frames resized to
a short side of 112 and centre-cropped to 112x112:

- **floor**: PyAV alone in ``multiprocessing.Pool(2)`` — open, threaded
  decode from the start up to the last wanted frame, one ``to_ndarray`` with
  the resize per kept frame, crop by slicing; the frame count from the header
  (right for these clips);
- **ClipDataset** through ``DataLoader(num_workers=2, batch_size=4)``, with its
  default decoder threads and with one thread per decoder.

Each is timed ``passes`` times after a warm-up pass that fills the page
cache; a DataLoader epoch starts its workers, so the Pool is created inside
the timed region too. The best pass counts, since the machine is shared. Target: ClipDataset ≥ 0.8 of the floor's items/s.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import orjson
from torch.utils.data import DataLoader

from vqa_core.data import ClipDataset, collate_clips
from vqa_core.data.sampling import crop_box, resized_size, uniform_indices
from vqa_core.samples import ClipSpec, write_clip

WORK = Path(__file__).parent / ".work" / "clip-dataset"
FRAMES, SHORT_SIDE, CROP = 8, 112, 112
SIZES = ((320, 180), (1280, 720))


def make_clips(count: int) -> tuple[Path, Path]:
    root = WORK / "root"
    rows = []
    for i in range(count):
        width, height = SIZES[i % 2]
        path = root / f"c{i:03d}-{height}p.mp4"
        if not path.exists():
            write_clip(path, ClipSpec(width=width, height=height, frames=125, quality=(i % 5) / 4), seed=i)
        rows.append(
            {"src": path.name, "corpus": "bench", "mos": 50.0, "mos_native": 3.0, "mos_native_scale": "1-5"}
        )
    table = WORK / f"table-{count}.jsonl"
    table.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return table, root


def floor_decode(path: str) -> np.ndarray:
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        wanted = uniform_indices(stream.frames, FRAMES)
        width, height = resized_size(stream.width, stream.height, SHORT_SIDE)
        x, y, w, h = crop_box(width, height, (CROP, CROP)) or (0, 0, width, height)
        kept = []
        for index, frame in enumerate(container.decode(stream)):
            while len(kept) < FRAMES and wanted[len(kept)] == index:
                rgb = frame.to_ndarray(width=width, height=height, format="rgb24")
                kept.append(rgb[y : y + h, x : x + w].transpose(2, 0, 1))
            if len(kept) == FRAMES:
                break
    return np.ascontiguousarray(np.stack(kept))


def run_floor(paths: list[str]) -> int:
    with multiprocessing.Pool(2) as pool:
        return sum(1 for _ in pool.imap_unordered(floor_decode, paths))


def run_dataset(dataset: ClipDataset) -> int:
    loader = DataLoader(dataset, batch_size=4, num_workers=2, collate_fn=collate_clips)
    return sum(len(batch) for batch in loader)


def best(run: Callable[[], int], passes: int) -> tuple[float, int]:
    items = run()  # warm-up: page cache, imports
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        assert run() == items
        times.append(time.perf_counter() - start)
    return min(times), items


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    table, root = make_clips(count)
    paths = [str(root / orjson.loads(line)["src"]) for line in table.read_bytes().splitlines()]
    kwargs: dict[str, Any] = {"frames": FRAMES, "short_side": SHORT_SIDE, "crop": CROP}
    auto = ClipDataset(table, {"bench": root}, **kwargs)
    single = ClipDataset(table, {"bench": root}, decode_threads=1, **kwargs)
    # the same frames, pixel for pixel, before anything is timed
    for i in (0, 1):
        assert np.array_equal(auto[i].frames.numpy(), floor_decode(paths[i]))  # type: ignore[union-attr]
    results = [
        ("floor: PyAV alone, Pool(2)", *best(lambda: run_floor(paths), passes)),
        ("ClipDataset, DataLoader(num_workers=2)", *best(lambda: run_dataset(auto), passes)),
        ("ClipDataset, decode_threads=1", *best(lambda: run_dataset(single), passes)),
    ]
    floor_rate = results[0][2] / results[0][1]
    print(f"{count} clips (320x180 and 1280x720, 5 s, H.264), {FRAMES} frames each -> {CROP}x{CROP}")
    print("| run | best s | items/s | / floor |")
    print("|---|---:|---:|---:|")
    for name, seconds, items in results:
        rate = items / seconds
        print(f"| {name} | {seconds:.2f} | {rate:.1f} | {rate / floor_rate:.2f} |")


if __name__ == "__main__":
    main()
