"""Feature extraction against decoding the same frames with PyAV alone, in one process run.

    .venv/bin/python bench/features_bench.py [--work bench/.work] [--scale 1.0] [--repeat 2]

For every clip set, sampling (every frame; ``--sample-fps 5``) and worker count
(1 and 2 threads, the runner's default executor), three passes over the same clips:

  decode only   each clip opened and configured by the extractor's own ``open_video``
                (the same decoder threads and settings) and the frames the extractor
                decodes decoded, on the same number of worker threads; nothing else.
                The honest minimum work of any extraction.
  PyAV default  the same with a plain ``av.open`` and PyAV's default decoder settings,
                so the baseline cannot have been weakened by the extractor's settings.
  features      ``extract_features`` end to end: hashing, decoding, the formulas, the
                resume state and the output table.
  least work    ``extract_features`` end to end with the formulas replaced by the work no
                implementation of them can skip: every luma sample of a used frame read
                once, and the RGB picture colourfulness is defined on converted and read
                once (each read is one vectorised maximum). Everything else (hashing,
                decoding, sampling, the resume state, the output) is the extractor's own.

``ratio = decode-only time / features time`` (1.0: the features cost nothing beyond
decoding; the target is ≥ 0.8). ``best possible = decode-only time / least-work time``:
no implementation of these formulas in this pipeline can reach a higher ratio. The
passes run interleaved ``--repeat`` times and the fastest of each counts, so a noisy
neighbour costs every variant alike.

Clip sets: 1080p H.264 (as the ingest bench's large clips), 640×360 H.264, a camera-like
1080p H.264 High clip with B-frames, and 1080p HEVC Main 10 HDR (as CHUG's clips: the
extractor reads 10-bit luma and converts deep RGB). :func:`measure` returns the rows and
:func:`markdown` formats them, so another bench script can print them in its own run.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import time
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import av
import orjson

from vqa_core.features import FeatureConfig, clip, extract_features, planes
from vqa_core.features.decoding import open_video
from vqa_core.features.perframe import read_luma
from vqa_core.fsutil import sha256_file
from vqa_core.samples import ClipSpec, write_clip

REPO = Path(__file__).resolve().parents[1]

__all__ = ["ClipSet", "Row", "CLIP_SETS", "SAMPLINGS", "measure", "markdown", "main"]


@attrs.frozen
class ClipSet:
    label: str
    count: int
    #: Writes clip ``i`` of the set at the path given (called only when the clip is not there yet).
    write: Callable[[Path, int], object]
    suffix: str = ".mp4"


@attrs.frozen
class Row:
    clips: str
    n: int
    sampling: float | None
    workers: int
    frames_decoded: int
    frames_used: int
    decode_s: float
    default_decode_s: float
    features_s: float
    least_work_s: float

    @property
    def ratio(self) -> float:
        return self.decode_s / self.features_s

    @property
    def best_possible(self) -> float:
        return self.decode_s / self.least_work_s

    @property
    def default_ratio(self) -> float:
        return self.default_decode_s / self.features_s


def _spec_writer(spec: ClipSpec) -> Callable[[Path, int], object]:
    return lambda path, i: write_clip(path, spec, seed=i)


def _camera_like(path: Path, i: int) -> None:
    """1080p H.264 High with B-frames at 10 Mbit/s, as cameras and platforms encode (100 frames)."""
    from vqa_core.samples import _frames

    spec = ClipSpec(width=1920, height=1080, frames=100, quality=0.85)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
        stream.bit_rate = 10_000_000
        stream.options = {"preset": "veryfast", "profile": "high", "maxrate": "12M", "bufsize": "20M"}
        for image in _frames(spec, i):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


CLIP_SETS: tuple[ClipSet, ...] = (
    ClipSet("1080p H.264", 4, _spec_writer(ClipSpec(width=1920, height=1080, frames=100, quality=0.8))),
    ClipSet("640×360 H.264", 16, _spec_writer(ClipSpec(width=640, height=360, frames=50, quality=0.8))),
    ClipSet("1080p H.264 High, B-frames (camera-like)", 2, _camera_like),
    ClipSet(
        "1080p HEVC Main 10 HDR (as CHUG)",
        2,
        _spec_writer(
            ClipSpec(
                width=1920,
                height=1080,
                frames=50,
                codec="libx265",
                pix_fmt="yuv420p10le",
                quality=0.8,
                hdr=True,
            )
        ),
    ),
)
#: ``None`` is every frame, the default; 5 fps is one frame in five of these 25 fps clips.
SAMPLINGS: tuple[float | None, ...] = (None, 5.0)


def _clips(work: Path, clip_set: ClipSet, scale: float) -> tuple[Path, Path]:
    """``(root, shard)`` of the set's clips, written once and kept under ``work``."""
    root = work / "features" / clip_set.label.split(" (")[0].replace(" ", "-").replace(",", "")
    count = max(1, round(clip_set.count * scale))
    rows = []
    for i in range(count):
        path = root / f"c{i:03d}{clip_set.suffix}"
        if not path.exists():
            root.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part" + clip_set.suffix)
            clip_set.write(partial, i)
            partial.replace(path)
        rows.append({"src": path.name, "src_sha256": sha256_file(path), "corpus": "bench"})
    shard = root.parent / f"{root.name}-{count}.jsonl"
    shard.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return root, shard


def _decode_only(path: Path) -> int:
    """The frames the extractor decodes, opened and configured as it does, and nothing else."""
    container, stream = open_video(path, None)
    try:
        return sum(1 for _ in container.decode(stream))
    finally:
        container.close()


def _decode_default(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _pool(fn: Callable[[Path], int], files: list[Path], workers: int) -> tuple[float, int]:
    started = time.perf_counter()
    with cf.ThreadPoolExecutor(workers) as pool:
        frames = sum(pool.map(fn, files))
    return time.perf_counter() - started, frames


def _features(root: Path, shard: Path, out: Path, workers: int, sampling: float | None) -> tuple[float, int]:
    started = time.perf_counter()
    extract_features(
        FeatureConfig(shard=shard, root=root, output=out, workers=workers, sample_fps=sampling, restart=True)
    )
    elapsed = time.perf_counter() - started
    used = sum(orjson.loads(line)["frames_used"] for line in out.read_bytes().splitlines())
    return elapsed, used


def _least_work(
    frame: Any, previous: Any, previous_luma: Any, scratch: Any, series: dict[str, list[float]]
) -> Any:
    """Stands in for the extractor's ``_measure``: what every implementation of the formulas must
    do with a used frame, done as cheaply as numpy can. SI, TI, brightness, contrast and sharpness
    read every luma sample, TI the frame before's too (read here only when the extractor did not
    read it already); colourfulness is defined on RGB, so the frame is converted once. Each picture
    is read by one maximum, the cheapest full pass numpy has (vectorised, no conversion)."""
    luma = read_luma(frame)
    largest = float(luma.max())
    if previous is not None and previous_luma is None:
        largest = max(largest, float(read_luma(previous).max()))
    rgb = planes.rgb8(frame)
    picture = rgb if rgb is not None else planes.rgb48(frame)
    series["brightness"].append(max(largest, float(picture.max())))
    return luma


def _least_work_pass(
    root: Path, shard: Path, out: Path, workers: int, sampling: float | None
) -> tuple[float, int]:
    with mock.patch.object(clip, "_measure", _least_work):
        return _features(root, shard, out, workers, sampling)


def measure(
    work: Path,
    *,
    clip_sets: Iterable[ClipSet] = CLIP_SETS,
    samplings: Iterable[float | None] = SAMPLINGS,
    workers: Iterable[int] = (1, 2),
    scale: float = 1.0,
    repeat: int = 2,
) -> list[Row]:
    """Decode-only, PyAV-default, feature and least-work passes over every set, sampling and
    worker count."""
    rows = []
    for clip_set in clip_sets:
        root, shard = _clips(work, clip_set, scale)
        files = sorted(root.glob(f"c*{clip_set.suffix}"))
        files = [f for f in files if ".part" not in f.name]
        out = root.parent / f"{root.name}-features.jsonl"
        for sampling in samplings:
            for n in workers:
                decode = default = features = least = float("inf")
                decoded = used = 0
                for _ in range(repeat):
                    t, decoded = _pool(_decode_only, files, n)
                    decode = min(decode, t)
                    t, _ = _pool(_decode_default, files, n)
                    default = min(default, t)
                    t, used = _features(root, shard, out, n, sampling)
                    features = min(features, t)
                    t, _ = _least_work_pass(root, shard, out, n, sampling)
                    least = min(least, t)
                rows.append(
                    Row(
                        clip_set.label,
                        len(files),
                        sampling,
                        n,
                        decoded,
                        used,
                        decode,
                        default,
                        features,
                        least,
                    )
                )
    return rows


def markdown(rows: Iterable[Row]) -> str:
    """The rows as the Markdown table of bench/README.md."""
    lines = [
        "| clips | n | sampling | workers | frames decoded | frames used | decode only s "
        "| PyAV default s | features s | features ms / used frame | ratio | ratio vs PyAV default "
        "| least work s | best possible ratio |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        sampling = "every frame" if r.sampling is None else f"`--sample-fps {r.sampling:g}`"
        lines.append(
            f"| {r.clips} | {r.n} | {sampling} | {r.workers} | {r.frames_decoded:,} | {r.frames_used:,} "
            f"| {r.decode_s:.2f} | {r.default_decode_s:.2f} | {r.features_s:.2f} "
            f"| {r.features_s * 1e3 / max(1, r.frames_used):.1f} | {r.ratio:.2f} | {r.default_ratio:.2f} "
            f"| {r.least_work_s:.2f} | {r.best_possible:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=REPO / "bench" / ".work")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every set's clip count")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved passes; the fastest counts")
    parser.add_argument(
        "--sets", default="", help="only the sets whose label contains one of these comma-separated words"
    )
    args = parser.parse_args()
    os.environ.setdefault("SVT_LOG", "1")
    words = [w.strip().lower() for w in args.sets.split(",") if w.strip()]
    sets = [s for s in CLIP_SETS if not words or any(w in s.label.lower() for w in words)]
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; PyAV {av.__version__}")
    print(markdown(measure(args.work, clip_sets=sets, scale=args.scale, repeat=args.repeat)))


if __name__ == "__main__":
    main()
