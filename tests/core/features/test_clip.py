from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vqa_core.features.clip import FeatureTask, RawGeometry, extract_clip
from vqa_core.fsutil import sha256_file
from vqa_core.samples import ClipSpec, write_clip, write_raw_clip


def _raw_flat(path: Path, width: int, height: int, frames: int, luma: int) -> Path:
    """Headerless yuv420p frames of one grey level (neutral chroma)."""
    frame = bytes([luma]) * (width * height) + bytes([128]) * (width * height // 2)
    path.write_bytes(frame * frames)
    return path


def _task(path: Path, **kwargs: object) -> FeatureTask:
    return FeatureTask(idx=0, key=path.name, path=str(path), base=str(path.parent), **kwargs)  # type: ignore[arg-type]


def test_flat_static_raw_clip_has_zero_si_ti_and_colourfulness(tmp_path: Path) -> None:
    clip = _raw_flat(tmp_path / "flat.yuv", 64, 36, frames=6, luma=100)
    result = extract_clip(_task(clip, raw=RawGeometry(64, 36, "yuv420p", 25.0), sha256=sha256_file(clip)))
    assert result.ok, result.detail
    assert result.frames_decoded == result.frames_used == 6
    v = result.values
    assert v["si_mean"] == 0.0 and v["si_max"] == 0.0
    assert v["ti_mean"] == 0.0 and v["ti_max"] == 0.0
    assert v["brightness_mean"] == 100.0
    assert v["colourfulness_mean"] == pytest.approx(0.0, abs=1e-9)
    assert v["sharpness_mean"] == 0.0


def test_static_encoded_clip_has_no_temporal_information(tmp_path: Path) -> None:
    path = tmp_path / "static.mp4"
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, size=(72, 96, 3), dtype=np.uint8)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = 96, 72, "yuv420p"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        for _ in range(8):
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    result = extract_clip(_task(path))
    assert result.ok, result.detail
    assert result.frames_decoded == 8
    assert result.values["ti_max"] == 0.0
    assert result.values["si_mean"] > 10.0  # random texture is full of edges


def test_sampling_keeps_ti_between_adjacent_frames(tmp_path: Path) -> None:
    path = write_clip(
        tmp_path / "moving.mp4", ClipSpec(width=96, height=64, fps=Fraction(25), frames=25), seed=4
    )
    every = extract_clip(_task(path))
    sampled = extract_clip(_task(path, sample_fps=5.0))
    assert every.frames_used == 25 and sampled.frames_used == 5
    assert sampled.frames_decoded == 25
    assert every.values["ti_mean"] is not None and sampled.values["ti_mean"] is not None
    # TI still compares adjacent frames, so its scale does not grow with the sampling gap
    assert sampled.values["ti_mean"] == pytest.approx(every.values["ti_mean"], rel=0.35)


def test_raw_clip_from_the_sample_writer(tmp_path: Path) -> None:
    spec = ClipSpec(width=64, height=48, frames=5, codec="rawvideo", pix_fmt="yuv420p10le")
    clip = write_raw_clip(tmp_path / "c.yuv", spec, seed=2)
    result = extract_clip(_task(clip, raw=RawGeometry(64, 48, "yuv420p10le", 25.0)))
    assert result.ok, result.detail
    assert result.frames_used == 5
    assert 0.0 < result.values["brightness_mean"] < 255.0  # 10-bit luma lands on the 8-bit scale


def test_clip_problems_are_reasons_not_exceptions(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    assert extract_clip(_task(junk)).reason == "undecodable-clip"
    assert extract_clip(_task(tmp_path / "gone.mp4")).reason == "missing-clip"
    good = write_clip(tmp_path / "good.mp4", ClipSpec(width=64, height=48, frames=3), seed=1)
    changed = extract_clip(_task(good, sha256="0" * 64))
    assert changed.reason == "changed-clip" and "not the clip that was labelled" in (changed.detail or "")
    odd = _raw_flat(tmp_path / "odd.yuv", 64, 36, frames=1, luma=5)
    assert extract_clip(_task(odd, raw=RawGeometry(64, 36, "yuv420p", 25.0))).values["ti_mean"] is None


def _damaged_h264(path: Path) -> Path:
    """An H.264 clip with B-frames and bytes flipped past its first third: FFmpeg conceals errors."""
    rng = np.random.default_rng(7)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.options = {"preset": "veryfast", "bf": "3"}
        base = rng.integers(0, 256, (180, 320, 3), dtype=np.uint8)
        for t in range(40):
            image = np.roll(base, 3 * t, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = bytearray(path.read_bytes())
    for i in rng.integers(len(data) // 3, len(data), 40):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _holding_one_frame(path: Path, sample_fps: float | None) -> dict[str, float | None]:
    """The features as the float formulas give them, holding only the previous frame while the
    next decodes (what FFmpeg conceals on a damaged stream depends on the frames held)."""
    from vqa_core.features import formulas, planes
    from vqa_core.features.clip import FEATURES, summarise
    from vqa_core.features.decoding import frames

    series: dict[str, list[float]] = {name: [] for name in FEATURES}
    previous, previous_luma, last_slot = None, None, -1
    for when, frame in frames(path, None):
        if sample_fps is not None:
            slot = math.floor(when * sample_fps + 1e-6)
            if slot <= last_slot:
                previous, previous_luma = frame, None
                continue
            last_slot = slot
        luma = planes.luma(frame)
        series["si"].append(formulas.spatial_information(luma))
        if previous is not None:
            series["ti"].append(
                formulas.temporal_information(
                    previous_luma if previous_luma is not None else planes.luma(previous), luma
                )
            )
        series["colourfulness"].append(formulas.colourfulness(planes.rgb(frame)))
        series["contrast"].append(formulas.rms_contrast(luma))
        series["brightness"].append(formulas.brightness(luma))
        series["sharpness"].append(formulas.laplacian_variance(luma))
        previous, previous_luma = frame, luma
    return summarise(series)


@pytest.mark.parametrize("sample_fps", [None, 5.0])
def test_a_damaged_clip_gives_what_the_float_formulas_give_holding_one_frame(
    tmp_path: Path, sample_fps: float | None
) -> None:
    clip = _damaged_h264(tmp_path / "damaged.mp4")
    result = extract_clip(_task(clip, sample_fps=sample_fps))
    assert result.ok, result.detail
    assert result.values == _holding_one_frame(clip, sample_fps)
