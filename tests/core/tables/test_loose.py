from __future__ import annotations

import math
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vqa_core.errors import OutputError, ShardError
from vqa_core.tables.loose import output_format, read_table, write_table


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".json"])
def test_round_trip_keeps_values_and_writes_nan_as_null(tmp_path: Path, suffix: str) -> None:
    table = pa.table({"key": ["007", "12.0"], "mos": [3.5, math.nan], "n": [1, None]})
    path = tmp_path / f"t{suffix}"
    write_table(table, path)
    back = read_table(path, strings=lambda names: ["key"])
    assert back.table.column("key").to_pylist() == ["007", "12.0"]
    mos = back.table.column("mos").to_pylist()
    assert mos[0] == 3.5 and (mos[1] is None or math.isnan(mos[1]))
    if suffix != ".parquet":
        text = path.read_bytes()
        assert b"NaN" not in text and b"null" in text


def test_where_each_row_came_from(tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv"
    csv_path.write_text('key,note\na,"two\nlines"\n\nb,x\n', encoding="utf-8")
    loaded = read_table(csv_path)
    assert [loaded.where(i) for i in range(2)] == [f"{csv_path}:2", f"{csv_path}:5"]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_bytes(b'{"key": 1}\n\n{"key": 2}\n')
    assert read_table(jsonl).where(1) == f"{jsonl}:3"
    doc = tmp_path / "t.json"
    doc.write_bytes(orjson.dumps([{"key": 1}, {"key": 2}]))
    assert read_table(doc).where(1) == f"{doc}:$.rows[1]"
    parquet = tmp_path / "t.parquet"
    pq.write_table(pa.table({"key": [5, 6]}), parquet)
    loaded = read_table(parquet, strings=lambda names: ["key"])
    assert loaded.where(0) == f"{parquet}:row 1" and loaded.table.column("key").to_pylist() == ["5", "6"]


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "t.jsonl"
    bad.write_bytes(b'{"key": 1}\n{oops\n')
    with pytest.raises(ShardError, match=r"t\.jsonl:2: not a JSON object"):
        read_table(bad)
    mixed = tmp_path / "m.jsonl"
    mixed.write_bytes(b'{"x": 1}\n{"x": "a"}\n')
    with pytest.raises(ShardError, match="column x mixes value types"):
        read_table(mixed)
    with pytest.raises(ShardError, match="does not exist"):
        read_table(tmp_path / "none.csv")
    with pytest.raises(ShardError, match=r"cannot read \.xlsx"):
        read_table(tmp_path / "t.xlsx")
    doc = tmp_path / "d.json"
    doc.write_bytes(b'{"items": []}')
    with pytest.raises(ShardError, match=r'\{"rows": \[\.\.\.\]\}'):
        read_table(doc)
    dupes = tmp_path / "d.csv"
    dupes.write_text("a,a\n1,2\n", encoding="utf-8")
    with pytest.raises(ShardError, match="duplicated column"):
        read_table(dupes)
    with pytest.raises(OutputError, match=r"cannot write \.csv"):
        output_format(tmp_path / "o.csv")
