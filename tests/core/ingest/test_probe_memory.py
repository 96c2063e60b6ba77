"""Probing many clips in one process keeps its memory flat.

An unfinished PyAV packet generator left open when its container closes keeps its
packet: ~300 bytes per probed clip, which a 150,000-clip ingest would carry. The
growth is fitted over four checkpoints after a warm-up (least squares, never one
pair of readings); the budget is a third of that leak and far above the slope of
a flat run (0 bytes per probe here: the allocator reuses the same blocks).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vqa_core.ingest.probe import probe_clip
from vqa_core.samples import ClipSpec, write_clip

WARM_UP = 1_000
STEP = 2_000
CHECKPOINTS = 4
BYTES_PER_PROBE = 100

pytestmark = pytest.mark.slow


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    pytest.skip("no /proc/self/status on this system")


@pytest.mark.parametrize("codec", ["libx264", "libvpx-vp9"])  # the VP9 path reads a packet for its header
@pytest.mark.parametrize("read_packets", [True, False])
def test_probing_does_not_grow_memory(tmp_path: Path, codec: str, read_packets: bool) -> None:
    suffix = ".webm" if codec == "libvpx-vp9" else ".mp4"
    clip = write_clip(tmp_path / f"c{suffix}", ClipSpec(width=64, height=36, frames=10, codec=codec), seed=1)
    for _ in range(WARM_UP):
        probe_clip(clip, read_packets=read_packets)
    readings = []
    for _ in range(CHECKPOINTS):
        for _ in range(STEP):
            probe_clip(clip, read_packets=read_packets)
        readings.append(_rss_kib() * 1024)
    probes = np.arange(1, CHECKPOINTS + 1, dtype=float) * STEP
    slope = float(np.polyfit(probes, np.asarray(readings, dtype=float), 1)[0])
    assert slope < BYTES_PER_PROBE, f"{slope:.0f} bytes per probe (readings {readings})"
