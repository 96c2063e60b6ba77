from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import orjson
import pyarrow.parquet as pq
import pytest

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration
from vqa_core.errors import DatasetNotFoundError, MetadataError, OutputError, StateError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.ingest.download import DownloadPolicy
from vqa_core.parsing import open_table, reject, to_float
from vqa_core.registry import Registry
from vqa_core.runner.executor import default_workers
from vqa_core.runner.lock import output_lock
from vqa_core.runner.state import state_path_for
from vqa_core.samples import ClipSpec, write_clip
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import MetadataFile, SourceRows, SourceSpec
from vqa_core.testing import toy_declaration
from vqa_core.testing.http import LocalServer

T0 = "2026-01-02T03:04:05Z"


def _config(root: Path, output: Path, **kw: object) -> IngestConfig:
    return IngestConfig(corpus_id="konvid-1k", root=root, output=output, timestamp=T0, workers=2, **kw)  # type: ignore[arg-type]


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def drop(konvid_1k_drop: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session's KoNViD-1k sample drop."""
    return Path(shutil.copytree(konvid_1k_drop, tmp_path / "drop"))


def _metadata(drop: Path) -> Path:
    return drop / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"


def _append(drop: Path, *lines: str) -> None:
    with open(_metadata(drop), "a") as fh:
        for line in lines:
            fh.write(line + "\n")


def test_a_sample_drop_becomes_a_shard_with_manifest(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "k1.jsonl"
    report = ingest(konvid_registry, _config(drop, out))
    assert (report.rows_read, report.written, report.skipped) == (6, 6, {})
    rows = _rows(out)
    assert len(rows) == 6
    assert list(rows[0]) == sorted(rows[0])  # keys sorted
    assert {r["ingested_at_utc"] for r in rows} == {"2026-01-02T03:04:05+00:00"}
    assert {r["corpus"] for r in rows} == {"konvid-1k"}
    assert all(str(r["src"]).startswith("KoNViD_1k_videos/") for r in rows)
    # metadata order is kept
    flickr_ids = [r[0] for r in list(csv.reader(_metadata(drop).read_text().splitlines()))[1:]]
    assert [r["konvid_flickr_id"] for r in rows] == flickr_ids
    manifest = json.loads((tmp_path / "out" / "k1.manifest.json").read_text())
    assert manifest["stats"] == {"rows_read": 6, "written": 6, "skipped": {}, "skipped_total": 0}
    assert (
        manifest["outputs"]["shard"]["sha256"] == __import__("hashlib").sha256(out.read_bytes()).hexdigest()
    )
    assert manifest["inputs"]["metadata"][0]["rows"] == 6
    assert manifest["editions"] == {"KoNViD_1k_attributes.csv": "unknown"}
    assert manifest["versions"]["vqa-konvid"] is None or "vqa-konvid" in manifest["versions"]


@pytest.mark.parametrize(("executor", "expected"), [("local", 2), ("process", 1)])
def test_without_workers_threads_run_two_a_core_and_processes_one(
    konvid_registry: Registry, drop: Path, tmp_path: Path, executor: str, expected: int
) -> None:
    out = tmp_path / "k1.jsonl"
    config = IngestConfig(corpus_id="konvid-1k", root=drop, output=out, timestamp=T0, executor=executor)
    assert ingest(konvid_registry, config).written == 6
    manifest = json.loads(out.with_name("k1.manifest.json").read_text())
    assert manifest["config"]["workers"] == expected * default_workers()


def test_a_rerun_reuses_the_state_and_writes_identical_bytes(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, _config(drop, out))
    first = out.read_bytes()
    report = ingest(konvid_registry, _config(drop, out))
    assert (report.processed, report.reused) == (0, 6)
    assert out.read_bytes() == first


def test_a_changed_clip_is_processed_again(konvid_registry: Registry, drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, _config(drop, out))
    clip = sorted((drop / "KoNViD_1k_videos").iterdir())[0]
    write_clip(clip, ClipSpec(frames=12, quality=0.2), seed=99)
    report = ingest(konvid_registry, _config(drop, out))
    assert report.processed == 1
    assert clip.name in {Path(str(r["src"])).name for r in _rows(out)}


def test_every_bad_row_is_counted_under_its_reason(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    videos = drop / "KoNViD_1k_videos"
    first = sorted(videos.iterdir())[0]
    shutil.copy(first, videos / "1111.mp4")  # same bytes as another clip
    (videos / "2222.mp4").write_bytes(first.read_bytes()[: first.stat().st_size // 3])  # truncated
    (videos / "3333.mp4").write_bytes(b"")  # empty
    (videos / "6666.mp4").write_text("not a video at all")
    write_clip(videos / "7777.mp4", ClipSpec(frames=8, quality=0.5), seed=5)
    _append(
        drop,
        "1111,1,a.mp4,3.3,1,1,1,1,1,1",
        "2222,1,a.mp4,3.3,1,1,1,1,1,1",
        "3333,1,a.mp4,3.3,1,1,1,1,1,1",
        "4444,1,a.mp4,nan,1,1,1,1,1,1",
        "4445,1,a.mp4,inf,1,1,1,1,1,1",
        "4446,1,a.mp4,5.2,1,1,1,1,1,1",
        "4447,1,a.mp4,abc,1,1,1,1,1,1",
        "5555,1,a.mp4,3.0,1,1,1,1,1,1",
        "6666,1,a.mp4,3.0,1,1,1,1,1,1",
        "7777,1,a.mp4,5.04,1,1,1,1,1,1",
        "7777,1,a.mp4,4.0,1,1,1,1,1,1",
        "8888,1,a.mp4,3.0,1,1,1,1,1,1,extra",
        "notanumber,1,a.mp4,3.0,1,1,1,1,1,1",
    )
    out = tmp_path / "k1.jsonl"
    report = ingest(konvid_registry, _config(drop, out))
    assert report.rows_read == 19
    assert report.written == 7  # 6 originals + 7777 (5.04 is inside the 0.05 slack, not clipped)
    assert report.skipped == {
        "bad-mos": 4,
        "bad-row": 2,
        "broken-clip": 3,
        "duplicate": 1,
        "duplicate-row": 1,
        "missing-clip": 1,
    }
    assert report.written + sum(report.skipped.values()) == report.rows_read
    rows = {r["konvid_flickr_id"]: r for r in _rows(out)}
    assert rows["7777"]["mos"] == 5.04
    rejections = [json.loads(line) for line in report.rejections.read_text().splitlines()]
    assert len(rejections) == 12
    by_key = {r["key"]: r for r in rejections}
    dup = by_key["KoNViD_1k_videos/1111.mp4"]
    assert dup["reason"] == "duplicate" and first.name in dup["detail"]  # both clips named
    assert by_key["KoNViD_1k_videos/4444.mp4"]["origin"] == "KoNViD_1k_attributes.csv:11"
    assert all(r["origin"].startswith("KoNViD_1k_attributes.csv:") for r in rejections)


def test_duplicate_content_keeps_the_row_first_in_the_metadata_even_after_a_retry(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    videos = drop / "KoNViD_1k_videos"
    last = [r[0] for r in list(csv.reader(_metadata(drop).read_text().splitlines()))[1:]][-1]
    # A row before the others in the metadata whose clip appears only on the second run.
    text = _metadata(drop).read_text().splitlines()
    text.insert(1, "1234,1,a.mp4,3.0,1,1,1,1,1,1")
    _metadata(drop).write_text("\n".join(text) + "\n")
    out = tmp_path / "k1.jsonl"
    first = ingest(konvid_registry, _config(drop, out))
    assert first.skipped == {"missing-clip": 1}
    shutil.copy(videos / f"{last}.mp4", videos / "1234.mp4")
    second = ingest(konvid_registry, _config(drop, out))
    assert second.skipped == {"duplicate": 1}
    kept = {r["konvid_flickr_id"] for r in _rows(out)}
    assert "1234" in kept and last not in kept


def test_max_rows_caps_and_a_later_full_run_completes(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    assert ingest(konvid_registry, _config(drop, out, max_rows=2)).written == 2
    assert len(_rows(out)) == 2
    report = ingest(konvid_registry, _config(drop, out))
    assert (report.written, report.reused, report.processed) == (6, 2, 4)


def test_the_manifest_counts_how_clips_were_probed_across_a_resume(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    # one clip the headers cannot settle: MPEG-4 Part 2 goes through FFmpeg's analysis
    clip = sorted((drop / "KoNViD_1k_videos").iterdir())[-1]
    write_clip(clip, ClipSpec(frames=6, codec="mpeg4"), seed=3)
    ingest(konvid_registry, _config(drop, out, max_rows=2))
    manifest = tmp_path / "k1.manifest.json"
    assert json.loads(manifest.read_text())["probe"] == {"header": 2, "analysed": 0}
    report = ingest(konvid_registry, _config(drop, out))
    assert (report.reused, report.processed) == (2, 4)
    assert json.loads(manifest.read_text())["probe"] == {"header": 5, "analysed": 1}


def test_a_state_without_the_note_column_resumes(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, _config(drop, out, max_rows=2))
    with sqlite3.connect(state_path_for(out)) as db:
        db.execute("ALTER TABLE rows DROP COLUMN note")
    report = ingest(konvid_registry, _config(drop, out))
    assert (report.written, report.reused, report.processed) == (6, 2, 4)
    assert json.loads((tmp_path / "k1.manifest.json").read_text())["probe"] == {"header": 4, "analysed": 0}


def test_parquet_output_holds_the_same_rows(konvid_registry: Registry, drop: Path, tmp_path: Path) -> None:
    ingest(konvid_registry, _config(drop, tmp_path / "k1.jsonl"))
    ingest(konvid_registry, _config(drop, tmp_path / "k1.parquet"))
    table = pq.read_table(tmp_path / "k1.parquet")
    assert table.schema.equals(konvid_registry.arrow_schema("konvid-1k"))
    assert table.to_pylist() == [{k: r[k] for k in table.schema.names} for r in _rows(tmp_path / "k1.jsonl")]


def test_source_date_epoch_fixes_the_timestamp(
    konvid_registry: Registry, drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, attrs.evolve(_config(drop, out), timestamp=None))
    assert {r["ingested_at_utc"] for r in _rows(out)} == {"2023-11-14T22:13:20+00:00"}


def test_without_a_fixed_timestamp_a_resumed_shard_keeps_one_value(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, attrs.evolve(_config(drop, out, max_rows=3), timestamp=None))
    ingest(konvid_registry, attrs.evolve(_config(drop, out), timestamp=None))
    assert len({r["ingested_at_utc"] for r in _rows(out)}) == 1


@pytest.mark.parametrize(
    ("setup", "error", "message"),
    [
        (
            lambda d: shutil.rmtree(d),
            DatasetNotFoundError,
            "does not exist; to obtain konvid-1k: download KoNViD_1k_videos.zip",
        ),
        (lambda d: shutil.rmtree(d / "KoNViD_1k_metadata"), MetadataError, "no KoNViD-1k metadata under"),
        (lambda d: _metadata(d).write_text(""), MetadataError, "the file is empty"),
        (
            lambda d: _metadata(d).write_text("flickr_id,MOS\n"),
            MetadataError,
            "has a header but no data rows",
        ),
        (lambda d: _metadata(d).write_text("a,b,c\n1,2,3\n"), MetadataError, "is not KoNViD-1k's"),
        (
            lambda d: _metadata(d).write_bytes(b"flickr_id,MOS\n\xff\xfe1,2\n"),
            MetadataError,
            "not valid UTF-8",
        ),
    ],
)
def test_unusable_input_is_one_clear_error_and_no_output(
    konvid_registry: Registry,
    drop: Path,
    tmp_path: Path,
    setup: Callable[[Path], None],
    error: type[Exception],
    message: str,
) -> None:
    setup(drop)
    out = tmp_path / "k1.jsonl"
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")) as info:
        ingest(konvid_registry, _config(drop, out))
    assert "\n" not in str(info.value)
    assert not out.exists()


def test_the_output_suffix_is_checked_first(konvid_registry: Registry, drop: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"must end in \.jsonl or \.parquet"):
        ingest(konvid_registry, _config(drop, tmp_path / "k1.csv"))


def test_an_existing_output_without_state_is_not_overwritten(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    out.write_text("precious\n")
    with pytest.raises(StateError, match="exists but has no resume state"):
        ingest(konvid_registry, _config(drop, out))
    assert out.read_text() == "precious\n"
    assert ingest(konvid_registry, _config(drop, out, restart=True)).written == 6


def test_changed_metadata_needs_a_restart(konvid_registry: Registry, drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, _config(drop, out))
    _append(drop, "4444,1,a.mp4,3.0,1,1,1,1,1,1")
    with pytest.raises(StateError, match="metadata of konvid-1k changed"):
        ingest(konvid_registry, _config(drop, out))
    assert ingest(konvid_registry, _config(drop, out, restart=True)).rows_read == 7


def test_a_state_of_another_job_is_refused_and_one_from_before_kinds_resumes(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, _config(drop, out))
    with sqlite3.connect(state_path_for(out)) as db:
        db.execute("DELETE FROM meta WHERE key = 'kind'")  # as ingest states were written before
    again = ingest(konvid_registry, _config(drop, out))
    assert (again.reused, again.processed) == (6, 0)
    with sqlite3.connect(state_path_for(out)) as db:
        db.execute("INSERT INTO meta(key, value) VALUES ('kind', 'features')")
    with pytest.raises(StateError, match=r"k1\.jsonl\.state\.sqlite is not the resume state of an ingest"):
        ingest(konvid_registry, _config(drop, out))


def test_a_second_writer_is_refused(konvid_registry: Registry, drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "k1.jsonl"
    with output_lock(out), pytest.raises(StateError, match="being written by another vqa process"):
        ingest(konvid_registry, _config(drop, out))


def test_a_read_only_dataset_root_works(konvid_registry: Registry, drop: Path, tmp_path: Path) -> None:
    for path in [drop, *drop.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        assert ingest(konvid_registry, _config(drop, tmp_path / "k1.jsonl")).written == 6
        assert sorted(p.name for p in drop.iterdir()) == ["KoNViD_1k_metadata", "KoNViD_1k_videos"]
    finally:
        for path in [drop, *drop.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_the_state_is_keyed_by_the_path_relative_to_the_root(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "k1.jsonl"
    ingest(konvid_registry, _config(drop, out))
    with sqlite3.connect(tmp_path / "k1.jsonl.state.sqlite") as db:
        keys = [k for (k,) in db.execute("SELECT key FROM rows ORDER BY idx")]
    assert keys == [r["src"] for r in _rows(out)]


# -- downloads through the engine, with a toy corpus whose metadata carries URLs ----------------


TOY = toy_declaration(
    "toy-dl",
    default_clips_dir="clips",
    downloads=True,
    download_hosts=("127.0.0.1",),  # the test server stands in for the published host
)


class ToyPlugin:
    vqa_plugin_api = ">=1,<2"

    @hookimpl
    def vqa_register_corpora(self, register: Callable[[CorpusDeclaration], None]) -> None:
        register(TOY)

    @hookimpl
    def vqa_source_rows(self, corpus: CorpusDeclaration, source: SourceSpec) -> SourceRows:
        table = open_table(source.root / "toy.csv")

        def rows() -> Iterator[SourceRow | RowRejection]:
            for record in table.records():
                try:
                    mos = to_float(record.get("mos"))
                except ValueError as exc:
                    yield reject(record, "bad-mos", str(exc))
                    continue
                yield SourceRow(
                    clip=record.get("clip") or "", mos=mos, origin=record.origin, url=record.get("url")
                )

        return SourceRows(files=[MetadataFile(table.path, table.data_lines)], rows=rows())


def test_missing_clips_are_downloaded_and_failures_recorded(tmp_path: Path) -> None:
    registry = Registry.from_plugins([("toy", ToyPlugin())], strict=True)
    clips = {
        name: write_clip(tmp_path / "src" / name, ClipSpec(frames=6, quality=q), seed=i).read_bytes()
        for i, (name, q) in enumerate([("a.mp4", 0.3), ("b.mp4", 0.9)])
    }
    root = tmp_path / "root"
    root.mkdir()
    fast = DownloadPolicy(retries=2, resume_attempts=1, backoff_s=0.01)
    with LocalServer() as server:
        server.add("/a.mp4", clips["a.mp4"])
        gone = server.add("/b.mp4", status=404)
        (root / "toy.csv").write_text(
            f"clip,mos,url\na.mp4,3.0,{server.url('/a.mp4')}\nb.mp4,4.0,{server.url('/b.mp4')}\nc.mp4,2.0,\n"
        )
        config = IngestConfig(
            corpus_id="toy-dl", root=root, output=tmp_path / "t.jsonl", timestamp=T0, download=fast
        )
        first = ingest(registry, config)
        assert first.skipped == {"download-failed": 1, "missing-clip": 1}
        assert (root / "clips" / "a.mp4").read_bytes() == clips["a.mp4"]
        assert gone.served == 1
        rejection = {r["key"]: r for r in map(orjson.loads, first.rejections.read_bytes().splitlines())}
        assert "HTTP 404" in rejection["clips/b.mp4"]["detail"] and rejection["clips/b.mp4"]["attempts"] == 1

        second = ingest(registry, config)  # a recorded failure is not retried by default
        assert second.skipped == {"download-failed": 1, "missing-clip": 1} and gone.served == 1

        server.add("/b.mp4", clips["b.mp4"])
        third = ingest(registry, attrs.evolve(config, retry_failed=True))
        assert third.skipped == {"missing-clip": 1} and third.written == 2

        offline = ingest(registry, attrs.evolve(config, output=tmp_path / "o.jsonl", offline=True, root=root))
        assert offline.written == 2  # clips are on disk now; nothing is downloaded


def test_a_duplicate_is_promoted_when_the_clip_it_duplicated_is_gone(
    konvid_registry: Registry, drop: Path, tmp_path: Path
) -> None:
    videos = drop / "KoNViD_1k_videos"
    first_id = _metadata(drop).read_text().splitlines()[1].split(",")[0]
    shutil.copy(videos / f"{first_id}.mp4", videos / "1234.mp4")
    _append(drop, "1234,1,a.mp4,3.0,1,1,1,1,1,1")
    out = tmp_path / "k1.jsonl"
    assert ingest(konvid_registry, _config(drop, out)).skipped == {"duplicate": 1}
    (videos / f"{first_id}.mp4").unlink()
    report = ingest(konvid_registry, _config(drop, out))
    assert report.skipped == {"missing-clip": 1}
    assert "1234" in {r["konvid_flickr_id"] for r in _rows(out)}


def test_another_corpus_published_file_name_is_refused(konvid_registry: Registry, tmp_path: Path) -> None:
    import vqa_waterloo_ivc

    registry = Registry.from_plugins(
        [("vqa-konvid", __import__("vqa_konvid")), ("vqa-waterloo-ivc", vqa_waterloo_ivc)]
    )
    scores = tmp_path / "scores.txt"
    scores.write_text("".join(f"H264,{i % 20 + 1},540p,{i % 4 + 1},50.0\n" for i in range(1200)))
    with pytest.raises(
        MetadataError, match=r"named like waterloo-ivc-4k's published metadata.*vqa ingest waterloo-ivc-4k"
    ):
        ingest(
            registry,
            IngestConfig("konvid-1k", root=tmp_path, output=tmp_path / "o.jsonl", metadata=(scores,)),
        )
