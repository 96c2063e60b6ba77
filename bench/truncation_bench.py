"""Truncation check: today's full demux after hashing vs a tail check vs hashing as the demuxer reads.

    .venv/bin/python bench/truncation_bench.py [--repeat 5]

Clips: the fault suite's truncated clips (an MP4 cut to a third, as in the hostile-clip and
engine tests), the same cuts at other fractions in MP4 (moov first and last), Matroska and
WebM, the fault suite's hostile non-clips, and whole clips for the cost. Each check must
reject every cut clip the full demux rejects; cost is reported per clip as a ratio against
today's check measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vqa_core.fsutil import sha256_file
from vqa_core.ingest.containerend import declared_end
from vqa_core.ingest.probe import ProbeError, probe_clip
from vqa_core.samples import ClipSpec, write_clip

CUTS = (1 / 3, 1 / 2, 0.9, 0.98)


def _faststart(src: Path, dst: Path) -> Path:
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "+faststart"}) as out:
        s = out.add_stream_from_template(inp.streams.video[0])
        for p in inp.demux(inp.streams.video[0]):
            if p.dts is None:
                continue
            p.stream = s
            out.mux(p)
    return dst


def make_clips(base: Path, big: ClipSpec) -> tuple[dict[str, Path], dict[str, Path]]:
    """``(whole, cut)`` clips by name."""
    whole: dict[str, Path] = {}
    whole["small.mp4"] = write_clip(base / "small.mp4", ClipSpec(width=64, height=36, frames=50), seed=5)
    whole["engine.mp4"] = write_clip(base / "engine.mp4", ClipSpec(), seed=1)
    for suffix in (".mp4", ".mkv", ".webm"):
        codec = "libvpx-vp9" if suffix == ".webm" else "libx264"
        whole[f"big{suffix}"] = write_clip(base / f"big{suffix}", attrs_evolve(big, codec=codec), seed=3)
    whole["big-faststart.mp4"] = _faststart(whole["big.mp4"], base / "big-faststart.mp4")
    cut: dict[str, Path] = {}
    for name, path in whole.items():
        data = path.read_bytes()
        for frac in CUTS:
            target = base / f"cut{frac:.2f}-{name}"
            target.write_bytes(data[: int(len(data) * frac)])
            cut[target.name] = target
    hostile = base / "hostile"
    hostile.mkdir()
    (hostile / "empty.mp4").write_bytes(b"")
    (hostile / "text.mp4").write_text("this is not a video\n" * 50)
    (hostile / "random.mp4").write_bytes(os.urandom(64 << 10))
    # sizes that add up but no packet to read: the mdat box emptied and its size rewritten
    data = whole["big-faststart.mp4"].read_bytes()
    mdat = data.index(b"mdat") - 4
    (hostile / "hollow.mp4").write_bytes(data[:mdat] + (8).to_bytes(4, "big") + b"mdat")
    for p in hostile.iterdir():
        cut[p.name] = p
    # players ignore bytes after the last box: a whole clip still
    whole["junk-tail.mp4"] = base / "junk-tail.mp4"
    whole["junk-tail.mp4"].write_bytes(whole["big.mp4"].read_bytes() + os.urandom(32))
    return whole, cut


def attrs_evolve(spec: ClipSpec, **changes: Any) -> ClipSpec:
    import attrs

    return attrs.evolve(spec, **changes)


# -- the checks: each returns (sha256, rejection or None) ------------------------------------------------


def today(path: Path) -> tuple[str, str | None]:
    """The demux check as it was: every packet read again after hashing."""
    from vqa_core.ingest import probe as probing

    sha = sha256_file(path)
    kept = probing._ends_where_declared
    probing._ends_where_declared = lambda path: False  # type: ignore[assignment]
    try:
        probe_clip(path, read_packets=True)
    except ProbeError as exc:
        return sha, str(exc)
    finally:
        probing._ends_where_declared = kept  # type: ignore[method-assign]
    return sha, None


def no_check(path: Path) -> tuple[str, str | None]:
    sha = sha256_file(path)
    try:
        probe_clip(path, read_packets=False)
    except ProbeError as exc:
        return sha, str(exc)
    return sha, None


def tail(path: Path) -> tuple[str, str | None]:
    """Hash, probe without the demux, then seek (by the container's index) to the last key
    frame and demux only from there: the last packet must end where the header says."""
    import av

    sha = sha256_file(path)
    try:
        probe = probe_clip(path, read_packets=False)
    except ProbeError as exc:
        return sha, str(exc)
    try:
        with av.open(str(path), options={"skip_frame": "all"}) as c:
            s = c.streams.video[0]
            start = s.start_time or 0
            if s.duration and s.time_base:
                c.seek(start + s.duration, stream=s, backward=True)
            last = None
            first = None
            for p in c.demux(s):
                if p.pts is None:
                    continue
                end = p.pts + (p.duration or 0)
                last = end if last is None else max(last, end)
                first = p.pts if first is None else min(first, p.pts)
            if last is None:
                return sha, "no readable video packets"
            covered = float((last - start) * s.time_base)
            if probe.duration_s and covered < 0.9 * probe.duration_s - 0.1:
                return sha, f"truncated: packets end at {covered:.2f} s of {probe.duration_s:.2f} s"
    except av.error.FFmpegError as exc:
        return sha, str(exc)
    return sha, None


class HashingReader(io.RawIOBase):
    """A file object for PyAV that hashes the bytes in file order as the demuxer reads them.

    A forward seek past unhashed bytes reads the gap into the hash; a read behind the hashed
    prefix is served from the file again (counted as ``reread``)."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "rb", buffering=0)  # noqa: SIM115
        self.digest = hashlib.sha256()
        self.hashed = 0
        self.pos = 0
        self.reread = 0
        self.size = os.fstat(self.fh.fileno()).st_size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = self.fh.seek(offset, whence)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def read(self, n: int = -1) -> bytes:
        if self.pos > self.hashed:  # the demuxer skipped ahead: hash the gap
            self.fh.seek(self.hashed)
            while self.hashed < self.pos:
                chunk = self.fh.read(min(1 << 20, self.pos - self.hashed))
                if not chunk:
                    break
                self.digest.update(chunk)
                self.hashed += len(chunk)
            self.fh.seek(self.pos)
        data = self.fh.read(n)
        end = self.pos + len(data)
        if self.pos <= self.hashed < end:
            self.digest.update(data[self.hashed - self.pos :])
            self.hashed = end
        elif end <= self.hashed:
            self.reread += len(data)
        self.pos = end
        return data

    def finish(self) -> str:
        self.fh.seek(self.hashed)
        while chunk := self.fh.read(1 << 20):
            self.digest.update(chunk)
            self.hashed += len(chunk)
        self.fh.close()
        return self.digest.hexdigest()


REREAD: dict[str, int] = {}


def hash_as_read(path: Path) -> tuple[str, str | None]:
    """One pass: the demux of every packet reads the file through :class:`HashingReader`."""
    import av

    from vqa_core.ingest.probe import _demux_span

    reader = HashingReader(path)
    reason = None
    try:
        with av.open(reader, options={"skip_frame": "all"}) as c:  # type: ignore[arg-type]
            if not c.streams.video:
                raise ProbeError("no video stream")
            s = c.streams.video[0]
            claimed = float(s.duration * s.time_base) if s.duration and s.time_base else 0.0
            span = _demux_span(c.demux(s), s, None)
            if span is not None and claimed and span < 0.9 * claimed - 0.1:
                reason = f"truncated: {span:.2f} of {claimed:.2f} s"
    except (ProbeError, av.error.FFmpegError) as exc:
        reason = str(exc)
    sha = reader.finish()
    REREAD[path.name] = reader.reread
    return sha, reason


def structure(path: Path) -> tuple[str, str | None]:
    """Hash, probe without the demux, and compare the container's declared end with the size."""
    sha = sha256_file(path)
    try:
        probe_clip(path, read_packets=False)
    except ProbeError as exc:
        return sha, str(exc)
    end = declared_end(path)
    if end is None:
        return today(path)
    if end > path.stat().st_size:
        return sha, f"truncated: the container ends at byte {end:,}, the file at {path.stat().st_size:,}"
    return sha, None


def _shipped(path: Path) -> str | None:
    try:
        probe_clip(path, read_packets=True)
    except ProbeError as exc:
        return str(exc)
    return None


CHECKS: dict[str, Callable[[Path], tuple[str, str | None]]] = {
    "today (hash + full demux)": today,
    "tail (hash + seek to last key frame)": tail,
    "hash as the demuxer reads": hash_as_read,
    "structure (hash + top-level sizes)": structure,
    "probe_clip (as shipped)": lambda p: (sha256_file(p), _shipped(p)),
    "no check (hash + probe only)": no_check,
}


def _time(check: Callable[[Path], object], paths: list[Path], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for p in paths:
            check(p)
        best = min(best, time.perf_counter() - t0)
    return best / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--frames", type=int, default=120)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="trunc-bench-"))
    try:
        big = ClipSpec(width=args.width, height=args.height, frames=args.frames, quality=0.3)
        whole, cut = make_clips(base, big)
        print(
            f"{len(whole)} whole clips ({sum(p.stat().st_size for p in whole.values()) / 1e6:.1f} MB), "
            f"{len(cut)} cut or hostile"
        )
        expected = {name: today(p)[1] for name, p in cut.items()}
        print("\ncaught (rejection) per cut clip:")
        print(f"{'clip':34s}" + "".join(f"{k.split(' ')[0]:>10s}" for k in CHECKS))
        missed: dict[str, int] = dict.fromkeys(CHECKS, 0)
        for name, p in sorted(cut.items()):
            row = f"{name:34s}"
            for label, check in CHECKS.items():
                sha, reason = check(p)
                assert sha == sha256_file(p), (label, name)
                row += f"{'yes' if reason else 'MISSED':>10s}"
                missed[label] += reason is None
            print(row)
        for label, check in CHECKS.items():
            for name, p in whole.items():
                sha, reason = check(p)
                assert sha == sha256_file(p), (label, name)
                if reason is not None:
                    print(f"  {label} refuses the whole clip {name}: {reason}")
        print(f"\ntoday's check rejects {sum(r is not None for r in expected.values())}/{len(cut)}")
        print("\ncost per whole clip (best of", args.repeat, "), ratio to today's check:")
        for name, p in whole.items():
            base_t = _time(today, [p], args.repeat)
            cells = []
            for label, check in CHECKS.items():
                t = _time(check, [p], args.repeat)
                cells.append(f"{label.split(' ')[0]} {t * 1e3:6.2f} ms ({t / base_t:4.2f})")
            size = p.stat().st_size / 1e6
            print(
                f"  {name:20s} {size:5.1f} MB  "
                + "  ".join(cells)
                + f"  reread {REREAD.get(p.name, 0) / 1e6:.1f} MB"
            )
        print("\nmissed per check:", missed)
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
