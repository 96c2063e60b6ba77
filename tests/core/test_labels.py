from __future__ import annotations

import csv
import re
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import LabelError, OutputError, UsageError
from vqa_core.fsutil import manifest_path_for, sha256_file
from vqa_core.labels import (
    MaterializeConfig,
    decide_scale,
    materialize_labels,
    normalise_key,
    resolve_normalisation,
)


@pytest.fixture(scope="module")
def konvid_shard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real KoNViD-1k shard: the plugin's sample drop through the real ingest engine."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    base = tmp_path_factory.mktemp("konvid")
    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-1k", base / "drop", clips=4, seed=3)
    shard = base / "konvid-1k.jsonl"
    ingest(
        registry,
        IngestConfig(
            corpus_id="konvid-1k", root=drop.root, output=shard, workers=2, timestamp="2026-01-01T00:00:00Z"
        ),
    )
    return shard


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _rows(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


# -- key normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mode", "regex", "expected"),
    [
        ("  clips/a/12.mp4 ", "raw", None, "clips/a/12.mp4"),
        ("clips/a/12.mp4", "basename", None, "12.mp4"),
        ("C:\\clips\\12.mp4", "basename", None, "12.mp4"),
        ("clips/a/12.tar.mp4", "stem", None, "12.tar"),
        ("clips/.hidden", "stem", None, ".hidden"),
        ("orig_10008004183_540_5s.mp4", "raw", r"([0-9]{6,})", "10008004183"),
        ("orig_10008004183_540_5s.mp4", "raw", r"[0-9]{6,}", "10008004183"),
        ("no digits here", "raw", r"([0-9]{6,})", ""),
        (None, "raw", None, ""),
        ("007", "raw", None, "007"),
    ],
)
def test_normalise_key(value: str | None, mode: str, regex: str | None, expected: str) -> None:
    assert normalise_key(value, mode, re.compile(regex) if regex else None) == expected


def test_auto_normalisation_rules() -> None:
    assert resolve_normalisation("auto", "src", all_src=True) == "raw"
    assert resolve_normalisation("auto", "src") == "basename"
    assert resolve_normalisation("auto", "file_name") == "basename"
    assert resolve_normalisation("auto", "key") == "raw"
    assert resolve_normalisation("stem", "src", all_src=True) == "stem"
    with pytest.raises(UsageError):
        resolve_normalisation("lower", "key")


def test_auto_is_one_rule_for_the_whole_join(tmp_path: Path) -> None:
    features = _jsonl(
        tmp_path / "f.jsonl", [{"src": "batch1/747.mp4"}, {"src": "batch2/747.mp4"}, {"src": "b/9.mp4"}]
    )
    shard = _jsonl(
        tmp_path / "s.jsonl", [{"src": "batch1/747.mp4", "mos": 2.0}, {"src": "batch2/747.mp4", "mos": 4.0}]
    )
    out = tmp_path / "o.jsonl"
    # every key column is src: paths compared whole, so the two 747 clips keep their own labels
    materialize_labels(MaterializeConfig(features=features, labels=(shard,), out=out, min_match_rate=0.5))
    assert [r["mos"] for r in _rows(out)] == [2.0, 4.0, None]
    # a second file keyed by file name switches the whole join to basenames, on both sides
    names = _jsonl(tmp_path / "n.jsonl", [{"file_name": "9.mp4", "mos": 3.0}])
    with pytest.raises(
        LabelError, match=r"conflicting MOS labels for key '747\.mp4' \(keys compared by file name\)"
    ):
        materialize_labels(MaterializeConfig(features=features, labels=(shard, names), out=out))


# -- scale -------------------------------------------------------------------------------


def test_scale_is_decided_from_the_whole_column() -> None:
    assert decide_scale("auto", "mos", [1.0, 3.2, 4.9]).scale == "1-5"
    assert decide_scale("auto", "mos", [3.0, 55.0, 87.5]).scale == "0-100"
    assert decide_scale("auto", "mos_raw_0_100", [2.0, 3.0]).scale == "0-100"
    assert decide_scale("auto", "mos", [2.0, 3.0], unified=True).scale == "0-100"
    assert decide_scale("0-100", "mos", [2.0, 3.0]).rule == "explicit"
    # a 1-5 column with one 5.2 typo is refused, not silently read as 0-100
    with pytest.raises(LabelError, match="ambiguous"):
        decide_scale("auto", "mos", [1.5, 3.0, 5.2])
    with pytest.raises(LabelError, match="ambiguous"):
        decide_scale("auto", "mos", [0.5, 3.0, 4.0])
    with pytest.raises(UsageError):
        decide_scale("1-10", "mos", [1.0])


# -- joins -------------------------------------------------------------------------------


def test_regex_key_join(tmp_path: Path) -> None:
    features = _jsonl(
        tmp_path / "f.jsonl", [{"key": "10008004183", "adm2": 0.9}, {"key": "10008004184", "adm2": 0.8}]
    )
    labels = _jsonl(
        tmp_path / "l.jsonl",
        [
            {"src": "orig_10008004183_540_5s.mp4", "mos": 3.5, "mos_std_dev": 0.41, "n_ratings": 5},
            {"src": "orig_10008004184_540_5s.mp4", "mos": 2.0, "mos_std_dev": 0.0, "n_ratings": 0},
        ],
    )
    out = tmp_path / "out.jsonl"
    report = materialize_labels(
        MaterializeConfig(features=features, labels=(labels,), out=out, label_key_regex=r"([0-9]{6,})")
    )
    rows = _rows(out)
    assert rows[0]["mos"] == 3.5 and rows[0]["mos_raw_0_100"] == 62.5
    assert rows[0]["mos_std_dev"] == pytest.approx(0.41) and rows[0]["mos_n_ratings"] == 5
    assert rows[0]["mos_label_status"] == "ok" and rows[0]["mos_label_source"] == str(labels)
    # 0 is the shard format's "not published": it becomes null, not a spread of zero
    assert rows[1]["mos_std_dev"] is None and rows[1]["mos_n_ratings"] is None
    assert rows[0]["adm2"] == 0.9
    assert report.audit["match_rate"] == 1.0 and report.audit["counts"]["matched_rows"] == 2


def test_keys_are_strings_exactly_as_written(tmp_path: Path) -> None:
    labels = _csv(tmp_path / "l.csv", ["clip_id", "mos"], [["007", 2.0], ["12.0", 3.0], ["12", 4.0]])
    features = _csv(tmp_path / "f.csv", ["clip_id", "x"], [["007", 1], ["12", 2], ["12.0", 3], ["7", 4]])
    out = tmp_path / "out.parquet"
    materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out, min_match_rate=0.5))
    table = pq.read_table(out)
    assert table.column("clip_id").to_pylist() == ["007", "12", "12.0", "7"]
    assert table.column("mos").to_pylist() == [2.0, 4.0, 3.0, None]
    assert table.column("mos_label_status").to_pylist() == ["ok", "ok", "ok", "missing-label"]
    assert table.column("x").type == pa.int64()  # other columns keep their types


def test_json_number_keys_keep_their_text(tmp_path: Path) -> None:
    features = tmp_path / "f.json"
    features.write_bytes(orjson.dumps({"rows": [{"video_id": 12}, {"video_id": 12.0}]}))
    labels = _jsonl(tmp_path / "l.jsonl", [{"video_id": "12", "mos": 2.0}, {"video_id": "12.0", "mos": 5.0}])
    out = tmp_path / "out.json"
    materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out))
    rows = orjson.loads(out.read_bytes())["rows"]
    assert [(r["video_id"], r["mos"]) for r in rows] == [("12", 2.0), ("12.0", 5.0)]


def test_raw_0_100_labels(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"key": "a"}, {"key": "b"}])
    labels = _jsonl(
        tmp_path / "l.jsonl",
        [{"key": "a", "mos_raw_0_100": 50, "std_dev": 10.0}, {"key": "b", "mos_raw_0_100": 2}],
    )
    out = tmp_path / "out.jsonl"
    report = materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out))
    rows = _rows(out)
    assert rows[0]["mos"] == 3.0 and rows[0]["mos_raw_0_100"] == 50
    assert rows[0]["mos_std_dev"] == pytest.approx(0.4)  # 10 on 0-100 is 0.4 on the 1-5 axis
    assert rows[1]["mos"] == pytest.approx(1.08)
    assert report.audit["labels"][0]["scale"] == "0-100"


def test_coverage_gate_writes_nothing(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"key": "a"}, {"key": "b"}, {"key": "c"}])
    labels = _jsonl(tmp_path / "l.jsonl", [{"key": "a", "mos": 3.0}])
    out = tmp_path / "out.jsonl"
    with pytest.raises(LabelError, match=r"match rate 0\.333 below --min-match-rate 0\.800 \(1/3"):
        materialize_labels(
            MaterializeConfig(features=features, labels=(labels,), out=out, min_match_rate=0.8)
        )
    assert not out.exists() and not manifest_path_for(out).exists()
    report = materialize_labels(
        MaterializeConfig(features=features, labels=(labels,), out=out, min_match_rate=0.3)
    )
    rows = _rows(out)
    assert [r["mos_label_status"] for r in rows] == ["ok", "missing-label", "missing-label"]
    assert rows[1]["mos"] is None
    assert report.audit["counts"]["missing_rows"] == 2


def test_rows_without_a_key_count_against_coverage(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"key": "clip-1"}, {"key": "other"}])
    labels = _jsonl(tmp_path / "l.jsonl", [{"key": "1", "mos": 3.0}])
    with pytest.raises(LabelError, match="1 feature rows have no key"):
        materialize_labels(
            MaterializeConfig(
                features=features, labels=(labels,), out=tmp_path / "o.jsonl", feature_key_regex=r"clip-(\d+)"
            )
        )


def test_conflicting_duplicates_name_the_key(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"key": "a"}])
    first = _jsonl(tmp_path / "l1.jsonl", [{"key": "a", "mos": 3.0}, {"key": "a", "mos": 3.0}])
    second = _jsonl(tmp_path / "l2.jsonl", [{"key": "a", "mos": 3.1}])
    out = tmp_path / "out.jsonl"
    report = materialize_labels(MaterializeConfig(features=features, labels=(first,), out=out))
    assert report.audit["counts"]["duplicate_labels_ignored"] == 1
    with pytest.raises(
        LabelError,
        match=r"conflicting MOS labels for key 'a' \(keys compared as written\): .*l1\.jsonl:1 .*l2\.jsonl:1",
    ) as info:
        materialize_labels(
            MaterializeConfig(features=features, labels=(first, second), out=tmp_path / "o2.jsonl")
        )
    assert info.value.key == "a"
    assert not (tmp_path / "o2.jsonl").exists()


def test_existing_mos_columns_need_overwrite(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"key": "a", "mos": 1.0}])
    labels = _jsonl(tmp_path / "l.jsonl", [{"key": "a", "mos": 4.0}])
    out = tmp_path / "out.jsonl"
    with pytest.raises(LabelError, match="refusing to overwrite existing MOS columns mos"):
        materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out))
    assert not out.exists()
    materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out, overwrite=True))
    assert _rows(out)[0]["mos"] == 4.0


def test_out_of_scale_labels_are_counted_with_file_and_line(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"file_name": f"{i}.mp4"} for i in range(5)])
    labels = tmp_path / "l.csv"
    labels.write_text(
        "file_name,mos\n0.mp4,2.0\n\n1.mp4,7.5\n2.mp4,n/a\n3.mp4,abc\n4.mp4,4.0\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    report = materialize_labels(
        MaterializeConfig(features=features, labels=(labels,), out=out, label_scale="1-5", min_match_rate=0.4)
    )
    got = {r["key"]: (r["where"], r["reason"]) for r in report.audit["rejections"]}
    assert got == {
        "1.mp4": (f"{labels}:4", "out-of-scale"),
        "2.mp4": (f"{labels}:5", "missing-mos"),
        "3.mp4": (f"{labels}:6", "non-numeric-mos"),
    }
    assert report.audit["counts"]["rejected_labels"] == 3
    assert [r["mos"] for r in _rows(out)] == [2.0, None, None, None, 4.0]


def test_unsupported_output_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"cannot write \.csv"):
        materialize_labels(
            MaterializeConfig(
                features=tmp_path / "missing.parquet", labels=(tmp_path / "x.csv",), out=tmp_path / "o.csv"
            )
        )


def test_audit_records_hashes_and_columns(tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"key": "a", "si": 1.0}])
    labels = _jsonl(tmp_path / "l.jsonl", [{"key": "a", "mos": 4.0, "split": "train"}])
    out, audit = tmp_path / "out.parquet", tmp_path / "audit.json"
    materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out, audit_json=audit))
    data = orjson.loads(audit.read_bytes())
    assert data["inputs"]["features"]["sha256"] == sha256_file(features)
    assert data["inputs"]["labels"][0]["sha256"] == sha256_file(labels)
    assert data["outputs"]["table"]["sha256"] == sha256_file(out)
    assert data["outputs"]["manifest"]["sha256"] == sha256_file(manifest_path_for(out))
    assert data["features"]["key_column"] == "key" and data["labels"][0]["mos_column"] == "mos"
    assert "split" in data["columns"]["added"]
    assert pq.read_table(out).column("split").to_pylist() == ["train"]


# -- real shards ---------------------------------------------------------------------------


def test_labels_from_a_real_ingested_shard(konvid_shard: Path, tmp_path: Path) -> None:
    shard_rows = _rows(konvid_shard)
    features = _jsonl(tmp_path / "f.jsonl", [{"src": r["src"], "x": 1.0} for r in reversed(shard_rows)])
    out = tmp_path / "out.jsonl"
    report = materialize_labels(MaterializeConfig(features=features, labels=(konvid_shard,), out=out))
    by_src = {r["src"]: r["mos"] for r in shard_rows}
    rows = _rows(out)
    assert [r["src"] for r in rows] == [r["src"] for r in reversed(shard_rows)]
    assert all(r["mos"] == by_src[r["src"]] for r in rows)
    assert all(r["corpus"] == "konvid-1k" for r in rows)
    assert report.audit["labels"][0]["key_normalize"] == "raw"
    assert report.audit["labels"][0]["scale"] == "1-5"


def test_cli_success_and_one_line_errors(konvid_shard: Path, tmp_path: Path) -> None:
    features = _jsonl(tmp_path / "f.jsonl", [{"src": r["src"]} for r in _rows(konvid_shard)])
    runner = CliRunner()
    out = tmp_path / "out.parquet"
    args = ["labels", "materialize", "--features", str(features), "--labels", str(konvid_shard)]
    result = runner.invoke(main, [*args, "--out", str(out), "--timestamp", "2026-01-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "labelled" in result.output and out.exists()
    result = runner.invoke(main, [*args, "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: output") and "Traceback" not in result.output
    result = runner.invoke(main, [*args, "--out", str(out)])  # features now has no mos, out does
    assert result.exit_code == 0
    result = runner.invoke(
        main,
        [
            "labels",
            "materialize",
            "--features",
            str(out),
            "--labels",
            str(konvid_shard),
            "--out",
            str(tmp_path / "x.jsonl"),
        ],
    )
    assert result.exit_code == 2 and "refusing to overwrite" in result.output


def test_unified_table_labels_are_read_on_0_100(tmp_path: Path) -> None:
    """A table shaped like vqa aggregate's output (UnifiedRow): mos and mos_std_dev on 0-100."""
    from vqa_core.documents import converter
    from vqa_core.schema import UnifiedRow

    def unified(src: str, mos: float, std: float) -> dict[str, object]:
        row = UnifiedRow(
            src=src,
            src_sha256="ab" * 32,
            src_size_bytes=10,
            width=320,
            height=180,
            framerate=25.0,
            duration_s=1.0,
            pix_fmt="yuv420p",
            encoder_upstream="h264",
            mos=mos,
            mos_native=1 + 4 * mos / 100,
            mos_native_scale="1-5",
            mos_std_dev=std,
            n_ratings=12,
            corpus="konvid-1k",
            corpus_source="konvid-1k",
            corpus_version="1.0",
            ingested_at_utc="2026-01-01T00:00:00+00:00",
            aggregated_at_utc="2026-01-01T00:00:00+00:00",
            content_group=f"konvid-1k/{src}",
        )
        return converter.unstructure(row)  # type: ignore[no-any-return]

    # every value within [1, 5]: without knowing the table, auto would call this column 1-5
    labels = _jsonl(tmp_path / "unified.jsonl", [unified("a.mp4", 2.0, 5.0), unified("b.mp4", 4.5, 2.5)])
    features = _jsonl(tmp_path / "f.jsonl", [{"src": "a.mp4"}, {"src": "b.mp4"}])
    out = tmp_path / "out.jsonl"
    report = materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out))
    rows = _rows(out)
    assert [r["mos"] for r in rows] == pytest.approx([1.08, 1.18])
    assert [r["mos_raw_0_100"] for r in rows] == [2.0, 4.5]
    assert rows[0]["mos_std_dev"] == pytest.approx(0.2) and rows[0]["mos_n_ratings"] == 12
    assert report.audit["labels"][0]["scale_rule"].startswith("mos of a unified table")


def test_content_group_comes_from_the_labels_unless_the_features_have_it(tmp_path: Path) -> None:
    labels = _jsonl(
        tmp_path / "l.jsonl",
        [
            {"src": "v/a.mp4", "mos": 3.0, "content_group": "chug/IMG_1", "split": None},
            {"src": "v/b.mp4", "mos": 4.0, "content_group": "chug/IMG_1", "split": None},
            {"src": "v/c.mp4", "mos": 2.0, "content_group": "chug/IMG_2", "split": None},
        ],
    )
    features = _jsonl(tmp_path / "f.jsonl", [{"src": "v/a.mp4"}, {"src": "v/c.mp4"}, {"src": "v/b.mp4"}])
    out = tmp_path / "out.jsonl"
    report = materialize_labels(MaterializeConfig(features=features, labels=(labels,), out=out))
    assert [r["content_group"] for r in _rows(out)] == ["chug/IMG_1", "chug/IMG_2", "chug/IMG_1"]
    assert "content_group" in report.audit["columns"]["added"]
    # a feature table that already has the column keeps its own values
    own = _jsonl(tmp_path / "own.jsonl", [{"src": "v/a.mp4", "content_group": "mine/1"}])
    kept = materialize_labels(
        MaterializeConfig(features=own, labels=(labels,), out=tmp_path / "kept.jsonl", min_match_rate=0.0)
    )
    assert _rows(tmp_path / "kept.jsonl")[0]["content_group"] == "mine/1"
    assert kept.audit["columns"]["kept_from_features"] == ["content_group"]


def test_a_labels_file_with_the_feature_key_column_joins_on_it(tmp_path: Path) -> None:
    from vqa_core.labels import MaterializeConfig, materialize_labels

    features = tmp_path / "f.jsonl"
    features.write_text('{"src": "videos/a.mp4", "si_mean": 1.0}\n{"src": "videos/b.mp4", "si_mean": 2.0}\n')
    labels = tmp_path / "l.jsonl"
    labels.write_text(
        '{"src": "videos/a.mp4", "chug_video_id": "a", "mos": 3.0}\n'
        '{"src": "videos/b.mp4", "chug_video_id": "b", "mos": 4.0}\n'
    )
    report = materialize_labels(
        MaterializeConfig(features=features, labels=(labels,), out=tmp_path / "o.jsonl")
    )
    assert report.audit["match_rate"] == 1.0
