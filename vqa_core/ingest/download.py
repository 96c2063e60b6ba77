"""Resumable HTTP(S) downloads with classified failures.

A download streams into ``<dest>.part`` and is renamed to ``dest`` only when
complete, so a partial file is never taken for a clip. An interrupted transfer
resumes with an HTTP ``Range`` request. Request-level failures (connection
errors, timeouts, 408/429/5xx) are retried with exponential backoff by
urllib3's own retry machinery; a body cut short is resumed by the outer loop.
Failures end as :class:`~vqa_core.errors.DownloadError` with ``transient`` set
(retrying later may help) or not (404, 403, no URL, refused scheme, TLS
verification failure). TLS certificates are always verified; redirects may
only lead to http(s) URLs.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import urljoin, urlsplit

import attrs

from vqa_core.errors import DownloadError

if TYPE_CHECKING:
    import urllib3

__all__ = ["DownloadPolicy", "Downloader", "part_path", "apply_base_url"]

_PERMANENT_STATUS: Final = frozenset({400, 401, 403, 404, 405, 410, 451})
_TRANSIENT_STATUS: Final = frozenset({408, 425, 429, 500, 502, 503, 504})
_ALLOWED_SCHEMES: Final = ("http", "https")


@attrs.frozen
class DownloadPolicy:
    """Timeouts and retry budget of one download."""

    connect_timeout_s: float = 15.0
    read_timeout_s: float = 60.0
    #: Request-level retries (connection errors, 5xx) per attempt, with backoff.
    retries: int = 4
    #: Attempts to resume a body that was cut short.
    resume_attempts: int = 5
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    max_redirects: int = 5
    user_agent: str = "vqa (video-quality corpus ingestion)"


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def apply_base_url(url: str, base_url: str | None, published_base: str) -> str:
    """Replace ``published_base`` at the start of ``url`` with ``base_url`` (mirrors, test servers)."""
    if base_url and url.startswith(published_base):
        return base_url.rstrip("/") + "/" + url[len(published_base) :].lstrip("/")
    return url


class Downloader:
    """Fetches URLs to files; one instance is shared by all worker threads (urllib3 pools are thread-safe)."""

    def __init__(self, policy: DownloadPolicy | None = None) -> None:
        import urllib3

        self.policy = policy or DownloadPolicy()
        self._http = urllib3.PoolManager(
            num_pools=8,
            maxsize=8,
            headers={"User-Agent": self.policy.user_agent},
            timeout=urllib3.Timeout(connect=self.policy.connect_timeout_s, read=self.policy.read_timeout_s),
            retries=self._retry(),
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._http.clear()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _retry(self) -> urllib3.Retry:
        import urllib3

        return urllib3.Retry(
            total=self.policy.retries,
            connect=self.policy.retries,
            read=self.policy.retries,
            status=self.policy.retries,
            other=0,
            redirect=False,  # redirects are followed by hand so every hop's scheme is checked
            status_forcelist=_TRANSIENT_STATUS,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.policy.backoff_s,
            backoff_max=self.policy.max_backoff_s,
            respect_retry_after_header=True,
            raise_on_status=False,
        )

    def fetch(self, url: str, dest: Path) -> int:
        """Download ``url`` to ``dest``; returns the byte count. Raises :class:`DownloadError`."""
        if not url:
            raise DownloadError("no download URL for this clip", url=url, transient=False)
        _check_scheme(url, url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = part_path(dest)
        last_error: DownloadError | None = None
        sizes: list[int] = []  # the file's full size, each time a response stated it
        for attempt in range(self.policy.resume_attempts + 1):
            if attempt:
                time.sleep(min(self.policy.max_backoff_s, self.policy.backoff_s * 2 ** (attempt - 1)))
            try:
                total = self._transfer(url, part, sizes)
            except DownloadError as exc:
                if not exc.transient:
                    raise
                last_error = exc
                continue
            os.replace(part, dest)
            return total
        assert last_error is not None
        raise DownloadError(
            f"{last_error} (gave up after {self.policy.resume_attempts + 1} attempts)",
            url=url,
            transient=True,
            status=last_error.status,
        )

    def _open(self, url: str, offset: int):  # type: ignore[no-untyped-def]
        import urllib3

        headers = {"Range": f"bytes={offset}-"} if offset else {}
        current = url
        for _ in range(self.policy.max_redirects + 1):
            try:
                # enforce_content_length=False: urllib3 would raise on a short body and drop the
                # bytes of the last read with it; the length is checked below, keeping every byte
                response = self._http.request(
                    "GET",
                    current,
                    headers=headers,
                    preload_content=False,
                    redirect=False,
                    enforce_content_length=False,
                )
            except urllib3.exceptions.SSLError as exc:
                raise DownloadError(
                    f"TLS verification failed for {current}: {exc.__cause__ or exc}", url=url, transient=False
                ) from None
            except urllib3.exceptions.MaxRetryError as exc:
                reason = exc.reason
                if isinstance(reason, urllib3.exceptions.SSLError):
                    raise DownloadError(
                        f"TLS verification failed for {current}: {reason}", url=url, transient=False
                    ) from None
                raise DownloadError(f"{current}: {_describe(reason)}", url=url, transient=True) from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise DownloadError(f"{current}: {_describe(exc)}", url=url, transient=True) from None
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                response.drain_conn()
                response.release_conn()
                if not location:
                    raise DownloadError(f"{current}: redirect without a Location", url=url, transient=False)
                current = urljoin(current, location)
                _check_scheme(current, url)
                continue
            return response
        raise DownloadError(
            f"{url}: more than {self.policy.max_redirects} redirects", url=url, transient=False
        )

    def _transfer(self, url: str, part: Path, sizes: list[int]) -> int:
        """One attempt: resume ``part`` from its size. ``sizes`` holds the full size every earlier
        response of this download stated; a response that states another one means the server's
        story changed (a liar, or the file was replaced): the partial file is discarded."""
        import urllib3

        def stated(total: int | None, status: int) -> None:
            if total is None:
                return
            if sizes and total != sizes[0]:
                first = sizes[0]
                part.unlink(missing_ok=True)
                sizes.clear()
                raise DownloadError(
                    f"{url}: the server first gave the file as {first:,} bytes, now as {total:,}; starting over",
                    url=url,
                    transient=True,
                    status=status,
                )
            sizes.append(total)

        offset = part.stat().st_size if part.exists() else 0
        response = self._open(url, offset)
        complete = False
        try:
            status = response.status
            if status == 416 and offset:
                # The server has nothing past what we hold: complete if the sizes agree.
                total = _content_range_total(response.headers.get("Content-Range"))
                stated(total, status)
                if total == offset:
                    return offset
                part.unlink(missing_ok=True)
                raise DownloadError(
                    f"{url}: range not satisfiable; restarting", url=url, transient=True, status=416
                )
            if status in _PERMANENT_STATUS or (400 <= status < 500 and status not in _TRANSIENT_STATUS):
                raise DownloadError(f"{url}: HTTP {status}", url=url, transient=False, status=status)
            if status != 200 and status != 206:
                raise DownloadError(f"{url}: HTTP {status}", url=url, transient=True, status=status)
            if status == 200 or _content_range_start(response.headers.get("Content-Range")) != offset:
                offset = 0  # the server ignored our range: start over
            length = response.headers.get("Content-Length")
            expected = offset + int(length) if length and length.isdigit() else None
            stated(
                _content_range_total(response.headers.get("Content-Range")) if offset else expected, status
            )
            written = offset
            with open(part, "r+b" if offset else "wb") as fh:
                fh.seek(offset)
                fh.truncate()
                try:
                    # a connection cut mid-body keeps every byte that arrived: the next attempt
                    # asks for the rest with a Range request
                    for chunk in response.stream(1 << 16):
                        fh.write(chunk)
                        written += len(chunk)
                except (urllib3.exceptions.HTTPError, OSError) as exc:
                    fh.flush()
                    raise DownloadError(
                        f"{url}: transfer interrupted after {written:,} bytes ({_describe(exc)})",
                        url=url,
                        transient=True,
                    ) from None
                fh.flush()
                os.fsync(fh.fileno())
            if expected is not None and written != expected:
                raise DownloadError(
                    f"{url}: received {written:,} of {expected:,} bytes",
                    url=url,
                    transient=True,
                    status=status,
                )
            if written == 0:
                raise DownloadError(f"{url}: empty response", url=url, transient=True, status=status)
            complete = True
            return written
        finally:
            if complete:
                response.release_conn()
            else:
                response.close()  # a half-read connection must not go back to the pool


def _check_scheme(url: str, original: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        raise DownloadError(
            f"refusing {scheme or 'scheme-less'} URL {url!r}"
            + (f" (redirected from {original})" if url != original else ""),
            url=original,
            transient=False,
        )


def _content_range_start(header: str | None) -> int | None:
    match = re.match(r"bytes (\d+)-\d+/(\d+|\*)", header or "")
    return int(match.group(1)) if match else None


def _content_range_total(header: str | None) -> int | None:
    match = re.match(r"bytes (?:\*|\d+-\d+)/(\d+)", header or "")
    return int(match.group(1)) if match else None


def _describe(exc: object) -> str:
    text = str(exc)
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return "timed out"
    return re.sub(r"<urllib3[^>]*>:?\s*", "", text).strip() or type(exc).__name__
