from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import MetadataError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.schema import RowRejection, SourceRow
from vqa_core.sources import SourceSpec


@pytest.fixture
def drop(plugin_registry: Registry, tmp_path: Path) -> Path:
    write_sample(plugin_registry, "konvid-1k", tmp_path / "drop", clips=4, seed=1)
    return tmp_path / "drop"


def _items(registry: Registry, root: Path, metadata: tuple[Path, ...] = ()) -> list[SourceRow | RowRejection]:
    spec = SourceSpec(root=root, metadata=metadata, clips_dir=root / "KoNViD_1k_videos")
    return list(registry.source_rows("konvid-1k", spec).rows)


def test_the_attributes_file_joins_clips_by_flickr_id(plugin_registry: Registry, drop: Path) -> None:
    items = _items(plugin_registry, drop)
    assert all(isinstance(i, SourceRow) for i in items)
    rows = [i for i in items if isinstance(i, SourceRow)]
    assert all(r.clip == f"{r.extras['konvid_flickr_id']}.mp4" for r in rows)
    mos = [r.mos for r in rows]
    assert mos == sorted(mos)  # the published file is sorted by MOS


def test_the_quoted_mos_only_file_gives_the_same_scores(plugin_registry: Registry, drop: Path) -> None:
    attributes = {
        r.extras["konvid_flickr_id"]: r.mos for r in _items(plugin_registry, drop) if isinstance(r, SourceRow)
    }
    mos_file = drop / "KoNViD_1k_metadata" / "KoNViD_1k_mos.csv"
    assert mos_file.read_text().splitlines()[0] == '"flickr_id","mos"'
    quoted = {
        r.extras["konvid_flickr_id"]: r.mos
        for r in _items(plugin_registry, drop, (mos_file,))
        if isinstance(r, SourceRow)
    }
    assert quoted == pytest.approx(attributes)


def test_bom_and_header_case_do_not_matter(plugin_registry: Registry, drop: Path) -> None:
    path = drop / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    text = path.read_text().replace("flickr_id", "FLICKR_ID", 1).replace(",MOS,", ",mos,", 1)
    path.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode())
    assert len([i for i in _items(plugin_registry, drop) if isinstance(i, SourceRow)]) == 4


def test_clips_with_the_older_long_names_are_found(plugin_registry: Registry, drop: Path) -> None:
    videos = drop / "KoNViD_1k_videos"
    clip = sorted(videos.iterdir())[0]
    old = videos / f"{clip.stem}_original_centercrop_960x540_8s.mp4"
    clip.rename(old)
    rows = [i for i in _items(plugin_registry, drop) if isinstance(i, SourceRow)]
    assert old.name in {r.clip for r in rows}


def test_which_name_wins_when_one_id_has_several_files(plugin_registry: Registry, drop: Path) -> None:
    """Whatever order the directory lists them in: <id>.<suffix> beats older names; among older
    names the first by name wins, among exact names the last (.mp4 over .mkv)."""
    videos = drop / "KoNViD_1k_videos"
    first, second, third, _ = sorted(p.stem for p in videos.iterdir())
    (videos / f"{first}_b_old.mp4").write_bytes(b"x")  # <id>.mp4 is there too: it wins
    (videos / f"{second}.mp4").rename(videos / f"{second}_b_old.mp4")
    (videos / f"{second}_a_old.mp4").write_bytes(b"x")  # the first old name by name wins
    (videos / f"{third}.mp4").rename(videos / f"{third}.mkv")
    (videos / f"{third}_old.mp4").write_bytes(b"x")  # an exact name in another container wins
    clips = {
        r.extras["konvid_flickr_id"]: r.clip
        for r in _items(plugin_registry, drop)
        if isinstance(r, SourceRow)
    }
    assert clips[first] == f"{first}.mp4"
    assert clips[second] == f"{second}_a_old.mp4"
    assert clips[third] == f"{third}.mkv"


def test_bad_lines_are_rejections_with_their_line(plugin_registry: Registry, drop: Path) -> None:
    path = drop / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    with open(path, "a") as fh:
        fh.write("99,1,x.mp4,3.0,1,1,1,1,1,1,unexpected\n,1,x.mp4,3.0,1,1,1,1,1,1\n98,1,x.mp4,,1,1,1,1,1,1\n")
    rejections = [i for i in _items(plugin_registry, drop) if isinstance(i, RowRejection)]
    assert [(r.origin.line, r.reason) for r in rejections] == [(6, "bad-row"), (7, "bad-row"), (8, "bad-mos")]
    assert "ragged line: 11 fields, the header has 10" in rejections[0].detail


def _write_rows(path: Path, header: str, n: int, row: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(row.format(i=i) + "\n" for i in range(n)))


def test_a_konvid_150k_file_fed_to_konvid_1k_is_refused_by_row_count(
    plugin_registry: Registry, tmp_path: Path
) -> None:
    meta = tmp_path / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    _write_rows(meta, "video_name,mos,video_score", 1576, "orig_{i}_540_5s.mp4,3.1,3.2")
    with pytest.raises(
        MetadataError, match=r"1,576 data rows, the size of konvid-150k's k150kb_scores\.csv"
    ) as info:
        ingest(plugin_registry, IngestConfig("konvid-1k", root=tmp_path, output=tmp_path / "o.jsonl"))
    assert "vqa ingest konvid-150k" in str(info.value)


def test_a_konvid_1k_file_fed_to_konvid_150k_is_refused_by_row_count(
    plugin_registry: Registry, tmp_path: Path
) -> None:
    _write_rows(
        tmp_path / "k150ka_scores.csv", "flickr_id,download_id,file_name,MOS", 1200, "{i},1,{i}.mp4,3.0"
    )
    with pytest.raises(
        MetadataError, match=r"1,200 data rows, the size of konvid-1k's KoNViD_1k_attributes\.csv"
    ):
        ingest(plugin_registry, IngestConfig("konvid-150k", root=tmp_path, output=tmp_path / "o.jsonl"))


def test_a_full_size_file_is_recorded_as_its_edition(plugin_registry: Registry, tmp_path: Path) -> None:
    meta = tmp_path / "KoNViD_1k_metadata" / "KoNViD_1k_attributes.csv"
    _write_rows(
        meta,
        "flickr_id,download_id,file_name,MOS,ti,si,colorfulness,contrast,blur,vniqe",
        1200,
        "{i}0,1,x.mp4,3.0,1,1,1,1,1,1",
    )
    report = ingest(
        plugin_registry, IngestConfig("konvid-1k", root=tmp_path, output=tmp_path / "o.jsonl", offline=True)
    )
    assert report.editions == {"KoNViD_1k_attributes.csv": "konvid-1k-2017"}
    assert report.skipped == {"missing-clip": 1200}


def test_sample_then_ingest_full_through_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    sample = runner.invoke(main, ["sample", "konvid-1k", str(tmp_path / "d"), "--clips", "3", "--seed", "4"])
    assert sample.exit_code == 0, sample.output
    result = runner.invoke(
        main,
        [
            "ingest",
            "konvid-1k",
            "--root",
            str(tmp_path / "d"),
            "-o",
            str(tmp_path / "x.jsonl"),
            "--full",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert len(rows) == 3
    assert "3 rows read, 3 written" in result.output


def test_full_and_max_rows_exclude_each_other(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["ingest", "konvid-1k", "--root", str(tmp_path), "-o", "x.jsonl", "--full", "--max-rows", "3"]
    )
    assert result.exit_code == 2
    assert "--full and --max-rows exclude each other" in result.output


def test_a_missing_root_says_how_to_obtain_the_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["ingest", "konvid-1k", "--root", str(tmp_path / "none"), "-o", str(tmp_path / "x.jsonl")]
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "KoNViD_1k_videos.zip" in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_moving_the_clips_with_clips_dir(plugin_registry: Registry, drop: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere"
    shutil.move(str(drop / "KoNViD_1k_videos"), moved)
    report = ingest(
        plugin_registry, IngestConfig("konvid-1k", root=drop, output=tmp_path / "o.jsonl", clips_dir=moved)
    )
    assert report.written == 4
    assert all("/" not in json.loads(line)["src"] for line in (tmp_path / "o.jsonl").read_text().splitlines())


def test_the_archive_host_is_the_declared_download_host() -> None:
    from vqa_konvid.declarations import ARCHIVES, DECLARATIONS

    from vqa_core.ingest.download import url_host

    for declaration in DECLARATIONS:
        assert declaration.download_hosts == (url_host(ARCHIVES),)
        assert {url_host(a.url) for a in declaration.archives} == set(declaration.download_hosts)
