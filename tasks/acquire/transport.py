"""The wire under the Fetcher: connect-time address checks, a total deadline on every socket
operation, and bounded decompression.

`GuardedTransport` is httpx's transport with a network backend that checks the addresses a host
resolves to when the socket connects (so DNS rebinding between the URL check and the connection
is still refused) and wraps every connection in a `_DeadlineStream`: each read and write of the
request running in this thread gets at most the time left before its deadline (`deadline()`),
so a server that drips headers or a body a byte at a time is cut off at the total timeout, and
the connection is closed by httpcore like any other timed-out one. `Decoder` inflates gzip and
deflate with its output capped per call, which bounds gzip bombs.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from tasks.acquire.urls import check_address_allowed, resolve_host

if TYPE_CHECKING:
    from tasks.acquire.http import FetchConfig

__all__ = ["Decoder", "GuardedTransport", "UnsupportedEncoding", "deadline"]


class UnsupportedEncoding(Exception):
    """A Content-Encoding that was not asked for (br, zstd, stacked codings...)."""


class Decoder:
    """Incremental gzip/deflate decoder whose output per call is capped (bounds bombs)."""

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise UnsupportedEncoding(
                f"stacked content encodings {content_encoding!r} are not supported"
            )
        self.coding = codings[0] if codings else None
        if self.coding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif self.coding == "deflate":
            self._wbits = zlib.MAX_WBITS
        elif self.coding is None:
            self._wbits = 0
        else:
            raise UnsupportedEncoding(
                f"content encoding {self.coding!r} was not asked for and is not supported"
            )
        self._obj = zlib.decompressobj(self._wbits) if self.coding else None
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decompress `data`, returning at most `limit` bytes (more means the cap is exceeded)."""
        if self._obj is None:
            return data
        out = bytearray()
        while data:
            try:
                chunk = self._obj.decompress(data, limit - len(out))
            except zlib.error:
                if self.coding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._wbits = -zlib.MAX_WBITS
                    self._obj = zlib.decompressobj(self._wbits)
                    self._started = True
                    continue
                raise
            self._started = True
            out += chunk
            if len(out) >= limit:
                return bytes(out)
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self._obj.unused_data:
                # Concatenated gzip members.
                data = self._obj.unused_data
                self._obj = zlib.decompressobj(self._wbits)
            else:
                data = b""
        return bytes(out)

    def flush(self) -> bytes:
        return self._obj.flush() if self._obj is not None else b""


# The deadline of the request running in this thread (monotonic seconds), checked by every
# socket operation of its connection.
_DEADLINE: ContextVar[float | None] = ContextVar("newsflow_fetch_deadline", default=None)


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Bound every socket operation made in this block (in this thread) by `at` (monotonic)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` shortened to the time left before the current deadline; raises once it passed."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the total timeout of the request has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the request's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Checks the addresses a host resolves to at connect time, connects to a checked one, and
    bounds every socket operation by the request's total deadline."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        cfg = self.config
        addresses = resolve_host(host, port)
        check_address_allowed(
            host,
            addresses,
            cfg.allow_private,
            cfg.allow_loopback,
            port=port,
            allow_hosts=cfg.allow_hosts,
        )
        last: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address,
                    port,
                    _bounded(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
                return _DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the connect-time address check; environment proxies are not used."""

    def __init__(self, config: FetchConfig) -> None:
        super().__init__(retries=0)
        limits = max(10, config.max_workers * 2)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits,
            max_keepalive_connections=limits,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(config),
        )
