"""Canonical URLs, article ids and the URL safety check."""

from __future__ import annotations

import pytest

from tasks.acquire.urls import (
    UnsafeURL,
    article_id_for_url,
    canonical_url,
    check_url_allowed,
    host_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM:443/a/b?x=1#frag", "https://example.com/a/b?x=1"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/p", "http://example.com:8080/p"),
        (
            "https://restofworld.org/2026/x/?utm_source=rss&utm_medium=rss&utm_campaign=feeds",
            "https://restofworld.org/2026/x/",
        ),
        (
            "https://www.bbc.com/news/c1?at_medium=RSS&at_campaign=rss",
            "https://www.bbc.com/news/c1",
        ),
        ("https://www.dw.com/en/a-1?maca=en-rss-en-all-1573-rdf", "https://www.dw.com/en/a-1"),
        (
            "https://x.org/a?fbclid=1&gclid=2&mc_cid=3&ocid=4&cmpid=5&ref=6&ref_src=7",
            "https://x.org/a",
        ),
        ("https://x.org/a?b=2&a=1&utm_term=z", "https://x.org/a?a=1&b=2"),
        ("https://x.org/a?id=5&page=2", "https://x.org/a?id=5&page=2"),
        (
            "https://en.yna.co.kr/view/AEN1?section=nk/nk",
            "https://en.yna.co.kr/view/AEN1?section=nk/nk",
        ),
        ("https://x.org/caf\u00e9 menu", "https://x.org/caf%C3%A9%20menu"),
        ("https://B\u00dcCHER.example/x", "https://xn--bcher-kva.example/x"),
        ("  https://x.org/a\n", "https://x.org/a"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_is_idempotent() -> None:
    for url in ("https://x.org/a?b=2&a=1&utm_term=z#f", "HTTP://X.org:80/caf\u00e9?q=a%20b"):
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_relative_links_resolve_against_base() -> None:
    base = "https://news.example.com/world/index.xml"
    assert canonical_url("/a/b.html?utm_source=x", base) == "https://news.example.com/a/b.html"
    assert canonical_url("c.html#top", base) == "https://news.example.com/world/c.html"
    assert canonical_url("//cdn.example.com/x", base) == "https://cdn.example.com/x"


def test_article_id_is_stable_across_tracking_variants() -> None:
    a = article_id_for_url("https://x.org/story?utm_source=rss#comments")
    b = article_id_for_url("HTTPS://X.ORG:443/story?fbclid=abc")
    assert a == b
    assert len(a) == 16 and int(a, 16) >= 0
    assert a != article_id_for_url("https://x.org/other")


def test_host_key() -> None:
    assert host_key("HTTPS://user@Example.com:8443/a?b") == "https://example.com:8443"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http:///nohost",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_unsafe_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url_allowed(url, allow_private=False, allow_loopback=False)


def test_loopback_needs_explicit_permission() -> None:
    for url in ("http://127.0.0.1:8000/", "http://localhost/", "http://[::1]/"):
        with pytest.raises(UnsafeURL, match="loopback"):
            check_url_allowed(url, allow_private=False, allow_loopback=False)
        check_url_allowed(url, allow_private=False, allow_loopback=True)


def test_private_allowed_by_configuration_but_metadata_never() -> None:
    check_url_allowed("http://10.1.2.3/", allow_private=True, allow_loopback=False)
    with pytest.raises(UnsafeURL, match="metadata"):
        check_url_allowed("http://169.254.169.254/", allow_private=True, allow_loopback=True)


def test_public_address_allowed() -> None:
    check_url_allowed("https://93.184.215.14/", allow_private=False, allow_loopback=False)


def test_allow_hosts_allows_exactly_the_hosts_listed() -> None:
    only = ("127.0.0.1:8080",)
    check_url_allowed("http://127.0.0.1:8080/a", allow_hosts=only)
    for url in ("http://127.0.0.1:8081/a", "http://127.0.0.2:8080/", "http://localhost:8080/"):
        with pytest.raises(UnsafeURL, match="loopback"):
            check_url_allowed(url, allow_hosts=only)
    check_url_allowed("http://127.0.0.1:9/a", allow_hosts=("127.0.0.1",))  # a host: any port
    check_url_allowed("http://10.0.0.5/x", allow_hosts=("10.0.0.5:80",))  # the default port
    check_url_allowed("http://[::1]:8080/", allow_hosts=("[::1]:8080",))
    check_url_allowed("http://LocalHost:8080/", allow_hosts=("localhost:8080",))


def test_refusals_name_the_setting_that_allows_them() -> None:
    with pytest.raises(UnsafeURL) as loop:
        check_url_allowed("http://127.0.0.1:8081/a")
    assert 'fetch.allow_hosts = ["127.0.0.1:8081"]' in str(loop.value)
    assert "fetch.allow_loopback" in str(loop.value)
    with pytest.raises(UnsafeURL) as private:
        check_url_allowed("http://10.0.0.5/x")
    assert 'fetch.allow_hosts = ["10.0.0.5:80"]' in str(private.value)
    assert "fetch.allow_private" in str(private.value)


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/", "http://[fd00:ec2::254]/", "http://0.0.0.0:80/"]
)
def test_metadata_and_unspecified_are_never_allowed_and_no_setting_is_suggested(url: str) -> None:
    host = url.split("//")[1].split("/")[0]
    with pytest.raises(UnsafeURL) as refused:
        check_url_allowed(url, allow_private=True, allow_loopback=True, allow_hosts=(host,))
    assert "never fetched" in str(refused.value)
    assert "allow_" not in str(refused.value)
