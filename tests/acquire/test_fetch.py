"""The fetcher against the local HTTP server: statuses, caching validators, politeness, limits."""

from __future__ import annotations

import gzip
import time

from tasks.acquire.http import FetchConfig, Fetcher, FetchResult, _parse_retry_after
from tasks.text.charset import decode_html, detect_encoding
from tasks.records import Failure
from tests.localserver import LocalServer, Response, http_date

UA = "newsflow-test/1.0 (+https://example.invalid/newsflow)"


def config(**overrides: object) -> FetchConfig:
    base: dict[str, object] = dict(
        user_agent=UA,
        connect_timeout=1.0,
        read_timeout=0.4,
        total_timeout=10.0,
        max_bytes=2_000_000,
        per_host_rate=0.0,
        per_host_concurrency=4,
        max_retries=2,
        backoff_base=0.02,
        max_retry_after=5.0,
        allow_hosts=("127.0.0.1",),  # the local test server, on whatever port it got
    )
    base.update(overrides)
    return FetchConfig(**base)  # type: ignore[arg-type]


def ok(result: FetchResult | Failure) -> FetchResult:
    assert isinstance(result, FetchResult), result
    return result


def failed(result: FetchResult | Failure) -> Failure:
    assert isinstance(result, Failure), result
    assert result.stage == "fetch"
    return result


def test_200_gzip_page_is_decompressed_and_decoded(local_server: LocalServer) -> None:
    local_server.add_fixture_site()
    with Fetcher(config()) as fetcher:
        result = ok(fetcher.fetch(local_server.url("/articles/apnews.html"), source="test"))
    assert result.status == 200 and not result.not_modified
    assert result.attempts == 1
    assert result.headers.get("content-encoding") == "gzip"
    assert result.body.lstrip().lower().startswith(b"<!doctype html")
    assert result.encoding == "utf-8"
    assert "Mexico\u2019s economy grew by 1.1%" in result.text
    path, headers = local_server.requests[-1]
    assert headers["user-agent"] == UA
    assert "gzip" in headers["accept-encoding"]


def test_304_with_etag(local_server: LocalServer) -> None:
    local_server.add(
        "/feed.xml", Response(body=b"<rss/>", content_type="application/rss+xml", etag='"v1"')
    )
    with Fetcher(config()) as fetcher:
        first = ok(fetcher.fetch(local_server.url("/feed.xml")))
        assert first.etag == '"v1"' and first.body == b"<rss/>"
        second = ok(fetcher.fetch(local_server.url("/feed.xml"), etag=first.etag))
    assert second.not_modified and second.status == 304 and second.body == b""
    assert local_server.requests[-1][1]["if-none-match"] == '"v1"'


def test_304_with_last_modified(local_server: LocalServer) -> None:
    stamp = http_date(time.time() - 3600)
    local_server.add(
        "/feed.xml",
        Response(body=b"<rss/>", content_type="application/rss+xml", last_modified=stamp),
    )
    with Fetcher(config()) as fetcher:
        first = ok(fetcher.fetch(local_server.url("/feed.xml")))
        assert first.last_modified == stamp
        second = ok(fetcher.fetch(local_server.url("/feed.xml"), last_modified=first.last_modified))
    assert second.not_modified
    assert local_server.requests[-1][1]["if-modified-since"] == stamp


def test_301_chain_is_followed_and_counted(local_server: LocalServer) -> None:
    local_server.add_fixture_site()
    local_server.add_redirect("/old", "/older", 301)
    local_server.add_redirect("/older", "{BASE}/oldest", 302)
    local_server.add_redirect("/oldest", "/articles/voa.html#top", 308)
    with Fetcher(config()) as fetcher:
        result = ok(fetcher.fetch(local_server.url("/old")))
    assert result.final_url == local_server.url("/articles/voa.html")
    assert result.url == local_server.url("/old")
    assert len(result.redirects) == 3
    assert b"child care" in result.body


def test_redirect_limit(local_server: LocalServer) -> None:
    for i in range(5):
        local_server.add_redirect(f"/r{i}", f"/r{i + 1}")
    with Fetcher(config(max_redirects=3)) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/r0")))
    assert failure.error_type == "TooManyRedirects"


def test_redirect_to_refused_address_is_stopped(local_server: LocalServer) -> None:
    local_server.add_redirect("/go", "http://169.254.169.254/latest/meta-data/")
    local_server.add_redirect("/ftp", "ftp://example.com/file")
    with Fetcher(config()) as fetcher:
        assert failed(fetcher.fetch(local_server.url("/go"))).error_type == "UnsafeURL"
        assert failed(fetcher.fetch(local_server.url("/ftp"))).error_type == "UnsafeURL"


def test_404_is_a_failure_with_status(local_server: LocalServer) -> None:
    with Fetcher(config()) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/nowhere"), source="bbc"))
    assert failure.error_type == "HTTPError" and failure.http_status == 404
    assert failure.attempts == 1 and failure.source == "bbc"
    assert failure.uri == local_server.url("/nowhere")


def test_500_then_200_is_retried(local_server: LocalServer) -> None:
    local_server.add("/flaky", Response(status=500, body=b"oops"), Response(body=b"<p>fine</p>"))
    with Fetcher(config()) as fetcher:
        result = ok(fetcher.fetch(local_server.url("/flaky")))
    assert result.attempts == 2 and result.body == b"<p>fine</p>"
    assert local_server.hits["/flaky"] == 2


def test_persistent_5xx_gives_up_after_retries(local_server: LocalServer) -> None:
    local_server.add("/down", Response(status=503))
    with Fetcher(config(max_retries=2)) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/down")))
    assert failure.http_status == 503 and failure.attempts == 3
    assert local_server.hits["/down"] == 3


def test_retry_after_is_honoured(local_server: LocalServer) -> None:
    local_server.add(
        "/busy", Response(status=429, headers={"Retry-After": "1"}), Response(body=b"ok")
    )
    with Fetcher(config()) as fetcher:
        started = time.monotonic()
        result = ok(fetcher.fetch(local_server.url("/busy")))
        waited = time.monotonic() - started
    assert result.attempts == 2
    assert waited >= 0.9


def test_retry_after_beyond_cap_gives_up(local_server: LocalServer) -> None:
    local_server.add("/later", Response(status=503, headers={"Retry-After": "3600"}))
    with Fetcher(config()) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/later")))
    assert failure.error_type == "RetryAfterTooLong" and failure.http_status == 503
    assert local_server.hits["/later"] == 1


def test_parse_retry_after() -> None:
    assert _parse_retry_after("120") == 120.0
    assert _parse_retry_after(None) is None
    assert _parse_retry_after("soon") is None
    future = _parse_retry_after(http_date(time.time() + 30))
    assert future is not None and 25 <= future <= 31
    assert _parse_retry_after(http_date(time.time() - 30)) == 0.0


def test_hanging_response_times_out(local_server: LocalServer) -> None:
    local_server.add("/hang", Response(body=b"late", hang=5.0))
    local_server.add("/stall", Response(body=b"x" * 1000, hang=5.0, hang_after_headers=True))
    with Fetcher(config(read_timeout=0.3, max_retries=1)) as fetcher:
        started = time.monotonic()
        failure = failed(fetcher.fetch(local_server.url("/hang")))
        stalled = failed(fetcher.fetch(local_server.url("/stall")))
        elapsed = time.monotonic() - started
    assert failure.error_type == "ReadTimeout" and failure.attempts == 2
    assert stalled.error_type == "ReadTimeout"
    assert elapsed < 4


def test_total_timeout_bounds_a_url(local_server: LocalServer) -> None:
    local_server.add("/hang", Response(body=b"late", hang=5.0))
    with Fetcher(
        config(read_timeout=0.3, max_retries=10, backoff_base=0.2, total_timeout=1.0)
    ) as fetcher:
        started = time.monotonic()
        failure = failed(fetcher.fetch(local_server.url("/hang")))
    assert time.monotonic() - started < 2.5
    assert failure.attempts < 11


def test_robots_disallow_and_cache(local_server: LocalServer) -> None:
    local_server.add_fixture_site()
    local_server.set_robots("User-agent: *\nDisallow: /private/\n")
    local_server.add_page("/private/secret.html", "<p>secret</p>")
    with Fetcher(config()) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/private/secret.html")))
        assert failure.error_type == "RobotsDisallowed"
        results = fetcher.fetch_many(
            [local_server.url("/articles/apnews.html"), local_server.url("/articles/voa.html")]
        )
        assert all(isinstance(r, FetchResult) for r in results)
    assert local_server.hits["/private/secret.html"] == 0
    assert local_server.hits["/robots.txt"] == 1


def test_robots_rules_for_our_agent(local_server: LocalServer) -> None:
    local_server.set_robots("User-agent: newsflow-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    local_server.add_page("/a", "<p>a</p>")
    with Fetcher(config()) as fetcher:
        assert failed(fetcher.fetch(local_server.url("/a"))).error_type == "RobotsDisallowed"
    with Fetcher(config(respect_robots=False)) as fetcher:
        ok(fetcher.fetch(local_server.url("/a")))


def test_robots_404_allows_and_5xx_disallows(local_server: LocalServer) -> None:
    local_server.add_page("/a", "<p>a</p>")
    with Fetcher(config()) as fetcher:
        ok(fetcher.fetch(local_server.url("/a")))
    local_server.add("/robots.txt", Response(status=500))
    with Fetcher(config(max_retries=0)) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/a")))
    assert failure.error_type == "RobotsDisallowed" and "unreachable" in failure.message


def test_oversized_body_is_cut(local_server: LocalServer) -> None:
    big = b"<p>" + b"a" * 3_000_000 + b"</p>"
    local_server.add("/big", Response(body=big))
    local_server.add("/big-stream", Response(body=big, send_length=False))
    with Fetcher(config(max_bytes=1_000_000)) as fetcher:
        assert failed(fetcher.fetch(local_server.url("/big"))).error_type == "BodyTooLarge"
        assert failed(fetcher.fetch(local_server.url("/big-stream"))).error_type == "BodyTooLarge"


def test_gzip_bomb_is_bounded(local_server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 30_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    local_server.add("/bomb", Response(body=bomb, headers={"Content-Encoding": "gzip"}))
    with Fetcher(config(max_bytes=1_000_000)) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/bomb")))
    assert failure.error_type == "BodyTooLarge"


def test_wrong_charset_is_corrected(local_server: LocalServer) -> None:
    text = "<html><head><title>Caf\u00e9</title></head><body><p>Z\u00fcrich \u2014 \u201cna\u00efve\u201d caf\u00e9s</p></body></html>"
    local_server.add_page(
        "/latin1-says", text.encode("utf-8"), content_type="text/html; charset=iso-8859-1"
    )
    local_server.add_page(
        "/utf8-says", text.encode("cp1252"), content_type="text/html; charset=utf-8"
    )
    russian = "<html><head><meta charset='windows-1251'></head><body><p>\u041c\u043e\u0441\u043a\u0432\u0430 \u2014 \u0441\u0442\u043e\u043b\u0438\u0446\u0430 \u0420\u043e\u0441\u0441\u0438\u0438</p></body></html>"
    local_server.add_page("/meta-only", russian.encode("cp1251"), content_type="text/html")
    with Fetcher(config()) as fetcher:
        a = ok(fetcher.fetch(local_server.url("/latin1-says")))
        b = ok(fetcher.fetch(local_server.url("/utf8-says")))
        c = ok(fetcher.fetch(local_server.url("/meta-only")))
    assert a.encoding == "utf-8" and "Z\u00fcrich \u2014 \u201cna\u00efve\u201d" in a.text
    assert "Z\u00fcrich \u2014 \u201cna\u00efve\u201d" in b.text
    assert c.encoding == "cp1251" and "\u041c\u043e\u0441\u043a\u0432\u0430" in c.text


def test_decode_html_units() -> None:
    assert decode_html("na\u00efve".encode("utf-8"), "iso-8859-1") == "na\u00efve"
    assert decode_html("na\u00efve caf\u00e9".encode("cp1252"), "utf-8") == "na\u00efve caf\u00e9"
    assert decode_html(b"\xef\xbb\xbfhi", None) == "hi"
    assert detect_encoding(b"plain ascii", "latin-1") == "utf-8"
    assert (
        detect_encoding(
            "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3067\u3059".encode("shift_jis") * 20, "shift_jis"
        )
        == "cp932"
    )
    # A UTF-8 page with one stray byte stays UTF-8.
    mostly = ("\u00e9t\u00e9 " * 200).encode("utf-8") + b"\xff"
    assert detect_encoding(mostly, "utf-8") == "utf-8"


def test_loopback_refused_unless_allowed(local_server: LocalServer) -> None:
    local_server.add_page("/a", "<p>a</p>")
    with Fetcher(config(allow_hosts=())) as fetcher:
        failure = failed(fetcher.fetch(local_server.url("/a")))
        by_name = failed(fetcher.fetch(f"http://localhost:{local_server.port}/a"))
    assert failure.error_type == "UnsafeURL" and "loopback" in failure.message
    assert f'fetch.allow_hosts = ["127.0.0.1:{local_server.port}"]' in failure.message
    assert by_name.error_type == "UnsafeURL"
    assert local_server.hits["/a"] == 0 and local_server.hits["/robots.txt"] == 0


def test_allow_hosts_opens_exactly_one_host_and_port(local_server: LocalServer) -> None:
    """Listed by name: allowed though it resolves to loopback (checked again at connect time);
    the same server under another name, or another port, stays refused."""
    local_server.add_page("/a", "<p>a</p>")
    with Fetcher(config(allow_hosts=(f"localhost:{local_server.port}",))) as fetcher:
        ok(fetcher.fetch(f"http://localhost:{local_server.port}/a"))
        other_name = failed(fetcher.fetch(local_server.url("/a")))
        other_port = failed(fetcher.fetch(f"http://localhost:{local_server.port + 1}/a"))
    assert other_name.error_type == other_port.error_type == "UnsafeURL"
    assert local_server.hits["/a"] == 1


def test_non_http_schemes_refused() -> None:
    with Fetcher(config()) as fetcher:
        assert failed(fetcher.fetch("file:///etc/passwd")).error_type == "UnsafeURL"
        assert failed(fetcher.fetch("ftp://example.com/x")).error_type == "UnsafeURL"


def test_per_host_rate_limit(local_server: LocalServer) -> None:
    local_server.add_page("/a", "<p>a</p>")
    with Fetcher(config(per_host_rate=10.0, respect_robots=False)) as fetcher:
        started = time.monotonic()
        results = fetcher.fetch_many([local_server.url("/a")] * 6)
        elapsed = time.monotonic() - started
    assert all(isinstance(r, FetchResult) for r in results)
    assert elapsed >= 0.45  # six requests at 10/s: at least five intervals of 0.1 s


def test_per_host_concurrency_cap(local_server: LocalServer) -> None:
    local_server.add("/slow", Response(body=b"ok", hang=0.25))
    with Fetcher(config(per_host_concurrency=1, read_timeout=2.0, respect_robots=False)) as fetcher:
        started = time.monotonic()
        results = fetcher.fetch_many([local_server.url("/slow")] * 3)
        elapsed = time.monotonic() - started
    assert all(isinstance(r, FetchResult) for r in results)
    assert elapsed >= 0.7  # one at a time


def test_fetch_many_keeps_order_and_mixes_outcomes(local_server: LocalServer) -> None:
    local_server.add_fixture_site()
    urls = [
        local_server.url("/articles/apnews.html"),
        local_server.url("/missing"),
        local_server.url("/articles/cnn.html"),
        "ftp://example.com/",
    ]
    with Fetcher(config()) as fetcher:
        results = fetcher.fetch_many(urls, conditional={urls[0]: ('"nope"', None)}, source="feed:x")
    assert [type(r).__name__ for r in results] == [
        "FetchResult",
        "Failure",
        "FetchResult",
        "Failure",
    ]
    assert isinstance(results[1], Failure) and results[1].http_status == 404
    assert results[0].url == urls[0] and results[2].url == urls[2]  # type: ignore[union-attr]
