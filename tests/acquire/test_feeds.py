"""Feed parsing: real news snapshots served locally, feedparser's edge cases, hostile input."""

from __future__ import annotations

import time
from datetime import datetime, UTC
from pathlib import Path

import pytest

import tasks.acquire.feeds as feeds
from tasks.acquire.feeds import FeedParse, html_to_text, parse_feed
from tasks.acquire.http import FetchConfig, Fetcher, FetchResult
from tasks.records import Failure
from tasks.acquire.urls import article_id_for_url
from tests.localserver import LocalServer

WEB = Path(__file__).parent.parent / "fixtures" / "web"
BASE = "http://127.0.0.1:8765"


def fixture_feed(name: str, base: str = BASE) -> bytes:
    return (WEB / "feeds" / name).read_bytes().replace(b"{BASE}", base.encode())


def test_news_feed_entries() -> None:
    parsed = parse_feed(fixture_feed("bbc_world.xml"), f"{BASE}/feeds/bbc_world.xml")
    assert not parsed.bozo and parsed.problem is None
    assert parsed.kind == "rss20" and parsed.title == "BBC News"
    assert len(parsed.entries) == 5
    first = parsed.entries[0]
    assert first.url == f"{BASE}/articles/apnews.html"  # at_medium / at_campaign dropped
    assert first.title == "US civil rights leader Jesse Jackson dies aged 84"
    assert first.published_at == datetime(2026, 2, 17, 18, 55, 33, tzinfo=UTC)
    assert first.summary.startswith("Tributes poured in")
    assert parsed.entries[1].url == f"{BASE}/articles/voa.html"  # fragment removed
    assert parsed.entries[3].url == f"{BASE}/articles/guardian.html"  # relative link resolved
    for entry in parsed.entries:
        assert entry.url and entry.title and entry.published_at
        assert entry.published_at.tzinfo is not None


def test_authors_content_and_entities() -> None:
    parsed = parse_feed(fixture_feed("restofworld.xml"), f"{BASE}/feeds/restofworld.xml")
    assert len(parsed.entries) == 5
    entry = parsed.entries[1]
    assert entry.authors == ("Kinling Lo",)
    assert entry.content.startswith("Like most people, I first heard the term \u201cAI agent\u201d")
    assert entry.summary.startswith("For reassurance")
    assert (
        parsed.entries[3].title
        == "OpenAI accuses DeepSeek of \u201cfree-riding\u201d on American R&D"
    )


def test_duplicate_article_in_two_feeds_is_one_url() -> None:
    bbc = parse_feed(fixture_feed("bbc_world.xml"), f"{BASE}/feeds/bbc_world.xml")
    row = parse_feed(fixture_feed("restofworld.xml"), f"{BASE}/feeds/restofworld.xml")
    assert bbc.entries[0].url == row.entries[0].url
    assert article_id_for_url(bbc.entries[0].link or "") == article_id_for_url(
        row.entries[0].link or ""
    )
    assert bbc.entries[0].link != row.entries[0].link  # different tracking parameters as given


def test_feeds_over_http_fetch_each_article_once(local_server: LocalServer) -> None:
    """Both feeds carry the AP story: it is fetched once; failures are recorded, not raised."""
    local_server.add_fixture_site()
    local_server.set_robots("User-agent: *\nDisallow: /private/\n")
    cfg = FetchConfig(
        allow_hosts=(f"127.0.0.1:{local_server.port}",),
        read_timeout=0.3,
        connect_timeout=1.0,
        total_timeout=5.0,
        per_host_rate=0.0,
        max_retries=1,
        backoff_base=0.01,
    )
    with Fetcher(cfg) as fetcher:
        feed_results = fetcher.fetch_many(
            [local_server.url("/feeds/bbc_world.xml"), local_server.url("/feeds/restofworld.xml")]
        )
        urls: list[str] = []
        for result in feed_results:
            assert isinstance(result, FetchResult)
            parsed = parse_feed(result.body, result.final_url, result.headers)
            assert parsed.entries and not parsed.bozo
            urls.extend(e.url for e in parsed.entries if e.url)
        unique = list(dict.fromkeys(urls))
        assert len(urls) == 10 and len(unique) == 9
        pages = fetcher.fetch_many(unique, source="feeds")
    outcome = {
        u.rsplit("/", 1)[-1]: (r.error_type if isinstance(r, Failure) else r.status)
        for u, r in zip(unique, pages)
    }
    assert outcome["apnews.html"] == 200 and outcome["guardian.html"] == 200
    assert outcome["missing.html"] == "HTTPError"
    assert outcome["cnn.html"] == "HTTPError"  # /articles/old/cnn.html does not exist
    assert outcome["hang.html"] == "HTTPError"  # no such route: 404
    assert outcome["secret.html"] == "RobotsDisallowed"
    assert local_server.hits["/articles/apnews.html"] == 1
    assert local_server.hits["/robots.txt"] == 1


def test_not_xml_gives_no_entries_and_a_problem() -> None:
    html = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hello <b>world</p></body></html>"
    for body in (html, b'{"not": "a feed"}', b"\x00\x01\x02garbage", b"just words"):
        parsed = parse_feed(body, "https://example.com/feed")
        assert isinstance(parsed, FeedParse)
        assert parsed.entries == [] and parsed.bozo and parsed.problem
        assert parsed.problem_type == "NotAFeed"
    empty = parse_feed(b"  ", "https://example.com/feed")
    assert empty.bozo and empty.problem_type == "EmptyFeed"


def test_oversized_feed_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 1000)
    parsed = parse_feed(fixture_feed("bbc_world.xml"), "https://example.com/feed")
    assert parsed.entries == [] and parsed.problem_type == "FeedTooLarge"


def test_billion_laughs_is_defused() -> None:
    lol = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Real item &lol9;</title><link>https://example.com/a</link></item>
</channel></rss>"""
    started = time.monotonic()
    parsed = parse_feed(lol, "https://example.com/feed")
    assert time.monotonic() - started < 2
    assert parsed.bozo and parsed.problem and "entit" in parsed.problem.lower()
    assert len(parsed.entries) == 1 and parsed.entries[0].url == "https://example.com/a"
    assert len(parsed.entries[0].title or "") < 1000


def test_feedparser_edge_cases() -> None:
    def load(name: str, headers: dict[str, str] | None = None) -> FeedParse:
        return parse_feed(
            (WEB / "feedparser" / name).read_bytes(), "http://example.com/feed.xml", headers
        )

    broken = load("aaa_illformed.xml")
    assert broken.bozo and broken.problem
    amp = load("rss_item_link_corrupted_ampersands.xml")
    assert (
        amp.bozo and amp.entries and amp.entries[0].url and amp.entries[0].url.startswith("http://")
    )
    i18n = load("bozo_http_i18n.xml", {"Content-Type": "text/xml"})
    assert i18n.bozo and i18n.problem_type == "CharacterEncodingOverride"
    assert i18n.title == "I\u00f1t\u00ebrn\u00e2ti\u00f4n\u00e0liz\u00e6ti\u00f8n"
    assert load("entity_8217.xml").title == "testing \u2019 entity"
    markup = load("entry_content_div_escaped_markup.xml")
    assert not markup.bozo and markup.entries[0].content == "Example Atom"


def test_atom_with_relative_links_authors_and_updated_only() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.org/section/">
  <title type="html">World &amp;amp; more</title>
  <entry>
    <title>First</title>
    <link rel="alternate" href="story-1.html?utm_source=atom"/>
    <id>tag:news.example.org,2026:1</id>
    <updated>2026-02-17T10:00:00+02:00</updated>
    <author><name>Ana Lima</name></author>
    <author><name>Bo Chen</name></author>
    <summary type="html">&lt;p&gt;One &lt;b&gt;bold&lt;/b&gt; claim.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Two.&lt;/p&gt;</summary>
  </entry>
</feed>"""
    parsed = parse_feed(atom, "https://news.example.org/atom.xml")
    assert parsed.kind == "atom10" and not parsed.bozo
    entry = parsed.entries[0]
    assert entry.url == "https://news.example.org/section/story-1.html"
    assert entry.published_at is None
    assert entry.updated_at == datetime(2026, 2, 17, 8, 0, tzinfo=UTC)
    assert entry.authors == ("Ana Lima", "Bo Chen")
    assert entry.summary == "One bold claim.\nTwo."
    assert entry.entry_id == "tag:news.example.org,2026:1"


def test_json_feed() -> None:
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "items": [{"id": "1", "url": "https://j.example/a?fbclid=x", "title": "A",
                 "content_html": "<p>Hi</p>", "date_published": "2026-02-17T10:00:00Z",
                 "authors": [{"name": "Zed"}]}]}"""
    parsed = parse_feed(
        body, "https://j.example/feed.json", {"Content-Type": "application/feed+json"}
    )
    assert parsed.kind.startswith("json")
    assert parsed.entries[0].url == "https://j.example/a"
    assert parsed.entries[0].published_at == datetime(2026, 2, 17, 10, 0, tzinfo=UTC)


def test_html_to_text() -> None:
    assert html_to_text("<p>A &amp; B</p><p>C<br>D</p>") == "A & B\nC\nD"
    assert html_to_text("Tom &amp; Jerry") == "Tom & Jerry"
    assert html_to_text("<div><style>p{}</style>x<script>y()</script></div>") == "x"
    assert html_to_text(None) == ""


def test_select_entries_to_fetch() -> None:
    from tasks.acquire.feeds import FeedEntry, select_entries_to_fetch

    t1 = datetime(2026, 2, 17, 10, tzinfo=UTC)
    t2 = datetime(2026, 2, 17, 12, tzinfo=UTC)
    new = FeedEntry(url="https://x.org/new", title="n", published_at=t1, updated_at=None)
    stored_same = FeedEntry(url="https://x.org/old", title="o", published_at=t1, updated_at=t1)
    stored_updated = FeedEntry(url="https://x.org/upd", title="u", published_at=t1, updated_at=t2)
    no_url = FeedEntry(url=None, title="none", published_at=None, updated_at=None)
    duplicate = FeedEntry(url="https://x.org/new", title="again", published_at=t1, updated_at=None)
    known = {"https://x.org/old": t1, "https://x.org/upd": t1}
    chosen = select_entries_to_fetch([new, stored_same, stored_updated, no_url, duplicate], known)
    assert [e.url for e in chosen] == ["https://x.org/new", "https://x.org/upd"]
    assert chosen[0].title == "n"


def test_feed_body_fallback() -> None:
    from tasks.acquire.feeds import FeedEntry, feed_body

    entry = FeedEntry(
        url="u",
        title="t",
        published_at=None,
        updated_at=None,
        summary="Short.",
        content="Long full text.",
    )
    assert feed_body(entry) == ("Long full text.", "feed_content")
    only_summary = FeedEntry(
        url="u", title="t", published_at=None, updated_at=None, summary="Short."
    )
    assert feed_body(only_summary) == ("Short.", "feed_summary")
    assert feed_body(FeedEntry(url="u", title="t", published_at=None, updated_at=None)) is None


def _laughs(value: str, preamble: str = "") -> bytes:
    """A billion-laughs feed whose entities expand through `value` (e.g. "&lol{}" or "&#38;lol{}")."""
    decls = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "' + (value.format("" if i == 1 else i - 1) + ";") * 10 + '">'
        for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n' + preamble + "<!DOCTYPE rss [\n" + "\n".join(decls) + "\n]>\n"
        '<rss version="2.0"><channel><title>&lol9;</title>'
        "<item><title>Real item &lol9;</title><link>https://example.com/a</link></item>"
        "</channel></rss>"
    ).encode()


def test_dtd_variants_that_passed_the_regex_are_neutralised() -> None:
    variants = {
        "char-ref": _laughs("&#38;lol{}"),
        "preamble": _laughs("&lol{}", "<!-- " + "padding " * 9000 + " -->\n"),
        "utf-16": _laughs("&lol{}")
        .decode()
        .replace('"1.0"?>', '"1.0" encoding="utf-16"?>')
        .encode("utf-16"),
        "parameter": (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p "<!ENTITY x \'boom\'>"> %p;]>'
            b'<rss version="2.0"><channel><item><title>&x;</title>'
            b"<link>https://example.com/a</link></item></channel></rss>"
        ),
    }
    for name, body in variants.items():
        started = time.monotonic()
        parsed = parse_feed(body, "https://example.com/feed")
        assert time.monotonic() - started < 2, name
        assert parsed.bozo and parsed.problem_type == "EntityDeclarationsRemoved", (name, parsed)
        assert "DTD" in (parsed.problem or "") and "not expanded" in (parsed.problem or ""), name
        assert [e.url for e in parsed.entries] == ["https://example.com/a"], name
        assert all(len(e.title or "") < 100 for e in parsed.entries), name


def test_harmless_doctypes_still_parse() -> None:
    netscape = (
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        b'<rss version="0.91"><channel><title>N</title><item><title>One &amp; two</title>'
        b"<link>https://example.com/n</link></item></channel></rss>"
    )
    parsed = parse_feed(netscape, "https://example.com/feed")
    assert not parsed.bozo, parsed.problem
    assert parsed.entries[0].title == "One & two"


def test_a_feed_over_the_entry_cap_says_so() -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.com/{i}</link></item>"
        for i in range(1200)
    )
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    parsed = parse_feed(body, "https://example.com/feed", max_entries=500)
    assert len(parsed.entries) == 500 and parsed.listed == 1200
    assert (
        parsed.entries[0].url == "https://example.com/0"
    )  # the first ones: feeds list newest first
    whole = parse_feed(body, "https://example.com/feed", max_entries=0)  # 0: no cap
    assert len(whole.entries) == whole.listed == 1200


def test_check_feed_records_the_truncation() -> None:
    from flows.web import check_feed
    from tasks.records import FeedSource

    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.com/{i}</link></item>"
        for i in range(30)
    )
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    result = FetchResult(
        "https://example.com/feed",
        "https://example.com/feed",
        200,
        {"content-type": "application/rss+xml"},
        body,
        "utf-8",
        None,
        None,
        False,
        1,
        0.1,
    )
    check = check_feed(FeedSource("big", "https://example.com/feed"), result, max_entries=20)
    assert check.status == "truncated" and len(check.entries) == 20
    (failure,) = check.failures
    assert failure.stage == "feed-entries" and failure.error_type == "FeedTruncated"
    assert "30 entries" in failure.message and "first 20" in failure.message
    assert "sources.max_feed_entries" in failure.message


def test_flat_entities_are_kept_and_blowups_or_external_ones_are_not() -> None:
    def feed(decls: str, title: str) -> bytes:
        return (
            f'<?xml version="1.0"?><!DOCTYPE rss [{decls}]><rss version="2.0"><channel>'
            f"<item><title>{title}</title><link>https://example.com/a</link></item>"
            "</channel></rss>"
        ).encode()

    flat = parse_feed(feed('<!ENTITY id "tag:example.com,">', "&id;2006"), "https://e.x/f")
    assert not flat.bozo and flat.entries[0].title == "tag:example.com,2006"
    quadratic = parse_feed(
        feed(f'<!ENTITY big "{"x" * 1000}">', "&big;" * 5000), "https://e.x/f"
    )  # 5 MB from a 20 kB feed
    assert quadratic.problem_type == "EntityDeclarationsRemoved"
    assert all(len(e.title or "") < 100_000 for e in quadratic.entries)
    xxe = parse_feed(feed('<!ENTITY ext SYSTEM "file:///etc/passwd">', "&ext;"), "https://e.x/f")
    assert xxe.problem_type == "EntityDeclarationsRemoved"
    assert "root:" not in (xxe.entries[0].title or "") if xxe.entries else True


def test_encodings_expat_cannot_read_do_not_crash() -> None:
    for declared in ("big5", "euc-kr", "bogus"):
        body = (
            f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel>'
            "<item><title>T</title><link>https://example.com/a</link></item></channel></rss>"
        ).encode()
        parsed = parse_feed(body, "https://example.com/feed")
        assert parsed.problem_type != "InternalError", (declared, parsed.problem)
    hidden = (
        b'<?xml version="1.0" encoding="big5"?><!DOCTYPE rss [<!ENTITY a "&#38;b;">]>'
        b'<rss version="2.0"><channel><title>&a;</title></channel></rss>'
    )
    assert parse_feed(hidden, "https://example.com/feed").problem_type == "UnsafeDTD"
