"""Polite, bounded HTTP fetching: the only module that talks to the web.

`Fetcher.fetch` returns a `FetchResult` or a `Failure`; it never raises for a per-URL problem.
Every hop of a redirect chain is checked (scheme, resolved addresses, robots.txt) and counted;
the addresses are checked again when the socket connects, so a host that changes its DNS
answer between the check and the connection (DNS rebinding) is still refused. Bodies are read
as raw bytes and decompressed here, with the cap applied to the decompressed size, which
bounds gzip bombs.

The total timeout covers the whole exchange of one URL (connect, headers, body, every hop and
retry): every socket read and write of the request is given at most the time left before that
deadline, so a server that drips its headers or body a byte at a time (which never trips a
per-read timeout) is cut off at the deadline, and its connection closed.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, UTC
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from tasks.acquire import robots
from tasks.acquire.robots import RobotsCache, RobotsRules
from tasks.acquire.transport import Decoder, GuardedTransport, UnsupportedEncoding
from tasks.acquire.transport import deadline as deadline_of_request
from tasks.records import Failure
from tasks.text.charset import decode_html, detect_encoding
from tasks.acquire.urls import (
    UnresolvableHost,
    UnsafeURL,
    check_url_allowed,
    host_key,
)

__all__ = [
    "FetchConfig",
    "FetchResult",
    "Fetcher",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Politeness, safety and patience limits for fetching (seconds, bytes, requests/s)."""

    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow; news research crawler)"
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0  # one URL, all hops, retries and waits included
    max_bytes: int = 5_000_000  # decompressed body size
    max_redirects: int = 5
    per_host_rate: float = 1.0  # requests per second per host; 0 or less: no limit
    per_host_concurrency: int = 2
    max_retries: int = 3  # retries after the first attempt (429, 5xx, timeouts, connection errors)
    backoff_base: float = 0.5  # first retry waits about this long, then doubles
    backoff_max: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After gives up instead of waiting
    respect_robots: bool = True
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay is honoured up to this many seconds
    allow_private: bool = False  # every private, link-local or reserved address
    allow_loopback: bool = False  # every loopback address
    # Exactly these hosts, whatever they resolve to (metadata addresses excepted): "host:port",
    # or "host" for any port, e.g. ("127.0.0.1:8080", "intranet.example").
    allow_hosts: tuple[str, ...] = ()
    max_workers: int = 8  # threads of fetch_many
    robots_max_bytes: int = 500_000
    accept: str = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A response that arrived in full (2xx), or a 304 for a conditional request."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes  # decompressed; empty for a 304
    encoding: str | None  # detected charset for HTML/text, else the declared one
    etag: str | None
    last_modified: str | None
    not_modified: bool
    attempts: int
    elapsed: float
    redirects: tuple[str, ...] = ()  # the URLs that redirected, in order
    content_type: str | None = None  # media type without parameters

    @property
    def text(self) -> str:
        """The body decoded with the detected (or sniffed) charset."""
        return decode_html(self.body, self.encoding)


def _content_type(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(media type, charset) from a Content-Type header."""
    value = headers.get("content-type")
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("'\"") or None
    return media.strip().lower() or None, charset


# --------------------------------------------------------------------------- internals


class _BodyTooLarge(Exception):
    pass


class _TotalTimeout(Exception):
    pass


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class _HostGate:
    """Per-host concurrency cap and request spacing."""

    semaphore: threading.BoundedSemaphore
    interval: float
    next_time: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_turn(self, deadline: float) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_time)
            self.next_time = start + self.interval
        delay = start - now
        if now + delay > deadline:
            raise _TotalTimeout(
                f"waiting {delay:.1f} s for the host's rate limit would pass the total timeout"
            )
        if delay > 0:
            time.sleep(delay)

    def push_back(self, seconds: float) -> None:
        """Keep every request to this host waiting (Retry-After applies to the host)."""
        with self.lock:
            self.next_time = max(self.next_time, time.monotonic() + seconds)


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


# --------------------------------------------------------------------------- the fetcher


class Fetcher:
    """Owns an httpx.Client; fetches URLs politely and safely. Use as a context manager."""

    def __init__(
        self, config: FetchConfig | None = None, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.config = config or FetchConfig()
        cfg = self.config
        self._client = httpx.Client(
            transport=transport or GuardedTransport(cfg),
            headers={
                "User-Agent": cfg.user_agent,
                "Accept": cfg.accept,
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout,
                read=cfg.read_timeout,
                write=cfg.read_timeout,
                pool=cfg.total_timeout,
            ),
            follow_redirects=False,
            trust_env=False,
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._robots = RobotsCache()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # ----------------------------------------------------------------- public

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        source: str = "web",
    ) -> FetchResult | Failure:
        """GET `url` (conditionally when etag / last_modified are given); never raises per URL."""
        cfg = self.config
        started = time.monotonic()
        deadline = started + cfg.total_timeout
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = 0
        redirects: list[str] = []
        current = _strip_fragment(url.strip())

        def fail(error_type: str, message: str, status: int | None = None) -> Failure:
            return Failure(
                stage="fetch",
                source=source,
                uri=url,
                error_type=error_type,
                message=message,
                http_status=status,
                attempts=max(attempts, 1)
                if error_type not in ("UnsafeURL", "RobotsDisallowed")
                else attempts,
            )

        try:
            while True:
                try:
                    self._check_allowed(current)
                except UnsafeURL as exc:
                    return fail("UnsafeURL", str(exc))
                except UnresolvableHost as exc:
                    attempts += 1
                    return fail("UnresolvableHost", str(exc))
                if cfg.respect_robots:
                    rules = self._robots_for(current, deadline)
                    if not rules.can_fetch(current, cfg.user_agent):
                        return fail(
                            "RobotsDisallowed",
                            f"robots.txt of {host_key(current)} ({rules.reason}) disallows "
                            f"{current} for user agent {robots.agent_token(cfg.user_agent)!r}",
                        )
                outcome, used = self._request_with_retries(
                    current, headers, deadline, cfg.max_bytes
                )
                attempts += used
                if isinstance(outcome, Failure):
                    return replace(outcome, source=source, uri=url, attempts=attempts)
                if outcome.status in REDIRECT_STATUSES:
                    location = outcome.headers.get("location", "").strip()
                    if not location:
                        return fail(
                            "RedirectWithoutLocation",
                            f"HTTP {outcome.status} from {current} has no Location",
                            outcome.status,
                        )
                    if len(redirects) >= cfg.max_redirects:
                        return fail(
                            "TooManyRedirects",
                            f"more than {cfg.max_redirects} redirects starting at {url} (last: {current} -> {location})",
                            outcome.status,
                        )
                    redirects.append(current)
                    current = _strip_fragment(urljoin(current, location))
                    continue
                if outcome.status == 304:
                    return self._result(
                        url, current, outcome, attempts, started, redirects, not_modified=True
                    )
                if 200 <= outcome.status < 300:
                    return self._result(
                        url, current, outcome, attempts, started, redirects, not_modified=False
                    )
                return fail("HTTPError", f"HTTP {outcome.status} for {current}", outcome.status)
        except _TotalTimeout as exc:
            return fail("TotalTimeout", f"gave up on {url} after {cfg.total_timeout:g} s: {exc}")
        except Exception as exc:  # noqa: BLE001 - a per-URL problem must never escape
            return fail(type(exc).__name__, f"unexpected error fetching {url}: {exc}")

    def fetch_many(
        self,
        urls: Iterable[str],
        conditional: Mapping[str, tuple[str | None, str | None]] | None = None,
        *,
        source: str = "web",
    ) -> list[FetchResult | Failure]:
        """Fetch several URLs on a small thread pool; results in the order of `urls`.

        `conditional` maps a URL to its stored (etag, last_modified). Per-host rate and
        concurrency caps hold across threads.
        """
        url_list = list(urls)
        if not url_list:
            return []
        conditional = conditional or {}

        def one(u: str) -> FetchResult | Failure:
            etag, modified = conditional.get(u, (None, None))
            return self.fetch(u, etag, modified, source=source)

        workers = max(1, min(self.config.max_workers, len(url_list)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            return list(pool.map(one, url_list))

    # ----------------------------------------------------------------- helpers

    def _check_allowed(self, url: str) -> None:
        cfg = self.config
        check_url_allowed(url, cfg.allow_private, cfg.allow_loopback, cfg.allow_hosts)

    def _gate(self, url: str) -> _HostGate:
        key = host_key(url)
        with self._gates_lock:
            gate = self._gates.get(key)
            if gate is None:
                rate = self.config.per_host_rate
                gate = _HostGate(
                    semaphore=threading.BoundedSemaphore(max(1, self.config.per_host_concurrency)),
                    interval=1.0 / rate if rate > 0 else 0.0,
                )
                self._gates[key] = gate
            return gate

    def _backoff(self, attempt: int) -> float:
        base = self.config.backoff_base * (2 ** (attempt - 1))
        return min(self.config.backoff_max, base) * (0.75 + random.random() * 0.5)

    def _request_with_retries(
        self, url: str, headers: Mapping[str, str], deadline: float, max_bytes: int
    ) -> tuple[_Response | Failure, int]:
        """One hop with retries on 429/5xx/timeouts; (response or Failure, attempts used)."""
        cfg = self.config
        gate = self._gate(url)
        attempt = 0
        while True:
            attempt += 1
            error: Failure | None = None
            wait: float | None = None
            try:
                response = self._request_once(url, headers, deadline, gate, max_bytes)
            except _BodyTooLarge as exc:
                return Failure("fetch", "", url, "BodyTooLarge", str(exc)), attempt
            except UnsupportedEncoding as exc:
                return Failure("fetch", "", url, "UnsupportedContentEncoding", str(exc)), attempt
            except zlib.error as exc:
                return Failure(
                    "fetch",
                    "",
                    url,
                    "DecompressionError",
                    f"corrupt compressed body from {url}: {exc}",
                ), attempt
            except UnsafeURL as exc:
                return Failure("fetch", "", url, "UnsafeURL", str(exc)), attempt
            except UnresolvableHost as exc:
                return Failure("fetch", "", url, "UnresolvableHost", str(exc)), attempt
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                error = Failure(
                    "fetch",
                    "",
                    url,
                    type(exc).__name__,
                    f"{type(exc).__name__} for {url}: {exc or 'no detail'}",
                )
            except httpx.HTTPError as exc:
                return Failure(
                    "fetch", "", url, type(exc).__name__, f"{type(exc).__name__} for {url}: {exc}"
                ), attempt
            else:
                if response.status not in RETRY_STATUSES:
                    return response, attempt
                error = Failure(
                    "fetch",
                    "",
                    url,
                    "HTTPError",
                    f"HTTP {response.status} for {url}",
                    http_status=response.status,
                )
                retry_after = _parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    if retry_after > cfg.max_retry_after:
                        return replace(
                            error,
                            error_type="RetryAfterTooLong",
                            message=f"HTTP {response.status} for {url} asks to retry after {retry_after:.0f} s, "
                            f"more than the {cfg.max_retry_after:g} s cap; try again in a later run",
                        ), attempt
                    wait = retry_after
                    gate.push_back(retry_after)
            if attempt > cfg.max_retries:
                return replace(
                    error, message=f"{error.message} (gave up after {attempt} attempts)"
                ), attempt
            delay = wait if wait is not None else self._backoff(attempt)
            if time.monotonic() + delay > deadline:
                return replace(
                    error,
                    message=f"{error.message} (no time left to retry within {cfg.total_timeout:g} s)",
                ), attempt
            time.sleep(delay)

    def _request_once(
        self, url: str, headers: Mapping[str, str], deadline: float, gate: _HostGate, max_bytes: int
    ) -> _Response:
        with gate.semaphore:
            gate.wait_turn(deadline)
            phase = "connecting or waiting for the response headers"
            try:
                with deadline_of_request(deadline):
                    request = self._client.build_request("GET", url, headers=dict(headers))
                    response = self._client.send(request, stream=True)
                    phase = "the body was still arriving"
                    return self._read(url, response, max_bytes)
            except httpx.TimeoutException:
                if time.monotonic() >= deadline:
                    raise _TotalTimeout(f"{phase} ({url})") from None
                raise

    def _read(self, url: str, response: httpx.Response, max_bytes: int) -> _Response:
        """Status, headers and the (decompressed, capped) body of a response; closes it."""
        try:
            status = response.status_code
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            if status in REDIRECT_STATUSES or status == 304 or status >= 300:
                return _Response(status, resp_headers, b"")
            declared_length = resp_headers.get("content-length", "")
            if declared_length.isdigit() and int(declared_length) > max_bytes:
                raise _BodyTooLarge(
                    f"{url} declares {int(declared_length):,} bytes, more than the {max_bytes:,} byte cap"
                )
            decoder = Decoder(resp_headers.get("content-encoding"))
            body = bytearray()
            raw_total = 0
            for raw in response.iter_raw():
                raw_total += len(raw)
                body += decoder.feed(raw, max_bytes - len(body) + 1)
                if len(body) > max_bytes or raw_total > max_bytes:
                    raise _BodyTooLarge(f"body of {url} exceeds the {max_bytes:,} byte cap")
            body += decoder.flush()
            if len(body) > max_bytes:
                raise _BodyTooLarge(f"body of {url} exceeds the {max_bytes:,} byte cap")
            return _Response(status, resp_headers, bytes(body))
        finally:
            response.close()

    def _result(
        self,
        url: str,
        final_url: str,
        response: _Response,
        attempts: int,
        started: float,
        redirects: list[str],
        not_modified: bool,
    ) -> FetchResult:
        media_type, charset = _content_type(response.headers)
        encoding = charset
        if response.body and (media_type is None or media_type.startswith(_TEXT_TYPES)):
            encoding = detect_encoding(response.body, charset)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=response.status,
            headers=response.headers,
            body=response.body,
            encoding=encoding,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            not_modified=not_modified,
            attempts=attempts,
            elapsed=time.monotonic() - started,
            redirects=tuple(redirects),
            content_type=media_type,
        )

    # ----------------------------------------------------------------- robots.txt

    def robots_rules(self, url: str) -> RobotsRules:
        """The robots.txt rules of `url`'s host (fetched once per host, then cached)."""
        return self._robots_for(url, time.monotonic() + self.config.total_timeout)

    def _robots_for(self, url: str, deadline: float) -> RobotsRules:
        return self._robots.get(host_key(url), lambda origin: self._load_robots(origin, deadline))

    def _load_robots(self, origin: str, deadline: float) -> RobotsRules:
        """Fetch and parse robots.txt (RFC 9309: 4xx allows all, 5xx/unreachable disallows all)."""
        cfg = self.config
        current = origin + "/robots.txt"
        for _hop in range(cfg.max_redirects + 1):
            try:
                self._check_allowed(current)
            except (UnsafeURL, UnresolvableHost) as exc:
                return robots.unreachable(f"not fetched: {exc}")
            outcome, _ = self._request_with_retries(current, {}, deadline, cfg.robots_max_bytes)
            if isinstance(outcome, Failure):
                if outcome.error_type == "BodyTooLarge":
                    return RobotsRules("robots.txt too large, ignored")
                if outcome.http_status:
                    return robots.rules_for_status(outcome.http_status)
                return robots.unreachable(outcome.error_type)
            if outcome.status in REDIRECT_STATUSES and outcome.headers.get("location"):
                current = urljoin(current, outcome.headers["location"])
                continue
            if 200 <= outcome.status < 300:
                rules = robots.rules_from_text(
                    outcome.body.decode("utf-8", "replace"), cfg.user_agent
                )
                if rules.crawl_delay:
                    gate = self._gate(origin)
                    gate.interval = max(gate.interval, min(rules.crawl_delay, cfg.max_crawl_delay))
                return rules
            return robots.rules_for_status(outcome.status)
        return RobotsRules("robots.txt redirected too often, ignored")
