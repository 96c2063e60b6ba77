"""Manifests: the common fields, file entries, and the bytes a manifest is written as."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import orjson

from vqa_core.documents import converter
from vqa_core.provenance import FileEntry, Manifest, build_manifest, describe_file, provenance, write_manifest


def test_a_file_entry_says_only_what_is_known(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"abc")
    assert describe_file(data) == {
        "path": str(data),
        "exists": True,
        "size_bytes": 3,
        "sha256": hashlib.sha256(b"abc").hexdigest(),
    }
    assert describe_file(data, hash_file=False) == {"path": str(data), "exists": True, "size_bytes": 3}
    assert describe_file(tmp_path / "none") == {"path": str(tmp_path / "none"), "exists": False}
    assert "sha256" not in describe_file(tmp_path)  # a folder has a size but no hash


def test_a_written_manifest_has_the_common_fields_sorted_and_indented(tmp_path: Path) -> None:
    body = build_manifest(
        "vqa-test-v1",
        created_at_utc="2026-01-01T00:00:00+00:00",
        versions={"vqa-core": "1", "gone": None},
        inputs={"table": tmp_path / "t.parquet"},
        stats={"rows": 2, "mean": float("nan")},
    )
    path = tmp_path / "m.json"
    write_manifest(path, body)
    expected = {
        "schema": "vqa-test-v1",
        "created_at_utc": "2026-01-01T00:00:00+00:00",
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "python": sys.version.split()[0],
        "versions": {"vqa-core": "1", "gone": None},
        "inputs": {"table": str(tmp_path / "t.parquet")},
        "outputs": {},
        "stats": {"rows": 2, "mean": None},
    }
    assert (
        path.read_bytes() == orjson.dumps(expected, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )


def test_a_manifest_class_reads_back_what_was_written(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"x")
    common = provenance(
        "vqa-test-v1",
        created_at_utc="2026-01-01T00:00:00+00:00",
        versions={},
        outputs={"a": FileEntry.of(data)},
    )
    path = tmp_path / "m.json"
    write_manifest(path, Manifest(**common))
    back = converter.structure(orjson.loads(path.read_bytes()), Manifest)
    assert back.outputs["a"] == describe_file(data) and back.created_at_utc == "2026-01-01T00:00:00+00:00"
