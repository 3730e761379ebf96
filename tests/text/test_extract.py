"""Reading and extracting files: plain text, JSON records, gzip-compressed pages, bombs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tasks.text.extract import extract_document, prepare_articles
from tasks.records import Failure, RawDocument
from tasks.acquire.files import FileRef, discover_files, read_file

PAGES = Path(__file__).parent.parent / "fixtures" / "web" / "pages"


def test_gzipped_html_is_found_read_and_extracted(tmp_path: Path) -> None:
    (tmp_path / "ap.html.gz").write_bytes((PAGES / "apnews.html.gz").read_bytes())
    (tmp_path / "archive.tar.gz").write_bytes(b"not for us")
    refs, _ = discover_files([tmp_path])
    assert [r.uri for r in refs] == ["ap.html.gz"]
    doc = read_file(refs[0], 5_000_000)
    assert isinstance(doc, RawDocument) and doc.media_type == "text/html"
    articles, failures = prepare_articles([doc])
    assert not failures and len(articles[0].text) > 500 and articles[0].title
    assert articles[0].extractor.startswith("trafilatura/")


def test_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"A" * 50_000_000))  # 50 MB of text in ~50 kB
    assert bomb.stat().st_size < 100_000
    result = read_file(FileRef(bomb, "x", "bomb.txt.gz"), 1_000_000)
    assert isinstance(result, Failure) and result.error_type == "FileTooLarge"
    assert "decompresses" in result.message


def test_news_please_style_records() -> None:
    record = {
        "title": "Tram derails in Croydon",
        "maintext": "Several people died when a tram "
        "derailed in Croydon on Wednesday, police said.",
        "date_publish": "2016-11-09 07:15:00",
        "source_domain": "standard.co.uk",
        "url": "https://www.standard.co.uk/news/tram?utm_source=x#top",
    }
    doc = RawDocument(
        "np", "np.json", json.dumps(record).encode(), "application/json", fetched_at=None
    )  # type: ignore[arg-type]
    (article,), failures = extract_document(doc)
    assert not failures
    assert article.site == "standard.co.uk" and article.published_at.year == 2016  # type: ignore[union-attr]
    assert article.url == "https://www.standard.co.uk/news/tram"
    bad = RawDocument(
        "np", "bad.json", b'{"title": "no body"}', "application/json", fetched_at=None
    )  # type: ignore[arg-type]
    assert "has no 'text'" in extract_document(bad)[1][0].message
