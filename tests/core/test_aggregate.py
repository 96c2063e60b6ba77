"""vqa aggregate: conversion, range checks, dedup, determinism, errors — library and CLI."""

from __future__ import annotations

import hashlib
import itertools
import math
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import vqa_bvi_dvc
import vqa_chug
import vqa_konvid
import vqa_live_vqc
import vqa_lsvq
import vqa_waterloo_ivc
import vqa_youtube_ugc
from click.testing import CliRunner

from vqa_core.aggregate import DROP_REASONS, aggregate, parse_override
from vqa_core.cli import main
from vqa_core.errors import OutputError, ShardError, UnknownCorpusError, UsageError
from vqa_core.fsutil import sha256_file
from vqa_core.registry import Registry
from vqa_core.scales import RANGE_SLACK
from vqa_core.schema import UNIFIED_FIELDS, unified_arrow_schema

PLUGINS: list[tuple[str, object]] = [
    ("vqa-konvid", vqa_konvid),
    ("vqa-lsvq", vqa_lsvq),
    ("vqa-youtube-ugc", vqa_youtube_ugc),
    ("vqa-waterloo-ivc", vqa_waterloo_ivc),
    ("vqa-live-vqc", vqa_live_vqc),
    ("vqa-chug", vqa_chug),
    ("vqa-bvi-dvc", vqa_bvi_dvc),
]
STAMP = "2026-03-01T12:00:00+00:00"


@pytest.fixture
def registry() -> Registry:
    return Registry.from_plugins(PLUGINS)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def row(src: str, mos: float | None, corpus: str, std: float | None = 0.0, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "src": src,
        "src_sha256": sha(f"{corpus}/{src}"),
        "src_size_bytes": 1000,
        "width": 960,
        "height": 540,
        "framerate": 29.97,
        "duration_s": 8.0,
        "pix_fmt": "yuv420p",
        "encoder_upstream": "h264",
        "mos": mos,
        "mos_std_dev": std,
        "n_ratings": 20,
        "corpus": corpus,
        "corpus_version": f"{corpus}-v",
        "ingested_at_utc": "2026-02-01T00:00:00+00:00",
    }
    data.update(extra)
    return data


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n" for r in rows))
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def run(registry: Registry, shards: list[Path], out: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("timestamp", STAMP)
    return aggregate(registry, shards, out, **kwargs)


# -- conversion ---------------------------------------------------------------

LABELLED = ["konvid-1k", "konvid-150k", "lsvq", "youtube-ugc", "waterloo-ivc-4k", "live-vqc", "chug"]


@pytest.mark.parametrize("corpus", LABELLED)
def test_scale_ends_map_to_0_and_100_through_the_plugin_declaration(
    registry: Registry, tmp_path: Path, corpus: str
) -> None:
    scale = registry.corpus(corpus).declaration.scale
    conversion = registry.scale_conversion(corpus)
    assert conversion is not None
    mid = (scale.lo + scale.hi) / 2
    shard = write_jsonl(
        tmp_path / "s.jsonl",
        [
            row("lo.mp4", scale.lo, corpus, 0.1),
            row("mid.mp4", mid, corpus, 0.2),
            row("hi.mp4", scale.hi, corpus, 0.3),
        ],
    )
    run(registry, [shard], tmp_path / "u.jsonl")
    out = {r["src"]: r for r in read_jsonl(tmp_path / "u.jsonl")}
    assert out["lo.mp4"]["mos"] == pytest.approx(0.0, abs=1e-9)
    assert out["hi.mp4"]["mos"] == pytest.approx(100.0, abs=1e-9)
    assert out["mid.mp4"]["mos"] == pytest.approx(50.0, abs=1e-9)
    for r in out.values():
        # bit-identical to the plugin's own conversion
        assert r["mos"] == conversion.convert(r["mos_native"])
        assert r["mos_native_scale"] == scale.name
        assert r["corpus_source"] == corpus


@pytest.mark.parametrize(
    ("corpus", "native", "unified"),
    [
        # the extremes of the published metadata files
        ("konvid-1k", 1.220, 5.5),
        ("konvid-1k", 4.640, 91.0),
        ("konvid-150k", 1.860, 21.5),
        ("konvid-150k", 4.000, 75.0),
        ("youtube-ugc", 1.242, 6.05),
        ("youtube-ugc", 4.698, 92.45),
        ("live-vqc", 6.224, 6.224),
        ("live-vqc", 94.287, 94.287),
        ("lsvq", 8.467, 8.467),
        ("lsvq", 91.419, 91.419),
        # CHUG stores 1 + 4·raw/100: raw 14.149 and 80.053 come back on 0–100
        ("chug", 1 + 4 * 14.149 / 100, 14.149),
        ("chug", 1 + 4 * 80.053 / 100, 80.053),
        ("waterloo-ivc-4k", 73.5, 73.5),
    ],
)
def test_golden_values_of_the_published_metadata(
    registry: Registry, tmp_path: Path, corpus: str, native: float, unified: float
) -> None:
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", native, corpus, 0.5)])
    run(registry, [shard], tmp_path / "u.jsonl")
    (out,) = read_jsonl(tmp_path / "u.jsonl")
    assert out["mos"] == pytest.approx(unified, abs=1e-9)
    assert out["mos_native"] == native


def test_std_dev_is_converted_by_the_absolute_slope(registry: Registry, tmp_path: Path) -> None:
    shard = write_jsonl(
        tmp_path / "s.jsonl",
        [
            row("k.mp4", 3.0, "konvid-1k", 0.5),
            row("l/1", 60.0, "lsvq", 10.0),
            row("c.mp4", 3.0, "chug", 0.04),
        ],
    )
    run(registry, [shard], tmp_path / "u.jsonl")
    out = {r["corpus_source"]: r for r in read_jsonl(tmp_path / "u.jsonl")}
    assert out["konvid-1k"]["mos_std_dev"] == pytest.approx(12.5)
    assert out["lsvq"]["mos_std_dev"] == pytest.approx(10.0)
    assert out["chug"]["mos_std_dev"] == pytest.approx(1.0)


# -- range checks ---------------------------------------------------------------


def test_values_within_the_slack_are_kept_unclipped_and_beyond_it_dropped(
    registry: Registry, tmp_path: Path
) -> None:
    rows = [
        row("in-hi.mp4", 5.0 + RANGE_SLACK, "konvid-1k"),
        row("in-lo.mp4", 1.0 - RANGE_SLACK, "konvid-1k"),
        row("out-hi.mp4", 5.06, "konvid-1k"),
        row("out-lo.mp4", 0.94, "konvid-1k"),
        row("l/in", -0.05, "lsvq"),
        row("l/out", 100.06, "lsvq"),
    ]
    shard = write_jsonl(tmp_path / "s.jsonl", rows)
    result = run(registry, [shard], tmp_path / "u.jsonl")
    out = {r["src"]: r["mos"] for r in read_jsonl(tmp_path / "u.jsonl")}
    assert out == {
        "in-hi.mp4": pytest.approx(101.25),
        "in-lo.mp4": pytest.approx(-1.25),
        "l/in": pytest.approx(-0.05),
    }
    assert result.dropped == {"mos-out-of-range": {"konvid-1k": 2, "lsvq": 1}}
    assert any("first at" in m and "s.jsonl:3" in m for m in result.messages)


def test_non_finite_and_missing_values_are_counted_per_reason(registry: Registry, tmp_path: Path) -> None:
    parquet = write_parquet(
        tmp_path / "p.parquet",
        [
            row("nan.mp4", math.nan, "konvid-1k"),
            row("inf.mp4", math.inf, "konvid-1k"),
            row("ok.mp4", 3.0, "konvid-1k"),
            row("badstd.mp4", 3.0, "konvid-1k", -1.0),
            row("nanstd.mp4", 3.5, "konvid-1k", math.nan),
            row("nanfps.mp4", 3.5, "konvid-1k", framerate=math.nan),
        ],
    )
    jsonl = write_jsonl(
        tmp_path / "j.jsonl",
        [
            row("null.mp4", None, "lsvq"),
            row("nosha", 50.0, "lsvq", src_sha256="not-a-hash"),
            row("nowidth", 50.0, "lsvq", width=None),
            row("nullstd", 50.0, "lsvq", None, n_ratings=None),
        ],
    )
    result = run(registry, [parquet, jsonl], tmp_path / "u.jsonl")
    assert result.dropped == {
        "mos-not-finite": {"konvid-1k": 2},
        "std-dev-invalid": {"konvid-1k": 2},
        "mos-missing": {"lsvq": 1},
        "bad-src-sha256": {"lsvq": 1},
        "missing-value": {"konvid-1k": 1, "lsvq": 1},
    }
    out = {r["src"]: r for r in read_jsonl(tmp_path / "u.jsonl")}
    assert set(out) == {"ok.mp4", "nullstd"}
    assert out["nullstd"]["mos_std_dev"] == 0.0 and out["nullstd"]["n_ratings"] == 0
    manifest = orjson.loads((tmp_path / "u.manifest.json").read_bytes())
    assert manifest["drop_examples"]["mos-not-finite"]["konvid-1k"][0]["at"] == f"{parquet}:row 1"
    assert manifest["drop_examples"]["mos-missing"]["lsvq"][0]["at"] == f"{jsonl}:1"
    assert set(manifest["stats"]["dropped"]) <= set(DROP_REASONS)


def test_drop_examples_point_at_the_right_line_despite_blank_lines(
    registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "s.jsonl"
    lines = [
        orjson.dumps(row("a.mp4", 3.0, "konvid-1k")),
        b"",
        b"  ",
        orjson.dumps(row("b.mp4", 9.0, "konvid-1k")),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = run(registry, [path], tmp_path / "u.jsonl")
    assert result.rows_out == 1
    assert any(m.endswith(f"first at {path}:4") for m in result.messages)


# -- deduplication ------------------------------------------------------------------


def test_dedup_compares_spreads_on_the_unified_axis(registry: Registry, tmp_path: Path) -> None:
    # Native 0.5 on 1–5 is 12.5 on 0–100: worse than LSVQ's 10, although 0.5 < 10 natively.
    shared = sha("same clip")
    a = write_jsonl(tmp_path / "k.jsonl", [row("k.mp4", 4.0, "konvid-1k", 0.5, src_sha256=shared)])
    b = write_jsonl(tmp_path / "l.jsonl", [row("l/1", 70.0, "lsvq", 10.0, src_sha256=shared)])
    result = run(registry, [a, b], tmp_path / "u.jsonl")
    (kept,) = read_jsonl(tmp_path / "u.jsonl")
    assert kept["corpus_source"] == "lsvq" and kept["mos"] == 70.0
    assert (result.cross_corpus_duplicates, result.same_corpus_duplicates) == (1, 0)
    manifest = orjson.loads((tmp_path / "u.manifest.json").read_bytes())
    assert manifest["duplicates"] == [
        {
            "src_sha256": shared,
            "corpus": "konvid-1k",
            "src": "k.mp4",
            "shard": str(a),
            "kept_corpus": "lsvq",
            "kept_src": "l/1",
        }
    ]
    assert manifest["stats"]["duplicates"] == {"cross_corpus": 1, "same_corpus": 0}


def test_unpublished_spread_loses_to_any_published_one(registry: Registry, tmp_path: Path) -> None:
    shared = sha("x")
    a = write_jsonl(tmp_path / "k.jsonl", [row("k.mp4", 4.0, "konvid-1k", 0.0, src_sha256=shared)])
    b = write_jsonl(tmp_path / "l.jsonl", [row("l/1", 70.0, "lsvq", 40.0, src_sha256=shared)])
    run(registry, [a, b], tmp_path / "u.jsonl")
    assert [r["corpus_source"] for r in read_jsonl(tmp_path / "u.jsonl")] == ["lsvq"]


def test_ties_break_by_corpus_id_then_src_and_same_corpus_duplicates_count(
    registry: Registry, tmp_path: Path
) -> None:
    shared, other = sha("tie"), sha("same corpus")
    a = write_jsonl(
        tmp_path / "l.jsonl",
        [row("z/9", 70.0, "lsvq", 0.0, src_sha256=shared), row("b/2", 50.0, "lsvq", 5.0, src_sha256=other)],
    )
    b = write_jsonl(
        tmp_path / "k.jsonl",
        [row("k.mp4", 4.0, "konvid-1k", 0.0, src_sha256=shared)],
    )
    c = write_jsonl(tmp_path / "l2.jsonl", [row("a/1", 52.0, "lsvq", 5.0, src_sha256=other)])
    result = run(registry, [a, b, c], tmp_path / "u.jsonl")
    kept = {r["src_sha256"]: r for r in read_jsonl(tmp_path / "u.jsonl")}
    assert kept[shared]["corpus_source"] == "konvid-1k"  # "konvid-1k" < "lsvq"
    assert kept[other]["src"] == "a/1"  # same corpus, equal spread: "a/1" < "b/2"
    assert (result.cross_corpus_duplicates, result.same_corpus_duplicates) == (1, 1)
    assert result.rows_in == result.rows_out + result.dropped_total + 2


def test_output_bytes_do_not_depend_on_the_order_of_the_shards(registry: Registry, tmp_path: Path) -> None:
    shared = sha("dup")
    shards = [
        write_jsonl(
            tmp_path / "k.jsonl",
            [row("k1.mp4", 4.0, "konvid-1k", 0.0, src_sha256=shared), row("k2.mp4", 2.0, "konvid-1k", 0.3)],
        ),
        write_parquet(
            tmp_path / "l.parquet",
            [row("l/1", 60.0, "lsvq", 0.0, src_sha256=shared), row("l/2", 10.0, "lsvq", 3.0)],
        ),
        write_jsonl(
            tmp_path / "c.jsonl",
            [
                row("c.mp4", 3.0, "chug", 0.0, src_sha256=shared),
                row("c2.mp4", 3.0, "chug", 0.0, src_sha256=shared),
            ],
        ),
    ]
    outputs: dict[str, set[bytes]] = {".jsonl": set(), ".parquet": set()}
    for n, order in enumerate(itertools.permutations(shards)):
        for suffix in outputs:
            out = tmp_path / f"u{n}{suffix}"
            run(registry, list(order), out)
            outputs[suffix].add(out.read_bytes())
    assert len(outputs[".jsonl"]) == 1 and len(outputs[".parquet"]) == 1
    rows = [r for r in read_jsonl(tmp_path / "u0.jsonl")]
    assert [(r["corpus_source"], r["src_sha256"]) for r in rows] == sorted(
        (r["corpus_source"], r["src_sha256"]) for r in rows
    )
    assert next(r for r in rows if r["src_sha256"] == shared)["corpus_source"] == "chug"


# -- the output --------------------------------------------------------------------


def test_unified_row_has_the_21_fields_and_parquet_has_the_arrow_schema(
    registry: Registry, tmp_path: Path
) -> None:
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k", 0.4, konvid_flickr_id="123")])
    run(registry, [shard], tmp_path / "u.jsonl")
    run(registry, [shard], tmp_path / "u.parquet")
    (out,) = read_jsonl(tmp_path / "u.jsonl")
    assert list(out) == sorted(UNIFIED_FIELDS)
    assert out["aggregated_at_utc"] == STAMP and out["corpus_version"] == "konvid-1k-v"
    table = pq.read_table(tmp_path / "u.parquet")
    assert table.schema.equals(unified_arrow_schema())
    assert table.to_pylist() == [out]


def test_content_group_and_split_reach_the_unified_table_in_both_formats(
    registry: Registry, tmp_path: Path
) -> None:
    chug = write_jsonl(
        tmp_path / "chug.jsonl",
        [
            row("videos/a.mp4", 3.0, "chug", content_group="chug/IMG_1.mp4", split=None),
            row("videos/b.mp4", 4.0, "chug", content_group="chug/IMG_1.mp4", split=None),
            row("videos/c.mp4", 2.0, "chug", content_group="chug/IMG_2.mp4", split=None),
        ],
    )
    lsvq = write_parquet(
        tmp_path / "lsvq.parquet",
        [
            row("b1/1.mp4", 40.0, "lsvq", content_group="lsvq/b1/1.mp4", split="train"),
            row("b1/2.mp4", 60.0, "lsvq", content_group="lsvq/b1/2.mp4", split="test-1080p"),
        ],
    )
    run(registry, [chug, lsvq], tmp_path / "u.jsonl")
    run(registry, [chug, lsvq], tmp_path / "u.parquet")
    expected = {
        "videos/a.mp4": ("chug/IMG_1.mp4", None),
        "videos/b.mp4": ("chug/IMG_1.mp4", None),
        "videos/c.mp4": ("chug/IMG_2.mp4", None),
        "b1/1.mp4": ("lsvq/b1/1.mp4", "train"),
        "b1/2.mp4": ("lsvq/b1/2.mp4", "test-1080p"),
    }
    for rows in (read_jsonl(tmp_path / "u.jsonl"), pq.read_table(tmp_path / "u.parquet").to_pylist()):
        assert {r["src"]: (r["content_group"], r["split"]) for r in rows} == expected
    schema = pq.read_schema(tmp_path / "u.parquet")
    assert not schema.field("content_group").nullable and schema.field("split").nullable


def test_a_shard_without_the_grouping_columns_gives_one_content_per_clip_and_no_split(
    registry: Registry, tmp_path: Path
) -> None:
    """Shards of schema v1 (written before content_group and split existed) still aggregate."""
    old = write_jsonl(
        tmp_path / "old.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("b.mp4", 4.0, "konvid-1k")]
    )
    old_parquet = write_parquet(tmp_path / "old.parquet", [row("l/1", 50.0, "lsvq")])
    assert "content_group" not in pq.read_schema(old_parquet).names
    # a v2 row whose group is null (or empty) is treated the same way
    mixed = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            row("w1.yuv", 30.0, "waterloo-ivc-4k", content_group=None),
            row("w2.yuv", 31.0, "waterloo-ivc-4k", content_group=""),
        ],
    )
    result = run(registry, [old, old_parquet, mixed], tmp_path / "u.parquet")
    assert result.rows_out == 5
    rows = pq.read_table(tmp_path / "u.parquet").to_pylist()
    assert {r["src"]: (r["content_group"], r["split"]) for r in rows} == {
        "a.mp4": ("konvid-1k/a.mp4", None),
        "b.mp4": ("konvid-1k/b.mp4", None),
        "l/1": ("lsvq/l/1", None),
        "w1.yuv": ("waterloo-ivc-4k/w1.yuv", None),
        "w2.yuv": ("waterloo-ivc-4k/w2.yuv", None),
    }


def test_manifest_records_inputs_scales_versions_and_counts(registry: Registry, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("b.mp4", 7.0, "konvid-1k")])
    b = write_parquet(tmp_path / "b.parquet", [row("l/1", 50.0, "lsvq")])
    result = run(registry, [b, a], tmp_path / "u.jsonl")
    manifest = orjson.loads((tmp_path / "u.manifest.json").read_bytes())
    assert manifest["schema"] == "vqa-aggregate-manifest-v1"
    assert manifest["created_at_utc"] == STAMP
    shards = {s["path"]: s for s in manifest["inputs"]["shards"]}
    assert shards[str(a)]["sha256"] == sha256_file(a) and shards[str(a)]["rows_in"] == 2
    assert shards[str(b)]["format"] == "parquet" and shards[str(b)]["rows_out"] == 1
    assert manifest["outputs"]["unified"]["sha256"] == sha256_file(tmp_path / "u.jsonl")
    assert manifest["scale_conversions"]["konvid-1k"]["slope"] == 25.0
    assert manifest["scale_conversions"]["lsvq"]["native_scale"] == "0-100"
    assert set(manifest["versions"]) >= {"vqa-core", "vqa-konvid", "vqa-lsvq"}
    assert manifest["stats"]["rows_in"] == 3 and manifest["stats"]["rows_out"] == 2 == result.rows_out
    assert manifest["stats"]["corpora"]["konvid-1k"] == {
        "rows_in": 2,
        "rows_out": 1,
        "dropped": 1,
        "duplicates": 0,
    }


def test_timestamp_comes_from_source_date_epoch(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k")])
    aggregate(registry, [shard], tmp_path / "u.jsonl")
    assert read_jsonl(tmp_path / "u.jsonl")[0]["aggregated_at_utc"] == "2026-01-01T00:00:00+00:00"


# -- corpora: unknown, label-less, override ----------------------------------------------


def test_unknown_corpus_names_the_plugin_to_install_and_writes_nothing(tmp_path: Path) -> None:
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)])
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("c.mp4", 3.0, "chug")])
    with pytest.raises(UnknownCorpusError) as info:
        run(registry, [shard], tmp_path / "u.jsonl")
    assert "chug" in str(info.value) and "pip install vqa-chug" in str(info.value)
    assert not (tmp_path / "u.jsonl").exists() and not (tmp_path / "u.manifest.json").exists()


def test_unknown_corpus_can_be_skipped_and_counted(tmp_path: Path) -> None:
    registry = Registry.from_plugins([("vqa-konvid", vqa_konvid)])
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("c.mp4", 3.0, "chug")])
    result = run(registry, [shard], tmp_path / "u.jsonl", on_unknown="skip")
    assert result.rows_out == 1 and result.dropped == {"unknown-corpus": {"chug": 1}}
    assert any("pip install vqa-chug" in m for m in result.messages)


def test_label_less_corpus_is_excluded_with_a_message(registry: Registry, tmp_path: Path) -> None:
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("seq", 80.0, "bvi-dvc")])
    grid = tmp_path / "grid.jsonl"
    grid.write_bytes(orjson.dumps({"schema_version": 3, "vmaf_score": 90.0, "src": "bvi-dvc:x"}) + b"\n")
    result = run(registry, [shard, grid], tmp_path / "u.jsonl")
    assert result.rows_out == 1
    assert result.dropped == {"no-subjective-scores": {"bvi-dvc": 1, "(encode-grid shard)": 1}}
    assert any("bvi-dvc has no subjective scores" in m for m in result.messages)
    assert any(str(grid) in m and "merge-grid" in m for m in result.messages)


def test_override_relabels_a_shard_matched_by_resolved_path(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    wrong = write_jsonl(tmp_path / "w.jsonl", [row("l/1", 75.0, "weird-set", 5.0)])
    bare_rows = [row("l/2", 40.0, "x")]
    for r in bare_rows:
        del r["corpus"], r["corpus_version"]
    bare = write_jsonl(tmp_path / "b.jsonl", bare_rows)
    result = run(
        registry,
        [wrong, bare],
        tmp_path / "u.jsonl",
        overrides=[(tmp_path / "sub" / ".." / "w.jsonl", "lsvq"), parse_override(f"{bare}=lsvq")],
    )
    out = {r["src"]: r for r in read_jsonl(tmp_path / "u.jsonl")}
    assert result.rows_out == 2
    assert out["l/1"]["corpus_source"] == "lsvq" and out["l/1"]["corpus"] == "weird-set"
    assert out["l/2"]["corpus"] == "lsvq" and out["l/2"]["corpus_version"] == "lsvq-2021"
    # a shard without groups: the clip is its own content under the row's corpus
    assert out["l/1"]["content_group"] == "weird-set/l/1" and out["l/2"]["content_group"] == "lsvq/l/2"
    manifest = orjson.loads((tmp_path / "u.manifest.json").read_bytes())
    assert manifest["overrides"] == {str(wrong): "lsvq", str(bare): "lsvq"}


def test_override_errors(registry: Registry, tmp_path: Path) -> None:
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k")])
    with pytest.raises(UsageError, match="expects SHARD=CORPUS_ID"):
        parse_override("s.jsonl")
    with pytest.raises(UsageError, match="not one of the shards"):
        run(registry, [shard], tmp_path / "u.jsonl", overrides=[(tmp_path / "other.jsonl", "lsvq")])
    with pytest.raises(UnknownCorpusError, match="nope"):
        run(registry, [shard], tmp_path / "u.jsonl", overrides=[(shard, "nope")])
    assert not (tmp_path / "u.jsonl").exists()


# -- bad input ----------------------------------------------------------------------


def test_missing_and_repeated_shards_and_bad_suffixes_are_refused_before_work(
    registry: Registry, tmp_path: Path
) -> None:
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k")])
    with pytest.raises(ShardError, match=r"shard not found: .*nope.jsonl"):
        run(registry, [shard, tmp_path / "nope.jsonl"], tmp_path / "u.jsonl")
    with pytest.raises(UsageError, match="given twice"):
        run(registry, [shard, tmp_path / "." / "s.jsonl"], tmp_path / "u.jsonl")
    with pytest.raises(OutputError, match="unsupported output suffix"):
        run(registry, [tmp_path / "absent.jsonl"], tmp_path / "u.csv")
    with pytest.raises(UsageError, match="overwrite an input"):
        run(registry, [shard], shard)
    with pytest.raises(UsageError, match="no shard"):
        run(registry, [], tmp_path / "u.jsonl")
    assert not (tmp_path / "u.jsonl").exists()


def test_empty_shard_gives_an_empty_table_and_says_so(registry: Registry, tmp_path: Path) -> None:
    empty = tmp_path / "e.jsonl"
    empty.write_bytes(b"")
    result = run(registry, [empty], tmp_path / "u.jsonl")
    assert (result.rows_in, result.rows_out) == (0, 0)
    assert (tmp_path / "u.jsonl").read_bytes() == b""
    assert "output is empty" in result.messages[-1]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([b'{"src": "a"', b"{}"], r"s\.jsonl:1: invalid JSON"),
        ([orjson.dumps(row("a.mp4", 3.0, "konvid-1k")), b"", b"{not json}"], r"s\.jsonl:3: invalid JSON"),
        ([orjson.dumps(row("a.mp4", 3.0, "konvid-1k")), b"[1, 2]"], r"s\.jsonl:2: expected a JSON object"),
        (
            [
                orjson.dumps(row("a.mp4", 3.0, "konvid-1k")),
                orjson.dumps(row("b.mp4", 3.0, "konvid-1k", width=9.5)),
            ],
            r"s\.jsonl:2: field 'width' must be an integer",
        ),
        ([orjson.dumps(row("a.mp4", "3.0", "konvid-1k"))], r"s\.jsonl:1: field 'mos' must be a number"),
        ([orjson.dumps(row("a.mp4", 3.0, "konvid-1k")) + b" {}"], r"s\.jsonl:1: invalid JSON"),
        ([b'{"mos": 3.0, "src": "\xff"}'], r"s\.jsonl:1: invalid JSON"),
    ],
)
def test_broken_json_is_reported_with_its_line(
    registry: Registry, tmp_path: Path, lines: list[bytes], message: str
) -> None:
    shard = tmp_path / "s.jsonl"
    shard.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(ShardError, match=message):
        run(registry, [shard], tmp_path / "u.jsonl")
    assert not (tmp_path / "u.jsonl").exists()


def test_missing_required_column_is_an_error(registry: Registry, tmp_path: Path) -> None:
    bad = row("a.mp4", 3.0, "konvid-1k")
    del bad["src_sha256"], bad["corpus"]
    shard = write_jsonl(tmp_path / "s.jsonl", [bad])
    with pytest.raises(ShardError, match=r"missing required columns corpus, src_sha256 \(or name its corpus"):
        run(registry, [shard], tmp_path / "u.jsonl")
    table = pa.Table.from_pylist([row("a.mp4", 3.0, "konvid-1k")]).drop_columns(["mos"])
    pq.write_table(table, tmp_path / "p.parquet")
    with pytest.raises(ShardError, match="missing required column mos"):
        run(registry, [tmp_path / "p.parquet"], tmp_path / "u.jsonl")


def test_parquet_with_a_wrong_type_or_garbage_is_refused(registry: Registry, tmp_path: Path) -> None:
    table = pa.Table.from_pylist([row("a.mp4", 3.0, "konvid-1k")])
    table = table.set_column(table.schema.get_field_index("width"), "width", pa.array([960.5]))
    pq.write_table(table, tmp_path / "p.parquet")
    with pytest.raises(ShardError, match="column 'width' is double, expected int64"):
        run(registry, [tmp_path / "p.parquet"], tmp_path / "u.jsonl")
    (tmp_path / "g.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ShardError, match="not a readable Parquet file"):
        run(registry, [tmp_path / "g.parquet"], tmp_path / "u.jsonl")


# -- CLI ----------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The real CLI with discovery limited to this repository's plugin modules."""
    monkeypatch.setattr(
        Registry, "discover", classmethod(lambda cls, strict=None: Registry.from_plugins(PLUGINS))
    )
    return CliRunner()


def test_cli_aggregates_and_summarises(cli: CliRunner, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("b.mp4", 9.0, "konvid-1k")])
    b = write_jsonl(tmp_path / "b.jsonl", [row("w.jsonl", 70.0, "weird")])
    out = tmp_path / "u.parquet"
    result = cli.invoke(
        main,
        ["aggregate", str(a), str(b), "-o", str(out), "--override", f"{b}=live-vqc", "--timestamp", STAMP],
    )
    assert result.exit_code == 0, result.output
    assert "aggregated 2 rows from 2 shards" in result.stdout  # the summary; warnings stay on stderr
    assert "warning: konvid-1k: 1 rows dropped (mos-out-of-range)" in result.stderr
    assert pq.read_table(out).num_rows == 2
    assert (tmp_path / "u.manifest.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", "-o", "{out}"], "error: shard not found"),
        (["{bad}", "-o", "{out}"], "invalid JSON"),
        (["{good}", "-o", "{tmp}/u.txt"], "unsupported output suffix"),
        (["{good}", "-o", "{out}", "--override", "nonsense"], "expects SHARD=CORPUS_ID"),
        (["{unknown}", "-o", "{out}"], "'no-such-corpus'"),
        (["-o", "{out}"], "Missing argument"),
        (["{good}", "-o", "{out}", "--timestamp", "yesterday"], "is not an ISO 8601 time"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(
    cli: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [row("a.mp4", 3.0, "konvid-1k")])
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(orjson.dumps(row("a.mp4", 3.0, "konvid-1k")) + b"\n{oops\n")
    unknown = write_jsonl(tmp_path / "unknown.jsonl", [row("a.mp4", 3.0, "no-such-corpus")])
    names = {
        "good": good,
        "bad": bad,
        "unknown": unknown,
        "missing": tmp_path / "missing.jsonl",
        "out": tmp_path / "u.jsonl",
        "tmp": tmp_path,
    }
    result = cli.invoke(main, ["aggregate", *(a.format(**names) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "u.jsonl").exists()
    if message.startswith("error:"):
        assert len(result.stderr.strip().splitlines()) == 1


def test_cli_skip_unknown_and_manifest_out(cli: CliRunner, tmp_path: Path) -> None:
    shard = write_jsonl(tmp_path / "s.jsonl", [row("a.mp4", 3.0, "konvid-1k"), row("x", 3.0, "mystery")])
    manifest = tmp_path / "elsewhere" / "m.json"
    result = cli.invoke(
        main,
        [
            "aggregate",
            str(shard),
            "-o",
            str(tmp_path / "u.jsonl"),
            "--on-unknown",
            "skip",
            "--manifest-out",
            str(manifest),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "warning: 1 rows left out: no installed plugin provides corpus 'mystery'" in result.stderr
    assert orjson.loads(manifest.read_bytes())["stats"]["dropped"] == {"unknown-corpus": {"mystery": 1}}
    assert not (tmp_path / "u.manifest.json").exists()


def test_the_manifest_never_overwrites_a_shard_manifest(registry: Registry, tmp_path: Path) -> None:
    shard = write_jsonl(tmp_path / "konvid.jsonl", [row("a.mp4", 3.0, "konvid-1k")])
    (tmp_path / "konvid.manifest.json").write_text("{}")
    with pytest.raises(UsageError, match="would overwrite the manifest of shard"):
        run(registry, [shard], tmp_path / "konvid.parquet")
    run(registry, [shard], tmp_path / "konvid.parquet", manifest_out=tmp_path / "unified.manifest.json")
    assert (tmp_path / "konvid.manifest.json").read_text() == "{}"


@pytest.mark.parametrize("corpus", ["konvid-1k", "lsvq"])
def test_range_decisions_match_the_scale_declared_by_the_plugin(
    registry: Registry, tmp_path: Path, corpus: str
) -> None:
    conversion = registry.scale_conversion(corpus)
    assert conversion is not None
    scale = conversion.native
    values = []
    for edge in (scale.lo - RANGE_SLACK, scale.hi + RANGE_SLACK):
        values += [math.nextafter(edge, -math.inf), edge, math.nextafter(edge, math.inf)]
    values += [scale.lo, scale.hi, scale.lo - 1, scale.hi + 1]
    rows = [row(f"{i}.mp4", v, corpus) for i, v in enumerate(values)]
    result = run(registry, [write_parquet(tmp_path / "s.parquet", rows)], tmp_path / "u.jsonl")
    kept = {r["src"] for r in read_jsonl(tmp_path / "u.jsonl")}
    assert kept == {f"{i}.mp4" for i, v in enumerate(values) if scale.contains(v)}
    assert result.dropped_total == len(values) - len(kept) > 0


def test_the_unified_arrow_schema_is_the_same_before_and_after_cattrs_resolves_the_row_types() -> None:
    """Resolving annotations turns "str | None" into a union; the schema must not change with it."""
    from vqa_core.documents import converter
    from vqa_core.schema import UnifiedRow

    before = unified_arrow_schema()
    values = dict.fromkeys(UNIFIED_FIELDS, "x") | {
        "src_size_bytes": 1,
        "width": 1,
        "height": 1,
        "n_ratings": 1,
    }
    values |= {k: 1.0 for k in ("framerate", "duration_s", "mos", "mos_native", "mos_std_dev")}
    converter.unstructure(UnifiedRow(**values))
    after = unified_arrow_schema()
    assert before.equals(after)
    assert after.field("split").nullable and not after.field("content_group").nullable
