"""A threaded HTTP server on 127.0.0.1 (random port) that stands in for the web in tests.

Routes are set per test: static fixture files (with `{BASE}` replaced by the server's own
address), ETag / Last-Modified validation, redirect chains, fixed statuses, sequences
("500 then 200"), hanging responses, robots.txt, oversized and gzip-encoded bodies.
Every request is recorded (`hits`, `requests`) so tests can count what was fetched.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES_WEB = Path(__file__).parent / "fixtures" / "web"


@dataclass
class Response:
    """What one route answers."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None  # HTTP date
    gzip: bool = False  # send Content-Encoding: gzip when the client accepts it
    hang: float = 0.0  # seconds to wait before answering (read-timeout tests)
    hang_after_headers: bool = False  # send headers first, then stall the body
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    template: bool = False  # replace {BASE} in the body with the server's base URL


@dataclass
class _Route:
    responses: list[Response]
    served: int = 0

    def next(self) -> Response:
        response = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return response


class LocalServer:
    """Configure routes, then point the fetcher at `base` / `url(path)`."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

            def do_HEAD(self) -> None:  # noqa: N802
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # ----------------------------------------------------------------- routes

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, *responses: Response) -> None:
        """Serve `responses` in order at `path` (the last one repeats)."""
        with self._lock:
            self._routes[path] = _Route(list(responses) or [Response()])

    def add_page(self, path: str, body: bytes | str, **kw: object) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.add(path, Response(body=data, **kw))  # type: ignore[arg-type]

    def add_fixture(self, path: str, name: str, **kw: object) -> None:
        """Serve tests/fixtures/web/<name> (gunzipped if it ends in .gz; {BASE} filled in)."""
        data = (FIXTURES_WEB / name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        if name.endswith((".xml", ".xml.gz")):
            kw.setdefault("content_type", "application/rss+xml")
        kw.setdefault("template", True)
        self.add(path, Response(body=data, **kw))  # type: ignore[arg-type]

    def add_redirect(self, path: str, to: str, status: int = 301) -> None:
        self.add(path, Response(status=status, headers={"Location": to}, content_type=None))

    def set_robots(self, text: str) -> None:
        self.add("/robots.txt", Response(body=text.encode(), content_type="text/plain"))

    def add_fixture_site(self) -> None:
        """Feeds under /feeds/, article pages under /articles/ (gzip-encoded), as in the fixtures."""
        for feed in sorted((FIXTURES_WEB / "feeds").glob("*.xml")):
            self.add_fixture(f"/feeds/{feed.name}", f"feeds/{feed.name}")
        for page in sorted((FIXTURES_WEB / "pages").glob("*.html.gz")):
            name = page.name[: -len(".gz")]
            self.add_fixture(f"/articles/{name}", f"pages/{page.name}", gzip=True, template=False)

    # ----------------------------------------------------------------- serving

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        request_headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.hits[path] += 1
            self.requests.append((handler.path, request_headers))
            route = self._routes.get(path)
            response = (
                route.next()
                if route
                else Response(status=404, body=b"not found", content_type="text/plain")
            )
        try:
            self._respond(handler, response, request_headers)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the client gave up (timeouts, size caps): expected in tests

    def _wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; False if the server is stopping."""
        return not self._stopping.wait(seconds)

    def _respond(
        self, handler: BaseHTTPRequestHandler, response: Response, request_headers: dict[str, str]
    ) -> None:
        if response.hang and not response.hang_after_headers:
            if not self._wait(response.hang):
                return
        status = response.status
        body = response.body
        if response.template:
            body = body.replace(b"{BASE}", self.base.encode())
        if (
            status == 200
            and response.etag
            and request_headers.get("if-none-match") == response.etag
        ):
            status, body = 304, b""
        if status == 200 and response.last_modified and "if-modified-since" in request_headers:
            try:
                since = parsedate_to_datetime(request_headers["if-modified-since"])
                modified = parsedate_to_datetime(response.last_modified)
                if modified <= since:
                    status, body = 304, b""
            except (TypeError, ValueError):
                pass
        encoded = False
        if body and response.gzip and "gzip" in request_headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            encoded = True
        handler.send_response(status)
        if response.content_type and status != 304:
            handler.send_header("Content-Type", response.content_type)
        if response.etag:
            handler.send_header("ETag", response.etag)
        if response.last_modified:
            handler.send_header("Last-Modified", response.last_modified)
        if encoded:
            handler.send_header("Content-Encoding", "gzip")
        for name, value in response.headers.items():
            handler.send_header(name, value.replace("{BASE}", self.base))
        if response.send_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command == "HEAD":
            return
        if response.hang_after_headers:
            handler.wfile.write(body[:100])
            handler.wfile.flush()
            if not self._wait(response.hang):
                return
            body = body[100:]
        view = memoryview(body)
        for start in range(0, len(view), 65536):
            if self._stopping.is_set():
                return
            handler.wfile.write(view[start : start + 65536])


def start_server() -> LocalServer:
    """A started server; call `stop()` when done (the pytest fixture does)."""
    return LocalServer().start()


def http_date(ts: float) -> str:
    """An HTTP date for a POSIX timestamp."""
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(ts))
