"""Truncation from the container's own sizes: every cut of a real clip is caught, a whole clip never."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vqa_core.ingest.containerend import declared_end
from vqa_core.ingest.probe import ProbeError, probe_clip
from vqa_core.samples import ClipSpec, write_clip

CUTS = (1 / 3, 1 / 2, 0.9, 0.98, 0.999)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import av

    base = tmp_path_factory.mktemp("ends")
    made = {
        s: write_clip(base / f"c{s}", ClipSpec(width=64, height=36, frames=30), seed=2)
        for s in (".mp4", ".mkv")
    }
    made[".webm"] = write_clip(
        base / "c.webm", ClipSpec(width=64, height=36, frames=30, codec="libvpx-vp9"), seed=2
    )
    faststart = base / "fast.mp4"  # moov before mdat: a cut leaves the header readable
    with (
        av.open(str(made[".mp4"])) as inp,
        av.open(str(faststart), "w", options={"movflags": "+faststart"}) as out,
    ):
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    made["faststart.mp4"] = faststart
    return made


@pytest.mark.parametrize("name", [".mp4", ".mkv", ".webm", "faststart.mp4"])
def test_a_whole_clip_ends_where_it_says(clips: dict[str, Path], name: str) -> None:
    assert declared_end(clips[name]) == clips[name].stat().st_size
    probe_clip(clips[name], read_packets=True)


@pytest.mark.parametrize("junk", [b"\x00", b"\xff" * 7, b"\x13" * 32, b"\x7f\xff\xff\xffabcd" * 4])
@pytest.mark.parametrize("name", [".mp4", "faststart.mp4", ".mkv"])
def test_trailing_junk_is_not_a_truncation(
    clips: dict[str, Path], name: str, junk: bytes, tmp_path: Path
) -> None:
    """Players ignore bytes after the last box or the Segment; so does the size check."""
    path = tmp_path / f"junk{clips[name].suffix}"
    path.write_bytes(clips[name].read_bytes() + junk)
    end = declared_end(path)
    assert end is not None and end <= path.stat().st_size
    probe_clip(path, read_packets=True)


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("name", [".mp4", ".mkv", ".webm", "faststart.mp4"])
def test_every_cut_is_rejected(clips: dict[str, Path], name: str, cut: float, tmp_path: Path) -> None:
    data = clips[name].read_bytes()
    path = tmp_path / f"cut{clips[name].suffix}"
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(ProbeError):
        probe_clip(path, read_packets=True)


def test_a_hollow_container_is_refused(clips: dict[str, Path], tmp_path: Path) -> None:
    """Its sizes add up (the ``mdat`` box was emptied and its size rewritten) but no packet can be
    read: the first packet is still demuxed, so a well-formed but empty clip is no clip."""
    data = clips["faststart.mp4"].read_bytes()
    mdat = data.index(b"mdat") - 4
    hollow = tmp_path / "hollow.mp4"
    hollow.write_bytes(data[:mdat] + (8).to_bytes(4, "big") + b"mdat")
    assert declared_end(hollow) == hollow.stat().st_size
    with pytest.raises(ProbeError, match="no readable video packets"):
        probe_clip(hollow, read_packets=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=256), prefix=st.sampled_from([b"", b"\x1a\x45\xdf\xa3", b"\x00\x00\x00\x08ftyp"])
)
def test_any_bytes_give_an_offset_or_none(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(prefix + data)
    end = declared_end(path)
    assert end is None or end >= 0
