"""Turning raw documents into clean `Article` records (pure: no I/O).

- `.txt` in the seed layout: first line the title, a blank line, then paragraphs.
- `.html`: trafilatura extraction with metadata (`tasks.text.html`).
- `.json` / `.jsonl`: records with `title`, `text` and optional `url`, `published_at`, `id`,
  `authors`, `language`, `site`; a JSON file may hold one record or a list of them. news-please
  style names (`maintext`, `date_publish`, `source_domain`) are read too.
- any of these gzip-compressed (`.txt.gz`, `.html.gz`, ...), decompressed by `tasks.acquire.files`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tasks.text.clean import CleanConfig, clean_paragraphs, normalize_text, split_paragraphs
from tasks.records import Article, Failure, RawDocument
from tasks.text.charset import UndecodableError, decode_text

PLAINTEXT_EXTRACTOR = "plaintext/1"
JSON_EXTRACTOR = "json/1"


def file_article_id(source: str, uri: str, index: int | None = None) -> str:
    """Stable id of an article read from a file: its source folder name and relative path."""
    key = f"file:{source}/{uri}" + (f"#{index}" if index is not None else "")
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def record_article_id(record_id: str) -> str:
    """Stable id of an article from a JSON record's own id."""
    return hashlib.sha256(f"record:{record_id}".encode()).hexdigest()[:16]


def url_article_id(url: str) -> tuple[str, str]:
    """(article id, canonical URL) for an article known by URL."""
    from tasks.acquire.urls import article_id_for_url, canonical_url

    canonical = canonical_url(url)
    return article_id_for_url(canonical), canonical


def content_hash(title: str, text: str) -> str:
    """Hash of what an article says, to find changes and duplicates arriving by other routes."""
    return hashlib.sha256(f"{title.strip()}\n\n{text}".encode()).hexdigest()


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ISO-8601 or common date string to an aware UTC datetime, or None."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        import dateparser

        parsed = dateparser.parse(
            text, settings={"RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC"}
        )
        if parsed is None:
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _extract_plaintext(doc: RawDocument, text: str) -> list[Article]:
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ValueError("the file is empty (no title line)")
    title = lines[0].strip()
    body = "\n".join(lines[1:])
    return [
        Article(
            id=file_article_id(doc.source, doc.uri),
            source=doc.source,
            uri=doc.uri,
            url=None,
            title=title,
            text=body,
            content_hash="",
            extractor=PLAINTEXT_EXTRACTOR,
            route=doc.route,
        )
    ]


def _as_authors(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(a.strip() for a in value.replace(";", ",").split(",") if a.strip())
    return tuple(str(a).strip() for a in value if str(a).strip())


# Field names of our own records and of common tools' output (news-please: maintext,
# date_publish, source_domain; Giveme5W1H and newspaper-style dumps: publish_date, publisher).
_TEXT_KEYS = ("text", "body", "content", "maintext")
_DATE_KEYS = ("published_at", "date", "date_publish", "publish_date", "published")
_SITE_KEYS = ("site", "source_domain", "publisher")


def _first(record: dict[str, Any], keys: Sequence[str]) -> Any:
    """The first non-empty value among `keys`."""
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def _record_article(doc: RawDocument, record: Any, index: int | None) -> Article:
    if not isinstance(record, dict):
        raise ValueError(f"record {index} is a {type(record).__name__}, not an object")
    text = _first(record, _TEXT_KEYS)
    if not isinstance(text, str) or not text.strip():
        where = "the record" if index is None else f"record {index}"
        raise ValueError(f"{where} has no 'text' (nor body, content or maintext) to ingest")
    external_id = record.get("id")
    url = record.get("url")
    canonical = None
    if url:
        article_id, canonical = url_article_id(str(url))
    elif external_id not in (None, ""):
        article_id = record_article_id(str(external_id))
    else:
        article_id = file_article_id(doc.source, doc.uri, index)
    return Article(
        id=article_id,
        source=doc.source,
        uri=doc.uri if index is None else f"{doc.uri}#{index}",
        url=canonical,
        title=str(record.get("title") or "").strip(),
        text=text,
        content_hash="",
        extractor=JSON_EXTRACTOR,
        authors=_as_authors(record.get("authors") or record.get("author")),
        published_at=parse_datetime(_first(record, _DATE_KEYS)),
        language=record.get("language"),
        site=_first(record, _SITE_KEYS),
        external_id=None if external_id in (None, "") else str(external_id),
        route=doc.route,
    )


def _extract_json(doc: RawDocument, text: str) -> tuple[list[Article], list[Failure]]:
    articles: list[Article] = []
    failures: list[Failure] = []
    if doc.media_type == "application/x-ndjson":
        records: list[tuple[int | None, Any]] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((n, json.loads(line)))
            except json.JSONDecodeError as exc:
                failures.append(
                    Failure(
                        "extract",
                        doc.source,
                        f"{doc.uri}#{n}",
                        "JSONDecodeError",
                        f"line {n} is not valid JSON: {exc.msg}",
                    )
                )
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
        records = list(enumerate(data)) if isinstance(data, list) else [(None, data)]
    for index, record in records:
        try:
            articles.append(_record_article(doc, record, index))
        except ValueError as exc:
            failures.append(
                Failure(
                    "extract",
                    doc.source,
                    doc.uri if index is None else f"{doc.uri}#{index}",
                    "InvalidRecord",
                    str(exc),
                )
            )
    return articles, failures


def _extract_html(doc: RawDocument, text: str) -> list[Article]:
    from tasks.text.html import extract_html

    url = doc.hints.get("url") or (doc.uri if doc.route != "file" else None)
    page = extract_html(text, url)
    if not page.ok or not page.text.strip():
        raise ValueError("no article body found in the HTML (trafilatura extracted nothing)")
    if doc.route == "file":
        article_id, canonical = file_article_id(doc.source, doc.uri), None
    else:
        article_id, canonical = url_article_id(doc.uri)
    return [
        Article(
            id=article_id,
            source=doc.source,
            uri=doc.uri,
            url=canonical,
            title=page.title or "",
            text=page.text,
            content_hash="",
            extractor=page.extractor,
            authors=tuple(page.authors),
            published_at=page.published_at,
            language=page.language,
            site=page.site,
            route=doc.route,
        )
    ]


def extract_document(doc: RawDocument) -> tuple[list[Article], list[Failure]]:
    """Extract the article(s) of one raw document; problems become failures, never exceptions."""
    try:
        text, _ = decode_text(doc.content, doc.encoding)
        if not text.strip():
            raise ValueError("the file is empty")
        if doc.media_type == "text/html":
            return _extract_html(doc, text), []
        if doc.media_type in ("application/json", "application/x-ndjson"):
            return _extract_json(doc, text)
        return _extract_plaintext(doc, text), []
    except UndecodableError as exc:
        return [], [Failure("extract", doc.source, doc.uri, "UndecodableError", str(exc))]
    except ValueError as exc:
        return [], [Failure("extract", doc.source, doc.uri, "EmptyOrInvalid", str(exc))]
    except Exception as exc:  # an extractor bug must not stop the run
        return [], [
            Failure("extract", doc.source, doc.uri, type(exc).__name__, f"extraction failed: {exc}")
        ]


def clean_article(article: Article, config: CleanConfig = CleanConfig()) -> Article:
    """Clean the body, move captions out, and compute the content hash."""
    result = clean_paragraphs(split_paragraphs(article.text), config)
    title = normalize_text(article.title)
    text = result.text
    return replace(
        article,
        title=title,
        text=text,
        captions=tuple(result.captions),
        content_hash=content_hash(title, text),
    )


def prepare_articles(
    docs: Iterable[RawDocument], config: CleanConfig = CleanConfig()
) -> tuple[list[Article], list[Failure]]:
    """Extract and clean a batch of raw documents."""
    articles: list[Article] = []
    failures: list[Failure] = []
    for doc in docs:
        extracted, failed = extract_document(doc)
        failures.extend(failed)
        for article in extracted:
            cleaned = clean_article(article, config)
            if not cleaned.text.strip():
                failures.append(
                    Failure(
                        "clean",
                        article.source,
                        article.uri,
                        "EmptyBody",
                        "nothing of the body is left after cleaning",
                    )
                )
                continue
            articles.append(cleaned)
    return articles, failures


def dedupe_ids(articles: Sequence[Article]) -> list[Article]:
    """Keep the last of several articles with the same id within one batch."""
    return list({a.id: a for a in articles}.values())
