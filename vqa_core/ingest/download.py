"""Resumable HTTP(S) downloads with classified failures.

A download streams into ``<dest>.part`` and is renamed to ``dest`` only when
complete, so a partial file is never taken for a clip. An interrupted transfer
resumes with an HTTP ``Range`` request. Request-level failures (connection
errors, timeouts, 408/429/5xx) are retried with exponential backoff by
urllib3's own retry machinery; a body cut short is resumed by the outer loop.
Failures end as :class:`~vqa_core.errors.DownloadError` with ``transient`` set
(retrying later may help) or not (404, 403, no URL, refused scheme, TLS
verification failure). TLS certificates are always verified; redirects may
only lead to http(s) URLs, and never from HTTPS back to plain HTTP.

Time: a download that is receiving bytes is never cut, however slow. What is
bounded is silence: ``stall_timeout_s`` without a byte (headers or body) is a
stall, ``reason="download-stalled"``, with the bytes received kept in the
``.part`` file. Every chunk received is a watchdog beat that allows the next
silence to last the stall limit plus a margin, so the thread pool's watchdog
never abandons a download its own timeouts still bound. A server's
``Retry-After`` is honoured up to ``max_retry_after_s``.

Destinations are checked just before writing: a folder that resolves outside
the folder the caller names (``within``), or a ``.part`` that is a symlink or
not a regular file, is refused (``reason="unsafe-path"``) and nothing is
written through it.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final
from urllib.parse import urljoin, urlsplit

import attrs

from vqa_core.errors import DownloadError
from vqa_core.fsutil import is_inside
from vqa_core.runner.watchdog import beat

if TYPE_CHECKING:
    import urllib3

__all__ = [
    "DownloadPolicy",
    "Downloader",
    "part_path",
    "url_problem",
    "DOWNLOADING",
    "DOWNLOAD_FAILED",
    "DOWNLOAD_STALLED",
    "UNSAFE_PATH",
]

_PERMANENT_STATUS: Final = frozenset({400, 401, 403, 404, 405, 410, 451})
_TRANSIENT_STATUS: Final = frozenset({408, 425, 429, 500, 502, 503, 504})
_ALLOWED_SCHEMES: Final = ("http", "https")

#: The activity a download's watchdog beats name.
DOWNLOADING: Final = "downloading"
DOWNLOAD_FAILED: Final = "download-failed"
DOWNLOAD_STALLED: Final = "download-stalled"
UNSAFE_PATH: Final = "unsafe-path"

#: Told ``(bytes in the file so far, its full size if the server said)`` as a download goes.
OnBytes = Callable[[int, int | None], None]


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:  # why: also refuses NaN
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _count(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number >= 0, got {value!r}")


@attrs.frozen
class DownloadPolicy:
    """Timeouts and retry budget of one download.

    Nothing bounds how long a download that keeps receiving bytes may take;
    ``stall_timeout_s`` bounds the silence between two bytes.
    """

    connect_timeout_s: float = attrs.field(default=15.0, validator=_positive)
    #: Seconds without a byte (response headers or body) after which a transfer is stalled
    #: (``--stall-timeout``). A stalled attempt that had received something is resumed at once;
    #: one that received nothing ends the download as ``download-stalled``.
    stall_timeout_s: float = attrs.field(default=60.0, validator=_positive)
    #: Request-level retries (connection failures, 408/429/5xx) per attempt, with backoff.
    retries: int = attrs.field(default=4, validator=_count)
    #: Attempts to resume a body that was cut short.
    resume_attempts: int = attrs.field(default=5, validator=_count)
    backoff_s: float = attrs.field(default=0.5, validator=_non_negative)
    max_backoff_s: float = attrs.field(default=30.0, validator=_non_negative)
    #: The longest pause a server's ``Retry-After`` imposes before a retry: a larger value
    #: (``Retry-After: 86400``, or a date days ahead) is waited for this long, then the
    #: request is tried again within the retry budget.
    max_retry_after_s: float = attrs.field(default=60.0, validator=_non_negative)
    max_redirects: int = attrs.field(default=5, validator=_count)
    user_agent: str = "vqa (video-quality corpus ingestion)"

    @property
    def read_quiet_s(self) -> float:
        """How long a thread waiting for the next byte may stay silent before the watchdog gives up
        on it: the stall limit, plus a margin (the same again, at least 2 s) so the socket's own
        timeout always fires first on a loaded machine."""
        return self.stall_timeout_s + max(2.0, self.stall_timeout_s)

    @property
    def request_quiet_s(self) -> float:
        """The same for a request: connecting, then waiting for the response headers."""
        return self.connect_timeout_s + self.read_quiet_s


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def url_host(url: str) -> str | None:
    """The lower-case host name of an http(s) URL (port and credentials dropped), else ``None``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        return None
    return parts.hostname or None


def url_problem(url: str, allowed_hosts: frozenset[str]) -> str | None:
    """Why ``url`` may not be downloaded from (not http(s), or a host not in ``allowed_hosts``), or ``None``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"URL {url!r} cannot be parsed"
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        return f"URL {url!r} is {scheme or 'scheme-less'}, not http(s)"
    host = url_host(url)
    if host is None:
        return f"URL {url!r} names no host"
    if host not in allowed_hosts:
        return f"URL {url!r} is on {host}, not a declared download host"
    return None


@functools.cache
def _announcing_retry(quiet_s: float, max_retry_after_s: float) -> type[urllib3.Retry]:
    """A urllib3 ``Retry`` that caps ``Retry-After`` and tells the watchdog before each pause how
    long the thread will be silent (the pause, then one more request)."""
    import urllib3

    class AnnouncingRetry(urllib3.Retry):
        def parse_retry_after(self, retry_after: str) -> float:
            return min(super().parse_retry_after(retry_after), max_retry_after_s)

        def sleep(self, response: urllib3.BaseHTTPResponse | None = None) -> None:
            pause = None
            if response is not None and self.respect_retry_after_header:
                pause = self.get_retry_after(response)
            beat((pause or self.get_backoff_time()) + quiet_s, DOWNLOADING)
            super().sleep(response)

    return AnnouncingRetry


@attrs.define
class _Attempts:
    """What the attempts of one download have seen so far."""

    #: The file's full size, each time a response stated it.
    sizes: list[int] = attrs.Factory(list)
    #: Body bytes received over all attempts.
    received: int = 0


class Downloader:
    """Fetches URLs to files; one instance is shared by all worker threads (urllib3 pools are thread-safe)."""

    def __init__(self, policy: DownloadPolicy | None = None) -> None:
        import urllib3

        self.policy = policy or DownloadPolicy()
        self._http = urllib3.PoolManager(
            num_pools=8,
            maxsize=8,
            headers={"User-Agent": self.policy.user_agent},
            # the read timeout is per socket read: it is the stall limit, never a cap on a whole transfer
            timeout=urllib3.Timeout(connect=self.policy.connect_timeout_s, read=self.policy.stall_timeout_s),
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
        retry = _announcing_retry(self.policy.request_quiet_s, self.policy.max_retry_after_s)
        return retry(
            total=self.policy.retries,
            connect=self.policy.retries,
            # a response that does not come is a stall, judged by fetch(), not retried in here
            read=0,
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

    def fetch(
        self, url: str, dest: Path, *, within: Path | str | None = None, on_bytes: OnBytes | None = None
    ) -> int:
        """Download ``url`` to ``dest``; returns the byte count. Raises :class:`DownloadError`.

        ``within``: the folder ``dest`` must stay inside once symlinks are resolved; ``on_bytes``
        is told the bytes held so far (a resumed part file counts) after every chunk.
        """
        if not url:
            raise DownloadError("no download URL for this clip", url=url, transient=False)
        _check_scheme(url, url)
        _check_destination(dest, within, url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = part_path(dest)
        last_error: DownloadError | None = None
        seen = _Attempts()
        attempts = 0
        for attempt in range(self.policy.resume_attempts + 1):
            attempts = attempt + 1
            if attempt:
                pause = min(self.policy.max_backoff_s, self.policy.backoff_s * 2 ** (attempt - 1))
                beat(pause + self.policy.request_quiet_s, DOWNLOADING)
                time.sleep(pause)
            before = seen.received
            try:
                total = self._transfer(url, dest, within, seen, on_bytes or _ignore)
            except DownloadError as exc:
                if not exc.transient:
                    raise
                last_error = exc
                if exc.reason == DOWNLOAD_STALLED and seen.received == before:
                    break  # silent from the first byte: a server that is not sending, not a flaky link
                continue
            _check_destination(dest, within, url)
            os.replace(part, dest)
            return total
        assert last_error is not None
        raise DownloadError(
            f"{last_error} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})",
            url=url,
            transient=True,
            status=last_error.status,
            reason=last_error.reason,
        )

    def _open(self, url: str, offset: int):  # type: ignore[no-untyped-def]
        import urllib3

        headers = {"Range": f"bytes={offset}-"} if offset else {}
        current = url
        for _ in range(self.policy.max_redirects + 1):
            beat(self.policy.request_quiet_s, DOWNLOADING)
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
                if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
                    raise self._stalled(url, current, "before any response") from None
                raise DownloadError(f"{current}: {_describe(reason)}", url=url, transient=True) from None
            except urllib3.exceptions.ReadTimeoutError:
                raise self._stalled(url, current, "before any response") from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise DownloadError(f"{current}: {_describe(exc)}", url=url, transient=True) from None
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                response.drain_conn()
                response.release_conn()
                if not location:
                    raise DownloadError(f"{current}: redirect without a Location", url=url, transient=False)
                target = urljoin(current, location)
                _check_scheme(target, url)
                if urlsplit(current).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
                    # what TLS protected must not continue in clear text (a downgrade an attacker can ask for)
                    raise DownloadError(
                        f"refusing a redirect from HTTPS to plain HTTP ({current} -> {target})",
                        url=url,
                        transient=False,
                    )
                current = target
                continue
            return response
        raise DownloadError(
            f"{url}: more than {self.policy.max_redirects} redirects", url=url, transient=False
        )

    def _stalled(self, url: str, where: str, when: str) -> DownloadError:
        return DownloadError(
            f"{where}: stalled {when}: nothing received for {self.policy.stall_timeout_s:g} s",
            url=url,
            transient=True,
            reason=DOWNLOAD_STALLED,
        )

    def _transfer(
        self, url: str, dest: Path, within: Path | str | None, seen: _Attempts, on_bytes: OnBytes
    ) -> int:
        """One attempt: resume ``dest``'s part file from its size. ``seen.sizes`` holds the full size
        every earlier response of this download stated; a response that states another one means
        the server's story changed (a liar, or the file was replaced): the partial file is discarded."""
        import urllib3

        part = part_path(dest)
        sizes = seen.sizes

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

        offset = _part_size(part, dest, within, url)
        response = self._open(url, offset)
        complete = False
        try:
            status = response.status
            if status == 416 and offset:
                # The server has nothing past what we hold: complete if the sizes agree.
                total = _content_range_total(response.headers.get("Content-Range"))
                stated(total, status)
                if total == offset:
                    on_bytes(offset, total)
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
            on_bytes(written, sizes[0] if sizes else None)
            # re-resolved just before writing: the folder or the part file may have been swapped
            _part_size(part, dest, within, url)
            with _open_part(part, append=bool(offset), url=url) as fh:
                fh.seek(offset)
                fh.truncate()
                try:
                    # read1: whatever one socket read brings, so a slow link beats the watchdog per
                    # packet instead of blocking until a whole chunk has trickled in; a connection cut
                    # mid-body keeps every byte that arrived for the next attempt's Range request
                    while chunk := response.read1(1 << 16):
                        beat(self.policy.read_quiet_s, DOWNLOADING)
                        fh.write(chunk)
                        written += len(chunk)
                        seen.received += len(chunk)
                        on_bytes(written, sizes[0] if sizes else None)
                except urllib3.exceptions.ReadTimeoutError:
                    fh.flush()
                    raise self._stalled(url, url, f"after {written:,} bytes") from None
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


def _ignore(done: int, total: int | None) -> None:
    pass


def _unsafe(url: str, message: str) -> DownloadError:
    return DownloadError(message, url=url, transient=False, reason=UNSAFE_PATH)


def _check_destination(dest: Path, within: Path | str | None, url: str) -> None:
    """Refuse a destination whose folder resolves outside ``within`` (a symlinked folder)."""
    if within is not None and not is_inside(str(dest.parent), str(within)):
        raise _unsafe(
            url,
            f"refusing to download into {dest.parent}: it resolves to {os.path.realpath(dest.parent)}, "
            f"outside {within} (symlink)",
        )


def _part_size(part: Path, dest: Path, within: Path | str | None, url: str) -> int:
    """The bytes already in ``part`` (0 if none), after checking nothing leads it elsewhere."""
    _check_destination(dest, within, url)
    try:
        st = os.lstat(part)
    except FileNotFoundError:
        return 0
    if stat.S_ISLNK(st.st_mode):
        raise _unsafe(url, f"refusing to write through {part}: it is a symlink (to {os.readlink(part)})")
    if not stat.S_ISREG(st.st_mode):
        raise _unsafe(url, f"refusing to write {part}: it is not a regular file")
    return st.st_size


def _open_part(part: Path, *, append: bool, url: str) -> BinaryIO:
    """Open the part file without following a symlink swapped in since it was checked."""
    flags = (os.O_RDWR if append else os.O_WRONLY | os.O_CREAT | os.O_TRUNC) | os.O_NOFOLLOW
    try:
        fd = os.open(part, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _unsafe(url, f"refusing to write through {part}: it is a symlink") from None
        raise
    return os.fdopen(fd, "r+b" if append else "wb")


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
