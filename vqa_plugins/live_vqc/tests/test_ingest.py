"""LIVE-VQC through the real ingestion engine, from data.mat and from text."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pytest
import vqa_live_vqc
from scipy.io import savemat

from vqa_core.errors import MetadataError
from vqa_core.ingest import IngestConfig, IngestReport, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.samples import ClipSpec, write_clip
from vqa_core.testing.plugins import other_corpus_plugin

CORPUS = "live-vqc"
STAMP = "2026-01-01T00:00:00Z"


def _run(
    reg: Registry, root: Path, out: Path, **kwargs: object
) -> tuple[list[dict[str, object]], IngestReport]:
    report = ingest(
        reg,
        IngestConfig(corpus_id=CORPUS, root=root, output=out, workers=2, timestamp=STAMP, **kwargs),  # type: ignore[arg-type]
    )
    return [orjson.loads(line) for line in out.read_bytes().splitlines()], report


def _mat(path: Path, names: list[str], mos: list[float]) -> Path:
    cell = np.empty((len(names), 1), dtype=object)
    for i, name in enumerate(names):
        cell[i, 0] = name
    savemat(path, {"video_list": cell, "mos": np.array(mos, dtype=float).reshape(-1, 1)})
    return path


def test_sample_drop_ingests_from_data_mat(
    plugin_registry: Registry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    drop = write_sample(plugin_registry, CORPUS, tmp_path / "drop", clips=4, seed=2)
    with caplog.at_level(logging.WARNING, logger="vqa.ingest"):
        rows, report = _run(plugin_registry, drop.root, tmp_path / "shard.jsonl")
    assert report.written == 4 and report.skipped == {}
    pa.Table.from_pylist(rows, schema=plugin_registry.arrow_schema(CORPUS))
    assert [r["src"] for r in rows] == [
        "Video/A001.mp4",
        "Video/A002.mp4",
        "Video/A003.mp4",
        "Video/A004.mp4",
    ]
    assert all(r["encoder_upstream"] == "h264" and 0 <= float(r["mos"]) <= 100 for r in rows)  # type: ignore[arg-type]
    assert report.editions == {"data.mat": "unknown"}
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "data.mat: 585" in message and "request the download link" in message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("mos.txt", "A001,45.2\nA002.mp4,61\nA003,bad\n"),
        ("mos.csv", "filename,mos\nA001,45.2\nA002.mp4,61\nA003,bad\n"),
    ],
)
def test_text_variants_ingest_with_bare_names(
    plugin_registry: Registry, tmp_path: Path, name: str, text: str
) -> None:
    root = tmp_path / "data"
    for seed, clip in enumerate(("A001.mp4", "A002.mp4", "A003.mp4")):
        write_clip(root / "Video" / clip, ClipSpec(width=160, height=90, frames=4), seed=seed)
    (root / name).write_text(text)
    rows, report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert [r["src"] for r in rows] == ["Video/A001.mp4", "Video/A002.mp4"]
    assert [r["mos"] for r in rows] == [45.2, 61.0]
    assert report.skipped == {"bad-mos": 1}
    (rejection,) = [json.loads(x) for x in (tmp_path / "shard.rejections.jsonl").read_text().splitlines()]
    assert rejection["origin"] == f"{name}:{3 if name == 'mos.txt' else 4}"


def test_out_of_scale_and_nan_mos_from_the_mat_are_counted(plugin_registry: Registry, tmp_path: Path) -> None:
    root = tmp_path / "data"
    for seed, clip in enumerate(("A001.mp4", "A002.mp4", "A003.mp4")):
        write_clip(root / "Video" / clip, ClipSpec(width=160, height=90, frames=4), seed=seed + 3)
    _mat(root / "data.mat", ["A001.mp4", "A002.mp4", "A003.mp4"], [50.0, float("nan"), 101.0])
    rows, report = _run(plugin_registry, root, tmp_path / "shard.jsonl")
    assert len(rows) == 1 and report.skipped == {"bad-mos": 2}
    origins = sorted(
        json.loads(x)["origin"] for x in (tmp_path / "shard.rejections.jsonl").read_text().splitlines()
    )
    assert origins == ["data.mat:2", "data.mat:3"]


@pytest.mark.parametrize("name", ["data.mat", "mos.csv", "my_scores.txt"])
def test_full_size_file_records_the_published_edition(
    plugin_registry: Registry, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "data"
    root.mkdir()
    names = [f"A{i:03d}.mp4" for i in range(1, 586)]
    scores = [float(i % 90 + 5) for i in range(585)]
    if name.endswith(".mat"):
        _mat(root / name, names, scores)
    else:
        header = "filename,mos\n" if name == "mos.csv" else ""
        (root / name).write_text(header + "".join(f"{n},{s}\n" for n, s in zip(names, scores, strict=True)))
    _, report = _run(plugin_registry, root, tmp_path / "shard.jsonl", metadata=(root / name,), max_rows=2)
    assert report.editions == {name: "live-vqc-2019"}
    assert report.skipped == {"missing-clip": 2}


def test_another_corpus_row_count_is_refused_naming_it(tmp_path: Path) -> None:
    reg = Registry.from_plugins(
        [("vqa-live-vqc", vqa_live_vqc), ("other", other_corpus_plugin("other-vqa", "scores.txt", 3))]
    )
    root = tmp_path / "data"
    root.mkdir()
    _mat(root / "data.mat", ["A1", "A2", "A3"], [1.0, 2.0, 3.0])
    with pytest.raises(MetadataError, match=r"3 data rows, the size of other-vqa's scores\.txt"):
        _run(reg, root, tmp_path / "shard.jsonl")


def test_v73_mat_is_one_error_with_how_to_obtain(plugin_registry: Registry, tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(116, b" ") + b"\0" * 8 + b"\x00\x02IM"
    (root / "data.mat").write_bytes(header + b"\0" * 400)
    with pytest.raises(MetadataError, match=r"v7\.3 .*to obtain live-vqc"):
        _run(plugin_registry, root, tmp_path / "shard.jsonl")
