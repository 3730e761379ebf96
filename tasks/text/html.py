"""Main text and metadata of an article page, with trafilatura. Pure: no I/O."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape as html_unescape
from urllib.parse import urlsplit

from tasks.text.boilerplate import (
    AUTHOR_BOXES,
    FACT_BOXES,
    SCREEN_READER_ONLY,
    drop_furniture,
    drop_trailing_list,
    with_standfirst,
)
from tasks.text.charset import decode_html
from tasks.text.pagedate import DateEvidence, choose_published, date_evidence

__all__ = [
    "BODY_MODES",
    "EXTRACTOR_NAME",
    "ExtractedPage",
    "drop_headline",
    "extract_html",
    "trim_to_precise",
]

try:
    from trafilatura import __version__ as _TRAFILATURA_VERSION
except ImportError:  # pragma: no cover - trafilatura is a dependency
    _TRAFILATURA_VERSION = "unknown"

# trafilatura's version plus our metadata rules (titles, authors, dates): bump the latter when
# they change, so `articles.extractor` says which articles a re-extraction would touch.
EXTRACTOR_NAME = f"trafilatura/{_TRAFILATURA_VERSION}+meta/5+trim/9"
MIN_BODY_CHARS = 200  # less than this is not a usable article body

# trafilatura and htmldate log every page they discard; the caller records its own outcome.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What trafilatura found on a page. `ok` is False when there is no usable body."""

    title: str | None
    text: str  # main text, paragraphs separated by "\n"
    authors: tuple[str, ...] = ()
    # aware: the publisher's own timestamp and offset (its .date() is the local publication
    # day), or midnight UTC when only the day is known (`tasks.text.pagedate`)
    published_at: datetime | None = None
    published_precision: str | None = None  # "time" or "day"
    published_source: str | None = (
        None  # which evidence gave the date ("htmldate", "json_ld+meta", ...)
    )
    site: str | None = None
    language: str | None = None  # from the page's markup (html lang, content-language, og:locale)
    ok: bool = False
    description: str | None = None
    canonical_url: str | None = None  # the URL the page says it has
    problem: str | None = None  # why ok is False
    extractor: str = EXTRACTOR_NAME
    date_evidence: DateEvidence | None = None  # every source's date, for evaluation


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


def _split_authors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    names = [n.strip() for n in re.split(r";|\s+\|\s+", value)]
    return tuple(dict.fromkeys(n for n in names if n))


# --------------------------------------------------------------------------- title and author rules

_WS_RE = re.compile(r"\s+")
# Separators between a headline and a site name, section or date in <title>/og:title.
_TITLE_SEP_RE = re.compile(
    r"\s+[|\-\u2013\u2014\u00b7\u2022*\u00bb/:]\s+|\s*[|\uff5c\u2502\u3163\uff1a]\s*"
)
_SEP_START_RE = re.compile(
    r"^\s*(?:[|\-\u2013\u2014\u00b7\u2022*\u00bb/:]\s|[|\uff5c\u2502\u3163\uff1a])"
)
_SEP_END_RE = re.compile(
    r"(?:\s[|\-\u2013\u2014\u00b7\u2022*\u00bb/:]|[|\uff5c\u2502\u3163\uff1a])\s*$"
)
_DATE_SEGMENT_RE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
_BYLINE_SEGMENT_RE = re.compile(r"^(?:by|von|par|por|door|av|af)\s+\S", re.IGNORECASE)
_QUOTES = str.maketrans(
    "\u2019\u2018\u201c\u201d\u201e\u00ab\u00bb\u2013\u2014\u00a0\u00ad", '\'\'"""""-- \u00ad'
)
_ARTICLE_TYPES = ("article", "posting", "report")
# A name that is only a role or a generic credit, not a person.
_ROLE_WORDS = frozenset(
    {
        "journalist",
        "journalistin",
        "reporter",
        "staff",
        "staff writer",
        "editor",
        "correspondent",
        "contributor",
        "author",
        "autor",
        "autorin",
        "redakteur",
        "redakteurin",
        "redaktion",
        "red",
        "agenturen",
        "agencies",
        "photographer",
        "fotograf",
        "writer",
        "columnist",
        "kommentar",
    }
)
_ROLE_PREFIX_RE = re.compile(
    r"^(?:by|von|par|por|door|av|af|text|texte|autor|autorin|author|written by|reporting by)\s*:?\s+(?=\S)",
    re.IGNORECASE,
)
_ROLE_SUFFIX_RE = re.compile(
    r"(?:\s*(?:기자|記者|특파원)|\s*,\s*(?:staff writer|reporter|correspondent|editor)|\s*\([^()]{1,12}\))\s*$",
    re.IGNORECASE,
)
_NAME_JOIN_RE = re.compile(r"\s+(?:and|und|og|och|et|&)\s+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+|(?<!\w)@\w+|https?://\S+")


def _squash(value: str) -> str:
    return _WS_RE.sub(" ", value).strip()


def _key(value: str) -> str:
    """Letters and digits only, casefolded: 'Golem.de' -> 'golemde'."""
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def _loose(value: str) -> str:
    """For comparing two spellings of one headline: quotes, dashes and whitespace unified."""
    return _squash(html_unescape(value).translate(_QUOTES).replace("\u00ad", "")).casefold()


def _json_ld_objects(tree: object) -> list[dict[str, object]]:
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return []
    found: list[dict[str, object]] = []
    try:
        scripts = xpath("//script[@type='application/ld+json']/text()")[:10]
    except Exception:  # noqa: BLE001
        return found
    for script in scripts:
        try:
            data = json.loads(script)
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack and len(found) < 200:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _types(item: dict[str, object]) -> list[str]:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return [str(v).casefold() for v in values if v]


def _is_article(item: dict[str, object]) -> bool:
    return any(t.endswith(_ARTICLE_TYPES) for t in _types(item))


def _first(tree: object, expression: str) -> list[str]:
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return []
    try:
        return [str(v) for v in xpath(expression)[:3]]
    except Exception:  # noqa: BLE001
        return []


def _site_names(
    tree: object,
    objects: list[dict[str, object]],
    sitename: str | None,
    urls: tuple[str | None, ...],
) -> list[str]:
    """Keys of the names the site goes by: og:site_name, application-name, JSON-LD publisher, host."""
    names = [sitename or ""]
    names += _first(tree, "//meta[@property='og:site_name']/@content")
    names += _first(tree, "//meta[@name='application-name']/@content")
    for item in objects:
        publisher = item.get("publisher") if _is_article(item) else None
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(str(publisher["name"]))
    for url in urls:
        host = urlsplit(url or "").hostname or ""
        host = host.removeprefix("www.")
        if host:
            names.append(host)
            names.append(host.split(".")[0] if host.count(".") >= 1 else host)
    keys = [_key(n) for n in names]
    return list(dict.fromkeys(k for k in keys if len(k) >= 2))


def _is_site(value: str, sites: list[str]) -> bool:
    key = _key(value)
    if not key:
        return False
    for site in sites:
        if key == site:
            return True
        if len(key) >= 3 and key in site:
            return True
        if len(site) >= 4 and site in key and len(key) <= len(site) + 12:
            return True
    return False


def _strip_site(title: str, sites: list[str]) -> str:
    """Drop leading and trailing segments that name the site, a date or a byline."""
    parts = _TITLE_SEP_RE.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEP_RE.findall(title)
    end = len(parts)
    while end > 1 and (
        _is_site(parts[end - 1], sites)
        or _DATE_SEGMENT_RE.match(parts[end - 1].strip())
        or (_BYLINE_SEGMENT_RE.match(parts[end - 1].strip()) and len(parts[end - 1].split()) <= 6)
    ):
        end -= 1
    start = 0
    while start < end - 1 and _is_site(parts[start], sites):
        start += 1
    if (start, end) == (0, len(parts)):
        return title
    kept = parts[start]
    for index in range(start + 1, end):
        kept += seps[index - 1] + parts[index]
    return kept.strip() or title


def _headline_candidates(tree: object, objects: list[dict[str, object]]) -> list[str]:
    found: list[str] = []
    for item in objects:
        if _is_article(item) and isinstance(item.get("headline"), str):
            found.append(html_unescape(str(item["headline"])))
    xpath = getattr(tree, "xpath", None)
    if xpath is not None:
        try:
            found += [h.text_content() for h in xpath("//h1")[:3]]
        except Exception:  # noqa: BLE001
            pass
    found += _first(tree, "//meta[@property='og:title']/@content")
    found += _first(tree, "//meta[@name='twitter:title']/@content")
    return [c for c in (_squash(f) for f in found) if c]


def _clean_title(
    title: str | None, tree: object, sites: list[str], objects: list[dict[str, object]]
) -> str | None:
    """The headline without the site name, section or date the page's <title> wraps it in.

    A headline from the page itself (JSON-LD, <h1>, og:title) wins when the title is that
    headline plus such a wrapper, on either side; otherwise wrapper segments that name the
    site (or a date or a byline) are cut off.
    """
    if not title:
        return None
    title = _squash(title)
    if not title:
        return None
    loose_title = _loose(title)
    for candidate in _headline_candidates(tree, objects):
        loose = _loose(candidate)
        if not loose or loose == loose_title or len(loose) < 8:
            continue
        if loose_title.startswith(loose):
            rest = loose_title[len(loose) :]
            if _SEP_START_RE.match(rest) and len(rest) < len(loose):
                return _strip_site(candidate, sites)
        if loose_title.endswith(loose):
            rest = loose_title[: -len(loose)]
            if _SEP_END_RE.search(rest) and len(rest) < len(loose):
                return _strip_site(candidate, sites)
    return _strip_site(title, sites)


def _json_ld_authors(objects: list[dict[str, object]]) -> list[str]:
    """Names the page's JSON-LD article gives as its authors (people or organisations)."""
    names: list[str] = []
    for item in objects:
        if not _is_article(item):
            continue
        value = item.get("author")
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, str):
                names.append(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
                names.append(str(entry["name"]))
        if names:
            break
    return names


def _clean_author(value: str) -> list[str]:
    """One credit line to zero or more names: 'By A and B, Reporter' -> ['A', 'B']."""
    value = _squash(html_unescape(_EMAIL_RE.sub(" ", value)))
    out: list[str] = []
    for piece in _NAME_JOIN_RE.split(value):
        piece = piece.strip(" ,;|/-")
        while True:
            shorter = _ROLE_SUFFIX_RE.sub("", _ROLE_PREFIX_RE.sub("", piece)).strip(" ,;|/-")
            if shorter == piece or not shorter:
                break
            piece = shorter
        parts = [p.strip() for p in piece.split(",")]
        if len(parts) > 1 and len(parts[0].split()) >= 2:
            # "A B, C D" lists names; a long part is a description ("A B, professor of ..."),
            # while "Doe, Jane" (one word before the comma) stays one name.
            parts = [p for p in parts if 0 < len(p.split()) <= 4]
        else:
            parts = [piece]
        out.extend(p for p in parts if p and p.casefold().rstrip(".") not in _ROLE_WORDS)
    return out


def _clean_authors(raw: tuple[str, ...], sites: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for value in raw:
        names.extend(_clean_author(value))
    people = [n for n in names if not _is_site(n, sites)]
    if people:
        names = people  # the publisher is credited beside the people who wrote the piece
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return tuple(unique.values())


BODY_MODES = ("trimmed", "default", "precision", "recall")
# favor_precision keeping less than this share of the default's text has missed the article
# rather than trimmed it (development pages: such pages sit at 0.15, trims at 0.30 and up).
PRECISE_MIN_SHARE = 0.25


def _lines(text: str | None) -> str:
    text = (text or "").strip()
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# A paragraph of prose: ends like a sentence and is long enough to be one (CJK has no spaces,
# so characters count too). Such a paragraph just before the first one favor_precision kept is
# the lead it dropped as a teaser; a title or kicker line before it is not prose.
_SENTENCE_END = tuple(".!?\u2026\u3002\uff01\uff1f\u061f\u0964\"'\u201d\u00bb")
LEAD_MIN_WORDS = 12


def _is_lead_prose(line: str) -> bool:
    return line.rstrip().endswith(_SENTENCE_END) and (
        len(line.split()) >= LEAD_MIN_WORDS or len(line) >= 8 * LEAD_MIN_WORDS
    )


def trim_to_precise(full: str, precise: str, min_share: float = PRECISE_MIN_SHARE) -> str:
    """The default extraction cut to the paragraphs from the first to the last one that
    favor_precision also kept, plus the lead paragraph just before them.

    Boilerplate sits at the edges of what trafilatura extracts (teasers, related links, footers)
    and favor_precision drops it; inside the article it also drops paragraphs that belong there
    (link-rich or short ones), so those are kept, except list items it dropped (lists of links
    and teasers inside the article). It also drops the article's lead when the page styles it
    as a teaser: one prose paragraph directly before the first kept one comes back. When
    favor_precision kept less than `min_share` of the text, it missed the article and the
    default is kept whole.
    """
    if not precise:
        return full
    if not full:
        return precise
    if len(precise) < min_share * len(full):
        return full
    kept = set(precise.split("\n"))
    lines = full.split("\n")
    inside = [i for i, line in enumerate(lines) if line in kept]
    if not inside:
        return precise
    start, end = inside[0], inside[-1]
    if start > 0 and _is_lead_prose(lines[start - 1]):
        start -= 1
    return "\n".join(
        line
        for index, line in enumerate(lines[start : end + 1], start)
        if line in kept or index == start or not line.startswith("- ")
    )


_WORDS_RE = re.compile(r"\w+")
HEADLINE_LINES = 3  # the body's first lines that may repeat the headline


def _words(text: str) -> str:
    return " ".join(_WORDS_RE.findall(text.casefold()))


def drop_headline(text: str, title: str | None) -> str:
    """The body without the headline printed at its top: one of its first `HEADLINE_LINES`
    lines that is the title in other punctuation, or holds it with a kicker or section name
    around it ("Premier League Rueckschlag im Titelkampf - ..."), or is most of it. The title is
    stored apart; in the body it is a repeat, which no gold body holds."""
    key = _words(title or "")
    if not key or not text:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines[:HEADLINE_LINES]):
        words = _words(line)
        if words and (
            words == key
            or (0.6 * len(key) <= len(words) <= 2.5 * len(key) and (words in key or key in words))
        ):
            return "\n".join(lines[:index] + lines[index + 1 :])
    return text


# Posts embedded from social networks, in the markup their own embed code writes on every site
# that uses it: quoted posts, not the article (trafilatura keeps their text as a blockquote).
SOCIAL_EMBEDS = (
    "//blockquote[contains(@class,'twitter-tweet') or contains(@class,'twitter-video')"
    " or contains(@class,'instagram-media') or contains(@class,'tiktok-embed')]"
)


def _bare(tree: object, url: str | None, mode: str, fallbacks: bool, metadata: bool) -> object:
    from trafilatura import bare_extraction

    return bare_extraction(
        tree,
        url=url,
        with_metadata=metadata,
        include_comments=False,
        include_tables=True,
        output_format="python",
        favor_precision=mode == "precision",
        favor_recall=mode == "recall",
        fast=not fallbacks,
        prune_xpath=[SOCIAL_EMBEDS, SCREEN_READER_ONLY, AUTHOR_BOXES, FACT_BOXES],
    )


# A JSON string literal of some length inside a script: where client-rendered pages carry the
# article's HTML (hydration data) when their markup holds none of it.
_SCRIPT_STRING_RE = re.compile(r'"((?:[^"\\]|\\.){200,})"')
_ESCAPED_P = ("\\u003cp", "<p")
EMBEDDED_MIN_PARAGRAPHS = 3


def embedded_article_html(tree: object) -> str | None:
    """The longest HTML fragment with `EMBEDDED_MIN_PARAGRAPHS` or more paragraphs that the
    page's scripts carry as a JSON string (decoded), or None. For pages rendered in the
    browser, whose markup has no article text: the fallback when trafilatura finds none."""
    best: str | None = None
    for script in _xpath_strings(tree, "//script[not(@src)]/text()"):
        if not any(marker in script for marker in _ESCAPED_P):
            continue
        for match in _SCRIPT_STRING_RE.finditer(script):
            raw = match.group(1)
            paragraphs = sum(raw.count(marker) for marker in _ESCAPED_P)
            if paragraphs >= EMBEDDED_MIN_PARAGRAPHS and (best is None or len(raw) > len(best)):
                best = raw
    if best is None:
        return None
    try:
        fragment = json.loads(f'"{best}"')
        if "\\u003c" in fragment:  # a JSON string inside a JSON string
            fragment = json.loads(f'"{fragment}"')
    except ValueError:
        return None
    return fragment if isinstance(fragment, str) and "<p" in fragment else None


def _embedded_text(tree: object, url: str | None, fallbacks: bool) -> str:
    """Main text of the article HTML a page carries in its scripts ("" when none)."""
    from trafilatura import load_html

    fragment = embedded_article_html(tree)
    if not fragment:
        return ""
    try:
        inner = load_html(f"<html><body><article>{fragment}</article></body></html>")
        found = (
            _bare(inner, url, "default", fallbacks, metadata=False) if inner is not None else None
        )
    except Exception:  # noqa: BLE001 - a fallback must not stop extraction
        return ""
    return _lines(getattr(found, "text", None)) if found is not None else ""


def _xpath_strings(tree: object, expression: str) -> list[str]:
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return []
    try:
        return [str(v) for v in xpath(expression)]
    except Exception:  # noqa: BLE001
        return []


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    min_chars: int = MIN_BODY_CHARS,
    body: str = "trimmed",
    fallbacks: bool = True,
) -> ExtractedPage:
    """Extract main text and metadata from an HTML page (bytes are decoded with charset sniffing).

    `body` chooses trafilatura's setting for the main text: "trimmed" (the default: the default
    extraction trimmed to what favor_precision keeps, see `trim_to_precise`), or "default",
    "precision", "recall" alone; `fallbacks=False` turns trafilatura's fallback extractors off.
    The choice was measured with `tasks.evaluate.extraction`. Never raises: a page trafilatura
    cannot use gives `ok=False` with `problem` set and whatever metadata could still be read.
    """
    from trafilatura import load_html
    from trafilatura.metadata import extract_metadata

    if body not in BODY_MODES:
        raise ValueError(f"body must be one of {BODY_MODES}, not {body!r}")
    if isinstance(html, bytes):
        html = decode_html(html, None)
    if not html or not html.strip():
        return ExtractedPage(title=None, text="", ok=False, problem="empty page")
    try:
        tree = load_html(html)
    except Exception as exc:  # noqa: BLE001
        return ExtractedPage(
            title=None, text="", ok=False, problem=f"unparsable HTML: {type(exc).__name__}: {exc}"
        )
    if tree is None:
        return ExtractedPage(title=None, text="", ok=False, problem="unparsable HTML")
    language = _page_language(tree)

    problem: str | None = None
    first = "default" if body == "trimmed" else body
    try:
        document = _bare(tree, url, first, fallbacks, metadata=True)
    except Exception as exc:  # noqa: BLE001 - trafilatura must not stop the batch
        document = None
        problem = f"trafilatura failed: {type(exc).__name__}: {exc}"
    text = _lines(getattr(document, "text", None)) if document is not None else ""
    if body == "trimmed":
        try:
            precise = _bare(tree, url, "precision", fallbacks, metadata=False)
        except Exception:  # noqa: BLE001
            precise = None
        if precise is not None:
            text = trim_to_precise(text, _lines(getattr(precise, "text", None)))
    if len(text) < min_chars:
        text = _embedded_text(tree, url, fallbacks) or text
    if document is None:
        problem = None if text else problem or "trafilatura found no main text"
        try:
            document = extract_metadata(tree, url)
        except Exception:  # noqa: BLE001
            document = None

    title = getattr(document, "title", None) if document is not None else None
    site = getattr(document, "sitename", None) if document is not None else None
    description = getattr(document, "description", None) if document is not None else None
    canonical = getattr(document, "url", None) if document is not None else None
    objects = _json_ld_objects(tree)
    sites = _site_names(tree, objects, site, (url, canonical))
    title = _clean_title(title, tree, sites, objects)
    # JSON-LD names the authors one by one (even when it credits only the publisher or its
    # desk, it beats trafilatura's byline guess on the gold set); that guess is the fallback.
    authors = _clean_authors(tuple(_json_ld_authors(objects)), sites)
    if not authors:
        authors = _clean_authors(
            _split_authors(getattr(document, "author", None) if document is not None else None),
            sites,
        )
    raw_date = getattr(document, "date", None) if document is not None else None
    evidence = date_evidence(html, tree, url or canonical, objects, raw_date)
    published_at, precision, date_source = choose_published(evidence)

    text = drop_trailing_list(drop_furniture(drop_headline(text, title)), min_chars)
    text = with_standfirst(tree, text)
    ok = len(text) >= min_chars
    if not ok and problem is None:
        problem = f"main text too short ({len(text)} characters, fewer than {min_chars})"
    return ExtractedPage(
        title=title.strip() if title else None,
        text=text,
        authors=authors,
        published_at=published_at,
        published_precision=precision,
        published_source=date_source,
        date_evidence=evidence,
        site=site.strip() if site else None,
        language=language,
        ok=ok,
        description=description,
        canonical_url=canonical,
        problem=problem,
    )
