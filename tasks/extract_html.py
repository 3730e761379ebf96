"""Main text and metadata of an article page, with trafilatura. Pure: no I/O."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, UTC

from tasks.fetch import decode_html

__all__ = ["EXTRACTOR_NAME", "ExtractedPage", "extract_html"]

try:
    from trafilatura import __version__ as _TRAFILATURA_VERSION
except ImportError:  # pragma: no cover - trafilatura is a dependency
    _TRAFILATURA_VERSION = "unknown"

EXTRACTOR_NAME = f"trafilatura/{_TRAFILATURA_VERSION}"
MIN_BODY_CHARS = 200  # less than this is not a usable article body

# trafilatura and htmldate log every page they discard; the caller records its own outcome.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")
_PUBLISHED_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='pubdate']/@content",
    "//meta[@name='publishdate']/@content",
    "//meta[@name='date']/@content",
    "//meta[@property='og:published_time']/@content",
    "//time[@itemprop='datePublished']/@datetime",
    "//*[@itemprop='datePublished']/@datetime",
)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What trafilatura found on a page. `ok` is False when there is no usable body."""

    title: str | None
    text: str  # main text, paragraphs separated by "\n"
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None  # aware UTC; midnight UTC when only the day is known
    published_precision: str | None = None  # "time" or "day"
    site: str | None = None
    language: str | None = None  # from the page's markup (html lang, content-language, og:locale)
    ok: bool = False
    description: str | None = None
    canonical_url: str | None = None  # the URL the page says it has
    problem: str | None = None  # why ok is False
    extractor: str = EXTRACTOR_NAME


def _clean_lang(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().split(",")[0].strip()
    if not _LANG_RE.match(value):
        return None
    primary = value.replace("_", "-").split("-")[0].lower()
    return primary if primary not in ("x", "und", "mul", "zxx") else None


def _page_language(tree: object) -> str | None:
    """Language the page declares: <html lang>, Content-Language, og:locale, <meta name=language>."""
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return None
    for expression in (
        "/html/@lang",
        "/html/@xml:lang",
        "//meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')='content-language']/@content",
        "//meta[@property='og:locale']/@content",
        "//meta[@name='language']/@content",
        "//@lang",
    ):
        try:
            values = xpath(expression)
        except Exception:  # noqa: BLE001 - odd markup must not stop extraction
            continue
        for value in values[:3]:
            lang = _clean_lang(str(value))
            if lang:
                return lang
    return None


def _parse_timestamp(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # a wall-clock time without zone cannot be placed in UTC
    return parsed.astimezone(UTC)


def _json_ld_dates(tree: object) -> list[str]:
    found: list[str] = []
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return found
    for script in xpath("//script[@type='application/ld+json']/text()")[:10]:
        try:
            data = json.loads(script)
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack and len(found) < 20:
            item = stack.pop()
            if isinstance(item, dict):
                value = item.get("datePublished")
                if isinstance(value, str):
                    found.append(value)
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _precise_published(tree: object, day: date) -> datetime | None:
    """A zoned timestamp from the page's metadata that falls on `day` (trafilatura gives days)."""
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return None
    candidates: list[str] = []
    for expression in _PUBLISHED_XPATHS:
        try:
            candidates.extend(str(v) for v in xpath(expression)[:3])
        except Exception:  # noqa: BLE001
            continue
    candidates.extend(_json_ld_dates(tree))
    for raw in candidates:
        parsed = _parse_timestamp(raw)
        if parsed is None:
            continue
        local = datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).date()
        if local == day or parsed.date() == day:
            return parsed
    return None


def _split_authors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    names = [n.strip() for n in re.split(r";|\s+\|\s+", value)]
    return tuple(dict.fromkeys(n for n in names if n))


def extract_html(html: str | bytes, url: str | None = None, *, min_chars: int = MIN_BODY_CHARS) -> ExtractedPage:
    """Extract main text and metadata from an HTML page (bytes are decoded with charset sniffing).

    Never raises: a page trafilatura cannot use gives `ok=False` with `problem` set and
    whatever metadata could still be read.
    """
    from trafilatura import bare_extraction, load_html
    from trafilatura.metadata import extract_metadata

    if isinstance(html, bytes):
        html = decode_html(html, None)
    if not html or not html.strip():
        return ExtractedPage(title=None, text="", ok=False, problem="empty page")
    try:
        tree = load_html(html)
    except Exception as exc:  # noqa: BLE001
        return ExtractedPage(title=None, text="", ok=False, problem=f"unparsable HTML: {type(exc).__name__}: {exc}")
    if tree is None:
        return ExtractedPage(title=None, text="", ok=False, problem="unparsable HTML")
    language = _page_language(tree)

    problem: str | None = None
    try:
        document = bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            output_format="python",
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura must not stop the batch
        document = None
        problem = f"trafilatura failed: {type(exc).__name__}: {exc}"
    text = ""
    if document is None:
        problem = problem or "trafilatura found no main text"
        try:
            document = extract_metadata(tree, url)
        except Exception:  # noqa: BLE001
            document = None
    else:
        text = (getattr(document, "text", None) or "").strip()
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())

    title = getattr(document, "title", None) if document is not None else None
    authors = _split_authors(getattr(document, "author", None) if document is not None else None)
    site = getattr(document, "sitename", None) if document is not None else None
    description = getattr(document, "description", None) if document is not None else None
    canonical = getattr(document, "url", None) if document is not None else None
    published_at: datetime | None = None
    precision: str | None = None
    raw_date = getattr(document, "date", None) if document is not None else None
    if raw_date:
        try:
            day = date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            day = None
        if day is not None:
            precise = _precise_published(tree, day)
            if precise is not None:
                published_at, precision = precise, "time"
            else:
                published_at, precision = datetime.combine(day, time(0, 0), tzinfo=UTC), "day"

    ok = len(text) >= min_chars
    if not ok and problem is None:
        problem = f"main text too short ({len(text)} characters, fewer than {min_chars})"
    return ExtractedPage(
        title=title.strip() if title else None,
        text=text,
        authors=authors,
        published_at=published_at,
        published_precision=precision,
        site=site.strip() if site else None,
        language=language,
        ok=ok,
        description=description,
        canonical_url=canonical,
        problem=problem,
    )
