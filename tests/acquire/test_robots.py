"""robots.txt with protego: wildcards, `$`, Crawl-delay (honoured, capped), sitemaps noted."""

from __future__ import annotations

import time

from tasks.acquire.http import FetchConfig, Fetcher, FetchResult
from tasks.acquire.robots import agent_token, rules_from_text
from tasks.records import Failure
from tests.localserver import LocalServer

UA = "newsflow-test/1.0 (+https://example.invalid/newsflow; crawler)"


def config(server: LocalServer, **overrides: object) -> FetchConfig:
    base: dict[str, object] = dict(
        user_agent=UA,
        connect_timeout=2.0,
        read_timeout=2.0,
        total_timeout=10.0,
        per_host_rate=0.0,
        max_retries=1,
        backoff_base=0.02,
        allow_hosts=(f"127.0.0.1:{server.port}",),
    )
    base.update(overrides)
    return FetchConfig(**base)  # type: ignore[arg-type]


def test_wildcards_and_end_anchors(local_server: LocalServer) -> None:
    s = local_server
    s.set_robots(
        "User-agent: *\nDisallow: /news/*.html\nDisallow: /*.pdf$\nAllow: /news/open/*.html\n"
    )
    for path in ("/news/2026/a.html", "/news/a.htm", "/news/open/b.html", "/x.pdf", "/x.pdf?v=1"):
        s.add_page(path, "<p>x</p>")
    with Fetcher(config(s)) as fetcher:
        outcome = {
            path: isinstance(fetcher.fetch(s.url(path)), FetchResult)
            for path in (
                "/news/2026/a.html",
                "/news/a.htm",
                "/news/open/b.html",
                "/x.pdf",
                "/x.pdf?v=1",
            )
        }
    assert outcome == {
        "/news/2026/a.html": False,  # the wildcard the standard-library parser ignored
        "/news/a.htm": True,
        "/news/open/b.html": True,  # the longer Allow wins
        "/x.pdf": False,
        "/x.pdf?v=1": True,  # `$` anchors the end
    }
    asked = [path for path, _ in s.requests]
    assert "/news/2026/a.html" not in asked and "/x.pdf" not in asked


def test_disallowed_failure_says_which_rules(local_server: LocalServer) -> None:
    local_server.set_robots("User-agent: newsflow-test\nDisallow: /private/\n")
    local_server.add_page("/private/a.html", "<p>x</p>")
    with Fetcher(config(local_server)) as fetcher:
        failure = fetcher.fetch(local_server.url("/private/a.html"))
    assert isinstance(failure, Failure) and failure.error_type == "RobotsDisallowed"
    assert "robots.txt" in failure.message and "newsflow-test" in failure.message


def test_crawl_delay_is_honoured_and_capped(local_server: LocalServer) -> None:
    s = local_server
    s.set_robots("User-agent: *\nCrawl-delay: 0.6\n")
    s.add_page("/a", "<p>a</p>")
    with Fetcher(config(s)) as fetcher:
        started = time.monotonic()
        results = fetcher.fetch_many([s.url("/a")] * 3)
        elapsed = time.monotonic() - started
    assert all(isinstance(r, FetchResult) for r in results)
    assert elapsed >= 1.1  # three requests, two gaps of 0.6 s

    s.set_robots("User-agent: *\nCrawl-delay: 3600\n")
    with Fetcher(config(s, max_crawl_delay=0.2)) as fetcher:
        started = time.monotonic()
        results = fetcher.fetch_many([s.url("/a")] * 3)
        elapsed = time.monotonic() - started
    assert all(isinstance(r, FetchResult) for r in results)
    assert 0.35 <= elapsed < 3  # capped at 0.2 s per gap, not an hour


def test_sitemaps_are_noted(local_server: LocalServer) -> None:
    local_server.set_robots(
        "Sitemap: https://example.org/sitemap.xml\nUser-agent: *\nDisallow:\n"
        "Sitemap: https://example.org/news-sitemap.xml\n"
    )
    local_server.add_page("/a", "<p>a</p>")
    with Fetcher(config(local_server)) as fetcher:
        assert isinstance(fetcher.fetch(local_server.url("/a")), FetchResult)
        rules = fetcher.robots_rules(local_server.url("/a"))
    assert rules.sitemaps == (
        "https://example.org/sitemap.xml",
        "https://example.org/news-sitemap.xml",
    )


def test_rules_from_text_units() -> None:
    rules = rules_from_text("User-agent: newsflow\nDisallow: /\n\nUser-agent: *\nAllow: /\n", UA)
    assert not rules.can_fetch("https://x.org/a", "newsflow/0.1 (+https://x)")
    assert rules.can_fetch("https://x.org/a", "otherbot/1.0")
    # Words of the comment part of a user agent never pick a group.
    comment = rules_from_text("User-agent: crawler\nDisallow: /\n", UA)
    assert comment.can_fetch("https://x.org/a", UA)
    assert agent_token(UA) == "newsflow-test"
    junk = rules_from_text("\x00\xff garbage <html>\nDisallow /x\n", UA)
    assert junk.can_fetch("https://x.org/x", UA)
