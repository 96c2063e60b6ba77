"""Downloads against a misbehaving server, through ``vqa fetch`` and ``vqa ingest``.

The server is real (:class:`~vqa_core.testing.http.LocalServer`, plain or
HTTPS with a ``trustme`` certificate) on 127.0.0.1. Cases the downloader's unit
tests cover one call at a time (``tests/core/ingest/test_download.py``,
``tests/core/test_fetch.py``) are driven here through the commands a user
runs: zip-slip in every form, redirects to other schemes, TLS, partial,
lying and stalling transfers. Failures that end in a permanent verdict run
through the CLI; those that are retried with backoff run through the engine
with a fast retry policy (the CLI's backoff is tens of seconds by design).
"""

from __future__ import annotations

import io
import os
import shutil
import ssl
import stat
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import orjson
import pytest

from vqa_core.ingest.download import DownloadPolicy, part_path
from vqa_core.testing.http import LocalServer

FAST = DownloadPolicy(
    retries=1, resume_attempts=2, backoff_s=0.01, stall_timeout_s=0.5, connect_timeout_s=0.5
)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


# -- vqa fetch: unsafe archives ----------------------------------------------------------------------


def _zip(entries: list[tuple[str, bytes]], *, links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc")
    return buffer.getvalue()


def _metadata_zip() -> bytes:
    return _zip([("KoNViD_1k_metadata/KoNViD_1k_attributes.csv", b"flickr_id,MOS\n1,3.0\n")])


UNSAFE = {
    "parent": ([("KoNViD_1k_videos/../../evil.txt", b"x")], (), "leaves the target folder"),
    "absolute": ([("/tmp/vqa-evil.txt", b"x")], (), "is an absolute path"),
    "backslashes": ([("..\\..\\evil.txt", b"x")], (), "leaves the target folder"),
    "drive-letter": ([("C:\\evil.txt", b"x")], (), "is an absolute path"),
    "symlink-entry": (
        [("KoNViD_1k_videos/ok.mp4", b"fine")],
        ("KoNViD_1k_videos/link",),
        "is a symbolic link",
    ),
    "late-parent": (
        [("KoNViD_1k_videos/a.mp4", b"a")] * 1 + [("KoNViD_1k_videos/b/../../../evil.txt", b"x")],
        (),
        "leaves",
    ),
}


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_fetch_refuses_an_unsafe_archive_whole_and_writes_nothing_outside(
    kit: ModuleType, server: LocalServer, tmp_path: Path, name: str
) -> None:
    entries, links, message = UNSAFE[name]
    server.add("/a/KoNViD_1k_videos.zip", _zip(entries, links=links))
    server.add("/a/KoNViD_1k_metadata.zip", _metadata_zip())
    root = tmp_path / "sandbox" / "root"
    root.parent.mkdir()
    before_outside = kit.snapshot(tmp_path)
    failed = kit.run_vqa("fetch", "konvid-1k", "--root", root, "--base-url", server.url("/a"))
    failed.assert_clean_error("refusing to unpack", message)
    assert not (root / "KoNViD_1k_videos.zip").exists()  # a bad archive just downloaded is not kept
    assert not (root / "KoNViD_1k_videos").exists()
    outside = {p: v for p, v in kit.snapshot(tmp_path).items() if not p.startswith(str(root))}
    assert outside == {p: v for p, v in before_outside.items() if not p.startswith(str(root))}
    assert not Path("/tmp/vqa-evil.txt").exists()


def test_fetch_refuses_to_follow_a_symlink_already_in_the_dataset_root(
    kit: ModuleType, server: LocalServer, tmp_path: Path
) -> None:
    """``root/KoNViD_1k_videos`` points elsewhere: unpacking through it would write outside the root."""
    server.add("/a/KoNViD_1k_videos.zip", _zip([("KoNViD_1k_videos/a.mp4", b"clip")]))
    server.add("/a/KoNViD_1k_metadata.zip", _metadata_zip())
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "KoNViD_1k_videos").symlink_to(elsewhere)
    failed = kit.run_vqa("fetch", "konvid-1k", "--root", root, "--base-url", server.url("/a"))
    failed.assert_clean_error("resolves outside")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.slow
def test_fetch_of_a_truncated_download_never_unpacks_it(
    kit: ModuleType, server: LocalServer, tmp_path: Path
) -> None:
    """Every response stops after 1,000 bytes: the CLI's six attempts (with their backoff) end in
    one error; no zip, nothing unpacked, the partial file kept for a later resume."""
    data = _zip([(f"KoNViD_1k_videos/{i}.mp4", os.urandom(20_000)) for i in range(20)])
    server.add("/a/KoNViD_1k_videos.zip", data, stall_after=1000, stall_s=0)
    server.add("/a/KoNViD_1k_metadata.zip", _metadata_zip())
    root = tmp_path / "root"
    started = time.monotonic()
    failed = kit.run_vqa("fetch", "konvid-1k", "--root", root, "--base-url", server.url("/a"), timeout=240)
    failed.assert_clean_error("cannot fetch KoNViD_1k_videos.zip", "gave up", code=4)
    assert not (root / "KoNViD_1k_videos.zip").exists() and not (root / "KoNViD_1k_videos").exists()
    assert part_path(root / "KoNViD_1k_videos.zip").stat().st_size == 6_000  # kept, to resume
    print(f"gave up after {time.monotonic() - started:.1f} s")


# -- vqa ingest: clips downloaded from a mirror ------------------------------------------------------------


@pytest.fixture(scope="module")
def chug(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A CHUG sample drop whose clips are served instead of lying on disk: root, name → bytes."""
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    root = tmp_path_factory.mktemp("chug") / "drop"
    write_sample(Registry.for_distributions(("vqa-chug",)), "chug", root, clips=3, seed=2)
    clips = {p.name: p.read_bytes() for p in (root / "videos").iterdir()}
    return root, clips


def _fresh(chug: tuple[Path, dict[str, bytes]], tmp_path: Path) -> Path:
    root = Path(shutil.copytree(chug[0], tmp_path / "drop"))
    shutil.rmtree(root / "videos")
    return root


def _ingest_chug(
    kit: ModuleType, root: Path, out: Path, base: str, *extra: str, env: dict[str, str] | None = None
) -> Any:
    args = [
        "ingest",
        "chug",
        "--root",
        root,
        "-o",
        out,
        "--base-url",
        base,
        "--timestamp",
        kit.TIMESTAMP,
        "-q",
        *extra,
    ]
    return kit.run_vqa(*args, env=env)


def _rejections(out: Path) -> dict[str, dict[str, Any]]:
    path = out.with_suffix(".rejections.jsonl")
    return {Path(r["key"]).name: r for r in map(orjson.loads, path.read_bytes().splitlines())}


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/clip.mp4",
        "gopher://127.0.0.1:70/x",
        "data:video/mp4;base64,AAAA",
        "//",
    ],
)
def test_ingest_refuses_a_redirect_to_another_scheme(
    kit: ModuleType, server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path, target: str
) -> None:
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    server.add(f"/m/{names[0]}", redirect=target)
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    done = _ingest_chug(kit, root, tmp_path / "c.jsonl", server.url("/m"))
    done.assert_downloads_remain()
    assert f"{len(names) - 1} written" in done.stdout and "1 download-failed" in done.stdout
    rejection = _rejections(tmp_path / "c.jsonl")[names[0]]
    if target != "//":  # '//' resolves to an http URL of no host: refused for its host, not its scheme
        assert "refusing" in rejection["detail"]
    assert not (root / "videos" / names[0]).exists() and not part_path(root / "videos" / names[0]).exists()


def _tls_server(directory: Path, clips: dict[str, bytes]) -> tuple[LocalServer, Path]:
    """An HTTPS server for ``clips`` under ``/m/`` whose certificate a throw-away CA signed, and that CA."""
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = LocalServer(tls=context)
    for name, data in clips.items():
        server.add(f"/m/{name}", data)
    bundle = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return server, bundle


def test_ingest_verifies_tls_and_trusts_only_what_the_system_trusts(
    kit: ModuleType, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    server, bundle = _tls_server(tmp_path, chug[1])
    with server:
        base = server.url("/m")
        root = _fresh(chug, tmp_path)
        refused = _ingest_chug(kit, root, tmp_path / "c.jsonl", base)
        refused.assert_downloads_remain()
        assert f"{len(chug[1])} download-failed" in refused.stdout
        assert all(
            "TLS verification failed" in r["detail"] for r in _rejections(tmp_path / "c.jsonl").values()
        )
        assert list((root / "videos").iterdir()) == []
        # the same server, once its CA is trusted the standard way: the clips arrive
        trusted = _ingest_chug(
            kit, root, tmp_path / "c.jsonl", base, "--retry-failed", env={"SSL_CERT_FILE": str(bundle)}
        )
        trusted.assert_ok()
        assert f"{len(chug[1])} written" in trusted.stdout


def test_no_option_or_variable_turns_tls_verification_off() -> None:
    import vqa_core

    source = "\n".join(p.read_text() for p in Path(vqa_core.__file__).parent.rglob("*.py"))
    for loophole in (
        "cert_reqs",
        "CERT_NONE",
        "verify=False",
        "check_hostname",
        "_create_unverified_context",
        "insecure",
    ):
        assert loophole not in source, loophole


def _engine_ingest(root: Path, out: Path, base: str, **kw: Any) -> Any:
    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry

    kw.setdefault("download", FAST)
    config = IngestConfig(
        "chug", root=root, output=out, base_url=base, timestamp="2026-03-04T05:06:07Z", **kw
    )
    return ingest(Registry.for_distributions(("vqa-chug",)), config)


def test_a_server_whose_size_changes_between_responses_is_never_a_clip(
    server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """It announces 3x the bytes it sends, then answers the resume with the real size: the partial
    file is never taken for the whole clip."""
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    first = chug[1][names[0]]
    server.add(f"/m/{names[0]}", first, content_length=3 * len(first))
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    report = _engine_ingest(root, tmp_path / "c.jsonl", server.url("/m"))
    assert report.skipped == {"download-failed": 1} and report.written == len(names) - 1
    assert not (root / "videos" / names[0]).exists()
    # the last of the three attempts is reported: the resume that met the other size started over
    assert (
        f"received {len(first):,} of {3 * len(first):,} bytes"
        in _rejections(tmp_path / "c.jsonl")[names[0]]["detail"]
    )


def test_a_body_shorter_than_its_length_is_never_a_clip_and_resumes_later(
    server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    first = chug[1][names[0]]
    # every response stops after 1,000 bytes: each attempt adds what arrived, never more
    route = server.add(f"/m/{names[0]}", first, stall_after=1000, stall_s=0)
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    out = tmp_path / "c.jsonl"
    report = _engine_ingest(root, out, server.url("/m"))
    assert report.skipped == {"download-failed": 1} and report.written == len(names) - 1
    clip = root / "videos" / names[0]
    assert not clip.exists() and part_path(clip).stat().st_size == 1000 * route.served
    assert route.served == 3  # three attempts (resume_attempts=2), each from where the last stopped
    server.add(f"/m/{names[0]}", first)  # the server is mended
    again = _engine_ingest(root, out, server.url("/m"), retry_failed=True)
    assert again.written == len(names) and clip.read_bytes() == first
    assert server.requests[-1] == (f"/m/{names[0]}", "bytes=3000-")  # resumed, not restarted


def test_a_server_that_stalls_mid_body_costs_bounded_time(
    server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """Every response goes quiet after 1,000 bytes: each attempt adds what arrived, then the
    stall limit ends it; the verdict is download-stalled, never a 30 s wait per attempt."""
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    server.add(f"/m/{names[0]}", chug[1][names[0]], stall_after=1000, stall_s=30)
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    started = time.monotonic()
    report = _engine_ingest(root, tmp_path / "c.jsonl", server.url("/m"))
    assert time.monotonic() - started < 20  # 3 attempts × 0.5 s stall limit, not 30 s per attempt
    assert report.skipped == {"download-stalled": 1} and report.written == len(names) - 1
    detail = _rejections(tmp_path / "c.jsonl")[names[0]]["detail"]
    assert "stalled after" in detail and "3,000 bytes kept" in detail
    assert part_path(root / "videos" / names[0]).stat().st_size == 3000


# -- slow, stalled, redirected, throttled, and misdirected downloads through vqa ingest ---------------


def test_a_slow_download_is_ingested_however_long_it_takes(
    kit: ModuleType, server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """About 7 KB per clip at 2 KB/s: each transfer lasts longer than twice --probe-timeout and
    than twice --stall-timeout, yet bytes keep coming, so every clip arrives and is written."""
    root = _fresh(chug, tmp_path)
    for name, data in chug[1].items():
        server.add(f"/m/{name}", data, rate=2048)
    out = tmp_path / "c.jsonl"
    done = _ingest_chug(
        kit, root, out, server.url("/m"), "--probe-timeout", "1", "--stall-timeout", "1", "--workers", "3"
    )
    done.assert_ok()
    assert f"{len(chug[1])} written" in done.stdout and "skipped: none" in done.stdout
    assert {p.name: p.read_bytes() for p in (root / "videos").iterdir()} == chug[1]  # no .part left


def test_a_stalled_download_keeps_its_bytes_and_retry_failed_resumes_it(
    kit: ModuleType, server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    first = chug[1][names[0]]
    server.add(f"/m/{names[0]}", first, stall_at=1000, stall_s=30)  # quiet past byte 1,000
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    out, clip = tmp_path / "c.jsonl", root / "videos" / names[0]
    stalled = _ingest_chug(kit, root, out, server.url("/m"), "--stall-timeout", "1")
    stalled.assert_downloads_remain()
    assert f"{len(names) - 1} written" in stalled.stdout and "1 download-stalled" in stalled.stdout
    rejection = _rejections(out)[names[0]]
    assert rejection["reason"] == "download-stalled" and rejection["origin"] == "chug.csv:2"
    assert "1,000 bytes kept" in rejection["detail"]
    assert part_path(clip).read_bytes() == first[:1000] and not clip.exists()
    asked = [r for r in server.requests if r[0] == f"/m/{names[0]}"]
    assert asked == [(f"/m/{names[0]}", None), (f"/m/{names[0]}", "bytes=1000-")]

    server.add(f"/m/{names[0]}", first)  # the server recovers
    plain = _ingest_chug(kit, root, out, server.url("/m"), "--stall-timeout", "1")
    plain.assert_downloads_remain()
    assert "1 download-stalled" in plain.stdout  # a plain rerun does not ask again
    assert [r for r in server.requests if r[0] == f"/m/{names[0]}"] == asked

    resumed = _ingest_chug(kit, root, out, server.url("/m"), "--stall-timeout", "1", "--retry-failed")
    resumed.assert_ok()
    assert f"{len(names)} written" in resumed.stdout
    assert clip.read_bytes() == first and not part_path(clip).exists()
    assert server.requests[-1] == (f"/m/{names[0]}", "bytes=1000-")  # resumed, not restarted


def test_a_redirect_from_https_to_plain_http_is_refused(
    kit: ModuleType, server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    names = sorted(chug[1])
    tls, bundle = _tls_server(tmp_path, {n: chug[1][n] for n in names[1:]})
    server.add(f"/plain/{names[0]}", chug[1][names[0]])
    tls.add(f"/m/{names[0]}", redirect=server.url(f"/plain/{names[0]}"))
    with tls:
        root = _fresh(chug, tmp_path)
        out = tmp_path / "c.jsonl"
        done = _ingest_chug(kit, root, out, tls.url("/m"), env={"SSL_CERT_FILE": str(bundle)})
        done.assert_downloads_remain()
        assert f"{len(names) - 1} written" in done.stdout and "1 download-failed" in done.stdout
    assert "refusing a redirect from HTTPS to plain HTTP" in _rejections(out)[names[0]]["detail"]
    assert server.requests == []  # nothing was asked in clear text
    assert not (root / "videos" / names[0]).exists() and not part_path(root / "videos" / names[0]).exists()


def test_retry_after_of_a_day_is_waited_only_up_to_the_cap(
    server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    busy = server.add(f"/m/{names[0]}", chug[1][names[0]], fail_first=1, headers={"Retry-After": "86400"})
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    started = time.monotonic()
    report = _engine_ingest(
        root, tmp_path / "c.jsonl", server.url("/m"), download=attrs.evolve(FAST, max_retry_after_s=1.0)
    )
    assert report.written == len(names) and busy.served == 2  # asked again after the (capped) pause
    assert time.monotonic() - started < 30  # not a day


def test_a_clips_folder_symlinked_outside_the_root_is_never_written_through(
    kit: ModuleType, server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    root = _fresh(chug, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "videos").symlink_to(outside)  # _fresh removed the real folder
    for name, data in chug[1].items():
        server.add(f"/m/{name}", data)
    out = tmp_path / "c.jsonl"
    done = _ingest_chug(kit, root, out, server.url("/m"))
    done.assert_ok()
    assert f"{len(chug[1])} unsafe-path" in done.stdout
    assert all("resolves to" in r["detail"] and "outside" in r["detail"] for r in _rejections(out).values())
    assert list(outside.iterdir()) == [] and server.requests == []


def test_a_part_file_symlinked_outside_is_never_written_through(
    kit: ModuleType, server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (root / "videos").mkdir(exist_ok=True)
    part_path(root / "videos" / names[0]).symlink_to(victim)
    for name, data in chug[1].items():
        server.add(f"/m/{name}", data)
    out = tmp_path / "c.jsonl"
    done = _ingest_chug(kit, root, out, server.url("/m"))
    done.assert_ok()
    assert f"{len(names) - 1} written" in done.stdout and "1 unsafe-path" in done.stdout
    assert "symlink" in _rejections(out)[names[0]]["detail"]
    assert victim.read_bytes() == b"precious" and not (root / "videos" / names[0]).exists()


# -- vqa fetch: stalls and symlinked destinations ----------------------------------------------------------


def test_fetch_of_a_stalled_archive_keeps_its_bytes_and_resumes(
    kit: ModuleType, server: LocalServer, tmp_path: Path
) -> None:
    videos = _zip([(f"KoNViD_1k_videos/{i}.mp4", os.urandom(3000)) for i in range(3)])
    server.add("/a/KoNViD_1k_videos.zip", videos, stall_at=2000, stall_s=30)
    server.add("/a/KoNViD_1k_metadata.zip", _metadata_zip())
    root = tmp_path / "root"
    args = ("fetch", "konvid-1k", "--root", root, "--base-url", server.url("/a"), "--stall-timeout", "1")
    kit.run_vqa(*args).assert_clean_error(
        "cannot fetch KoNViD_1k_videos.zip", "stalled", "2,000 bytes kept", code=4
    )
    assert part_path(root / "KoNViD_1k_videos.zip").read_bytes() == videos[:2000]
    server.add("/a/KoNViD_1k_videos.zip", videos)
    kit.run_vqa(*args).assert_ok()
    assert ("/a/KoNViD_1k_videos.zip", "bytes=2000-") in server.requests
    assert len(list((root / "KoNViD_1k_videos").iterdir())) == 3


def test_fetch_never_writes_through_a_symlinked_part_file(
    kit: ModuleType, server: LocalServer, tmp_path: Path
) -> None:
    server.add("/a/KoNViD_1k_videos.zip", _zip([("KoNViD_1k_videos/a.mp4", b"clip")]))
    server.add("/a/KoNViD_1k_metadata.zip", _metadata_zip())
    root, victim = tmp_path / "root", tmp_path / "victim"
    root.mkdir()
    victim.write_bytes(b"precious")
    part_path(root / "KoNViD_1k_videos.zip").symlink_to(victim)
    failed = kit.run_vqa("fetch", "konvid-1k", "--root", root, "--base-url", server.url("/a"))
    failed.assert_clean_error("cannot fetch KoNViD_1k_videos.zip", "symlink")
    assert victim.read_bytes() == b"precious"
    assert ("/a/KoNViD_1k_videos.zip", None) not in server.requests


def test_a_server_that_understates_the_length_gives_a_broken_clip_not_a_row(
    server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """The transfer looks complete (the length it announced arrived); the probe's demux pass sees
    the clip is cut and refuses it."""
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    first = chug[1][names[0]]
    server.add(f"/m/{names[0]}", first, content_length=len(first) // 3)
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    report = _engine_ingest(root, tmp_path / "c.jsonl", server.url("/m"))
    assert report.skipped == {"broken-clip": 1} and report.written == len(names) - 1


def test_an_error_page_served_as_a_clip_is_counted(
    server: LocalServer, chug: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """A captive portal or a bucket's HTML error with status 200."""
    root = _fresh(chug, tmp_path)
    names = sorted(chug[1])
    server.add(
        f"/m/{names[0]}", b"<html><body>Please log in</body></html>", headers={"Content-Type": "text/html"}
    )
    for name in names[1:]:
        server.add(f"/m/{name}", chug[1][name])
    report = _engine_ingest(root, tmp_path / "c.jsonl", server.url("/m"))
    assert report.skipped == {"broken-clip": 1} and report.written == len(names) - 1
