"""`vqa export` round-trips the unified table of real sample drops through every format.

Each format is read back by a reader written from its documentation (docs/interop.md),
not by the exporter's code: DOVER/FAST-VQA's "split the stripped line on commas into four
fields", pyiqa's "column 0 is the path, column 1 the MOS, a split column holds the phase",
``datasets.load_from_disk`` and the csv module.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.registry import Registry
from vqa_core.timestamps import run_timestamp

STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def unified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LSVQ (train/test/test-1080p), CHUG (no splits) and KoNViD-1k sample drops, ingested and aggregated."""
    from vqa_core.aggregate import aggregate
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.sample import write_sample

    base = tmp_path_factory.mktemp("export-table")
    registry = Registry.discover(strict=True)
    shards = []
    for corpus, clips in (("lsvq", 6), ("chug", 3), ("konvid-1k", 3)):
        drop = write_sample(registry, corpus, base / "samples" / corpus, clips=clips, seed=2)
        shard = base / "shards" / f"{corpus}.jsonl"
        ingest(
            registry,
            IngestConfig(
                corpus, root=drop.root, output=shard, metadata=tuple(drop.metadata), timestamp=STAMP
            ),
        )
        shards.append(shard)
    table = base / "unified.parquet"
    aggregate(registry, shards, table, timestamp=STAMP)
    return table


def _rows(table: Path) -> list[dict[str, Any]]:
    return pq.read_table(table).to_pylist()


def _export(*args: str | Path) -> Any:
    result = CliRunner().invoke(main, ["export", *(str(a) for a in args)])
    return result


def _ok(*args: str | Path) -> Any:
    result = _export(*args)
    assert result.exit_code == 0, result.output
    return result


# --- independent readers, from the layouts in docs/interop.md ---------------------------------


def read_dover(path: Path, data_prefix: str = "") -> list[tuple[str, float]]:
    """What DOVER's and FAST-VQA's dataset classes do with an annotation file."""
    out = []
    for line in path.read_text().splitlines():
        filename, _, _, label = line.strip().split(",")
        out.append((filename if not data_prefix else f"{data_prefix}/{filename}", float(label)))
    return out


def read_pyiqa(path: Path, split_column: str | None = None, phase: str | None = None) -> list[list[str]]:
    """pyiqa's meta info: a header, column 0 the image (clip), column 1 the MOS; optional phase filter."""
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    if split_column is not None:
        assert any("split" in name for name in header)
        index = header.index(split_column)
        body = [r for r in body if r[index] == phase]
    return body


# --- round trips ------------------------------------------------------------------------------


def test_dover_by_split_round_trips_clips_mos_and_splits(unified: Path, tmp_path: Path) -> None:
    out = tmp_path / "dover"
    _ok(unified, "--format", "dover", "--out", out, "--by", "split")
    table = _rows(unified)
    expected: dict[str, set[tuple[str, float]]] = {}
    for row in table:
        expected.setdefault(row["split"] or "unsplit", set()).add((row["src"], row["mos"]))
    assert set(expected) == {"train", "test", "test-1080p", "unsplit"}
    for split, clips in expected.items():
        assert set(read_dover(out / f"{split}_labels.txt")) == clips
    first = (out / "train_labels.txt").read_text().splitlines()[0]
    assert first.count(", ") == 3 and ", -1, -1, " in first


def test_dover_absolute_paths_join_each_corpus_root(unified: Path, tmp_path: Path) -> None:
    out = tmp_path / "dover"
    roots = {"lsvq": tmp_path / "LSVQ", "chug": tmp_path / "CHUG", "konvid-1k": tmp_path / "KoNViD"}
    args = [a for c, r in roots.items() for a in ("--root", f"{c}={r}")]
    result = _ok(unified, "--format", "dover", "--out", out, "--by", "corpus", "--paths", "absolute", *args)
    assert "no such folder here" in result.stderr  # the roots above do not exist: said, not refused
    for corpus, root in roots.items():
        expected = {(f"{root}/{r['src']}", r["mos"]) for r in _rows(unified) if r["corpus"] == corpus}
        assert set(read_dover(out / f"{corpus}_labels.txt")) == expected


def test_a_missing_root_is_a_one_line_usage_error(unified: Path, tmp_path: Path) -> None:
    result = _export(
        unified, "--format", "dover", "--out", tmp_path / "x", "--paths", "absolute", "--root", "lsvq=/data"
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --paths absolute needs --root CORPUS=DIR for every corpus in the table; missing: chug, konvid-1k"
    ]
    assert not (tmp_path / "x").exists()


def test_pyiqa_native_axis_round_trips_with_phases(unified: Path, tmp_path: Path) -> None:
    out = tmp_path / "pyiqa"
    _ok(unified, "--format", "pyiqa", "--out", out, "--mos", "native")
    table = _rows(unified)
    body = read_pyiqa(out / "meta_info.csv")
    assert {(r[0], float(r[1])) for r in body} == {(r["src"], r["mos_native"]) for r in table}
    with (out / "meta_info.csv").open(newline="") as fh:
        records = list(csv.DictReader(fh))
    assert {(r["img_name"], r["subset"] or None) for r in records} == {(r["src"], r["split"]) for r in table}
    tests = read_pyiqa(out / "meta_info.csv", "split", "test")
    assert {r[0] for r in tests} == {r["src"] for r in table if r["split"] in ("test", "test-1080p")}
    assert {r[0] for r in read_pyiqa(out / "meta_info.csv", "split", "train")} == {
        r["src"] for r in table if r["split"] == "train"
    }


def test_hf_by_split_loads_back_as_a_dataset_dict(unified: Path, tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "hf"
    _ok(unified, "--format", "hf", "--out", out, "--by", "split")
    loaded = datasets.load_from_disk(str(out))
    assert isinstance(loaded, datasets.DatasetDict)
    assert set(loaded) == {"train", "test", "test_1080p", "unsplit"}
    table = _rows(unified)
    got = {(r["path"], r["label"], r["split"]) for part in loaded.values() for r in part}
    assert got == {(r["src"], r["mos"], r["split"]) for r in table}
    assert loaded["test_1080p"]["split"] == ["test-1080p"] * loaded["test_1080p"].num_rows
    assert set(loaded["train"].column_names) >= {"path", "label", *table[0]}


def test_hf_card_has_the_hub_header_and_every_corpus(unified: Path, tmp_path: Path) -> None:
    from huggingface_hub import DatasetCard

    out = tmp_path / "hf"
    result = _ok(unified, "--format", "hf", "--out", out, "--by", "corpus")
    card = DatasetCard.load(out / "README.md")
    meta = card.data.to_dict()
    assert meta["license"] == ["cc-by-nc-sa-4.0", "other"] and meta["license_name"] == "vqa-corpus-terms"
    assert meta["size_categories"] == ["n<1K"] and meta["task_categories"] == ["other"]
    files = meta["configs"][0]["data_files"]
    assert {f["split"] for f in files} == {"lsvq", "chug", "konvid_1k"}
    for entry in files:  # every configs path names Arrow files that exist
        assert list(out.glob(entry["path"]))
    splits = {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]}
    registry = Registry.discover(strict=True)
    for corpus in ("lsvq", "chug", "konvid-1k"):
        decl = registry.corpus(corpus).declaration
        rows = sum(1 for r in _rows(unified) if r["corpus"] == corpus)
        assert splits[corpus.replace("-", "_")] == rows
        assert f"| {corpus} | {rows} | [{decl.licence}]({decl.licence_url}) |" in card.text
        assert decl.citation in card.text
    assert "konvid-1k (Research use)" in card.text and "do not permit redistribution" in card.text
    assert "konvid-1k (Research use)" in result.stderr and "lsvq (" not in result.stderr


def test_hf_by_none_is_one_dataset(unified: Path, tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "hf"
    _ok(unified, "--format", "hf", "--out", out)
    loaded = datasets.load_from_disk(str(out))
    assert isinstance(loaded, datasets.Dataset)
    assert sorted(zip(loaded["path"], loaded["label"], strict=True)) == sorted(
        (r["src"], r["mos"]) for r in _rows(unified)
    )


def test_csv_has_every_column_and_rfc4180_line_ends(unified: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    _ok(unified, "--format", "csv", "--out", out, "--by", "corpus", "--mos", "native")
    table = _rows(unified)
    seen = []
    for corpus in ("lsvq", "chug", "konvid-1k"):
        raw = (out / f"{corpus}.csv").read_bytes()
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
        with (out / f"{corpus}.csv").open(newline="") as fh:
            records = list(csv.DictReader(fh))
        assert list(records[0]) == ["path", "label", *table[0]]
        seen.extend(records)
    by_src = {r["src"]: r for r in table}
    assert len(seen) == len(table)
    for record in seen:
        source = by_src[record["path"]]
        assert float(record["label"]) == source["mos_native"]
        assert float(record["mos"]) == source["mos"] and (record["split"] or None) == source["split"]
        assert record["content_group"] == source["content_group"]


def test_csv_quotes_a_comma_and_dover_refuses_it(unified: Path, tmp_path: Path) -> None:
    rows = _rows(unified)
    rows[0]["src"] = 'odd, "name".mp4'
    odd = tmp_path / "odd.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(unified)), odd)
    _ok(odd, "--format", "csv", "--out", tmp_path / "csv")
    assert b'"odd, ""name"".mp4"' in (tmp_path / "csv" / "table.csv").read_bytes()
    with (tmp_path / "csv" / "table.csv").open(newline="") as fh:
        assert next(csv.DictReader(fh))["path"] == 'odd, "name".mp4'
    result = _export(odd, "--format", "dover", "--out", tmp_path / "dover")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "odd.parquet:row 1" in result.stderr and "holds a comma" in result.stderr


# --- manifest, summary, destination -----------------------------------------------------------


def test_manifest_records_the_input_hash_rows_per_file_and_options(unified: Path, tmp_path: Path) -> None:
    out = tmp_path / "dover"
    result = _ok(unified, "--format", "dover", "--out", out, "--by", "corpus", "--json", "--timestamp", STAMP)
    summary = json.loads(result.stdout)
    manifest = json.loads((out / "export.manifest.json").read_text())
    assert manifest["inputs"]["table"]["sha256"] == hashlib.sha256(unified.read_bytes()).hexdigest()
    assert manifest["created_at_utc"] == run_timestamp(STAMP) and manifest["schema"] == "vqa-export-v1"
    assert manifest["export"] == {
        "format": "dover",
        "by": "corpus",
        "paths": "relative",
        "mos": "0-100",
        "mos_column": "mos",
        "roots": {},
        "table_kind": "unified",
    }
    files = {f["path"]: f["rows"] for f in manifest["stats"]["files"]}
    assert files == {f["path"]: f["rows"] for f in summary["files"]}
    for name, rows in files.items():
        assert len((out / name).read_text().splitlines()) == rows
        assert manifest["outputs"][name]["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert sum(files.values()) == len(_rows(unified)) == summary["rows_written"]
    assert "vqa-core" in manifest["versions"]
    assert {c["id"]: c["redistribution"] for c in summary["corpora"]} == {
        "chug": "permitted",
        "konvid-1k": "not-granted",
        "lsvq": "permitted",
    }


def test_a_new_export_replaces_the_old_one_and_never_a_foreign_folder(unified: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _ok(unified, "--format", "dover", "--out", out, "--by", "split")
    _ok(unified, "--format", "dover", "--out", out)
    assert sorted(p.name for p in out.iterdir()) == ["export.manifest.json", "labels.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    result = _export(unified, "--format", "csv", "--out", foreign)
    assert result.exit_code == 2 and "not a vqa export" in result.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_hf_without_the_extra_names_the_install_command(
    unified: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)  # what an environment without the extra sees
    result = _export(unified, "--format", "hf", "--out", tmp_path / "hf")
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == "error: --format hf needs the datasets library: pip install 'vqa-core[hf]'"
    )


def test_a_table_without_mos_columns_is_refused_in_one_line(tmp_path: Path) -> None:
    table = tmp_path / "t.parquet"
    pq.write_table(pa.table({"src": ["a.mp4"], "corpus": ["lsvq"], "score": [3.0]}), table)
    result = _export(table, "--format", "csv", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "no MOS columns an export can use" in result.stderr
    assert "Traceback" not in result.output


def test_export_help_imports_no_heavy_module() -> None:
    import subprocess

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from vqa_core.cli import main\n"
        "r = CliRunner().invoke(main, ['export', '--help'])\n"
        "assert r.exit_code == 0 and '--format' in r.output, r.output\n"
        "print(','.join(m for m in ('pyarrow', 'datasets', 'torch', 'av') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
