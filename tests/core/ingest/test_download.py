from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from vqa_core.errors import DownloadError
from vqa_core.ingest.download import Downloader, DownloadPolicy, apply_base_url, part_path
from vqa_core.testing.http import LocalServer

DATA = os.urandom(3 * (1 << 20) + 123)
FAST = DownloadPolicy(retries=3, resume_attempts=3, backoff_s=0.01, read_timeout_s=1.0, connect_timeout_s=1.0)


def _fetch(policy: DownloadPolicy, url: str, dest: Path) -> int:
    with Downloader(policy) as downloader:
        return downloader.fetch(url, dest)


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with LocalServer() as s:
        yield s


def test_a_download_lands_whole_and_leaves_no_part_file(server: LocalServer, tmp_path: Path) -> None:
    server.add("/a.mp4", DATA)
    dest = tmp_path / "sub" / "a.mp4"
    assert _fetch(FAST, server.url("/a.mp4"), dest) == len(DATA)
    assert dest.read_bytes() == DATA
    assert not part_path(dest).exists()


def test_a_partial_file_resumes_with_a_range_request(server: LocalServer, tmp_path: Path) -> None:
    server.add("/a.mp4", DATA)
    dest = tmp_path / "a.mp4"
    part_path(dest).write_bytes(DATA[:1_000_000])
    _fetch(FAST, server.url("/a.mp4"), dest)
    assert dest.read_bytes() == DATA
    assert server.requests == [("/a.mp4", "bytes=1000000-")]


def test_a_body_cut_short_is_resumed(server: LocalServer, tmp_path: Path) -> None:
    server.add("/cut.mp4", DATA, cut_after=1_500_000)
    dest = tmp_path / "cut.mp4"
    _fetch(FAST, server.url("/cut.mp4"), dest)
    assert dest.read_bytes() == DATA
    assert server.requests[0] == ("/cut.mp4", None)
    assert server.requests[1][1] is not None and server.requests[1][1].startswith("bytes=")


def test_503_then_200_is_retried(server: LocalServer, tmp_path: Path) -> None:
    route = server.add("/flaky.mp4", DATA, fail_first=2)
    _fetch(FAST, server.url("/flaky.mp4"), tmp_path / "f.mp4")
    assert route.served == 3
    assert (tmp_path / "f.mp4").read_bytes() == DATA


def test_404_is_permanent_and_not_retried(server: LocalServer, tmp_path: Path) -> None:
    route = server.add("/gone.mp4", status=404)
    with pytest.raises(DownloadError) as info:
        _fetch(FAST, server.url("/gone.mp4"), tmp_path / "g.mp4")
    assert not info.value.transient and info.value.status == 404
    assert route.served == 1
    assert not (tmp_path / "g.mp4").exists()


def test_persistent_5xx_is_transient_after_the_retry_budget(server: LocalServer, tmp_path: Path) -> None:
    server.add("/down.mp4", DATA, fail_first=100)
    with pytest.raises(DownloadError) as info:
        _fetch(FAST, server.url("/down.mp4"), tmp_path / "d.mp4")
    assert info.value.transient


def test_a_stalled_server_times_out_as_transient(server: LocalServer, tmp_path: Path) -> None:
    server.add("/slow.mp4", DATA, delay_s=10)
    policy = DownloadPolicy(retries=0, resume_attempts=0, read_timeout_s=0.3, backoff_s=0.01)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="timed out") as info:
        _fetch(policy, server.url("/slow.mp4"), tmp_path / "s.mp4")
    assert info.value.transient
    assert time.monotonic() - started < 6  # the server would have answered after 10 s


def test_a_short_body_is_never_counted_complete(server: LocalServer, tmp_path: Path) -> None:
    server.add("/liar.mp4", DATA[:1000], content_length=5000)
    policy = DownloadPolicy(retries=0, resume_attempts=1, read_timeout_s=1.0, backoff_s=0.01)
    with pytest.raises(DownloadError):
        _fetch(policy, server.url("/liar.mp4"), tmp_path / "l.mp4")
    assert not (tmp_path / "l.mp4").exists()


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/x.mp4"])
def test_redirects_to_other_schemes_are_refused(server: LocalServer, tmp_path: Path, target: str) -> None:
    server.add("/hop.mp4", redirect=target)
    with pytest.raises(DownloadError, match="refusing") as info:
        _fetch(FAST, server.url("/hop.mp4"), tmp_path / "h.mp4")
    assert not info.value.transient


def test_redirect_to_http_is_followed(server: LocalServer, tmp_path: Path) -> None:
    server.add("/real.mp4", DATA)
    server.add("/hop.mp4", redirect=server.url("/real.mp4"))
    _fetch(FAST, server.url("/hop.mp4"), tmp_path / "r.mp4")
    assert (tmp_path / "r.mp4").read_bytes() == DATA


def test_no_url_and_non_http_urls_are_permanent(tmp_path: Path) -> None:
    for url in ("", "file:///etc/passwd"):
        with pytest.raises(DownloadError) as info:
            _fetch(FAST, url, tmp_path / "x.mp4")
        assert not info.value.transient


def test_tls_verification_is_on(tmp_path: Path) -> None:
    """A server whose certificate no trusted CA signed is refused, permanently."""
    import ssl

    import trustme

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    with LocalServer(tls=context) as server:
        server.add("/x.mp4", b"hello")
        with pytest.raises(DownloadError, match="TLS verification failed") as info:
            _fetch(FAST, server.url("/x.mp4"), tmp_path / "x.mp4")
        assert not info.value.transient
        assert not (tmp_path / "x.mp4").exists()


def test_base_url_replaces_the_published_host() -> None:
    published = "https://ugchdrmturk.s3.us-east-2.amazonaws.com/videos"
    url = f"{published}/abc.mp4"
    assert (
        apply_base_url(url, "http://127.0.0.1:8000/mirror/", published)
        == "http://127.0.0.1:8000/mirror/abc.mp4"
    )
    assert apply_base_url(url, None, published) == url
