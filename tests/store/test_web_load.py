"""The web path's batch load: raw pages and feed entries land in the batch's one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from tasks import store as wh
from tasks.records import (
    Article,
    Enrichment,
    EntrySeen,
    FeedEntry,
    PageRows,
    RawPage,
)
from tasks.text.extract import clean_article, url_article_id
from tests.warehouse_queries import rows

PROV = wh.Provenance("run-1", "model-x", "pipe-1", "rules-1")


def _article(url: str, source: str, text: str) -> Article:
    article_id, canonical = url_article_id(url)
    return clean_article(
        Article(
            id=article_id,
            source=source,
            uri=canonical,
            url=canonical,
            title="A title",
            text=text,
            content_hash="",
            extractor="test/1",
            route="feed",
        )
    )


def _rows_for(article: Article, other_source: str) -> PageRows:
    entry = FeedEntry(url=article.url, title="From the feed", published_at=None, updated_at=None)
    page = RawPage(
        article.uri, article.id, datetime.now(UTC), 200, "text/html", "utf-8", {}, b"<p>x</p>"
    )
    return PageRows(
        pages=(page,),
        entries=(
            EntrySeen(article.source, article.uri, article.id, "fetched", entry),
            EntrySeen(other_source, article.uri, article.id, "fetched", entry),
        ),
        twins=((article.source, article.uri, other_source),),
    )


def test_pages_entries_and_twin_routes_load_with_the_articles(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    article = _article("https://news.example/a", "feed-a", "Some text of the story. " * 20)
    with wh.connect(db) as con:
        counts = wh.load_batch(
            con,
            [Enrichment(article)],
            [(article.id, article)],
            [],
            PROV,
            page_rows=_rows_for(article, "feed-b"),
        )
    assert counts.articles == 1
    assert rows(db, "SELECT url, article_id FROM raw_pages") == [(article.uri, article.id)]
    assert sorted(rows(db, "SELECT source, status FROM feed_entries")) == [
        ("feed-a", "fetched"),
        ("feed-b", "fetched"),
    ]
    # The page listed by a second feed is one article with a route for each feed.
    assert sorted(rows(db, "SELECT source, article_id FROM article_routes")) == [
        ("feed-a", article.id),
        ("feed-b", article.id),
    ]


def test_a_failing_batch_writes_neither_pages_nor_articles(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    article = _article("https://news.example/b", "feed-a", "Another story told at length. " * 20)
    good = _rows_for(article, "feed-b")
    bad = replace(good, pages=(replace(good.pages[0], status=2**40),))  # not an int32
    with wh.connect(db) as con, pytest.raises(pa.ArrowInvalid):
        wh.load_batch(con, [Enrichment(article)], [(article.id, article)], [], PROV, page_rows=bad)
    for table in ("articles", "raw_pages", "feed_entries", "article_routes"):
        assert rows(db, f"SELECT count(*) FROM {table}") == [(0,)], table
