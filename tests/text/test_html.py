"""Extraction quality floors on a small gold subset, and the benchmark's scoring arithmetic."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tasks.evaluate.extraction import (
    GoldPage,
    author_scores,
    body_metrics,
    date_matches,
    evaluate_pages,
    score_body,
    shingle_counts,
    title_matches,
)
from tasks.text.html import ExtractedPage, extract_html
from datetime import UTC

WEB = Path(__file__).parent.parent / "fixtures" / "web"
GOLD = json.loads((WEB / "gold.json").read_text(encoding="utf-8"))


def gold_pages() -> list[GoldPage]:
    pages = []
    for name, gold in sorted(GOLD.items()):
        pages.append(
            GoldPage(
                set_name="fixtures",
                name=name,
                html=gzip.decompress((WEB / "pages" / name).read_bytes()),
                url=gold["url"],
                body=gold["body"],
                title=gold["title"],
                authors=tuple(gold["authors"]),
                published=gold["published"],
            )
        )
    return pages


@pytest.fixture(scope="module")
def extracted() -> dict[str, tuple[GoldPage, ExtractedPage]]:
    return {page.name: (page, extract_html(page.html, page.url)) for page in gold_pages()}


def test_body_floors(extracted: dict[str, tuple[GoldPage, ExtractedPage]]) -> None:
    counts = []
    for name, (gold, page) in extracted.items():
        assert page.ok, (name, page.problem)
        c = score_body(gold.body, page.text)
        metrics = body_metrics([c])
        assert metrics["f1"] >= 0.85, (name, metrics)
        counts.append(c)
    overall = body_metrics(counts)
    assert overall["precision"] >= 0.92
    assert overall["recall"] >= 0.95
    assert overall["f1"] >= 0.94


def test_metadata_floors(extracted: dict[str, tuple[GoldPage, ExtractedPage]]) -> None:
    titles = dates = 0
    author_f1 = 0.0
    for gold, page in extracted.values():
        titles += title_matches(gold.title or "", page.title)[1]
        dates += date_matches(gold.published or "", page.published_at, page.published_precision)
        author_f1 += author_scores(gold.authors, page.authors)[1]
        assert page.language in ("en", "de")
        assert page.published_at is None or page.published_at.tzinfo is not None
    n = len(extracted)
    assert titles == n
    assert dates == n
    assert author_f1 / n >= 0.6


def test_must_have_and_must_not_have(extracted: dict[str, tuple[GoldPage, ExtractedPage]]) -> None:
    _, ap = extracted["apnews.html.gz"]
    assert "Mexico\u2019s central bank has raised interest rates to 11.25%" in ap.text
    assert ap.authors == ("Associated Press",)
    _, tagesschau = extracted["tagesschau.html.gz"]
    assert tagesschau.language == "de"
    assert tagesschau.published_precision == "time"
    for _, page in extracted.values():
        assert "<script" not in page.text and "function(" not in page.text
        assert "\n\n" not in page.text


def test_cleaning_does_not_lower_the_fixture_score() -> None:
    from tasks.text.clean import clean_text

    def clean(text: str) -> str:
        result = clean_text(text)
        return getattr(result, "text", result)

    result = evaluate_pages(gold_pages(), clean)
    # The gate of the extraction evaluation, on a small fixture set: extraction + cleaning
    # scores no lower than trafilatura alone, and above a floor.
    assert result["body"]["pipeline"]["f1"] >= result["body"]["trafilatura"]["f1"] - 0.005
    assert result["body"]["pipeline"]["f1"] >= 0.94


def test_unusable_pages_do_not_raise() -> None:
    for html in (
        "",
        "   ",
        "<html><body></body></html>",
        b"\x00\xff\xfe garbage",
        "<p>too short</p>",
    ):
        page = extract_html(html, "https://example.com/x")
        assert not page.ok and page.problem
    nav_only = (
        "<html><head><title>Index</title></head><body><nav><a href='/a'>A</a></nav></body></html>"
    )
    page = extract_html(nav_only, None)
    assert not page.ok and page.title == "Index"


def test_bytes_with_meta_charset() -> None:
    body = (
        "<p>"
        + "Die Bundesregierung hat am Mittwoch \u00fcber die Stra\u00dfenbahn beraten. " * 10
        + "</p>"
    )
    html = f"<html lang='de'><head><meta charset='iso-8859-1'><title>Stra\u00dfe</title></head><body><article><h1>Stra\u00dfe</h1>{body}</article></body></html>"
    page = extract_html(html.encode("iso-8859-1"), "https://example.de/a")
    assert page.ok and "\u00fcber die Stra\u00dfenbahn" in page.text
    assert page.language == "de"


# --------------------------------------------------------------------------- scoring arithmetic


def test_shingles_and_counts() -> None:
    assert shingle_counts("a b c d e") == {"a b c d": 1, "b c d e": 1}
    assert shingle_counts("a b") == {"a b": 1}
    assert shingle_counts("") == {}
    assert score_body("a b c d e", "a b c d e") == (2, 0, 0)
    assert score_body("a b c d e", "a b c d") == (1, 0, 1)
    assert score_body("a b c d", "a b c d a b c d") == (1, 4, 0)  # repeats count as false positives
    assert score_body("", "") == (1, 0, 0)
    assert score_body("a b c d", "") == (0, 0, 1)


def test_metrics_average_over_pages_then_f1() -> None:
    metrics = body_metrics([(1, 0, 1), (1, 1, 0)])  # P 1.0 and 0.5, R 0.5 and 1.0
    assert metrics["precision"] == pytest.approx(0.75)
    assert metrics["recall"] == pytest.approx(0.75)
    assert metrics["f1"] == pytest.approx(0.75)
    empty_prediction = body_metrics([(0, 0, 5)])
    assert empty_prediction["precision"] == 0.0 and empty_prediction["f1"] == 0.0


def test_metadata_comparisons() -> None:
    from datetime import datetime

    assert title_matches("Mexico\u2019s economy", "Mexico's  economy") == (True, True)
    assert title_matches("Story", "Story | Site") == (False, True)
    when = datetime(2023, 4, 28, 15, 23, tzinfo=UTC)
    assert date_matches("2023-04-28 17:23:42+02:00", when, "time")
    assert not date_matches("2023-04-29", when, "day")
    assert author_scores(("Dana A. Ford", "Tom Watkins"), ("Dana A Ford", "Tom Watkins", "CNN"))[
        1
    ] == pytest.approx(0.8)


# --------------------------------------------------------------------------- title and author rules

_PARA = (
    "<p>"
    + "The council met on Tuesday to discuss the new budget for the city's schools. " * 8
    + "</p>"
)


def _page(head: str, body: str = "") -> str:
    return (
        f"<html lang='en'><head>{head}</head><body><article>{body}{_PARA}</article></body></html>"
    )


def test_title_loses_site_suffix_when_h1_is_the_headline() -> None:
    html = _page(
        "<title>Council passes budget | The Daily Example</title>"
        "<meta property='og:title' content='Council passes budget | The Daily Example'>",
        "<h1>Council passes budget</h1>",
    )
    assert extract_html(html, "https://www.dailyexample.com/a").title == "Council passes budget"


def test_title_site_segments_cut_without_h1() -> None:
    html = _page(
        "<title>Council passes  budget - Example News | 28.04.2023</title>"
        "<meta property='og:site_name' content='Example News'>"
    )
    assert extract_html(html, "https://example.com/a").title == "Council passes budget"
    prefixed = _page("<title>Example.com | Council passes budget</title>")
    assert extract_html(prefixed, "https://www.example.com/a").title == "Council passes budget"
    # A segment that does not name the site stays.
    from tasks.text.html import _strip_site

    assert (
        _strip_site("Budget: council says yes - Opinion", ["examplecom", "example"])
        == "Budget: council says yes - Opinion"
    )
    assert (
        _strip_site("Budget: council says yes - Opinion - Example", ["example"])
        == "Budget: council says yes - Opinion"
    )


def test_authors_prefer_json_ld_and_drop_the_publisher() -> None:
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council passes budget",'
        ' "author": [{"@type": "Person", "name": "Jane Roe (jr)"}, {"@type": "Organization", "name": "Example News"}],'
        ' "publisher": {"@type": "Organization", "name": "Example News"}}'
    )
    html = _page(
        f"<title>Council passes budget</title><meta name='author' content='Example Media GmbH'>"
        f"<script type='application/ld+json'>{ld}</script>"
    )
    assert extract_html(html, "https://example.com/a").authors == ("Jane Roe",)


def test_author_credit_lines_are_split_and_cleaned() -> None:
    from tasks.text.html import _clean_authors, _clean_author

    assert _clean_author("By Jane Roe and John Doe") == ["Jane Roe", "John Doe"]
    assert _clean_author("Jane Roe, Staff Writer") == ["Jane Roe"]
    assert _clean_author("Anna Berg, Carl Dahl und Eva Falk") == [
        "Anna Berg",
        "Carl Dahl",
        "Eva Falk",
    ]
    assert _clean_author("Jane Roe, professor of history at the university") == ["Jane Roe"]
    assert _clean_author("Doe, Jane") == ["Doe, Jane"]
    assert _clean_author("Jane Roe jane.roe@example.com @janeroe") == ["Jane Roe"]
    assert _clean_author("신현주 기자") == ["신현주"]
    assert _clean_author("Journalist") == []
    sites = ["examplenews", "examplecom"]
    assert _clean_authors(("Example News", "Jane Roe", "jane roe"), sites) == ("Jane Roe",)
    assert _clean_authors(("Example News",), sites) == (
        "Example News",
    )  # the publisher alone stays
