"""Ingestion throughput against a read-only floor, hashing alone and the per-clip-ffprobe baseline.

Usage (from the repository root, after `make .venv/.installed-test`; needs root
for `drop_caches` and the system `ffprobe` for the baseline — `bench/setup.sh`
installs it)::

    .venv/bin/python bench/ingest_bench.py [--small 500] [--large 500] [--camera 300] [--sweep]

Every timed pass starts with a cold page cache (``sync; echo 3 >
/proc/sys/vm/drop_caches``) so reading is real disk I/O, and all passes run in
this one process one after the other, so the ratios compare like with like on
a shared, noisy machine. The guest cannot empty the host's cache, so the floor
is read twice (first and last) and the faster pass counts. Printed as Markdown
tables for bench/README.md, then the targets with this run's verdicts.

Corpora: small 640x360 clips, large 1080p clips (moving pattern with grain), and
copies of one camera-like clip (H.264 High, B-frames, 10 Mbit/s, 13 MB).

Variants:
  floor     read every clip in 1 MiB chunks, no other work
  hash      read and SHA-256 every clip, nothing else: the ceiling of any ingest
            that hashes (SHA-256 runs at ~1.2-1.5 GB/s per core here)
  vqa       `vqa_core.ingest.ingest` with its defaults (threads, verification on)
  baseline  what the older scripts do: serial, hashlib SHA-256, one `ffprobe`
            process per clip, the whole JSON progress file rewritten every 50
            clips, a JSONL append per clip

Floor, hash and vqa run on the thread count `vqa ingest` uses by default (twice the CPU
count), so the ratios compare like with like. Hash only and vqa run interleaved
``--repeat`` times and the faster of each counts; the floor is read first and last.

Then: the header/analysed split of the probe with its warm cost against FFmpeg's
full analysis (including a 1080p VP9 WebM and a 4K HEVC Main 10 clip), feature
extraction against decoding the same frames alone (``features_bench``), and the
resume bookkeeping.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vqa_core.runner.executor import hashing_workers  # noqa: E402  # why: after the path is set


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as exc:
        raise SystemExit(f"cannot drop the page cache ({exc}); run as root so cold reads are real") from None


def make_corpus(
    root: Path,
    count: int,
    *,
    width: int = 0,
    height: int = 0,
    frames: int = 0,
    quality: float = 0.8,
    base: Path | None = None,
) -> int:
    """A KoNViD-1k layout of ``count`` distinct clips: a few encoded bases (moving pattern with
    grain, like camera footage), or the one ``base`` clip, copied with unique trailing bytes."""
    from vqa_core.samples import ClipSpec, write_clip

    if (root / "ready").exists():
        return sum(p.stat().st_size for p in (root / "KoNViD_1k_videos").iterdir())
    shutil.rmtree(root, ignore_errors=True)
    bases = []
    if base is not None:
        bases.append(base.read_bytes())
    for i in range(8 if base is None else 0):
        made = root / "bases" / f"{i}.mp4"
        write_clip(made, ClipSpec(width=width, height=height, frames=frames, quality=quality), seed=i)
        bases.append(made.read_bytes())
    rng = random.Random(7)
    videos = root / "KoNViD_1k_videos"
    videos.mkdir(parents=True)
    rows = ["flickr_id,download_id,file_name,MOS,ti,si,colorfulness,contrast,blur,vniqe"]
    total = 0
    for i in range(count):
        flickr_id = str(4_000_000_000 + i)
        # trailing bytes: unique content, still a valid MP4 (players ignore bytes after the last box)
        data = bases[i % len(bases)] + os.urandom(32)
        (videos / f"{flickr_id}.mp4").write_bytes(data)
        total += len(data)
        rows.append(
            f"{flickr_id},{i},{flickr_id}_original_centercrop_960x540_8s.mp4,{rng.uniform(1.2, 4.7):.4f},1,1,1,1,1,1"
        )
    meta = root / "KoNViD_1k_metadata"
    meta.mkdir()
    (meta / "KoNViD_1k_attributes.csv").write_text("\n".join(rows) + "\n")
    shutil.rmtree(root / "bases", ignore_errors=True)
    (root / "ready").write_text("")
    return total


#: Threads of the floor, hash-only and vqa passes: the ingest's default on this machine.
THREADS = hashing_workers("thread", None) or 2


def floor(root: Path) -> float:
    files = sorted((root / "KoNViD_1k_videos").iterdir())

    def read(path: Path) -> int:
        n = 0
        with open(path, "rb", buffering=0) as fh:
            while chunk := fh.read(1 << 20):
                n += len(chunk)
        return n

    drop_caches()
    started = time.perf_counter()
    with cf.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(read, files))
    return time.perf_counter() - started


def hash_only(root: Path) -> float:
    from vqa_core.fsutil import sha256_file

    files = sorted((root / "KoNViD_1k_videos").iterdir())
    drop_caches()
    started = time.perf_counter()
    with cf.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(sha256_file, files))
    return time.perf_counter() - started


def camera_like_clip(work: Path) -> Path:
    """One 13 MB clip encoded as cameras and platforms do: H.264 High, B-frames, 10 Mbit/s, 1080p, 10 s."""
    import av

    from vqa_core.samples import ClipSpec, _frames

    path = work / "camera-like" / "clip.mp4"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = ClipSpec(width=1920, height=1080, frames=250, quality=0.85)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
        stream.bit_rate = 10_000_000
        stream.options = {"preset": "veryfast", "profile": "high", "maxrate": "12M", "bufsize": "20M"}
        for image in _frames(spec, 1):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def hevc_4k_clip(work: Path) -> Path:
    """One 4K HEVC Main 10 clip (libx265, 10 frames): FFmpeg's analysis decodes a 10-bit 4K key frame."""
    import av

    from vqa_core.samples import ClipSpec, _frames

    path = work / "hevc-4k" / "clip.mp4"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = ClipSpec(width=3840, height=2160, frames=10, quality=0.85)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx265", rate=25)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p10le"
        stream.options = {"preset": "ultrafast", "crf": "18"}
        for image in _frames(spec, 1):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p10le")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def probe_split(files: list[Path]) -> tuple[int, int, float, float]:
    """Header/analysed split of the probe over ``files``, and warm-cache ms per clip of the probe
    (no demux pass) against FFmpeg's full stream analysis alone."""
    from vqa_core.ingest.probe import probe_clip
    from vqa_core.mediaopen import open_clip

    methods = [probe_clip(path, read_packets=False).method for path in files]
    started = time.perf_counter()
    for path in files:
        probe_clip(path, read_packets=False)
    t_probe = (time.perf_counter() - started) / len(files) * 1e3
    started = time.perf_counter()
    for path in files:
        open_clip(path, timeout_s=30).close()
    t_full = (time.perf_counter() - started) / len(files) * 1e3
    return methods.count("header"), methods.count("analysed"), t_probe, t_full


def stage_costs(files: list[Path]) -> tuple[float, float, float]:
    """Warm-cache ms per clip, one thread: SHA-256; PyAV open (stream analysis); open and demux every packet."""
    from vqa_core.fsutil import sha256_file
    from vqa_core.mediaopen import open_clip

    for path in files:
        path.read_bytes()

    def per_clip(fn: object) -> float:
        started = time.perf_counter()
        for path in files:
            fn(path)  # type: ignore[operator]
        return (time.perf_counter() - started) / len(files) * 1e3

    def opened(path: Path) -> None:
        open_clip(path, timeout_s=30).close()

    def demuxed(path: Path) -> None:
        container = open_clip(path, timeout_s=30)
        for _ in container.demux(container.streams.video[0]):
            pass
        container.close()

    return per_clip(sha256_file), per_clip(opened), per_clip(demuxed)


def vqa(
    root: Path, work: Path, executor: str = "thread", *, workers: int | None = None, verify: bool = True
) -> float:
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry

    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)], strict=True)
    out = work / f"vqa-{executor}.jsonl"
    config = IngestConfig(
        "konvid-1k",
        root=root,
        output=out,
        workers=workers,
        executor=executor,
        verify=verify,
        restart=True,
        timestamp="2026-01-01T00:00:00Z",
    )
    drop_caches()
    started = time.perf_counter()
    report = ingest(registry, config)
    elapsed = time.perf_counter() - started
    assert report.written == report.rows_read, report.skipped
    return elapsed


def sweep(root: Path, work: Path) -> None:
    """``--sweep``: the large clips with more worker threads than cores, and without verification."""
    import resource

    print()
    print("| vqa on the large clips | wall s | CPU user s | CPU sys s | vqa / floor |")
    print("|---|---:|---:|---:|---:|")
    runs = []
    first_floor = floor(root)
    for workers, verify in ((2, True), (4, True), (6, True), (4, False)):
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall = vqa(root, work, workers=workers, verify=verify)
        after = resource.getrusage(resource.RUSAGE_SELF)
        runs.append(
            (workers, verify, wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)
        )
    t_floor = min(first_floor, floor(root))
    for workers, verify, wall, user, system in runs:
        name = f"--workers {workers}" + ("" if verify else " --no-verify")
        print(f"| `{name}` | {wall:.2f} | {user:.2f} | {system:.2f} | {t_floor / wall:.2f} |")
    print(f"\nfloor {t_floor:.2f} s")


def baseline(root: Path, work: Path) -> float:
    """The older scripts' loop, reproduced faithfully for comparison (not product code)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise SystemExit("the baseline needs ffprobe: run bench/setup.sh (apt-get install -y ffmpeg)")
    files = sorted((root / "KoNViD_1k_videos").iterdir())
    progress_path = work / "baseline-progress.json"
    out_path = work / "baseline.jsonl"
    for p in (progress_path, out_path):
        p.unlink(missing_ok=True)
    drop_caches()
    started = time.perf_counter()
    progress: dict[str, dict[str, str]] = {}
    pending = 0
    with open(out_path, "a") as out:
        for path in files:
            probe = subprocess.run(
                [
                    ffprobe,
                    "-v",
                    "error",
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "stream=width,height,r_frame_rate,avg_frame_rate,duration,pix_fmt,codec_name",
                    "-show_entries",
                    "format=duration",
                    "-of",
                    "json",
                    str(path),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            stream = json.loads(probe.stdout)["streams"][0]
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
            out.write(
                json.dumps({"src": path.name, "src_sha256": digest.hexdigest(), **stream}, sort_keys=True)
                + "\n"
            )
            progress[path.name] = {"state": "done"}
            pending += 1
            if pending >= 50:
                fd, tmp = tempfile.mkstemp(dir=work)
                with os.fdopen(fd, "w") as fh:
                    json.dump(progress, fh, sort_keys=True, indent=2)
                os.replace(tmp, progress_path)
                pending = 0
    return time.perf_counter() - started


def resume_cost(work: Path, sizes: tuple[int, ...] = (1_000, 100_000)) -> dict[int, tuple[float, float]]:
    """µs per clip of the resume bookkeeping with N clips already recorded: skipping a recorded
    clip (one lookup), and recording a new one (lookup, content-hash lookup, insert, batched commit)."""
    from vqa_core.runner.state import Outcome, StateStore

    costs = {}
    probe = 4_000
    for n in sizes:
        out = work / f"state-{n}.jsonl"
        for p in work.glob(f"state-{n}.jsonl*"):
            p.unlink()
        with StateStore(out) as state:
            for i in range(n):
                state.put(
                    Outcome(
                        key=f"batch{i % 97}/{i:08d}.mp4",
                        idx=i,
                        status="written",
                        size=i,
                        mtime_ns=i,
                        sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                        row=b"x" * 300,
                    )
                )
            state.commit()
            started = time.perf_counter()
            for j in range(probe):
                i = (j * 7919) % n
                state.get(f"batch{i % 97}/{i:08d}.mp4")
            skip = (time.perf_counter() - started) / probe * 1e6
            started = time.perf_counter()
            for j in range(probe):
                i = n + j
                key = f"batch{i % 97}/{i:08d}.mp4"
                state.get(key)
                sha = hashlib.sha256(str(i).encode()).hexdigest()
                state.written_with_sha(sha)
                state.put(
                    Outcome(key=key, idx=i, status="written", size=i, mtime_ns=i, sha256=sha, row=b"x" * 300)
                )
            state.commit()
            record = (time.perf_counter() - started) / probe * 1e6
            costs[n] = (skip, record)
    return costs


def vp9_clip(work: Path) -> Path:
    """One 1080p VP9 WebM (libvpx-vp9): FFmpeg's VP9 decoder decodes key frames even when told to skip."""
    from vqa_core.samples import ClipSpec, write_clip

    path = work / "vp9-1080p" / "clip.webm"
    if not path.exists():
        write_clip(
            path, ClipSpec(width=1920, height=1080, frames=30, quality=0.8, codec="libvpx-vp9"), seed=1
        )
    return path


#: What each figure must reach (higher is better): ingest against hashing alone and against the
#: read floor on the ≥ 10 MB clips, small clips against the per-clip-ffprobe baseline, and
#: feature extraction against decoding the same frames alone.
TARGETS = {"vqa / hash only": 0.85, "vqa / floor": 0.7, "vqa vs baseline, small clips": 20.0, "features": 0.8}


class Pass(NamedTuple):
    """One corpus's passes, in seconds (``stages``: warm ms per clip of hash, open, open + demux)."""

    label: str
    count: int
    mb: float
    floor: float
    hash: float
    vqa: float
    processes: float
    baseline: float
    stages: tuple[float, float, float]


def _verdict(value: float, target: float) -> str:
    return f"{value:.2f} (target ≥ {target:g}: {'met' if value >= target else 'NOT met'})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=500)
    parser.add_argument("--camera", type=int, default=300, help="copies of the camera-like clip")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / ".work")
    parser.add_argument(
        "--sweep", action="store_true", help="also: large clips with 2, 4, 6 workers, no-verify"
    )
    parser.add_argument("--no-features", action="store_true", help="skip features against decoding alone")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved hash-only and vqa passes")
    args = parser.parse_args()
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; {THREADS} threads a pass")

    results = []
    for label, count, geometry in (
        ("small (≤ 2 MB)", args.small, dict(width=640, height=360, frames=50, quality=0.8)),
        ("large (≥ 10 MB)", args.large, dict(width=1920, height=1080, frames=100, quality=0.8)),
        ("camera (H.264 High, 13 MB)", args.camera, dict(base=camera_like_clip(work))),
    ):
        if not count:
            continue
        root = work / label.split()[0]
        total = make_corpus(root, count, **geometry)  # type: ignore[arg-type]
        mb = total / 1e6
        first_floor = floor(root)
        t_hash = t_vqa = float("inf")
        for _ in range(args.repeat):
            t_hash = min(t_hash, hash_only(root))
            t_vqa = min(t_vqa, vqa(root, work))
        t_proc = vqa(root, work, "process")
        t_base = baseline(root, work)
        # The guest's drop_caches does not empty the host's cache: the first pass may read from
        # the disk and later ones from the host. The floor is the faster of a first and a last pass.
        t_floor = min(first_floor, floor(root))
        clips = sorted((root / "KoNViD_1k_videos").iterdir())[:40]
        results.append(Pass(label, count, mb, t_floor, t_hash, t_vqa, t_proc, t_base, stage_costs(clips)))

    print()
    print(
        "| clips | n | MB | floor s | hash only s | vqa (threads) s | vqa (processes) s | baseline s "
        "| vqa clips/s | vqa MB/s | hash only / floor | vqa / floor | vqa / hash only | vqa vs baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.label} | {r.count} | {r.mb:,.0f} | {r.floor:.2f} | {r.hash:.2f} | {r.vqa:.2f} | "
            f"{r.processes:.2f} | {r.baseline:.2f} | {r.count / r.vqa:,.0f} | {r.mb / r.vqa:,.0f} | "
            f"{r.floor / r.hash:.2f} | {r.floor / r.vqa:.2f} | {r.hash / r.vqa:.2f} | {r.baseline / r.vqa:.1f}× |"
        )
    print()
    print("| clips | SHA-256 ms/clip | PyAV open ms/clip | open + demux ms/clip |")
    print("|---|---:|---:|---:|")
    for r in results:
        print(f"| {r.label} | {r.stages[0]:.1f} | {r.stages[1]:.1f} | {r.stages[2]:.1f} |")
    print()
    print("| clips | probed from headers | analysed | header probe ms/clip | full analysis ms/clip | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    sets = [
        (r.label, sorted((work / r.label.split()[0] / "KoNViD_1k_videos").iterdir())[:40]) for r in results
    ]
    sets += [
        ("1080p VP9 WebM", [vp9_clip(work)] * 10),
        ("4K HEVC Main 10", [hevc_4k_clip(work)] * 10),
    ]
    for label, files in sets:
        header, analysed, t_probe, t_full = probe_split(files)
        print(f"| {label} | {header} | {analysed} | {t_probe:.2f} | {t_full:.2f} | {t_full / t_probe:.1f}× |")
    features = None
    if not args.no_features:
        import features_bench

        rows = features_bench.measure(work)
        print()
        print(features_bench.markdown(rows))
        features = min(rows, key=lambda r: r.ratio)
    if args.sweep:
        sweep(work / "large", work)
    costs = resume_cost(work)
    print()
    print("| clips already recorded | skip a recorded clip (µs) | record a new clip (µs) |")
    print("|---:|---:|---:|")
    for n, (skip, record) in costs.items():
        print(f"| {n:,} | {skip:.1f} | {record:.1f} |")

    print()
    print("Targets (this run):")
    for r in results:
        if r.label.startswith("small"):
            print(
                f"- {r.label}: vqa vs baseline {_verdict(r.baseline / r.vqa, TARGETS['vqa vs baseline, small clips'])}"
            )
        else:  # the ≥ 10 MB clips
            print(f"- {r.label}: vqa / hash only {_verdict(r.hash / r.vqa, TARGETS['vqa / hash only'])}")
            print(f"- {r.label}: vqa / floor {_verdict(r.floor / r.vqa, TARGETS['vqa / floor'])}")
    if features is not None:
        print(
            f"- features / decoding alone, lowest of the set: {_verdict(features.ratio, TARGETS['features'])}; "
            f"the most any implementation of the formulas could reach on that set: {features.best_possible:.2f}"
        )


if __name__ == "__main__":
    main()
