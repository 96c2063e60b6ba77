"""A real HTTP server on 127.0.0.1 for download tests (plugins' and core's).

Serve files with ``Range`` support and script misbehaviour per path::

    with LocalServer() as server:
        server.add("/clip.mp4", data)                          # 200 / 206
        server.add("/flaky.mp4", data, fail_first=2)           # 503, 503, then 200
        server.add("/gone.mp4", status=404)
        server.add("/slow.mp4", data, delay_s=5)               # headers after 5 s
        server.add("/cut.mp4", data, cut_after=1000)           # closes mid-body once
        server.add("/stuck.mp4", data, stall_after=1000, stall_s=30)  # goes quiet mid-body
        server.add("/quiet.mp4", data, stall_at=1000, stall_s=30)      # quiet past byte 1000 of the file
        server.add("/trickle.mp4", data, rate=2048)                  # 2 KB/s, in small pieces
        server.add("/busy.mp4", data, fail_first=1, headers={"Retry-After": "86400"})
        server.add("/hop", redirect="file:///etc/passwd")
        url = server.url("/clip.mp4")

``server.requests`` records ``(path, range header)`` of every request; a
route's ``headers`` go on its error and redirect responses too.
``LocalServer(tls=context)`` serves HTTPS with a server-side
:class:`ssl.SSLContext` (e.g. one configured by a ``trustme`` CA).
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import ssl

__all__ = ["LocalServer", "Route"]


@attrs.define
class Route:
    data: bytes = b""
    status: int = 200
    fail_first: int = 0
    fail_status: int = 503
    delay_s: float = 0.0
    cut_after: int | None = None
    redirect: str | None = None
    content_length: int | None = None
    ranges: bool = True
    #: Send this many body bytes, then nothing for ``stall_s`` seconds (every time).
    stall_after: int | None = None
    #: Like ``stall_after``, counted from the start of the file: a resumed request that starts
    #: at or past this offset gets its headers and then nothing.
    stall_at: int | None = None
    stall_s: float = 0.0
    #: Send the body at this many bytes per second, in pieces an eighth of a second apart.
    rate: float | None = None
    #: Extra response headers.
    headers: dict[str, str] = attrs.field(factory=dict)
    served: int = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # why: a client hanging up mid-body is what download tests provoke, not a server fault
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LocalServer:
    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:  # noqa: C901  # why: the count is the nested request handler's, one branch per fault the test server simulates
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Range")))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                route.served += 1
                if route.delay_s:
                    time.sleep(route.delay_s)
                if route.redirect:
                    self.send_response(302)
                    self.send_header("Location", route.redirect)
                    self.send_header("Content-Length", "0")
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    return
                if route.served <= route.fail_first:
                    self._fail(route, route.fail_status)
                    return
                if route.status != 200:
                    self._fail(route, route.status)
                    return
                data, start, status = route.data, 0, 200
                header = self.headers.get("Range")
                if header and route.ranges and header.startswith("bytes="):
                    start = int(header[6:].split("-")[0] or 0)
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                body = data[start:]
                self.send_response(status)
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Accept-Ranges", "bytes")
                length = route.content_length if route.content_length is not None else len(body)
                self.send_header("Content-Length", str(length))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                quiet = route.stall_after
                if route.stall_at is not None:
                    quiet = max(0, route.stall_at - start)
                if quiet is not None:
                    self._send(body[:quiet], route.rate)
                    time.sleep(route.stall_s)
                    self.close_connection = True
                    return
                if route.cut_after is not None and route.served == route.fail_first + 1:
                    self._send(body[: route.cut_after], route.rate)
                    self.close_connection = True
                    return
                self._send(body, route.rate)

            def _fail(self, route: Route, status: int) -> None:
                body = f"HTTP {status}\n".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _send(self, body: bytes, rate: float | None) -> None:
                if rate is None:
                    self.wfile.write(body)
                    self.wfile.flush()
                    return
                piece = max(1, int(rate / 8))
                for at in range(0, len(body), piece):
                    self.wfile.write(body[at : at + piece])
                    self.wfile.flush()
                    time.sleep(piece / rate)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._scheme = "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def add(self, path: str, data: bytes = b"", **options: Any) -> Route:
        route = Route(data=data, **options)
        self.routes[path] = route
        return route

    def url(self, path: str = "") -> str:
        port = self._httpd.server_address[1]
        return f"{self._scheme}://127.0.0.1:{port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
