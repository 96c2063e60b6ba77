"""Turn cached per-sequence libvmaf JSON files into encode-grid rows.

A cache file is named after its sequence (``DBookcaseBVITexture_480x272_120fps_10bit_420.json``)
and holds libvmaf's JSON log: ``version``, ``frames`` (``[{"frameNum", "metrics": {…}}]``)
and ``pooled_metrics`` (``{feature: {"min", "max", "mean", "harmonic_mean"[, "stddev"]}}``).
Feature names may carry libvmaf's ``integer_`` prefix (``integer_adm2``). The sequence
name gives the geometry; the metrics give the scores. A spread missing from
``pooled_metrics`` is computed from the per-frame values (population standard
deviation); a metric that is absent everywhere is ``null``.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from vqa_core.plugin import (
    CANONICAL_FEATURES,
    GRID_SCHEMA_VERSION,
    DatasetNotFoundError,
    GridSettings,
    MetadataError,
    Origin,
    RowRejection,
    SourceSpec,
)

__all__ = [
    "SEQUENCE_NAME",
    "RESOLUTION_CLASSES",
    "SequenceName",
    "parse_sequence_name",
    "metric_files",
    "grid_rows",
    "row_for",
]

#: ``<name>_<W>x<H>_<fps>fps_<bits>bit_<chroma>``, e.g. ``DBookcaseBVITexture_480x272_120fps_10bit_420``.
SEQUENCE_NAME: Final = re.compile(
    r"^(?P<name>.+)_(?P<width>\d+)x(?P<height>\d+)_(?P<fps>\d+(?:\.\d+)?)fps_(?P<bits>\d+)bit_(?P<chroma>4[0-4]{2})$"
)
#: The first letter of a sequence name is its resolution class (A = 2160p … D = 270p).
RESOLUTION_CLASSES: Final = ("A", "B", "C", "D")


@attrs.frozen
class SequenceName:
    """The geometry a BVI-DVC sequence name encodes."""

    key: str
    name: str
    width: int
    height: int
    fps: float
    bit_depth: int
    chroma: str

    @property
    def content(self) -> str:
        """The source content: the name without its resolution-class letter (``ABookcase…`` → ``Bookcase…``),
        so one sequence at its four resolution classes is one content; a name without a class letter is its own."""
        if len(self.name) > 1 and self.name[0] in RESOLUTION_CLASSES:
            return self.name[1:]
        return self.name

    @property
    def pix_fmt(self) -> str:
        """The source's pixel format in FFmpeg's naming (``yuv420p10le``)."""
        base = f"yuv{self.chroma}p"
        return base if self.bit_depth == 8 else f"{base}{self.bit_depth}le"


def parse_sequence_name(key: str) -> SequenceName | None:
    """The geometry of a sequence key, or ``None`` when the name does not follow the pattern."""
    match = SEQUENCE_NAME.match(key)
    if not match:
        return None
    width, height = int(match["width"]), int(match["height"])
    fps, bits = float(match["fps"]), int(match["bits"])
    if width <= 0 or height <= 0 or fps <= 0 or bits not in (8, 10, 12, 16):
        return None
    return SequenceName(key, match["name"], width, height, fps, bits, match["chroma"])


def metric_files(source: SourceSpec) -> list[Path]:
    """The cache files to read: ``source.metadata`` if given, else ``<root>/*.json`` by name."""
    if source.metadata:
        return sorted(source.metadata, key=lambda p: (p.name, str(p)))
    if not source.root.is_dir():
        raise DatasetNotFoundError(f"metric cache directory not found: {source.root}", path=str(source.root))
    files = sorted(p for p in source.root.glob("*.json") if p.is_file())
    if not files:
        raise MetadataError(
            f"no .json metric files under {source.root}; point --root at the folder of <sequence>.json "
            "libvmaf logs",
            path=str(source.root),
        )
    return files


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _frame_values(frames: list[Any], name: str) -> list[float]:
    values = []
    for frame in frames:
        metrics = frame.get("metrics") if isinstance(frame, Mapping) else None
        if isinstance(metrics, Mapping):
            number = _number(metrics.get(name))
            if number is not None:
                values.append(number)
    return values


def _feature(
    doc: Mapping[str, Any], frames: list[Any], names: tuple[str, ...]
) -> tuple[float | None, float | None]:
    """Pooled mean and spread of the first of ``names`` found, else from the frames."""
    pooled = doc.get("pooled_metrics")
    pooled = pooled if isinstance(pooled, Mapping) else {}
    for name in names:
        entry = pooled.get(name)
        values = _frame_values(frames, name)
        mean = _number(entry.get("mean")) if isinstance(entry, Mapping) else None
        std = _number(entry.get("stddev")) if isinstance(entry, Mapping) else None
        if mean is None and values:
            mean = statistics.fmean(values)
        if std is None and values:
            std = statistics.pstdev(values)
        if mean is not None or std is not None:
            return mean, std
    return None, None


def _reject(path: Path, reason: str, detail: str, line: int = 1) -> RowRejection:
    return RowRejection(reason, detail, Origin(str(path), line), clip=path.stem)


def row_for(path: Path, data: bytes, settings: GridSettings) -> dict[str, Any] | RowRejection:
    """The grid row of one cache file, or the reason it cannot be one."""
    sequence = parse_sequence_name(path.stem)
    if sequence is None:
        return _reject(
            path, "unparsable-name", f"{path.stem!r} is not <name>_<W>x<H>_<fps>fps_<bits>bit_<chroma>"
        )
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return _reject(path, "invalid-json", str(exc), getattr(exc, "lineno", 1) or 1)
    if not isinstance(doc, dict):
        return _reject(path, "not-a-libvmaf-log", f"top level is {type(doc).__name__}, not an object")
    frames = doc.get("frames")
    if frames is not None and not isinstance(frames, list):
        return _reject(path, "not-a-libvmaf-log", "frames is not a list")
    frames = frames or []
    vmaf, _ = _feature(doc, frames, ("vmaf", settings.vmaf_model))
    if vmaf is None:
        return _reject(path, "no-vmaf-score", "neither pooled_metrics nor frames carry a vmaf score")
    digest = hashlib.sha256(data).hexdigest()
    run_key = "|".join(
        (
            sequence.key,
            settings.encoder,
            settings.preset,
            str(settings.crf),
            settings.pix_fmt,
            settings.vmaf_model,
            digest,
        )
    )
    version = doc.get("version")
    row: dict[str, Any] = {
        "schema_version": GRID_SCHEMA_VERSION,
        "run_id": hashlib.sha256(run_key.encode()).hexdigest()[:32],
        "timestamp": settings.timestamp,
        "src": f"bvi-dvc:{sequence.key}",
        # A surrogate: the hash of the sequence name, not of clip bytes (no clip is read).
        "src_sha256": hashlib.sha256(sequence.key.encode()).hexdigest(),
        "src_sha256_kind": "name",
        # the core grouping column of MOS shards, with the same "<corpus>/<key>" value
        "content_group": f"bvi-dvc/{sequence.content}",
        "width": sequence.width,
        "height": sequence.height,
        "pix_fmt": settings.pix_fmt,
        "framerate": sequence.fps,
        "duration_s": len(frames) / sequence.fps if frames else None,
        "encoder": settings.encoder,
        "encoder_version": "",
        "preset": settings.preset,
        "crf": settings.crf,
        "extra_params": "",
        "encode_path": "",
        "encode_size_bytes": None,
        "bitrate_kbps": None,
        "encode_time_ms": None,
        "vmaf_score": vmaf,
        "vmaf_model": settings.vmaf_model,
        "score_time_ms": None,
        "ffmpeg_version": "",
        "vmaf_binary_version": version if isinstance(version, str) else "",
        "exit_status": 0,
        "clip_mode": "full",
        "hdr_transfer": "",
        "hdr_primaries": "",
        "hdr_forced": False,
        "shot_count": None,
        "shot_avg_duration_sec": None,
        "shot_duration_std_sec": None,
    }
    spreads = {}
    for feature in CANONICAL_FEATURES:
        mean, std = _feature(doc, frames, (feature, f"integer_{feature}"))
        row[f"{feature}_mean"] = mean
        spreads[f"{feature}_std"] = std
    row.update(spreads)
    for key in (
        "enc_internal_qp_mean",
        "enc_internal_qp_std",
        "enc_internal_bits_mean",
        "enc_internal_bits_std",
        "enc_internal_mv_mean",
        "enc_internal_mv_std",
        "enc_internal_itex_mean",
        "enc_internal_ptex_mean",
        "enc_internal_intra_ratio",
        "enc_internal_skip_ratio",
    ):
        row[key] = None  # no encoder statistics exist for a cached metric file
    row.update(
        bvi_sequence=sequence.key,
        bvi_bit_depth=sequence.bit_depth,
        bvi_chroma=sequence.chroma,
        bvi_source_pix_fmt=sequence.pix_fmt,
        bvi_frames=len(frames),
        bvi_metrics_file=path.name,
        bvi_metrics_sha256=digest,
    )
    return row


def grid_rows(source: SourceSpec, settings: GridSettings) -> Iterator[dict[str, Any] | RowRejection]:
    """One row (or rejection) per cache file, in file-name order; checks the source first."""
    files = metric_files(source)

    def rows() -> Iterator[dict[str, Any] | RowRejection]:
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                yield _reject(path, "unreadable", exc.strerror or str(exc))
                continue
            yield row_for(path, data, settings)

    return rows()
