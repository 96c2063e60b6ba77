from __future__ import annotations

import os
import time
from pathlib import Path

import attrs
import pytest

from vqa_core.errors import DownloadError
from vqa_core.ingest.download import Downloader, DownloadPolicy, part_path, url_problem
from vqa_core.locations import apply_base_url
from vqa_core.testing.http import LocalServer

DATA = os.urandom(3 * (1 << 20) + 123)
FAST = DownloadPolicy(
    retries=3, resume_attempts=3, backoff_s=0.01, stall_timeout_s=1.0, connect_timeout_s=1.0
)


def _fetch(policy: DownloadPolicy, url: str, dest: Path) -> int:  # also run on a watched pool
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


def test_a_server_that_never_answers_is_stalled_and_transient(server: LocalServer, tmp_path: Path) -> None:
    server.add("/slow.mp4", DATA, delay_s=10)
    policy = DownloadPolicy(retries=0, resume_attempts=0, stall_timeout_s=0.3, backoff_s=0.01)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="stalled before any response") as info:
        _fetch(policy, server.url("/slow.mp4"), tmp_path / "s.mp4")
    assert info.value.transient and info.value.reason == "download-stalled"
    assert time.monotonic() - started < 6  # the server would have answered after 10 s


def test_a_short_body_is_never_counted_complete(server: LocalServer, tmp_path: Path) -> None:
    server.add("/liar.mp4", DATA[:1000], content_length=5000)
    policy = DownloadPolicy(retries=0, resume_attempts=1, stall_timeout_s=1.0, backoff_s=0.01)
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


# -- time: slow is fine, silence is bounded ----------------------------------------------------


def test_a_slow_download_beats_the_watchdog_per_chunk_and_is_never_abandoned(
    server: LocalServer, tmp_path: Path
) -> None:
    """4 KB at 1 KB/s on a pool that abandons after 0.5 s of silence: the transfer takes ~4 s, longer
    than any one allowance (request 3 s, read 2.5 s), so only a beat per chunk received keeps it."""
    from vqa_core.runner.executor import Work, run_ordered
    from vqa_core.runner.watchdog import WatchedThreadPool

    data = os.urandom(4096)
    server.add("/trickle.mp4", data, rate=1024)
    policy = DownloadPolicy(retries=0, resume_attempts=0, stall_timeout_s=0.5, connect_timeout_s=0.5)
    assert policy.request_quiet_s < 4 and policy.read_quiet_s < 4
    dest = tmp_path / "t.mp4"
    pool = WatchedThreadPool(1, stall_s=0.5)
    try:
        (size,) = run_ordered(pool, _fetch, [Work(policy)], window=1, args=(server.url("/trickle.mp4"), dest))
    finally:
        pool.shutdown()
    assert size == len(data) and dest.read_bytes() == data
    assert pool.abandoned == 0


def test_a_stalled_transfer_keeps_its_bytes_and_resumes_once_the_server_recovers(
    server: LocalServer, tmp_path: Path
) -> None:
    """Quiet after byte 1,000: the first attempt keeps 1,000 bytes, the resume gets nothing and
    ends the download as stalled (not a generic failure); later a Range request finishes it."""
    server.add("/quiet.mp4", DATA, stall_at=1000, stall_s=30)
    dest = tmp_path / "q.mp4"
    policy = attrs.evolve(FAST, stall_timeout_s=0.5)
    with pytest.raises(DownloadError, match="stalled") as info:
        _fetch(policy, server.url("/quiet.mp4"), dest)
    assert info.value.reason == "download-stalled" and info.value.transient
    assert part_path(dest).read_bytes() == DATA[:1000] and not dest.exists()
    assert server.requests == [("/quiet.mp4", None), ("/quiet.mp4", "bytes=1000-")]  # no third try
    server.add("/quiet.mp4", DATA)
    _fetch(policy, server.url("/quiet.mp4"), dest)
    assert dest.read_bytes() == DATA and server.requests[-1] == ("/quiet.mp4", "bytes=1000-")


def test_retry_after_is_honoured_only_up_to_the_cap(server: LocalServer, tmp_path: Path) -> None:
    route = server.add("/busy.mp4", DATA, fail_first=1, headers={"Retry-After": "86400"})
    policy = attrs.evolve(FAST, max_retry_after_s=1.0)
    started = time.monotonic()
    _fetch(policy, server.url("/busy.mp4"), tmp_path / "b.mp4")
    elapsed = time.monotonic() - started
    assert (tmp_path / "b.mp4").read_bytes() == DATA and route.served == 2
    assert 0.9 <= elapsed < 30, elapsed  # waited, for the cap and not for a day


def test_a_server_that_keeps_asking_for_a_day_is_a_transient_failure(
    server: LocalServer, tmp_path: Path
) -> None:
    route = server.add("/busy.mp4", DATA, fail_first=100, headers={"Retry-After": "86400"})
    policy = DownloadPolicy(retries=2, resume_attempts=0, backoff_s=0.01, max_retry_after_s=0.2)
    started = time.monotonic()
    with pytest.raises(DownloadError) as info:
        _fetch(policy, server.url("/busy.mp4"), tmp_path / "b.mp4")
    assert info.value.transient and info.value.reason == "download-failed"
    assert route.served == 3 and time.monotonic() - started < 30


def test_the_default_retry_after_cap_is_a_minute() -> None:
    assert DownloadPolicy().max_retry_after_s == 60.0
    with pytest.raises(ValueError, match="stall_timeout_s"):
        DownloadPolicy(stall_timeout_s=0)


# -- redirects between http and https ------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An HTTPS server whose throw-away CA this process trusts the standard way (SSL_CERT_FILE)."""
    import ssl

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with LocalServer(tls=context) as server:
        yield server


def test_a_redirect_from_https_to_plain_http_is_refused(
    server: LocalServer, tls_server: LocalServer, tmp_path: Path
) -> None:
    server.add("/real.mp4", DATA)
    tls_server.add("/hop.mp4", redirect=server.url("/real.mp4"))
    tls_server.add("/direct.mp4", DATA)
    _fetch(FAST, tls_server.url("/direct.mp4"), tmp_path / "d.mp4")  # the CA is trusted: TLS works
    with pytest.raises(DownloadError, match="refusing a redirect from HTTPS to plain HTTP") as info:
        _fetch(FAST, tls_server.url("/hop.mp4"), tmp_path / "h.mp4")
    assert not info.value.transient
    assert server.requests == []  # nothing asked in clear text
    assert not (tmp_path / "h.mp4").exists() and not part_path(tmp_path / "h.mp4").exists()


def test_a_redirect_from_http_to_https_is_followed(
    server: LocalServer, tls_server: LocalServer, tmp_path: Path
) -> None:
    tls_server.add("/real.mp4", DATA)
    server.add("/hop.mp4", redirect=tls_server.url("/real.mp4"))
    _fetch(FAST, server.url("/hop.mp4"), tmp_path / "r.mp4")
    assert (tmp_path / "r.mp4").read_bytes() == DATA


# -- destinations that lead elsewhere ----------------------------------------------------------


def test_a_destination_folder_symlinked_outside_is_refused(server: LocalServer, tmp_path: Path) -> None:
    server.add("/a.mp4", DATA)
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "clips").symlink_to(outside)
    for dest in (root / "clips" / "a.mp4", root / "clips" / "sub" / "a.mp4"):
        with Downloader(FAST) as downloader, pytest.raises(DownloadError, match="outside") as info:
            downloader.fetch(server.url("/a.mp4"), dest, within=root)
        assert info.value.reason == "unsafe-path" and not info.value.transient
    assert list(outside.iterdir()) == [] and server.requests == []


@pytest.mark.parametrize("target", ["file", "dangling", "inside"])
def test_a_part_file_that_is_a_symlink_is_refused(server: LocalServer, tmp_path: Path, target: str) -> None:
    server.add("/a.mp4", DATA)
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "clips").mkdir(parents=True)
    outside.mkdir()
    pointed = {"file": outside / "victim", "dangling": outside / "new", "inside": root / "clips" / "other"}[
        target
    ]
    if target != "dangling":
        pointed.write_bytes(b"precious")
    dest = root / "clips" / "a.mp4"
    part_path(dest).symlink_to(pointed)
    with Downloader(FAST) as downloader, pytest.raises(DownloadError, match="symlink") as info:
        downloader.fetch(server.url("/a.mp4"), dest, within=root)
    assert info.value.reason == "unsafe-path"
    assert server.requests == [] and not dest.exists()
    assert pointed.read_bytes() == b"precious" if target != "dangling" else not pointed.exists()


def test_urls_are_checked_for_scheme_and_host() -> None:
    hosts = frozenset({"storage.example.org"})
    assert url_problem("https://storage.example.org/a.mkv", hosts) is None
    assert url_problem("http://STORAGE.example.org:8080/a.mkv", hosts) is None  # any port of the host
    for url, words in [
        ("https://elsewhere.example.org/a.mkv", "is on elsewhere.example.org"),
        ("https://storage.example.org.evil.net/a.mkv", "is on storage.example.org.evil.net"),
        ("https://storage.example.org@evil.net/a.mkv", "is on evil.net"),
        ("file:///etc/passwd", "is file, not http(s)"),
        ("ftp://storage.example.org/a.mkv", "is ftp, not http(s)"),
        ("/local/a.mkv", "scheme-less"),
        ("http:///a.mkv", "names no host"),
    ]:
        problem = url_problem(url, hosts)
        assert problem is not None and words in problem, (url, problem)
