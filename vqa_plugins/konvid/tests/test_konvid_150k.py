from __future__ import annotations

import json
from pathlib import Path

import pytest

from vqa_core.ingest import IngestConfig, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec


def test_both_parts_ingest_with_video_score_as_mos(plugin_registry: Registry, tmp_path: Path) -> None:
    drop = write_sample(plugin_registry, "konvid-150k", tmp_path / "d", clips=5, seed=2)
    assert [p.name for p in drop.metadata] == ["k150ka_scores.csv", "k150kb_scores.csv"]
    report = ingest(plugin_registry, IngestConfig("konvid-150k", root=drop.root, output=tmp_path / "o.jsonl"))
    assert report.written == 5
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    by_part = {r["konvid_part"] for r in rows}
    assert by_part == {"a", "b"}
    published = {}
    for line in (drop.root / "k150kb_scores.csv").read_text().splitlines()[1:]:
        name, mos, score = line.split(",")
        published[name] = (float(mos), float(score))
    for row in rows:
        if row["konvid_part"] == "b":
            vote_mean, score = published[row["src"].split("/")[-1]]
            assert (row["mos"], row["konvid_vote_mean"]) == (score, vote_mean)
        else:
            assert row["konvid_vote_mean"] is None
        assert row["src"].startswith(f"k150k{row['konvid_part']}_extracted/")


def test_part_a_headers_and_extensionless_names(plugin_registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "k150ka_scores.csv").write_text(
        "video_name,video_score\norig_1_540_5s,3.5\norig_2_540_5s.mp4,nan\n,2\n"
    )
    spec = SourceSpec(root=tmp_path, metadata=(), clips_dir=tmp_path)
    items = list(plugin_registry.source_rows("konvid-150k", spec).rows)
    assert isinstance(items[0], SourceRow) and items[0].clip == "k150ka_extracted/orig_1_540_5s.mp4"
    assert (
        isinstance(items[1], SourceRow) and items[1].mos != items[1].mos
    )  # NaN passes through to the engine
    assert isinstance(items[2], RowRejection) and items[2].reason == "bad-row"


def test_a_wrong_header_is_one_clear_error(plugin_registry: Registry, tmp_path: Path) -> None:
    from vqa_core.errors import MetadataError

    (tmp_path / "k150kb_scores.csv").write_text("name,score\na,1\n")
    spec = SourceSpec(root=tmp_path, metadata=(), clips_dir=tmp_path)
    with pytest.raises(MetadataError, match="needs video_name and video_score"):
        list(plugin_registry.source_rows("konvid-150k", spec).rows)
