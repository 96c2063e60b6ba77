from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.fetch import FetchError, fetch, safe_extract
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
