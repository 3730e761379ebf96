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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from tasks.records import Article, Failure, RawDocument
from tasks.text.charset import (
    Decoded,
    UndecodableError,
    charset_of_content_type,
    decode,
    replacement_warning,
)
from tasks.text.clean import CleanConfig, clean_paragraphs
from tasks.text.normalize import normalize_text, split_paragraphs

PLAINTEXT_EXTRACTOR = "plaintext/1"
JSON_EXTRACTOR = "json/1"


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """Guards for JSON records, checked before `json.loads` sees them."""

    max_depth: int = 64  # arrays/objects inside each other; an article record is nearly flat
    max_record_chars: int = 5_000_000  # one JSONL line or one element of a JSON list


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


def parse_datetime(value: object) -> datetime | None:
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


def _record_article(doc: RawDocument, record: object, index: int | None) -> Article:
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


# A JSON string (escapes included, possessive: no backtracking) or one structural character.
_JSON_TOKEN_RE = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{},]')


def _too_deep(text: str, limit: int) -> bool:
    """True when arrays/objects nest deeper than `limit` (strings skipped; no recursion)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKEN_RE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _array_elements(text: str) -> list[tuple[int, int]] | None:
    """(start, end) of each element of a top-level JSON array, or None if it is not one.

    Elements are found by their top-level commas, strings skipped, without parsing them, so
    that each can be guarded and parsed on its own.
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start = end = -1
    for match in _JSON_TOKEN_RE.finditer(text):
        token = match.group()
        if token in "[{":
            if depth == 0:
                if token != "[" or text[: match.start()].strip():
                    return None
                start = match.end()
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                spans.append((start, match.start()))
                end = match.end()
                break
        elif token == "," and depth == 1:
            spans.append((start, match.start()))
            start = match.end()
    if end < 0 or text[end:].strip():
        return None
    if len(spans) == 1 and not text[spans[0][0] : spans[0][1]].strip():
        return []  # an empty list
    return spans


def _guarded_loads(chunk: str, limits: JsonLimits, where: str) -> Any:
    """`json.loads` after the size and depth guards; problems raise `_BadRecord`."""
    if len(chunk) > limits.max_record_chars:
        raise _BadRecord(
            "RecordTooLarge",
            f"{where} is {len(chunk) / 1e6:.1f} million characters, over the "
            f"{limits.max_record_chars / 1e6:.1f} million limit for one record; "
            "one record should hold one article",
        )
    if _too_deep(chunk, limits.max_depth):
        raise _BadRecord(
            "RecordTooDeep",
            f"{where} nests arrays or objects more than {limits.max_depth} deep; "
            "an article record is nearly flat",
        )
    try:
        return json.loads(chunk)
    except json.JSONDecodeError as exc:
        raise _BadRecord("JSONDecodeError", f"{where} is not valid JSON: {exc.msg}") from exc
    except RecursionError as exc:  # belt and braces: the depth guard should have caught it
        raise _BadRecord("RecordTooDeep", f"{where} nests too deep to parse") from exc


class _BadRecord(ValueError):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _extract_json(
    doc: RawDocument, text: str, decoded: Decoded, limits: JsonLimits
) -> tuple[list[Article], list[Failure]]:
    """Records of a JSONL file (one a line) or a JSON file (one record or a list of them).

    Records are independent: each is guarded (size, nesting depth) and parsed on its own, and
    a bad one becomes a failure naming its line (JSONL) or index (list) while the rest load.
    """
    articles: list[Article] = []
    failures: list[Failure] = []
    # (index for ids and uris, where for messages, raw text, parsed record)
    records: list[tuple[int | None, str, Any]] = []

    def bad(index: int | None, exc: _BadRecord | ValueError) -> None:
        failures.append(
            Failure(
                "extract",
                doc.source,
                doc.uri if index is None else f"{doc.uri}#{index}",
                getattr(exc, "error_type", "InvalidRecord"),
                str(exc),
            )
        )

    if doc.media_type == "application/x-ndjson":
        # Lines end at "\n" only: U+2028 and friends are valid inside JSON strings.
        for n, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                records.append((n, line, _guarded_loads(line, limits, f"line {n}")))
            except _BadRecord as exc:
                bad(n, exc)
    else:
        spans = _array_elements(text)
        if spans is None:
            try:
                data = _guarded_loads(text, limits, "the file")
            except _BadRecord as exc:
                if exc.error_type == "JSONDecodeError":
                    cause = exc.__cause__
                    line = getattr(cause, "lineno", "?")
                    msg = getattr(cause, "msg", str(exc))
                    raise ValueError(f"not valid JSON: {msg} at line {line}") from exc
                bad(None, exc)
                return articles, failures
            if isinstance(data, list):  # a list the splitter could not take apart
                records = [(i, json.dumps(r), r) for i, r in enumerate(data)]
            else:
                records = [(None, text, data)]
        else:
            for i, (start, end) in enumerate(spans):
                chunk = text[start:end]
                try:
                    records.append((i, chunk, _guarded_loads(chunk, limits, f"record {i}")))
                except _BadRecord as exc:
                    bad(i, exc)
    for index, raw, record in records:
        try:
            article = _record_article(doc, record, index)
        except ValueError as exc:
            bad(index, exc)
            continue
        replaced = raw.count("\ufffd") if decoded.replaced else 0
        articles.append(_stamp(article, decoded, replaced))
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


def _stamp(article: Article, decoded: Decoded, replaced: int | None = None) -> Article:
    """Record how the article's bytes were decoded; `replaced` counts its own share of bad bytes."""
    n = decoded.replaced if replaced is None else replaced
    others = decoded.warnings[1:] if decoded.replaced else decoded.warnings
    head = (replacement_warning(n, decoded.encoding),) if n else ()
    return replace(
        article, encoding=decoded.encoding, decode_errors=n, text_warnings=(*head, *others)
    )


def _declared_charset(doc: RawDocument) -> str | None:
    """The charset a fetched document's Content-Type declares; a file's own label otherwise."""
    for name, value in doc.headers.items():
        if name.lower() == "content-type":
            return charset_of_content_type(value)
    return doc.encoding


def extract_document(
    doc: RawDocument, limits: JsonLimits = JsonLimits()
) -> tuple[list[Article], list[Failure]]:
    """Extract the article(s) of one raw document; problems become failures, never exceptions."""
    try:
        decoded = decode(doc.content, _declared_charset(doc), markup=doc.media_type == "text/html")
        text = decoded.text
        if not text.strip():
            raise ValueError("the file is empty")
        if doc.media_type in ("application/json", "application/x-ndjson"):
            return _extract_json(doc, text, decoded, limits)
        if doc.media_type == "text/html":
            found = _extract_html(doc, text)
        else:
            found = _extract_plaintext(doc, text)
        return [_stamp(a, decoded) for a in found], []
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
    docs: Iterable[RawDocument],
    config: CleanConfig = CleanConfig(),
    limits: JsonLimits = JsonLimits(),
) -> tuple[list[Article], list[Failure]]:
    """Extract and clean a batch of raw documents."""
    articles: list[Article] = []
    failures: list[Failure] = []
    for doc in docs:
        extracted, failed = extract_document(doc, limits)
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
