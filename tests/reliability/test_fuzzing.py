"""Property-based fuzzing: no input makes a parser raise anything but vqa's own errors.

Targets: every corpus plugin's metadata reader (``registry.source_rows``, rows
iterated to the end) under each of its published file names — text readers,
the YouTube UGC spreadsheet reader and the LIVE-VQC MAT-file reader — plus
BVI-DVC's metric files (``encode_grid_rows``), the aggregator's row reader
(``tables.shards.read_shard`` / ``probe_columns``), and merge-grid's reader.

Inputs: random bytes, text assembled from the tokens that matter to these
formats (delimiters, quotes, numbers, the corpus's own column names, BOMs,
line endings), and byte-level mutations of each plugin's valid sample file.
Hypothesis runs derandomized (the same examples every run) with the example
counts in :data:`EXAMPLES`, sized for CI.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vqa_core.errors import VqaError
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.sources import SourceSpec

#: Examples per strategy and target (three strategies per target).
EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

#: (corpus, published file name, clips folder): every file name a plugin looks for.
TARGETS = [
    ("konvid-1k", "KoNViD_1k_attributes.csv", "KoNViD_1k_videos"),
    ("konvid-1k", "KoNViD_1k_mos.csv", "KoNViD_1k_videos"),
    ("konvid-150k", "k150ka_scores.csv", ""),
    ("konvid-150k", "k150kb_scores.csv", ""),
    ("lsvq", "labels_train_test.csv", ""),
    ("lsvq", "labels_test_1080p.csv", ""),
    ("chug", "chug.csv", "videos"),
    ("youtube-ugc", "original_videos_MOS_for_YouTube_UGC_dataset.xlsx", "original_videos"),
    ("youtube-ugc", "original_videos_MOS_for_YouTube_UGC_dataset.csv", "original_videos"),
    ("live-vqc", "data.mat", "Video"),
    ("live-vqc", "mos.csv", "Video"),
    ("live-vqc", "mos.txt", "Video"),
    ("waterloo-ivc-4k", "scores.txt", ""),
    ("bvi-dvc", "DSyntheticFuzz00Vqa_960x544_30fps_10bit_420.json", ""),
]
DISTRIBUTIONS = (
    "vqa-konvid",
    "vqa-lsvq",
    "vqa-chug",
    "vqa-youtube-ugc",
    "vqa-live-vqc",
    "vqa-waterloo-ivc",
    "vqa-bvi-dvc",
)

_TOKENS = [
    ",",
    ";",
    "\t",
    '"',
    "'",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\x00",
    "\ufeff",
    "\u00e9",
    "\U0001f600",
    "0",
    "1",
    "3.41",
    "3,41",
    "-1",
    "1e308",
    "1e999",
    "nan",
    "inf",
    "-inf",
    "NaN",
    "True",
    "False",
    "100",
    "5",
    "1080",
    "540p",
    "2160P",
    "H264",
    "HEVC",
    "../",
    "/",
    "\\",
    ".mp4",
    ".yuv",
    "[0, 1, 2]",
    "flickr_id",
    "MOS",
    "mos",
    "video_name",
    "video_score",
    "name",
    "is_test",
    "is_valid",
    "Video",
    "mos_j",
    "sos_j",
    "vid",
    "MOS full",
    "std full",
    "filename",
    "video_list",
    "encoder",
    "width",
    "height",
    "pix_fmt",
    "framerate",
    "#EXTM3U",
    "MATLAB 5.0 MAT-file",
    "{",
    "}",
    "[",
    "]",
    ":",
    "pooled_metrics",
    "frames",
    "vmaf",
    "mean",
    "PK\x03\x04",
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.for_distributions(DISTRIBUTIONS)


@pytest.fixture(scope="module")
def valid(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each plugin's valid sample metadata, by file suffix and corpus (seeds for mutation)."""
    out: dict[str, bytes] = {}
    for corpus in sorted({c for c, _, _ in TARGETS}):
        drop = write_sample(registry, corpus, tmp_path_factory.mktemp(f"fuzz-{corpus}"), clips=2, seed=3)
        for path in drop.metadata:
            out.setdefault(f"{corpus}{Path(path).suffix}", Path(path).read_bytes())
    return out


def _drain(rows: Any) -> Iterator[object]:
    yield from rows


def _parse(registry: Registry, corpus: str, name: str, clips: str, data: bytes, root: Path) -> None:
    """Write ``data`` under the published ``name`` and read it to the end; only VqaError may escape."""
    shutil.rmtree(root, ignore_errors=True)
    (root / clips).mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(data)
    spec = SourceSpec(root=root, metadata=(path,), clips_dir=root / clips)
    try:
        if corpus == "bvi-dvc":
            from vqa_core.sources import GridSettings

            settings_ = GridSettings(
                encoder="libx264",
                preset="fast",
                crf=35,
                pix_fmt="yuv420p10le",
                vmaf_model="vmaf_v0.6.1",
                timestamp="2026-03-04T05:06:07+00:00",
            )
            for _ in _drain(registry.encode_grid_rows(corpus, spec, settings_)):
                pass
            return
        source = registry.source_rows(corpus, spec)
        for _ in _drain(source.rows):
            pass
    except VqaError as exc:
        assert "\n" not in str(exc)


def _mutate(data: st.DataObject, seed: bytes) -> bytes:
    """Up to eight byte-level edits of ``seed``: overwrite, insert, delete, duplicate or truncate."""
    buf = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 8))):
        if not buf:
            break
        at = data.draw(st.integers(0, len(buf) - 1))
        kind = data.draw(st.sampled_from(["overwrite", "insert", "delete", "duplicate", "truncate"]))
        chunk = data.draw(st.binary(min_size=1, max_size=16))
        if kind == "overwrite":
            buf[at : at + len(chunk)] = chunk
        elif kind == "insert":
            buf[at:at] = chunk
        elif kind == "delete":
            del buf[at : at + len(chunk)]
        elif kind == "duplicate":
            buf[at:at] = buf[at : at + 64]
        else:
            del buf[at:]
    return bytes(buf)


_text = st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=6)), max_size=120).map("".join)
_encoded = st.tuples(_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])).map(
    lambda pair: pair[0].encode(pair[1], errors="replace")
)


@pytest.mark.parametrize(("corpus", "name", "clips"), TARGETS, ids=[f"{c}:{n}" for c, n, _ in TARGETS])
class TestMetadataReaders:
    @FUZZ
    @given(data=st.binary(max_size=4096))
    def test_random_bytes(
        self, registry: Registry, corpus: str, name: str, clips: str, tmp_path: Path, data: bytes
    ) -> None:
        _parse(registry, corpus, name, clips, data, tmp_path / "root")

    @FUZZ
    @given(data=_encoded)
    def test_token_text(
        self, registry: Registry, corpus: str, name: str, clips: str, tmp_path: Path, data: bytes
    ) -> None:
        _parse(registry, corpus, name, clips, data, tmp_path / "root")

    @FUZZ
    @given(data=st.data())
    def test_mutated_sample(
        self,
        registry: Registry,
        valid: dict[str, bytes],
        corpus: str,
        name: str,
        clips: str,
        tmp_path: Path,
        data: st.DataObject,
    ) -> None:
        seed = (
            valid.get(f"{corpus}{Path(name).suffix}") or valid[next(k for k in valid if k.startswith(corpus))]
        )
        _parse(registry, corpus, name, clips, _mutate(data, seed), tmp_path / "root")


# -- the aggregator's and merge-grid's readers -------------------------------------------------------


@pytest.fixture(scope="module")
def shard_seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A valid corpus shard as JSONL and Parquet, from the KoNViD-1k sample through ingest."""
    from vqa_core.ingest import IngestConfig, ingest

    registry = Registry.for_distributions(("vqa-konvid",))
    base = tmp_path_factory.mktemp("fuzz-shard")
    drop = write_sample(registry, "konvid-1k", base / "drop", clips=2, seed=3)
    out = {}
    for suffix in (".jsonl", ".parquet"):
        report = ingest(
            registry, IngestConfig("konvid-1k", root=drop.root, output=base / f"s{suffix}", workers=1)
        )
        out[suffix] = report.output.read_bytes()
    return out


def _read_shard(path: Path, data: bytes) -> None:
    from vqa_core.aggregate import _read_schema
    from vqa_core.errors import ShardError
    from vqa_core.tables.shards import probe_columns, read_shard

    path.write_bytes(data)
    for read in (lambda: probe_columns(path), lambda: read_shard(path, _read_schema())):
        try:
            read()
        except ShardError as exc:
            assert "\n" not in str(exc)


_jsonl_text = st.lists(
    st.one_of(
        st.sampled_from(
            ['{"src": "a.mp4"}', '{"mos": 3.1}', '{"width": 1e400}', "[]", "null", "{", '"x"', '{"mos": "3"}']
        ),
        st.sampled_from(_TOKENS),
        st.text(max_size=8),
    ),
    max_size=60,
).map(lambda parts: "".join(parts).encode("utf-8", errors="replace"))


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
class TestShardReader:
    @FUZZ
    @given(data=st.binary(max_size=4096))
    def test_random_bytes(self, suffix: str, tmp_path: Path, data: bytes) -> None:
        _read_shard(tmp_path / f"s{suffix}", data)

    @FUZZ
    @given(data=_jsonl_text)
    def test_token_text(self, suffix: str, tmp_path: Path, data: bytes) -> None:
        _read_shard(tmp_path / f"s{suffix}", data)

    @FUZZ
    @given(data=st.data())
    def test_mutated_shard(
        self, shard_seeds: dict[str, bytes], suffix: str, tmp_path: Path, data: st.DataObject
    ) -> None:
        _read_shard(tmp_path / f"s{suffix}", _mutate(data, shard_seeds[suffix]))


@FUZZ
@given(data=st.data())
def test_merge_grid_reads_any_bytes_as_rows_or_one_error(tmp_path: Path, data: st.DataObject) -> None:
    import orjson

    from vqa_core.gridrows import GRID_KEYS
    from vqa_core.merge import merge_grid

    row = dict.fromkeys(GRID_KEYS, 0.5) | {
        "src_sha256": "ab" * 32,
        "encoder": "x",
        "preset": "fast",
        "crf": 20,
    }
    valid = orjson.dumps(row) + b"\n"
    first = data.draw(st.one_of(st.binary(max_size=2048), _jsonl_text, st.just(valid).map(lambda v: v * 3)))
    second = _mutate(data, valid * 2)
    inputs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for path, content in zip(inputs, (first, second), strict=True):
        path.write_bytes(content)
    try:
        merge_grid(inputs, tmp_path / "out.jsonl", timestamp="2026-03-04T05:06:07Z")
    except VqaError as exc:
        assert exc.message


#: A 456-byte mutation of a valid two-clip ``data.mat`` on which scipy's MAT reader (1.17)
#: dies with SIGSEGV: found by ``TestMetadataReaders.test_mutated_sample`` at 1,500 examples.
CRASHING_MAT = (
    "TUFUTEFCIDUuMCBNQVQtZmlsZSwgd3JpdHRlbiBieSB2cWEgc2FtcGxlIGxpdmUtdnFjICAgICAgICAgICAgICAgICAgICAg"
    "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAAAAAAAAAAAAABSU0OAAAAuAAAAAYAAAAIAAAA"
    "AQAAAAAAAAAFAAAACAAAAAIAAAABAAAAAQAAAAoAAAB2aWRlb19saXN0AAAAAAAADgAAADgAAAAGAAAACAAAAAQAAAAAAAAA"
    "BQAAAAgAAAACAAAAAQAAAAEAAAAKAAAAdmlkZW9fbGlzdAAAAAAAAA4AAAA4AAAABgAAAAgAAAAEAAAAAAAAAAUAAAAIAAAA"
    "AQAAAAgAAAABAAAAAAAAABAAAAAIAAAAQTAwMS5tcDQOAAAAOAAAAAYAAAAIAAAABAAAAAAAAAAFAAAACAAAAAEAAAAIAAAA"
    "AQAAAAAAAAAQAAAACAAAAEEwMDIubXA0DgAAAEAAAAAGAAAACAAAAAZV0OoPOcRFvQwEae8AAAACAAAAAQAAAAEAAwBtb3MA"
    "CQAAABAAAACoTWpLkFo8QILjFMtjJEpA"
)


def test_a_mat_file_that_crashes_the_reader_is_one_error_not_a_dead_process(kit: Any, tmp_path: Path) -> None:
    import base64

    root = tmp_path / "drop"
    (root / "Video").mkdir(parents=True)
    (root / "data.mat").write_bytes(base64.b64decode(CRASHING_MAT))
    failed = kit.run_vqa("ingest", "live-vqc", "--root", root, "-o", tmp_path / "l.jsonl", "-q")
    failed.assert_clean_error("data.mat: the MAT-file reader crashed on this file (signal 11)")


def test_a_parquet_shard_with_a_non_utf8_footer_is_one_error_for_every_reader(
    kit: Any, tmp_path: Path
) -> None:
    """Found by ``TestShardReader.test_mutated_shard`` at 1,500 examples: pyarrow raises
    UnicodeDecodeError (not an ArrowException) for a footer string that is not UTF-8."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"zzsrczz": ["a.mp4"], "mos": [3.0]}), buffer, store_schema=False)
    shard = tmp_path / "s.parquet"
    shard.write_bytes(buffer.getvalue().replace(b"zzsrczz", b"zz\xadrczz"))
    _read_shard(shard, shard.read_bytes())
    root = tmp_path / "root"
    root.mkdir()
    for args in (
        ["aggregate", shard, "-o", tmp_path / "u.jsonl"],
        ["features", "extract", shard, "--root", root, "-o", tmp_path / "f.jsonl"],
    ):
        kit.run_vqa(*args).assert_clean_error(str(shard))
