"""What the reliability suite shares: fast dataset drops, the real CLI in a subprocess, and faults.

Faults are real, never mocked: a file-size limit (``RLIMIT_FSIZE``, with
``SIGXFSZ`` ignored so a write fails with ``EFBIG``) stands in for a full disk;
a child process without ``CAP_DAC_OVERRIDE``/``CAP_DAC_READ_SEARCH`` meets
permission bits even when the suite runs as root (as in CI); processes are
killed with ``SIGKILL``.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

import attrs
import pytest

TIMESTAMP = "2026-03-04T05:06:07Z"
#: The distributions a subprocess may load: the suite never depends on what else is installed.
PLUGINS = "vqa-konvid,vqa-lsvq,vqa-chug,vqa-youtube-ugc,vqa-live-vqc,vqa-waterloo-ivc,vqa-bvi-dvc"
KONVID_HEADER = "flickr_id,download_id,file_name,MOS,ti,si,colorfulness,contrast,blur,vniqe"

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


@attrs.frozen
class Result:
    """A finished ``vqa`` subprocess."""

    returncode: int
    stdout: str
    stderr: str

    def errors(self) -> list[str]:
        """stderr lines that are not log warnings (progress and warnings are allowed)."""
        return [line for line in self.stderr.splitlines() if line.strip() and not line.startswith("warning:")]

    def assert_clean_error(self, *contains: str, code: int = 2) -> str:
        """Exit ``code`` with exactly one ``error:`` line holding every ``contains``; no traceback."""
        assert "Traceback" not in self.stderr, self.stderr
        assert "internal error" not in self.stderr, self.stderr
        assert self.returncode == code, (self.returncode, self.stderr)
        lines = self.errors()
        assert len(lines) == 1 and lines[0].startswith("error: "), self.stderr
        for text in contains:
            assert text in lines[0], (text, lines[0])
        return lines[0]

    def assert_ok(self) -> None:
        assert self.returncode == 0, self.stderr
        assert "Traceback" not in self.stderr, self.stderr

    def assert_downloads_remain(self) -> None:
        """The run wrote its output, but clips could not be downloaded: exit 4, one error line."""
        self.assert_clean_error("could not be downloaded", "--retry-failed", code=4)


def vqa_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "vqa_core", *map(str, args)]


def vqa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VQA_") and k != "SOURCE_DATE_EPOCH"}
    env["VQA_LOAD_PLUGINS"] = PLUGINS
    # why: a periodic progress line (every 10 s off a terminal) would count as an error line on a
    # slow run; these tests judge errors, and tests/core/cli/test_progress.py judges progress
    env["VQA_PROGRESS_INTERVAL"] = "86400"
    env.update(extra or {})
    return env


def run_vqa(
    *args: str | Path,
    preexec_fn: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> Result:
    """Run ``python -m vqa_core ARGS`` to completion."""
    proc = subprocess.run(
        vqa_command(*args),
        capture_output=True,
        text=True,
        env=vqa_env(env),
        preexec_fn=preexec_fn,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def file_size_limit(limit: int) -> Callable[[], None]:
    """A ``preexec_fn``: every file of the child stops growing at ``limit`` bytes (writes fail with EFBIG)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def permission_bits_apply() -> Callable[[], None] | None:
    """A ``preexec_fn`` under which permission bits stop the child, even as root; ``None`` if not needed.

    Root bypasses permission bits through two capabilities; dropping them from the
    bounding set before ``exec`` keeps them out of the child (uid 0 still owns
    the files it owns, so only the bits decide).
    """
    if os.geteuid() != 0:
        return None

    def apply() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                os._exit(97)

    return apply


@pytest.fixture(scope="session")
def bits_apply() -> Callable[[], None] | None:
    """The ``preexec_fn`` of :func:`permission_bits_apply`; skips when this machine cannot drop them."""
    apply = permission_bits_apply()
    if apply is not None:
        probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=apply, check=False)
        if probe.returncode == 97:
            pytest.skip("running as root without CAP_SETPCAP: cannot make permission bits apply to a child")
    return apply


# -- fast drops -----------------------------------------------------------------------------


def _free_box(payload: bytes) -> bytes:
    """An MP4 ``free`` box: demuxers skip it, so a clip stays valid and gets its own bytes."""
    return struct.pack(">I4s", 8 + len(payload), b"free") + payload


@pytest.fixture(scope="session")
def base_clips(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """Four tiny real H.264 clips (32×18, 3 frames) to derive unique clips from."""
    from vqa_core.samples import ClipSpec, write_clip

    folder = tmp_path_factory.mktemp("base-clips")
    return [
        write_clip(folder / f"b{i}.mp4", ClipSpec(width=32, height=18, frames=3 + i), seed=i).read_bytes()
        for i in range(4)
    ]


def konvid_ids(n: int, start: int = 1_000_000) -> list[str]:
    return [str(start + 7 * i) for i in range(n)]


def write_konvid_drop(
    root: Path, bases: Sequence[bytes], n: int, *, sparse_bytes: int = 0, start: int = 1_000_000
) -> Path:
    """A KoNViD-1k drop of ``n`` unique tiny clips in the published layout; returns ``root``.

    Each clip is a base clip plus a ``free`` box naming its id; with
    ``sparse_bytes`` the box also holds that many bytes of holes (sparse on disk).
    """
    videos = root / "KoNViD_1k_videos"
    meta = root / "KoNViD_1k_metadata"
    videos.mkdir(parents=True, exist_ok=True)
    meta.mkdir(parents=True, exist_ok=True)
    lines = [KONVID_HEADER]
    for i, flickr_id in enumerate(konvid_ids(n, start)):
        mos = 1.0 + (i * 37 % 400) / 100.0
        lines.append(f"{flickr_id},{i},{flickr_id}_original_centercrop_960x540_8s.mp4,{mos:.4f},1,2,3,4,5,6")
        data = bases[i % len(bases)]
        payload = flickr_id.encode()
        if sparse_bytes:
            with open(videos / f"{flickr_id}.mp4", "wb") as fh:
                fh.write(data)
                fh.write(struct.pack(">I4s", 8 + len(payload) + sparse_bytes, b"free"))
                fh.write(payload)
                fh.truncate(len(data) + 8 + len(payload) + sparse_bytes)
        else:
            (videos / f"{flickr_id}.mp4").write_bytes(data + _free_box(payload))
    (meta / "KoNViD_1k_attributes.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="session")
def konvid_drop_factory(base_clips: list[bytes]) -> Callable[..., Path]:
    def make(root: Path, n: int, **kw: int) -> Path:
        return write_konvid_drop(root, base_clips, n, **kw)

    return make


def ingest_args(root: Path, out: Path, *extra: str) -> list[str | Path]:
    return [
        "ingest",
        "konvid-1k",
        "--root",
        root,
        "-o",
        out,
        "--timestamp",
        TIMESTAMP,
        "--workers",
        "2",
        "-q",
        *extra,
    ]


# -- observing the file system ------------------------------------------------------------------


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """``path → (size, mtime_ns)`` of everything under ``folders`` (to prove nothing else was written)."""
    seen: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                st = os.lstat(path)
                seen[path] = (
                    st.st_size if not os.path.isdir(path) else 0,
                    st.st_mtime_ns if name in filenames else 0,
                )
    return seen


def temporaries(folder: Path) -> list[str]:
    """Temporary files an interrupted atomic write would leave behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


@pytest.fixture
def fifo_cleanup() -> Iterator[list[Path]]:
    """FIFOs a test made; opened for writing at teardown so no reader stays blocked on them."""
    made: list[Path] = []
    yield made
    for path in made:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            continue
        os.close(fd)


@pytest.fixture(scope="session")
def kit() -> ModuleType:
    """This module: test modules cannot import it (``--import-mode=importlib``), so they get it here."""
    return sys.modules[__name__]


def decided_rows(state: Path) -> int:
    """Rows a (possibly running) ingest has decided so far, read from its resume state; 0 before it exists."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.1) as db:
            return int(db.execute("SELECT COUNT(*) FROM rows").fetchone()[0])
    except sqlite3.Error:
        return 0


#: ``python -m vqa_core ARGS`` that writes its own final ``VmHWM`` (KiB) to the file named in
#: argv[1] on the way out, however the command ends.
_MEASURED_MAIN = """
import sys
report, sys.argv = sys.argv[1], ["vqa", *sys.argv[2:]]
try:
    from vqa_core.cli import run
    run()
finally:
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def run_measured(*args: str | Path, env: dict[str, str] | None = None) -> tuple[Result, int]:
    """Run ``vqa ARGS``; the result and the child's peak resident set size in KiB.

    The peak is the child's own ``VmHWM``, as the child reads it when it ends, not
    ``ru_maxrss``: Linux keeps in ``ru_maxrss`` the high-water mark of the memory
    the child had before ``exec`` — a copy of this (large) test process.
    """
    result, peak, _ = run_sampled(*args, env=env, every_s=0.05)
    return result, peak


def run_sampled(
    *args: str | Path, env: dict[str, str] | None = None, every_s: float = 0.2
) -> tuple[Result, int, list[int]]:
    """Run ``vqa ARGS``: the result, the child's peak RSS (``VmHWM`` as the child reads it at its
    end, KiB) and its ``VmRSS`` sampled every ``every_s`` seconds (KiB).

    The peak is read by the child itself: the last allocations (rendering the
    output) happen within a sampling interval of its exit, and a sampler reading
    ``/proc`` from outside caught them on some runs and not on others (94 or
    118 MiB for the same ingest).
    """
    import tempfile
    import threading

    samples: list[int] = []
    peak = [0]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".hwm") as report,
    ):
        command = [sys.executable, "-c", _MEASURED_MAIN, report.name, *map(str, args)]
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=vqa_env(env))
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    with open(f"/proc/{proc.pid}/status") as fh:
                        fields = dict(line.split(":", 1) for line in fh if ":" in line)
                except OSError:
                    return
                if "VmHWM" not in fields:  # a zombie: the memory is gone
                    return
                peak[0] = max(peak[0], int(fields["VmHWM"].split()[0]))
                samples.append(int(fields["VmRSS"].split()[0]))
                stop.wait(every_s)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        proc.wait()
        stop.set()
        thread.join()
        out.seek(0)
        err.seek(0)
        result = Result(proc.returncode, out.read().decode(), err.read().decode())
        reported = report.read().strip()
        if reported:  # absent only if the child died before Python ran its finally (SIGKILL)
            peak[0] = max(peak[0], int(reported))
    return result, peak[0], samples
