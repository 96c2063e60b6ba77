"""The one JSONL writer and the one Parquet codec both table families write with."""

from __future__ import annotations

import io
import math
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from vqa_core.tables import loose, shards
from vqa_core.tables.wire import PARQUET_COMPRESSION, write_jsonl


def _codecs(path: Path) -> set[str]:
    meta = pq.read_metadata(path)
    return {
        meta.row_group(g).column(c).compression.lower()
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    }


def test_shards_and_loose_tables_write_parquet_with_the_same_codec(tmp_path: Path) -> None:
    table = pa.table({"b": [1.5, None], "a": ["x", "y"]})
    shard = tmp_path / "s.parquet"
    with open(shard, "wb") as fh:
        shards.write_shard(table, fh, "parquet")
    user = tmp_path / "u.parquet"
    loose.write_table(table, user)
    assert _codecs(shard) == _codecs(user) == {PARQUET_COMPRESSION}
    assert shard.read_bytes() == user.read_bytes()
    assert pq.read_table(user).column_names == ["b", "a"]  # Parquet keeps the caller's order


def test_shards_and_loose_tables_write_the_same_jsonl(tmp_path: Path) -> None:
    table = pa.table({"b": [1.5, math.nan, math.inf], "a": ["x", None, "z"], "n": [1, 2, None]})
    buffer = io.BytesIO()
    shards.write_shard(table, buffer, "jsonl")
    user = tmp_path / "u.jsonl"
    loose.write_table(table, user)
    assert user.read_bytes() == buffer.getvalue()
    assert buffer.getvalue().splitlines()[1] == b'{"a":null,"b":null,"n":2}'


def test_objects_inside_values_have_their_keys_sorted_too() -> None:
    table = pa.table({"z": [1], "s": pa.array([{"y": 1, "x": [{"q": 1, "p": 2}]}])})
    buffer = io.BytesIO()
    write_jsonl(table, buffer)
    assert buffer.getvalue() == b'{"s":{"x":[{"p":2,"q":1}],"y":1},"z":1}\n'
    assert buffer.getvalue() == orjson.dumps(table.to_pylist()[0], option=orjson.OPT_SORT_KEYS) + b"\n"


def test_a_repeated_column_name_keeps_the_last_value_as_before() -> None:
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2]), pa.array(["a"])], names=["k", "k", "b"])
    buffer = io.BytesIO()
    write_jsonl(table, buffer)
    assert buffer.getvalue() == orjson.dumps(table.to_pylist()[0], option=orjson.OPT_SORT_KEYS) + b"\n"
