"""Schema-typed shard tables: suffixes, the JSONL writer's wire format, property-tested reading."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vqa_core.errors import OutputError, ShardError
from vqa_core.tables.shards import read_shard, shard_format, shard_output_format
from vqa_core.tables.wire import write_jsonl

SCHEMA = pa.schema([("n", pa.int64()), ("x", pa.float64()), ("s", pa.string())])


def test_suffixes() -> None:
    assert shard_format(Path("a.JSONL")) == "jsonl" and shard_format(Path("a.pq")) == "parquet"
    assert shard_output_format(Path("a.parquet")) == "parquet"
    with pytest.raises(ShardError, match=r"unsupported suffix '.csv'"):
        shard_format(Path("a.csv"))
    with pytest.raises(OutputError):
        shard_output_format(Path("a.ndjson"))


rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "n": st.integers(-(2**63), 2**63 - 1),
            "x": st.floats(allow_nan=False, allow_infinity=False),
            "s": st.text(),
        }
    ),
    max_size=30,
)


@given(rows_strategy)
@settings(max_examples=60, deadline=None)
def test_jsonl_writer_is_orjson_with_sorted_keys(rows: list[dict[str, object]]) -> None:
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    buffer = io.BytesIO()
    write_jsonl(table, buffer)
    expected = b"".join(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n" for r in rows)
    assert buffer.getvalue() == expected


@given(rows_strategy)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_what_the_writer_writes_reads_back(tmp_path: Path, rows: list[dict[str, object]]) -> None:
    path = tmp_path / "t.jsonl"
    buffer = io.BytesIO()
    write_jsonl(pa.Table.from_pylist(rows, schema=SCHEMA), buffer)
    path.write_bytes(buffer.getvalue())
    assert read_shard(path, SCHEMA).table.to_pylist() == rows


@given(
    st.lists(st.binary(max_size=40) | st.sampled_from([b'{"n": 1}', b'{"x": "a"}', b"[]", b"{}", b"\xff"]))
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_read_or_fail_with_a_shard_error(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(lines))
    try:
        read_shard(path, SCHEMA)
    except ShardError as exc:
        assert str(exc).startswith(str(path))


def test_a_line_longer_than_a_read_block_is_read(tmp_path: Path) -> None:
    rows = [
        {"n": 1, "x": 1.0, "s": "a"},
        {"n": 2, "x": 2.0, "s": "b" * 3_000_000},
        {"n": 3, "x": 3.0, "s": "c"},
    ]
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    assert read_shard(path, SCHEMA).table.column("n").to_pylist() == [1, 2, 3]
