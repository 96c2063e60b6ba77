from __future__ import annotations

from pathlib import Path

import attrs
import pytest

TIMESTAMP = "2026-01-01T00:00:00Z"
#: Corpora of the sample table: one on 1–5 without splits, one with splits, one on 0–100.
CORPORA = ("konvid-1k", "lsvq", "live-vqc")


@attrs.frozen
class SampleTable:
    table: Path
    roots: dict[str, Path]


@pytest.fixture(scope="session")
def sample_table(tmp_path_factory: pytest.TempPathFactory) -> SampleTable:
    """Sample drops of three corpora, ingested and aggregated through the library (read-only)."""
    import vqa_konvid
    import vqa_live_vqc
    import vqa_lsvq

    from vqa_core.aggregate import aggregate
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    base = tmp_path_factory.mktemp("clip-dataset")
    registry = Registry.from_plugins([("k", vqa_konvid), ("l", vqa_lsvq), ("v", vqa_live_vqc)], strict=True)
    roots, shards = {}, []
    for corpus in CORPORA:
        drop = write_sample(registry, corpus, base / "samples" / corpus, clips=6, seed=5)
        shard = base / f"{corpus}.jsonl"
        ingest(
            registry,
            IngestConfig(
                corpus, root=drop.root, output=shard, metadata=tuple(drop.metadata), timestamp=TIMESTAMP
            ),
        )
        roots[corpus] = drop.root
        shards.append(shard)
    table = base / "unified.parquet"
    aggregate(registry, shards, table, timestamp=TIMESTAMP)
    return SampleTable(table, roots)


def ramp_level(index: int) -> int:
    """The luma of frame ``index`` of a ramp clip."""
    return 16 + 2 * index


def write_ramp(path: Path, n_frames: int, *, gop: int = 250, width: int = 64, height: int = 48) -> Path:
    """An H.264 clip (lossless, B-frames) whose frame ``i`` is flat grey at :func:`ramp_level` ``(i)``."""
    import av
    import numpy as np

    assert ramp_level(n_frames - 1) <= 235
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25, options={"qp": "0", "bframes": "2"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = gop
        for i in range(n_frames):
            yuv = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
            yuv[:height] = ramp_level(i)
            frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def frame_levels(frames: object) -> list[int]:
    """Which ramp frame each slot of a ``[T, 3, H, W]`` tensor shows (the nearest level)."""
    import numpy as np
    import torch

    assert isinstance(frames, torch.Tensor)
    # frames are RGB of limited-range grey: map each slot's mean back through the expansion
    means = frames.double().mean(dim=(1, 2, 3)).numpy()
    lumas = means * 219.0 / 255.0 + 16.0
    return [int(np.rint((luma - 16.0) / 2.0)) for luma in lumas]


def write_rows(path: Path, rows: list[dict[str, object]]) -> Path:
    """A unified-shaped table holding just the columns a ClipDataset reads."""
    import pyarrow as pa

    from vqa_core.tables.loose import write_table

    full = [
        {
            "src_sha256": "",
            "mos": 50.0,
            "mos_native": 3.0,
            "mos_native_scale": "1-5",
            "content_group": f"{row['corpus']}/{row['src']}",
            "split": None,
            **row,
        }
        for row in rows
    ]
    write_table(pa.Table.from_pylist(full), path)
    return path


@attrs.frozen
class Ramp:
    """Ramp clips and tables in one test's directory (test modules cannot import conftest)."""

    base: Path
    # unannotated, so attrs leaves them class attributes
    level = staticmethod(ramp_level)
    levels = staticmethod(frame_levels)
    rows = staticmethod(write_rows)

    @property
    def root(self) -> Path:
        return self.base / "ramp-root"

    def clip(self, name: str, n_frames: int, *, gop: int = 250, width: int = 64, height: int = 48) -> Path:
        return write_ramp(self.root / name, n_frames, gop=gop, width=width, height=height)

    def table(self, n_frames: int, *, gop: int = 250, clips: int = 1) -> tuple[Path, dict[str, Path]]:
        """``(table, roots)`` of ``clips`` ramp clips of corpus ``ramp``."""
        rows: list[dict[str, object]] = []
        for i in range(clips):
            self.clip(f"clips/ramp{i}.mp4", n_frames, gop=gop)
            rows.append({"src": f"clips/ramp{i}.mp4", "corpus": "ramp"})
        return write_rows(self.base / "ramp.jsonl", rows), {"ramp": self.root}


@pytest.fixture
def ramp(tmp_path: Path) -> Ramp:
    return Ramp(tmp_path)
