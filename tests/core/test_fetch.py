from __future__ import annotations

import io
import json
import os
import stat
import struct
import zipfile
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.declarations import Archive
from vqa_core.documents import document_bytes, structure_document
from vqa_core.fetch import (
    DEFAULT_MAX_UNPACKED_BYTES,
    MAX_RATIO,
    ExtractLimits,
    FetchError,
    FetchManifest,
    fetch,
    free_bytes,
    safe_extract,
)
from vqa_core.ingest.download import DownloadPolicy
from vqa_core.registry import Registry
from vqa_core.testing.http import LocalServer

FAST = DownloadPolicy(retries=2, resume_attempts=2, backoff_s=0.01)


def _zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.fixture
def archives(konvid_1k_drop: Path) -> dict[str, bytes]:
    videos = {
        f"KoNViD_1k_videos/{p.name}": p.read_bytes() for p in (konvid_1k_drop / "KoNViD_1k_videos").iterdir()
    }
    meta = {
        f"KoNViD_1k_metadata/{p.name}": p.read_bytes()
        for p in (konvid_1k_drop / "KoNViD_1k_metadata").iterdir()
    }
    return {"KoNViD_1k_videos.zip": _zip(videos), "KoNViD_1k_metadata.zip": _zip(meta)}


def test_fetch_downloads_unpacks_and_then_ingests(
    konvid_registry: Registry, archives: dict[str, bytes], tmp_path: Path
) -> None:
    with LocalServer() as server:
        for name, data in archives.items():
            server.add(f"/archives/{name}", data, cut_after=len(data) // 2 if "videos" in name else None)
        root = tmp_path / "konvid"
        report = fetch(konvid_registry, "konvid-1k", root, base_url=server.url("/archives"), policy=FAST)
        assert sorted(report.downloaded) == sorted(archives)
        assert len(list((root / "KoNViD_1k_videos").iterdir())) == 6
        requests_before = len(server.requests)
        again = fetch(konvid_registry, "konvid-1k", root, base_url=server.url("/archives"), policy=FAST)
        assert again.downloaded == () and len(server.requests) == requests_before
    manifest = json.loads((root / "fetch_manifest.json").read_text())
    assert {a["file"] for a in manifest["archives"]} == set(archives)
    assert all(a["extracted"] and len(a["sha256"]) == 64 for a in manifest["archives"])
    result = CliRunner().invoke(
        main, ["ingest", "konvid-1k", "--root", str(root), "-o", str(tmp_path / "k.jsonl"), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "6 written" in result.output


@pytest.mark.parametrize(
    ("entries", "symlink", "message"),
    [
        ({"../evil.txt": b"x"}, None, "leaves the target folder"),
        ({"ok.txt": b"fine", "a/../../evil.txt": b"x"}, None, "leaves the target folder"),
        ({"/etc/evil.txt": b"x"}, None, "is an absolute path"),
        ({"ok.txt": b"fine"}, "link", "is a symbolic link"),
    ],
)
def test_unsafe_archives_are_refused_whole(
    tmp_path: Path, entries: dict[str, bytes], symlink: str | None, message: str
) -> None:
    archive = tmp_path / "bad.zip"
    archive.write_bytes(_zip(entries, symlink=symlink))
    target = tmp_path / "out"
    with pytest.raises(FetchError, match=message):
        safe_extract(archive, target)
    assert not target.exists() or not any(target.rglob("*"))
    assert not (tmp_path / "evil.txt").exists()


def test_a_corrupt_archive_is_reported(tmp_path: Path) -> None:
    data = bytearray(_zip({"a.bin": bytes(range(256)) * 400}))
    start = data.index(b"PK\x03\x04") + 60
    data[start : start + 20] = b"\xff" * 20
    archive = tmp_path / "corrupt.zip"
    archive.write_bytes(bytes(data))
    with pytest.raises(FetchError, match=r"damaged|CRC"):
        safe_extract(archive, tmp_path / "out")


def test_fetch_of_a_corpus_without_archives_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["fetch", "lsvq", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "publishes no archive" in result.output


# --- archives too large, too compressed or too many to be what they claim ----------------------


def _nothing_written(target: Path) -> bool:
    return not target.exists() or not any(target.rglob("*"))


def _zeros_zip(path: Path, entries: dict[str, int], *, random_bytes: int = 0) -> Path:
    """A real deflated zip of entries of zeros (streamed, 1 MiB at a time), plus optional random data."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, size in entries.items():
            with zf.open(name, "w") as out:
                for start in range(0, size, 1 << 20):
                    out.write(bytes(min(1 << 20, size - start)))
        if random_bytes:
            zf.writestr("noise.bin", os.urandom(random_bytes))
    return path


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    archive = _zeros_zip(tmp_path / "bomb.zip", {"zeros.bin": 40 << 20})
    assert archive.stat().st_size < 200 << 10  # 40 MiB of zeros deflate to well under 200 KiB
    target = tmp_path / "out"
    with pytest.raises(
        FetchError, match=rf"bomb\.zip: refusing to unpack: .*ratio [0-9,]+:1, limit {MAX_RATIO}:1"
    ):
        safe_extract(archive, target)
    assert _nothing_written(target)


def test_one_bomb_entry_among_incompressible_data_is_refused(tmp_path: Path) -> None:
    # overall 38 MiB from about 8 MiB packed is an honest ratio; the zeros entry alone is not
    archive = _zeros_zip(tmp_path / "mixed.zip", {"zeros.bin": 30 << 20}, random_bytes=8 << 20)
    target = tmp_path / "out"
    with pytest.raises(FetchError, match=r"entry 'zeros\.bin' unpacks .* a zip bomb"):
        safe_extract(archive, target)
    assert _nothing_written(target)


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    archive.write_bytes(_zip({f"f{i}.txt": b"x" for i in range(30)}))
    target = tmp_path / "out"
    with pytest.raises(
        FetchError, match=r"many\.zip: refusing to unpack: 30 entries, more than the limit of 10"
    ):
        safe_extract(archive, target, limits=ExtractLimits(max_entries=10))
    assert _nothing_written(target)
    assert safe_extract(archive, target, limits=ExtractLimits(max_entries=30)) == 30


def test_the_declared_unpacked_size_caps_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    archive.write_bytes(_zip({"a.bin": os.urandom(3000)}))
    declared = Archive("https://example.org/big.zip", unpacked_bytes=1000)
    target = tmp_path / "out"
    with pytest.raises(FetchError, match=r"add up to 3,000 bytes, more than the limit of 1,000 bytes"):
        safe_extract(archive, target, limits=ExtractLimits.for_archive(declared))
    assert _nothing_written(target)
    assert ExtractLimits.for_archive(Archive("https://example.org/x.zip")).max_unpacked_bytes == (
        DEFAULT_MAX_UNPACKED_BYTES
    )
    with pytest.raises(ValueError):
        Archive("https://example.org/x.zip", unpacked_bytes=0)


def test_an_archive_larger_than_the_free_space_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip({"a.bin": os.urandom(5000)}))
    target = tmp_path / "out"
    asked: list[Path] = []

    def tiny_disk(path: Path) -> int:
        asked.append(path)
        return 1000

    with pytest.raises(FetchError, match=r"needs 5,000 bytes and .*out has 1,000 bytes free"):
        safe_extract(archive, target, free=tiny_disk)
    assert asked == [target] and _nothing_written(target)
    assert free_bytes(tmp_path / "not" / "yet") > 0  # measured on the nearest existing parent


def _patch_sizes(data: bytes, new_size: int) -> bytes:
    """Set the one entry's uncompressed size in its local header and central directory."""
    patched = bytearray(data)
    local = patched.index(b"PK\x03\x04")
    central = patched.index(b"PK\x01\x02")
    patched[local + 22 : local + 26] = struct.pack("<I", new_size)
    patched[central + 24 : central + 28] = struct.pack("<I", new_size)
    return bytes(patched)


def test_an_entry_larger_than_its_header_says_is_refused_before_writing(tmp_path: Path) -> None:
    # zipfile stops at the declared size, so the CRC over what it read no longer matches
    archive = tmp_path / "short.zip"
    archive.write_bytes(_patch_sizes(_zip({"a.bin": os.urandom(5000)}), 100))
    target = tmp_path / "out"
    with pytest.raises(
        FetchError, match=r"short\.zip: entry 'a\.bin' fails its CRC check|short\.zip is damaged"
    ):
        safe_extract(archive, target)
    assert _nothing_written(target)


def test_an_entry_smaller_than_its_header_says_is_refused_and_its_file_removed(tmp_path: Path) -> None:
    archive = tmp_path / "long.zip"
    archive.write_bytes(_patch_sizes(_zip({"a.bin": os.urandom(5000)}), 9000))
    target = tmp_path / "out"
    with pytest.raises(
        FetchError, match=r"long\.zip: entry 'a\.bin' unpacks to 5,000 bytes but its header declares 9,000"
    ):
        safe_extract(archive, target)
    assert _nothing_written(target)  # the partial file is gone, no temporary left beside it


def test_the_fetch_manifest_reads_back_to_the_same_bytes_and_rerun_trusts_it(
    konvid_registry: Registry, archives: dict[str, bytes], tmp_path: Path
) -> None:
    root = tmp_path / "konvid"
    with LocalServer() as server:
        for name, data in archives.items():
            server.add(f"/archives/{name}", data)
        fetch(
            konvid_registry,
            "konvid-1k",
            root,
            base_url=server.url("/archives"),
            policy=FAST,
            delete_archives=True,
        )
        manifest = root / "fetch_manifest.json"
        data = manifest.read_bytes()
        back = structure_document(orjson.loads(data), FetchManifest, path=manifest, what="manifest")
        assert document_bytes(back) == data
        assert all(a.archive_deleted and a.extracted_to == root for a in back.archives)
        assert not any((root / name).exists() for name in archives)
        requests = len(server.requests)
        again = fetch(konvid_registry, "konvid-1k", root, base_url=server.url("/archives"), policy=FAST)
        assert again.downloaded == () and len(server.requests) == requests  # deleted on purpose: done


def test_a_record_that_does_not_match_is_checked_again_and_the_others_trusted(
    konvid_registry: Registry, archives: dict[str, bytes], tmp_path: Path
) -> None:
    root = tmp_path / "konvid"
    with LocalServer() as server:
        for name, data in archives.items():
            server.add(f"/archives/{name}", data)
        url = server.url("/archives")
        fetch(konvid_registry, "konvid-1k", root, base_url=url, policy=FAST, delete_archives=True)
        manifest = root / "fetch_manifest.json"
        doc = orjson.loads(manifest.read_bytes())
        broken = doc["archives"][0]["file"]
        doc["archives"][0]["size_bytes"] = "a lot"
        manifest.write_bytes(orjson.dumps(doc))
        again = fetch(konvid_registry, "konvid-1k", root, base_url=url, policy=FAST)
        assert again.downloaded == (broken,) and set(again.skipped) == set(archives) - {broken}
        manifest.write_bytes(b"{not json")  # nothing recorded: what was deleted is fetched again
        third = fetch(konvid_registry, "konvid-1k", root, base_url=url, policy=FAST)
        assert set(third.downloaded) == set(archives) - {broken} and third.skipped == (broken,)
