"""Clips that are not what their name says: each one counted under a reason, none stalls the run.

The clips are real files (PyAV-made video, y4m headers, FIFOs, playlists,
symlinks, a multi-GB sparse file); the runs are the real CLI or engine. A
FIFO is the real thing a probe can block on: FFmpeg's ``open()`` of it waits
for a writer, and PyAV's ``timeout`` does not interrupt a system call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from vqa_core.samples import ClipSpec, write_clip
from vqa_core.testing.http import LocalServer

GOOD = 6


def _add(drop: Path, flickr_id: str, make: Callable[[Path], None]) -> None:
    """Append a metadata row for ``flickr_id`` and let ``make`` create its clip."""
    make(drop / "KoNViD_1k_videos" / f"{flickr_id}.mp4")
    with open(drop / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv", "a") as fh:
        fh.write(f"{flickr_id},0,{flickr_id}.mp4,3.0,1,2,3,4,5,6\n")


def _y4m(width: int, height: int, frames: int = 2) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.write(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode())
            for _ in range(frames):
                fh.write(b"FRAME\n" + b"\x80" * (width * height * 3 // 2))

    return make


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text)


def _still_png(path: Path) -> None:
    import av
    import numpy as np

    tmp = path.with_suffix(".png")
    with av.open(str(tmp), "w", format="image2") as container:
        stream = container.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = 16, 16, "rgb24"
        frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    tmp.rename(path)


def _audio_only(path: Path) -> None:
    import av
    import numpy as np

    tmp = path.with_suffix(".wav")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    tmp.rename(path)


@pytest.fixture
def hostile(
    tmp_path: Path, konvid_drop_factory: Any, fifo_cleanup: list[Path]
) -> tuple[Path, dict[str, str], LocalServer]:
    """A drop of good clips plus one row per hostile clip; ``id → expected reason``."""
    drop = konvid_drop_factory(tmp_path / "drop", GOOD)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = write_clip(outside / "secret.mp4", ClipSpec(width=32, height=18, frames=5), seed=9)
    real = write_clip(tmp_path / "real.mkv", ClipSpec(width=64, height=36, frames=25), seed=4)
    long = write_clip(tmp_path / "long.mp4", ClipSpec(width=64, height=36, frames=50), seed=5).read_bytes()
    videos = drop / "KoNViD_1k_videos"
    fifo = videos / "pipe.ts"
    os.mkfifo(fifo)
    fifo_cleanup.append(fifo)
    server = LocalServer()
    server.add("/segment.ts", long)
    expected: dict[str, str] = {}

    def case(flickr_id: str, reason: str, make: Callable[[Path], None]) -> None:
        _add(drop, flickr_id, make)
        expected[flickr_id] = reason

    case("101", "broken-clip", _bytes(long[: len(long) // 3]))  # truncated
    case("102", "broken-clip", _bytes(b""))  # zero bytes
    case("103", "broken-clip", _text("this is not a video\n" * 50))
    case("104", "broken-clip", _bytes(os.urandom(64 << 10)))
    case("105", "written", lambda p: shutil.copy(real, p))  # Matroska named .mp4: the content decides
    case("106", "bad-geometry", _y4m(70_000, 2))  # absurd width in a y4m header
    case("107", "broken-clip", _y4m(100_000, 100_000, frames=0))  # absurd size FFmpeg refuses
    case("108", "broken-clip", _still_png)  # a PNG named like a clip
    case("109", "broken-clip", _audio_only)
    case("110", "broken-clip", lambda p: (os.mkfifo(p), fifo_cleanup.append(p)))  # a FIFO: opening blocks
    case("111", "broken-clip", lambda p: p.mkdir())
    case("112", "unsafe-path", lambda p: p.symlink_to(secret))  # outside the dataset root
    case("113", "unsafe-path", lambda p: p.symlink_to("/dev/zero"))
    case("114", "missing-clip", lambda p: p.symlink_to(p))  # a symlink loop
    # playlists and scripts would make FFmpeg open other files: a FIFO (hangs for ever),
    # a clip outside the root, a URL
    case(
        "115",
        "broken-clip",
        _text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{fifo.name}\n#EXT-X-ENDLIST\n"),
    )
    case("116", "broken-clip", _text(f"ffconcat version 1.0\nfile {fifo.name}\n"))
    case(
        "117",
        "broken-clip",
        _text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{secret}\n#EXT-X-ENDLIST\n"),
    )
    case(
        "118",
        "broken-clip",
        _text(
            f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{server.url('/segment.ts')}\n#EXT-X-ENDLIST\n"
        ),
    )
    case("119", "broken-clip", _text('<?xml version="1.0"?>\n<MPD><Period><AdaptationSet/></Period></MPD>\n'))
    return drop, expected, server


def test_every_hostile_clip_is_counted_and_none_stalls_the_run(
    kit: ModuleType, hostile: tuple[Path, dict[str, str], LocalServer], tmp_path: Path
) -> None:
    drop, expected, server = hostile
    out = tmp_path / "k.jsonl"
    started = time.monotonic()
    with server:
        done = kit.run_vqa(*kit.ingest_args(drop, out, "--probe-timeout", "2"), timeout=120)
    elapsed = time.monotonic() - started
    done.assert_ok()
    assert elapsed < 90, elapsed  # a stalled clip would hold the run to the 120 s timeout
    assert server.requests == []  # nothing was fetched on behalf of a playlist
    rejections = {
        Path(r["key"]).stem: r
        for r in map(orjson.loads, (tmp_path / "k.rejections.jsonl").read_bytes().splitlines())
    }
    written = {r["konvid_flickr_id"] for r in map(orjson.loads, out.read_bytes().splitlines())}
    assert len(written) == GOOD + sum(1 for reason in expected.values() if reason == "written")
    for flickr_id, reason in expected.items():
        if reason == "written":
            assert flickr_id in written
        else:
            assert rejections[flickr_id]["reason"] == reason, rejections[flickr_id]
    detail = {k: r["detail"] for k, r in rejections.items()}
    assert "not a regular file" in detail["110"] and "not a regular file" in detail["111"]
    assert "HLS playlist" in detail["115"] and "concat script" in detail["116"]
    assert "still image (png)" in detail["108"] and "absurd" in detail["106"]
    manifest = orjson.loads((tmp_path / "k.manifest.json").read_bytes())["stats"]
    assert manifest["rows_read"] == manifest["written"] + manifest["skipped_total"] == GOOD + len(expected)


def test_features_count_the_same_hostile_clips_without_stalling(
    kit: ModuleType, hostile: tuple[Path, dict[str, str], LocalServer], tmp_path: Path
) -> None:
    """A hand-written shard naming hostile clips (features trust no shard): counted, never decoded."""
    drop, expected, server = hostile
    rows = [{"src": f"KoNViD_1k_videos/{flickr_id}.mp4"} for flickr_id in expected]
    shard = tmp_path / "hand.jsonl"
    shard.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    out = tmp_path / "f.jsonl"
    with server:
        done = kit.run_vqa(
            "features", "extract", shard, "--root", drop, "-o", out, "--timestamp", kit.TIMESTAMP, timeout=120
        )
    done.assert_ok()
    assert server.requests == []
    reasons = {
        Path(r["key"]).stem: r["reason"]
        for r in map(orjson.loads, (tmp_path / "f.rejections.jsonl").read_bytes().splitlines())
    }
    for flickr_id in ("110", "111", "115", "116", "117", "118", "119", "102", "103", "108", "109"):
        assert reasons[flickr_id] in ("missing-clip", "undecodable-clip"), (flickr_id, reasons)
    assert reasons["112"] == reasons["113"] == "unsafe-path"


# -- the watchdog ---------------------------------------------------------------------------------------


def test_a_probe_blocked_in_the_kernel_is_abandoned_and_the_others_finish(
    tmp_path: Path, fifo_cleanup: list[Path]
) -> None:
    """The real hang: FFmpeg opening a FIFO. PyAV's timeout does not fire; the watchdog does."""
    from vqa_core.ingest.probe import probe_clip
    from vqa_core.runner.executor import LocalExecutor, Work, run_ordered
    from vqa_core.runner.watchdog import StalledTask

    fifo = tmp_path / "blocked.mp4"
    os.mkfifo(fifo)
    fifo_cleanup.append(fifo)
    clips = [
        write_clip(tmp_path / f"c{i}.mp4", ClipSpec(width=32, height=18, frames=4), seed=i) for i in range(4)
    ]
    executor = LocalExecutor("thread", 2, stall_s=1.5)
    started = time.monotonic()

    def probe(path: Path) -> object:
        return probe_clip(path, timeout_s=0.5)  # PyAV's per-operation timeout: 0.5 s

    def stalled(task: Path, exc: Exception) -> object:
        assert isinstance(exc, StalledTask), exc
        return f"stalled after {exc.idle_s:.1f} s"

    try:
        results = list(
            run_ordered(
                executor,
                probe,
                [Work(clips[0]), Work(fifo), *map(Work, clips[1:])],
                window=4,
                on_error=stalled,
            )
        )
    finally:
        executor.shutdown()
    elapsed = time.monotonic() - started
    assert isinstance(results[1], str) and results[1].startswith("stalled after")
    assert [r.width for r in (results[0], *results[2:])] == [32, 32, 32, 32]  # type: ignore[union-attr]
    assert 1.5 <= elapsed < 60, elapsed  # abandoned after 1 s idle, not waited for


def test_a_process_with_an_abandoned_thread_still_exits(tmp_path: Path) -> None:
    """Abandoned threads are daemons: the command ends when its work is done."""
    fifo = tmp_path / "blocked.mp4"
    os.mkfifo(fifo)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from vqa_core.runner.executor import LocalExecutor, Work, run_ordered
        from vqa_core.ingest.probe import probe_clip
        executor = LocalExecutor("thread", 1, stall_s=1.0)
        out = list(run_ordered(executor, probe_clip, [Work(Path({str(fifo)!r}))], window=2,
                               on_error=lambda task, exc: type(exc).__name__))
        executor.shutdown()
        print(out)
        """
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['StalledTask']"
    assert time.monotonic() - started < 50  # well before the 60 s timeout: nothing waits for the thread


# -- huge files -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_multi_gigabyte_sparse_clip_is_hashed_in_flat_memory(
    kit: ModuleType, konvid_drop_factory: Any, tmp_path: Path
) -> None:
    """3 GiB of holes inside a valid clip: hashing streams it, RSS stays where a tiny clip's is."""
    small = konvid_drop_factory(tmp_path / "small", 1)
    huge = konvid_drop_factory(tmp_path / "huge", 1, sparse_bytes=3 << 30)
    clip = next((huge / "KoNViD_1k_videos").iterdir())
    assert clip.stat().st_size > 3 << 30 and clip.stat().st_blocks * 512 < 1 << 20  # really sparse
    rss = {}
    for name, drop in (("small", small), ("huge", huge)):
        result, rss[name] = kit.run_measured(*kit.ingest_args(drop, tmp_path / f"{name}.jsonl"))
        result.assert_ok()
        assert "1 written" in result.stdout
    row = orjson.loads((tmp_path / "huge.jsonl").read_bytes())
    assert row["src_size_bytes"] == clip.stat().st_size and row["width"] == 32
    print(
        f"peak RSS: tiny clip {rss['small'] / 1024:.0f} MiB, 3 GiB sparse clip {rss['huge'] / 1024:.0f} MiB"
    )
    assert rss["huge"] - rss["small"] < 32 * 1024  # KiB: hashing holds one 1 MiB chunk at a time


def test_an_interrupted_probe_never_yields_a_row_with_missing_facts(tmp_path: Path) -> None:
    """FFmpeg returns from an interrupted stream analysis without error, just without facts."""
    from vqa_core.ingest.probe import ProbeTimeout, probe_clip

    clip = write_clip(tmp_path / "c.mp4", ClipSpec(width=32, height=18, frames=4), seed=1)
    outcomes = []
    for timeout in (1e-9, 1e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 1e-2, 1.0):
        try:
            result = probe_clip(clip, timeout_s=timeout)
        except ProbeTimeout:
            outcomes.append("timeout")
            continue
        assert (result.width, result.height, result.pix_fmt, result.codec) == (32, 18, "yuv420p", "h264")
        outcomes.append("ok")
    assert outcomes[0] == "timeout" and outcomes[-1] == "ok"


def test_probe_timeouts_are_counted_and_retried_by_the_next_run(
    kit: ModuleType, konvid_drop_factory: Any, tmp_path: Path
) -> None:
    drop = konvid_drop_factory(tmp_path / "drop", 8)
    out = tmp_path / "k.jsonl"
    first = kit.run_vqa(*kit.ingest_args(drop, out, "--probe-timeout", "1e-9"))
    first.assert_ok()
    assert "0 written" in first.stdout and "8 probe-timeout" in first.stdout
    again = kit.run_vqa(*kit.ingest_args(drop, out))
    again.assert_ok()
    assert "8 written" in again.stdout and "8 processed" in again.stdout
