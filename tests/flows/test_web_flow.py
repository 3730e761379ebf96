"""Feed and URL flows end to end against a local HTTP server serving real feeds and pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.web import ingest_feeds_flow, ingest_urls_flow
from tests.warehouse_queries import counts as _counts
from tests.warehouse_queries import integrity
from tests.warehouse_queries import rows as _rows
from tests.localserver import LocalServer, Response

pytestmark = pytest.mark.usefixtures("prefect_harness")

FEED_ETAG = '"bbc-v1"'
FEED_MODIFIED = "Wed, 18 Feb 2026 01:00:00 GMT"


@pytest.fixture
def web_env(local_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two real feeds (with the same AP story), pages, and every failure the issue lists."""
    s = local_server
    s.add_fixture_site()
    s.add_fixture("/feeds/bbc_world.xml", "feeds/bbc_world.xml", etag=FEED_ETAG)
    s.add_fixture("/feeds/restofworld.xml", "feeds/restofworld.xml", last_modified=FEED_MODIFIED)
    s.add(
        "/feeds/broken.xml",
        Response(body=b"<html><body>Not a feed at all</body></html>", content_type="text/html"),
    )
    s.add_redirect("/articles/old/cnn.html", "/articles/moved/cnn.html")  # a 301 chain
    s.add_redirect("/articles/moved/cnn.html", "/articles/cnn.html")
    s.add(
        "/articles/flaky.html",
        Response(status=500),
        Response(status=500),
        Response(status=500),
        Response(
            body=(
                Path(__file__).parent.parent / "fixtures" / "web" / "pages" / "voa.html.gz"
            ).read_bytes(),
            gzip=False,
            headers={"Content-Encoding": "gzip"},
        ),
    )
    s.add("/articles/hang.html", Response(hang=5.0, body=b"<html>late</html>"))
    s.set_robots("User-agent: *\nDisallow: /private/\n")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[feeds]]\nname = "bbc-world"\nurl = "{s.url("/feeds/bbc_world.xml")}"\n'
        f'tags = ["world"]\n\n'
        f'[[feeds]]\nname = "rest-of-world"\nurl = "{s.url("/feeds/restofworld.xml")}"\n\n'
        f'[[feeds]]\nname = "broken"\nurl = "{s.url("/feeds/broken.xml")}"\n',
        encoding="utf-8",
    )
    for key, value in {
        "NEWSFLOW_SOURCES_FILE": str(sources),
        "NEWSFLOW_SOURCES_RETRY_BASE_SECONDS": "0",
        "NEWSFLOW_FETCH_ALLOW_HOSTS": f"127.0.0.1:{s.port}",
        "NEWSFLOW_FETCH_READ_TIMEOUT": "1",
        "NEWSFLOW_FETCH_TOTAL_TIMEOUT": "8",
        "NEWSFLOW_FETCH_MAX_RETRIES": "1",
        "NEWSFLOW_FETCH_BACKOFF_BASE": "0.01",
        "NEWSFLOW_FETCH_PER_HOST_RATE": "0",
        "NEWSFLOW_FETCH_MAX_BYTES": "400000",  # tagesschau's page (455 kB) is over it
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path / "web.duckdb"


def test_feeds_end_to_end(web_env: Path, local_server: LocalServer) -> None:
    db = web_env
    summary = ingest_feeds_flow(warehouse=str(db))
    assert summary["status"] == "completed_with_failures"
    base = local_server.base
    urls = {r[0]: r[1] for r in _rows(db, "SELECT url, title FROM articles")}
    # Canonical URLs: tracking parameters and fragments dropped, relative links resolved.
    assert f"{base}/articles/apnews.html" in urls
    assert f"{base}/articles/voa.html" in urls
    assert f"{base}/articles/guardian.html" in urls
    assert f"{base}/articles/old/cnn.html" in urls  # reached through a 301 chain
    assert all("utm_" not in u and "at_medium" not in u and "#" not in u for u in urls)
    # The AP story is in both feeds: stored once, fetched once, two routes.
    assert local_server.hits["/articles/apnews.html"] == 1
    ((n_routes,),) = _rows(
        db,
        "SELECT count(DISTINCT source) FROM article_routes WHERE uri = ?",
        [f"{base}/articles/apnews.html"],
    )
    assert n_routes == 2
    # Extraction with metadata from the page.
    ((title, published, authors, text, origin),) = _rows(
        db,
        "SELECT title, published_at, authors, text, body_origin FROM articles WHERE url = ?",
        [f"{base}/articles/apnews.html"],
    )
    assert title and published is not None and len(text) > 500 and origin == "body"
    # Failures: 404, a 500 that persisted, a hanging page, robots.txt, an oversized page,
    # a feed that is not XML.
    failures = {
        (r[0], r[1]): (r[2], r[3])
        for r in _rows(db, "SELECT source, uri, error_type, http_status FROM failures")
    }
    assert failures[("bbc-world", f"{base}/articles/missing.html")] == ("HTTPError", 404)
    assert failures[("rest-of-world", f"{base}/articles/flaky.html")] == ("HTTPError", 500)
    assert failures[("rest-of-world", f"{base}/articles/hang.html")][0] in (
        "ReadTimeout",
        "TotalTimeout",
    )
    assert failures[("rest-of-world", f"{base}/private/secret.html")][0] == "RobotsDisallowed"
    assert failures[("rest-of-world", f"{base}/articles/tagesschau.html")][0] == "BodyTooLarge"
    assert ("broken", local_server.url("/feeds/broken.xml")) in failures
    assert local_server.hits["/private/secret.html"] == 0
    # Entries whose page failed are still known, with what the feed said.
    ((status, entry_title),) = _rows(
        db,
        "SELECT status, title FROM feed_entries WHERE url = ?",
        [f"{base}/articles/missing.html"],
    )
    assert status == "failed" and entry_title.startswith("I would scream")
    # Raw pages are kept, compressed, for re-extraction without fetching.
    ((pages,),) = _rows(db, "SELECT count(*) FROM raw_pages WHERE octet_length(body_gzip) > 1000")
    assert pages == 4  # apnews, voa, guardian, cnn
    # Sources keep their conditional-GET state.
    state = dict(_rows(db, "SELECT source, coalesce(etag, last_modified) FROM sources"))
    assert state["bbc-world"] == FEED_ETAG and state["rest-of-world"] == FEED_MODIFIED
    assert all(v == 0 for v in integrity(db).values())

    # Second run: feeds answer 304 (ETag and Last-Modified), nothing is parsed or refetched
    # but the failed pages, which are retried; the 500 page now answers 200 and is resolved.
    before = _counts(db)
    hits_before = dict(local_server.hits)
    again = ingest_feeds_flow(warehouse=str(db))
    assert again["counts"]["feeds_not_modified"] == 2
    assert local_server.hits["/articles/apnews.html"] == hits_before["/articles/apnews.html"]
    after = _counts(db)
    # flaky.html now serves the VOA story: same content hash, so a second route, not an article.
    assert after["articles"] == before["articles"]
    ((owner,),) = _rows(
        db,
        "SELECT a.url FROM article_routes r JOIN articles a USING (article_id) WHERE r.uri = ?",
        [f"{base}/articles/flaky.html"],
    )
    assert owner == f"{base}/articles/voa.html"
    ((resolved,),) = _rows(
        db, "SELECT resolved_at FROM failures WHERE uri = ?", [f"{base}/articles/flaky.html"]
    )
    assert resolved is not None
    ((attempts,),) = _rows(
        db, "SELECT attempts FROM failures WHERE uri = ?", [f"{base}/articles/missing.html"]
    )
    assert attempts >= 2

    # Third run: nothing new at all; only counters of still-failing items move.
    before = _counts(db)
    ingest_feeds_flow(warehouse=str(db))
    after = _counts(db)
    assert {k: v for k, v in after.items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }

    # Re-extraction from the stored raw pages: no request is made, nothing changes (same
    # extractor and rules), every web article is read again.
    from flows.reprocess import reextract_flow

    hits = sum(local_server.hits.values())
    redo = reextract_flow(warehouse=str(db))
    assert sum(local_server.hits.values()) == hits
    assert redo["counts"]["extracted"] == 4 and redo["counts"]["unchanged"] == 4
    assert {k: v for k, v in _counts(db).items() if k != "runs"} == {
        k: v for k, v in after.items() if k != "runs"
    }


def test_urls_flow_with_wrong_charset_and_duplicates(
    web_env: Path, local_server: LocalServer
) -> None:
    db = web_env
    s = local_server
    page = (
        "<html><head><title>Caf\u00e9 d\u00e9bat in M\u00fcnchen</title></head><body>"
        "<article><h1>Caf\u00e9 d\u00e9bat in M\u00fcnchen</h1>"
        + "".join(
            f"<p>Paragraph {i}: Bundeskanzler Olaf Scholz sprach im Caf\u00e9 in "
            f"M\u00fcnchen \u00fcber die Zukunft Europas und die Rolle der "
            f"Gewerkschaften.</p>"
            for i in range(8)
        )
        + "</article></body></html>"
    ).encode("utf-8")
    # Declared as latin-1 but the bytes are UTF-8: the decoder must notice.
    s.add(
        "/articles/charset.html", Response(body=page, content_type="text/html; charset=iso-8859-1")
    )
    urls = [
        s.url("/articles/charset.html?utm_source=x"),
        s.url("/articles/charset.html"),
        s.url("/articles/voa.html"),
        "ftp://example.org/file",
        s.url("/articles/nope.html"),
    ]
    summary = ingest_urls_flow(urls=urls, warehouse=str(db))
    assert summary["counts"]["articles"] == 2
    ((text,),) = _rows(
        db, "SELECT text FROM articles WHERE url = ?", [s.url("/articles/charset.html")]
    )
    assert "M\u00fcnchen" in text and "Caf\u00e9" in text
    assert s.hits["/articles/charset.html"] == 1
    errors = dict(_rows(db, "SELECT uri, error_type FROM failures"))
    assert errors["ftp://example.org/file"] in ("InvalidURL", "UnsafeURL")
    assert errors[s.url("/articles/nope.html")] == "HTTPError"
    before = _counts(db)
    ingest_urls_flow(urls=urls, warehouse=str(db))
    assert s.hits["/articles/charset.html"] == 1  # stored URLs are not fetched again
    after = _counts(db)
    assert {k: v for k, v in after.items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }


def test_retry_times_truncation_and_refresh(
    local_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed page waits for its retry time even when its feed lists it again (unless
    refresh); a feed over the entry cap is recorded as truncated, not as "ok"."""
    s = local_server
    s.add_fixture_site()  # no validators: the feed is fetched and parsed on every run
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[feeds]]\nname = "bbc-world"\nurl = "{s.url("/feeds/bbc_world.xml")}"\n',
        encoding="utf-8",
    )
    for key, value in {
        "NEWSFLOW_SOURCES_FILE": str(sources),
        "NEWSFLOW_SOURCES_RETRY_BASE_SECONDS": "3600",
        "NEWSFLOW_SOURCES_MAX_FEED_ENTRIES": "3",  # apnews, voa, missing (404)
        "NEWSFLOW_FETCH_ALLOW_HOSTS": f"127.0.0.1:{s.port}",
        "NEWSFLOW_FETCH_MAX_RETRIES": "0",
        "NEWSFLOW_FETCH_PER_HOST_RATE": "0",
    }.items():
        monkeypatch.setenv(key, value)
    db = tmp_path / "retry.duckdb"
    first = ingest_feeds_flow(warehouse=str(db))
    assert s.hits["/articles/missing.html"] == 1
    assert _rows(db, "SELECT last_status FROM sources WHERE source = 'bbc-world'") == [
        ("truncated",)
    ]
    ((message,),) = _rows(db, "SELECT message FROM failures WHERE error_type = 'FeedTruncated'")
    assert "5 entries" in message and "first 3" in message and "sources.max_feed_entries" in message
    assert first["counts"]["failed"] == len(first["failures"]) == 2  # the 404 and the truncation
    assert s.hits["/articles/guardian.html"] == 0  # past the cap

    again = ingest_feeds_flow(warehouse=str(db))
    assert s.hits["/articles/missing.html"] == 1  # its retry time has not come
    assert again["counts"]["pages_waiting"] == 1
    assert _rows(
        db, "SELECT attempts FROM failures WHERE uri = ?", [s.url("/articles/missing.html")]
    ) == [(1,)]
    assert s.hits["/articles/apnews.html"] == 1

    ingest_feeds_flow(warehouse=str(db), refresh=True)
    assert s.hits["/articles/missing.html"] == 2  # --refresh fetches it now
    assert s.hits["/articles/apnews.html"] == 2  # and stored pages again
    assert all(v == 0 for v in integrity(db).values())
