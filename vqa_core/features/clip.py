"""The per-clip work: decode one clip with PyAV and summarise its per-frame features.

:func:`extract_clip` is a pure function of its :class:`FeatureTask` (plus the
file system), picklable, and safe on threads, processes or Dask workers. It
never raises for a clip problem: the returned :class:`FeatureResult` carries a
reason instead (``missing-clip``, ``unreadable-clip``, ``changed-clip``,
``undecodable-clip``).

Frames are sampled at ``sample_fps`` (every frame when ``None``). TI always
compares a sampled frame with the frame decoded just before it, so sampling
changes how many TI values there are, not what TI means.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    from vqa_core.features.perframe import Luma
    from vqa_core.features.scratch import Scratch

# Hashing, decoding, numpy and the watchdog load with the first clip: the registry reads the
# feature names (VQA_NR_V1) through the training schemas at every `vqa corpora list`.

__all__ = [
    "FEATURES",
    "STATISTICS",
    "VQA_NR_V1",
    "FEATURE_SET",
    "RawGeometry",
    "FeatureTask",
    "FeatureResult",
    "extract_clip",
    "summarise",
]

#: Per-frame features, in output order.
FEATURES: Final = ("si", "ti", "colourfulness", "contrast", "brightness", "sharpness")
#: Statistics over time of every feature; SI and TI also get ``max`` (P.910 reports the maximum).
STATISTICS: Final = ("mean", "std", "p10", "p90")
_MAX_FOR: Final = ("si", "ti")
FEATURE_SET: Final = "vqa-nr-v1"
#: The columns ``vqa features extract`` writes, in order; the ``vqa-nr-v1`` training schema.
VQA_NR_V1: Final[tuple[str, ...]] = tuple(
    f"{feature}_{stat}"
    for feature in FEATURES
    for stat in (*STATISTICS, *(("max",) if feature in _MAX_FOR else ()))
)


@attrs.frozen
class RawGeometry:
    """How to decode a headerless raw clip."""

    width: int
    height: int
    pix_fmt: str
    framerate: float


@attrs.frozen
class FeatureTask:
    idx: int
    key: str
    path: str
    #: The directory the clip must stay inside once symlinks are resolved.
    base: str
    sha256: str | None = None
    raw: RawGeometry | None = None
    sample_fps: float | None = None


@attrs.frozen
class FeatureResult:
    idx: int
    key: str
    reason: str | None = None
    detail: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    frames_decoded: int = 0
    frames_used: int = 0
    values: dict[str, float | None] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        return self.reason is None


def summarise(series: dict[str, list[float]]) -> dict[str, float | None]:
    """Mean, population std, 10th and 90th percentile (linear interpolation), and max for SI/TI;
    ``None`` where a feature has no value (TI of a one-frame clip)."""
    import numpy as np

    out: dict[str, float | None] = {}
    for feature in FEATURES:
        values = np.asarray(series.get(feature, ()), dtype=np.float64)
        stats = (*STATISTICS, *(("max",) if feature in _MAX_FOR else ()))
        for stat in stats:
            name = f"{feature}_{stat}"
            if values.size == 0:
                out[name] = None
            elif stat == "mean":
                out[name] = float(values.mean())
            elif stat == "std":
                out[name] = float(values.std())
            elif stat == "p10":
                out[name] = float(np.percentile(values, 10))
            elif stat == "p90":
                out[name] = float(np.percentile(values, 90))
            else:
                out[name] = float(values.max())
    return out


def extract_clip(task: FeatureTask) -> FeatureResult:
    """Decode ``task.path`` and compute its features."""
    from vqa_core.features.decoding import DecodeError
    from vqa_core.fsutil import is_inside, sha256_file
    from vqa_core.runner.watchdog import beat

    def fail(reason: str, detail: str, **extra: Any) -> FeatureResult:
        return FeatureResult(task.idx, task.key, reason=reason, detail=detail, **extra)

    path = Path(task.path)
    if os.path.lexists(path) and not is_inside(task.path, task.base):
        return fail("unsafe-path", f"{task.key} resolves outside {task.base} (symlink)")
    try:
        st = path.stat()
    except OSError as exc:
        # a clip that is there but may not be read is not missing: say which
        reason = "unreadable-clip" if isinstance(exc, PermissionError) else "missing-clip"
        return fail(reason, f"{task.key}: {exc.strerror or exc}")
    if not path.is_file():
        return fail("missing-clip", f"{task.key} is not a regular file")
    stamp: dict[str, Any] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    try:
        sha = sha256_file(path, on_chunk=beat)
    except OSError as exc:
        reason = "missing-clip" if isinstance(exc, FileNotFoundError) else "unreadable-clip"
        return fail(reason, f"{task.key}: {exc.strerror or exc}", **stamp)
    if task.sha256 and sha != task.sha256:
        return fail(
            "changed-clip",
            f"{task.key} has sha256 {sha[:12]}…, the shard recorded {task.sha256[:12]}… (not the clip that was labelled)",
            sha256=sha,
            **stamp,
        )
    try:
        decoded, used, series = _decode_features(path, task.raw, task.sample_fps)
    except DecodeError as exc:
        return fail("undecodable-clip", f"{task.key}: {exc}", sha256=sha, **stamp)
    if used == 0:
        return fail("undecodable-clip", f"{task.key}: no video frames could be decoded", sha256=sha, **stamp)
    return FeatureResult(
        task.idx,
        task.key,
        sha256=sha,
        frames_decoded=decoded,
        frames_used=used,
        values=summarise(series),
        **stamp,
    )


def _decode_features(
    path: Path, raw: RawGeometry | None, sample_fps: float | None
) -> tuple[int, int, dict[str, list[float]]]:
    from vqa_core.features.decoding import frames
    from vqa_core.features.scratch import Scratch
    from vqa_core.runner.watchdog import beat

    series: dict[str, list[float]] = {name: [] for name in FEATURES}
    decoded = used = 0
    last_slot = -1
    previous: Any = None
    previous_luma: Luma | None = None
    scratch = Scratch()
    for when, frame in frames(path, raw):
        beat()  # progress for the watchdog of the thread pool
        decoded += 1
        if sample_fps is not None:
            slot = math.floor(when * sample_fps + 1e-6)
            if slot <= last_slot:
                # an unsampled frame is read only if the next sampled one needs it for TI
                previous, previous_luma = frame, None
                continue
            last_slot = slot
        used += 1
        previous, previous_luma = frame, _measure(frame, previous, previous_luma, scratch, series)
    return decoded, used, series


def _measure(
    frame: Any, previous: Any, previous_luma: Luma | None, scratch: Scratch, series: dict[str, list[float]]
) -> Luma:
    """Append ``frame``'s features to ``series``; its luma, a view of the frame, is returned.

    No view of a frame may outlive the frame it belongs to as the previous one: a damaged
    stream's error concealment reads the decoder's recycled buffers, so holding a second frame
    while the next one decodes would change that next frame's pixels.
    """
    from vqa_core.features.perframe import frame_features, read_luma

    luma = read_luma(frame)
    for name, value in frame_features(frame, luma, _before(previous, previous_luma), scratch).items():
        series[name].append(value)
    return luma


def _before(previous: Any, previous_luma: Luma | None) -> Luma | None:
    """The luma of the frame decoded before, read now if it was not sampled."""
    from vqa_core.features.perframe import read_luma

    if previous is None:
        return None
    return previous_luma if previous_luma is not None else read_luma(previous)
