"""A loopback HTTP server that misbehaves on purpose, written on raw sockets.

Each route is a behaviour that writes whatever bytes it likes: headers or bodies dripped a byte
at a time, a connection reset in the middle of a body, a Content-Length that lies, encodings
nobody asked for, redirect loops, redirects to metadata or private addresses, bodies that are
too big (declared or not) and gzip bombs. Every request is counted (`hits`). Used by
tests/acquire/test_chaos.py through the real fetcher and a real `ingest urls` run.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Behaviour = Callable[["Conn"], None]


class Conn:
    """One accepted connection: the request's path and headers, and ways to answer badly."""

    def __init__(
        self, sock: socket.socket, path: str, headers: dict[str, str], stop: threading.Event
    ):
        self.sock = sock
        self.path = path
        self.headers = headers
        self._stop = stop

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def drip(self, data: bytes, every: float) -> None:
        """Send `data` one byte at a time, `every` seconds apart (until the server stops)."""
        for i in range(len(data)):
            if self._stop.wait(every):
                return
            self.sock.sendall(data[i : i + 1])

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), not a clean close."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def head(status: int = 200, length: int | None = None, **headers: str) -> bytes:
    """A status line and headers (names with `_` become `-`), ended by a blank line."""
    lines = [f"HTTP/1.1 {status} X"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


PAGE = (
    b"<html><head><title>Chaos</title></head><body><article>"
    + b"".join(
        f"<p>Paragraph {i} of an article that a server sends in the most awkward way it can, "
        f"told about the harbour of town number {i * 7} and its {i + 3} ferries.</p>".encode()
        for i in range(20)
    )
    + b"</article></body></html>"
)


# --------------------------------------------------------------------------- behaviours


def ok(body: bytes = PAGE, content_type: str = "text/html; charset=utf-8") -> Behaviour:
    def run(c: Conn) -> None:
        c.send(head(200, len(body), Content_Type=content_type, Connection="close") + body)

    return run


def reset_mid_body(c: Conn) -> None:
    c.send(head(200, len(PAGE), Content_Type="text/html") + PAGE[: len(PAGE) // 3])
    c.reset()


def drip_headers(every: float) -> Behaviour:
    def run(c: Conn) -> None:
        c.drip(head(200, len(PAGE), Content_Type="text/html", X_Padding="p" * 200), every)
        c.send(PAGE)

    return run


def drip_body(every: float) -> Behaviour:
    def run(c: Conn) -> None:
        c.send(head(200, len(PAGE), Content_Type="text/html"))
        c.drip(PAGE, every)

    return run


def length_longer_than_body(c: Conn) -> None:
    """Declares more bytes than it sends, then closes: the body is incomplete."""
    c.send(head(200, len(PAGE) + 5000, Content_Type="text/html", Connection="close") + PAGE)
    c.sock.close()


def length_shorter_than_body(c: Conn) -> None:
    """Declares fewer bytes than it sends: the message is the declared bytes, the rest junk."""
    c.send(head(200, 200, Content_Type="text/html") + PAGE)
    c.sock.close()


def redirect(to: str, status: int = 302) -> Behaviour:
    def run(c: Conn) -> None:
        c.send(head(status, 0, Location=to, Connection="close"))

    return run


def encoded(coding: str, body: bytes = b"\x28\xb5\x2f\xfd" + b"\0" * 64) -> Behaviour:
    """A body with a Content-Encoding the client did not ask for (br, zstd, gzip, br, ...)."""

    def run(c: Conn) -> None:
        c.send(
            head(
                200,
                len(body),
                Content_Type="text/html",
                Content_Encoding=coding,
                Connection="close",
            )
            + body
        )

    return run


def oversize(total: int, declared: bool) -> Behaviour:
    """`total` bytes of page, with or without a Content-Length saying so."""

    def run(c: Conn) -> None:
        c.send(head(200, total if declared else None, Content_Type="text/html", Connection="close"))
        chunk = b"<p>" + b"a" * 65530 + b"</p>"
        sent = 0
        try:
            while sent < total:
                piece = chunk[: total - sent]
                c.send(piece)
                sent += len(piece)
        finally:
            c.sock.close()

    return run


def gzip_bomb(inflated: int) -> Behaviour:
    bomb = gzip.compress(b"\0" * inflated, compresslevel=9)

    def run(c: Conn) -> None:
        c.send(
            head(
                200,
                len(bomb),
                Content_Type="text/html",
                Content_Encoding="gzip",
                Connection="close",
            )
            + bomb
        )

    return run


# --------------------------------------------------------------------------- the server


class ChaosServer:
    """Serve behaviours on 127.0.0.1 (random port); unknown paths get a 404, robots.txt too."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.routes: dict[str, Behaviour] = {}
        self.hits: Counter[str] = Counter()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, behaviour: Behaviour) -> None:
        self.routes[path] = behaviour

    def start(self) -> ChaosServer:
        self._accept.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._accept.join(5)
        self._sock.close()
        for t in self._threads:
            t.join(5)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(sock,), daemon=True)
            self._threads.append(t)
            t.start()

    def _handle(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                data += chunk
            lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "/"
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            self.hits[path] += 1
            behaviour = self.routes.get(path)
            conn = Conn(sock, path, headers, self._stop)
            if behaviour is None:
                conn.send(
                    head(404, 9, Content_Type="text/plain", Connection="close") + b"not found"
                )
            else:
                behaviour(conn)
        except OSError:
            pass  # the client went away (a timeout or a cap): expected here
        finally:
            try:
                sock.close()
            except OSError:
                pass


@contextmanager
def chaos_server() -> Iterator[ChaosServer]:
    server = ChaosServer().start()
    try:
        yield server
    finally:
        server.stop()
