"""RSS / Atom / JSON Feed parsing into typed entries. Pure: bytes in, records out, never raises.

A broken feed is data, not a crash: whatever feedparser recovers is kept, and the problem is
recorded (`bozo`, `problem`). Entity bombs are defused before feedparser sees the body, with a
real XML parser rather than a pattern: expat reads the prolog (everything before the root
element) and reports every entity declaration in the DTD. Flat short entities (no reference inside, a
bounded total expansion) and external ones (never fetched) are harmless and left alone; a DTD
declaring anything else has its internal subset cut out at the byte offsets expat gives, the
result is checked again, and the feed is marked bozo (`EntityDeclarationsRemoved`). A prolog that
expat cannot read while the text declares entities is refused (`UnsafeDTD`). Bodies over a
size cap are refused; at most `max_entries` entries are kept, and `listed` says how many the
feed had.
"""

from __future__ import annotations

import calendar
import html
import json
import re
import time
import warnings
from xml.parsers import expat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin

from tasks.acquire.urls import canonical_url
from tasks.records import FeedEntry

if TYPE_CHECKING:
    import lxml.html

__all__ = [
    "MAX_FEED_BYTES",
    "FeedEntry",
    "FeedParse",
    "feed_body",
    "html_to_text",
    "parse_feed",
    "select_entries_to_fetch",
]

# a feedparser entry (a dict subclass) or a JSON Feed item: fields as the feed gave them
Entry = dict[str, Any]
_T = TypeVar("_T")

MAX_FEED_BYTES = 20_000_000
MAX_ENTRIES = 5_000
MAX_TEXT_CHARS = 200_000  # per summary / content field

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header footer figure figcaption dd dt".split()
)


@dataclass(frozen=True, slots=True)
class FeedParse:
    """A parsed feed: what could be read, and what was wrong with it."""

    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    bozo: bool = False
    problem: str | None = None  # "<ExceptionType>: message", or a sentence for our own refusals
    kind: str = ""  # feedparser's version: "rss20", "atom10", "json11", ...; "" when unknown
    link: str | None = None  # the site the feed belongs to
    problem_type: str | None = None  # the exception type name alone, for counting
    listed: int = 0  # entries the feed listed (more than `entries` when it was over the cap)


# --------------------------------------------------------------------------- helpers


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, block elements on new lines."""
    if not fragment:
        return ""
    fragment = fragment[:MAX_TEXT_CHARS]
    if "<" not in fragment:
        return _collapse(html.unescape(fragment))
    try:
        import lxml.html

        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        for bad in root.xpath("//script|//style|//noscript|//iframe|//object|//embed"):
            bad.drop_tree()
        parts: list[str] = []

        def walk(node: lxml.html.HtmlElement) -> None:
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag.lower() in _BLOCK_TAGS:
                parts.append("\n")
            if node.text and tag:
                parts.append(node.text)
            for child in node:
                walk(child)
            if tag.lower() in _BLOCK_TAGS:
                parts.append("\n")
            if node.tail:
                parts.append(node.tail)

        walk(root)
        text = "".join(parts)
    except Exception:  # noqa: BLE001 - fall back to a crude tag strip
        text = html.unescape(re.sub(r"<[^>]{0,2000}>", " ", fragment))
    return _collapse(text)


def _collapse(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


class _PrologDone(Exception):
    """Raised from an expat handler: the prolog (where a DTD may be) has been read."""


@dataclass(frozen=True)
class _EntityDecl:
    name: str
    parameter: bool
    value: str | None  # replacement text of an internal entity; None for an external one
    external: bool  # has a system or public identifier (never fetched here)


@dataclass
class _Prolog:
    entities: list[_EntityDecl] = field(default_factory=list)  # declarations in the DTD
    subset: tuple[int, int] | None = None  # byte offsets of the internal subset's "[" and "]"
    error: str | None = None  # expat could not read the prolog


def _scan_prolog(body: bytes) -> _Prolog:
    """Read the prolog with expat, counting entity declarations; stop at the root element.

    No entity is expanded: parameter entities are never parsed, and the scan stops before the
    document's content, where general entities would be used.
    """
    found = _Prolog()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    start = 0

    def doctype(_name: str, _sysid: str | None, _pubid: str | None, subset: int) -> None:
        nonlocal start
        start = parser.CurrentByteIndex if subset else -1

    def end_doctype() -> None:
        if start >= 0:
            found.subset = (start, parser.CurrentByteIndex)
        raise _PrologDone

    def entity(
        name: str,
        parameter: int,
        value: str | None,
        _base: str | None,
        system_id: str | None,
        public_id: str | None,
        _notation: str | None,
    ) -> None:
        found.entities.append(
            _EntityDecl(name, bool(parameter), value, bool(system_id or public_id))
        )

    def unparsed(name: str, *_args: object) -> None:
        found.entities.append(_EntityDecl(name, False, None, True))

    def root(_name: str, _attrs: object) -> None:
        raise _PrologDone

    parser.StartDoctypeDeclHandler = doctype
    parser.EndDoctypeDeclHandler = end_doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.StartElementHandler = root
    try:
        parser.Parse(body, True)
    except _PrologDone:
        pass
    except (expat.ExpatError, ValueError, LookupError) as exc:  # also unsupported encodings
        found.error = f"{type(exc).__name__}: {exc}"
    return found


_MAX_FLAT_ENTITY = 1024  # characters of one kept entity's text
_MAX_EXPANSION = 1_000_000  # characters all references to kept entities may add


def _harmless(decls: list[_EntityDecl], body: bytes) -> bool:
    """Entities that cannot blow up: flat short texts (no reference, markup or parameter
    entity inside) whose references add at most `_MAX_EXPANSION` characters, and external
    parameter entities (never loaded). Anything else makes the DTD unsafe."""
    if len(decls) > 256:
        return False
    if any(d.value is not None for d in decls) and body[:4].count(b"\x00"):
        return False  # UTF-16/32: references cannot be counted in the raw bytes
    added = 0
    for d in decls:
        if d.value is None:  # external: only parameter entities (never loaded) are left alone
            if not (d.external and d.parameter):
                return False
            continue
        if d.parameter or len(d.value) > _MAX_FLAT_ENTITY or any(c in d.value for c in "&%<"):
            return False
        added += len(d.value) * body.count(f"&{d.name};".encode("utf-8", "replace"))
    return added <= _MAX_EXPANSION


_CLOSE_SUBSET = (b"]\x00\x00\x00", b"\x00\x00\x00]", b"]\x00", b"\x00]", b"]")
_ENTITY_TEXT = re.compile(r"<!\s*ENTITY", re.IGNORECASE)


def _declares_entities(body: bytes) -> bool:
    """Whether the text, read in any likely encoding, holds an entity declaration."""
    codecs = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp037", "latin-1")
    return any(_ENTITY_TEXT.search(body.decode(c, "ignore")) for c in codecs)


def _defuse(body: bytes) -> tuple[bytes, str | None, str | None]:
    """(body safe for feedparser, note of what was removed, reason to refuse the feed)."""
    prolog = _scan_prolog(body)
    if prolog.error is not None:
        if _declares_entities(body[:MAX_FEED_BYTES]):
            return (
                body,
                None,
                (
                    f"the feed declares XML entities in a prolog the XML parser cannot read "
                    f"({prolog.error}); refused, since its entities could expand without bound"
                ),
            )
        return body, None, None
    if not prolog.entities or _harmless(prolog.entities, body):
        return body, None, None
    if prolog.subset is not None:
        first, last = prolog.subset  # "[" and the end of the declaration ("]" or ">")
        ends = [last] + [last + len(c) for c in _CLOSE_SUBSET if body.startswith(c, last)]
        for end in ends:
            cleaned = body[:first] + body[end:]
            check = _scan_prolog(cleaned)
            if check.error is None and not check.entities:
                return (
                    cleaned,
                    f"its DTD declared {len(prolog.entities)} entities, some of which could "
                    f"expand without bound; the DTD's internal subset "
                    f"({end - first:,} bytes) was removed before parsing, so entities are "
                    "not expanded",
                    None,
                )
    return body, None, "the feed declares XML entities that could not be removed safely; refused"


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _raw(entry: Entry, key: str) -> Any:
    """A field as the feed gave it, bypassing feedparser's deprecated fallbacks."""
    return dict.get(entry, key)


def _entry_link(entry: Entry) -> str | None:
    link = _raw(entry, "link")
    if not link:
        for candidate in _raw(entry, "links") or []:
            href = candidate.get("href") if isinstance(candidate, dict) else None
            if href and candidate.get("rel", "alternate") == "alternate":
                link = href
                break
    if not link:
        guid = _raw(entry, "id")
        if (
            isinstance(guid, str)
            and guid.startswith(("http://", "https://"))
            and _raw(entry, "guidislink") is not False
        ):
            link = guid
    return link.strip() if isinstance(link, str) and link.strip() else None


def _entry_authors(entry: Entry) -> tuple[str, ...]:
    names: list[str] = []
    for author in _raw(entry, "authors") or []:
        if isinstance(author, dict):
            name = author.get("name") or author.get("email")
            if name:
                names.append(str(name))
    if not names:
        single = _raw(entry, "author")
        if single:
            names.append(str(single))
    cleaned = []
    for name in names:
        text = html_to_text(name)
        if text:
            cleaned.append(text)
    return tuple(dict.fromkeys(cleaned))


def _detail_text(detail: object, value: str | None) -> str:
    kind = (detail or {}).get("type", "text/html") if isinstance(detail, dict) else "text/html"
    if kind == "text/plain":
        return _collapse(html.unescape(value or ""))
    return html_to_text(value)


def _entry_content(entry: Entry) -> str:
    pieces = []
    for item in _raw(entry, "content") or []:
        if isinstance(item, dict) and item.get("value"):
            pieces.append(_detail_text(item, item.get("value")))
    return "\n".join(p for p in pieces if p)


def _to_entry(entry: Entry, base: str) -> FeedEntry:
    link = _entry_link(entry)
    url = None
    resolved = None
    if link:
        url = canonical_url(link, base=base or None)
        if not url.startswith(("http://", "https://")):
            url = None
        resolved = urljoin(base, link) if base else link
    title = _raw(entry, "title")
    summary = _detail_text(_raw(entry, "summary_detail"), _raw(entry, "summary"))
    content = _entry_content(entry)
    guid = _raw(entry, "id")
    tags = tuple(
        str(t.get("term"))
        for t in (_raw(entry, "tags") or [])
        if isinstance(t, dict) and t.get("term")
    )
    return FeedEntry(
        url=url,
        title=html_to_text(title) if title else None,
        published_at=_utc(_raw(entry, "published_parsed")),
        updated_at=_utc(_raw(entry, "updated_parsed")),
        authors=_entry_authors(entry),
        summary=summary,
        content=content,
        entry_id=str(guid) if guid else None,
        link=resolved,
        tags=tags,
    )


def _problem(exc: BaseException | None) -> tuple[str | None, str | None]:
    if exc is None:
        return None, None
    name = type(exc).__name__
    message = " ".join(str(exc).split())[:500]
    return f"{name}: {message}" if message else name, name


# --------------------------------------------------------------------------- public


def parse_feed(
    body: bytes,
    feed_url: str,
    headers: dict[str, str] | None = None,
    max_entries: int = MAX_ENTRIES,
) -> FeedParse:
    """Parse feed bytes; never raises.

    `feed_url` is the base for relative links; `headers` are the HTTP response headers
    (Content-Type charset matters for the encoding). A body that is not a feed gives no entries
    and a `problem`; a broken feed keeps the entries that parsed and is marked `bozo`. At most
    `max_entries` entries are kept (the first ones; 0 keeps all); `listed` counts them all.
    """
    try:
        return _parse_feed(body, feed_url, headers, max_entries)
    except Exception as exc:  # noqa: BLE001 - the last line of defence; counted as a crash in benchmarks
        problem, _ = _problem(exc)
        return FeedParse(
            title=None, bozo=True, problem=f"InternalError: {problem}", problem_type="InternalError"
        )


def _parse_feed(
    body: bytes, feed_url: str, headers: dict[str, str] | None, max_entries: int
) -> FeedParse:
    import feedparser

    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body or not body.strip():
        return FeedParse(
            title=None, bozo=True, problem="EmptyFeed: the body is empty", problem_type="EmptyFeed"
        )
    if len(body) > MAX_FEED_BYTES:
        return FeedParse(
            title=None,
            bozo=True,
            problem=f"FeedTooLarge: {len(body):,} bytes, more than the {MAX_FEED_BYTES:,} byte cap",
            problem_type="FeedTooLarge",
        )
    if body.lstrip()[:1] == b"{":
        json_parse = _parse_json_feed(body, feed_url, max_entries)
        if json_parse is not None:
            return json_parse
    body, defused, refused = _defuse(body)
    if refused is not None:
        return FeedParse(
            title=None, bozo=True, problem=f"UnsafeDTD: {refused}", problem_type="UnsafeDTD"
        )
    # Headers only when the caller has real ones: feedparser reads a header set without
    # Content-Type as "served with no Content-Type" (bozo). Relative links are resolved
    # against `feed_url` below either way.
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if response_headers and feed_url:
        response_headers.setdefault("content-location", feed_url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = feedparser.parse(body, response_headers=response_headers)

    bozo = bool(parsed.get("bozo")) or defused is not None
    problem, problem_type = (
        _problem(parsed.get("bozo_exception")) if parsed.get("bozo") else (None, None)
    )
    if defused:  # the fact that matters most comes first
        problem = f"EntityDeclarationsRemoved: {defused}" + (f"; then {problem}" if problem else "")
        problem_type = "EntityDeclarationsRemoved"
    version = parsed.get("version") or ""
    feed = parsed.get("feed") or {}
    base = feed_url or ""
    raw_entries = parsed.get("entries") or []
    entries = [_to_entry(e, base) for e in _capped(raw_entries, max_entries)]
    feed_fields = [
        k for k in ("title", "link", "subtitle", "updated") if _raw(parsed.get("feed") or {}, k)
    ]
    if not version and not entries and not feed_fields:
        bozo = True
        if problem is None:
            problem, problem_type = (
                "NotAFeed: no RSS, Atom or JSON feed found in the body",
                "NotAFeed",
            )
        else:
            problem, problem_type = f"NotAFeed: {problem}", "NotAFeed"
    title = _raw(feed, "title")
    link = _raw(feed, "link")
    return FeedParse(
        title=html_to_text(title) if title else None,
        entries=entries,
        bozo=bozo,
        problem=problem,
        kind=version,
        link=link if isinstance(link, str) else None,
        problem_type=problem_type,
        listed=len(raw_entries),
    )


def _capped(items: list[_T], cap: int) -> list[_T]:
    return items[:cap] if cap > 0 else items


def _json_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_json_feed(body: bytes, feed_url: str, max_entries: int) -> FeedParse | None:
    """A JSON Feed (jsonfeed.org 1.0 / 1.1), which feedparser 6.0 does not read; None if not one."""
    try:
        data = json.loads(body.decode("utf-8-sig", "replace"))
    except ValueError:
        return None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        return None
    kind = "json11" if str(data.get("version", "")).rstrip("/").endswith("1.1") else "json10"
    items = data.get("items")
    problem = None if isinstance(items, list) else "InvalidJSONFeed: no items list"
    entries: list[FeedEntry] = []
    listed = items if isinstance(items, list) else []
    for item in _capped(listed, max_entries):
        if not isinstance(item, dict):
            problem = problem or "InvalidJSONFeed: an item is not an object"
            continue
        link = item.get("url") or item.get("external_url")
        link = link.strip() if isinstance(link, str) and link.strip() else None
        url = canonical_url(link, base=feed_url or None) if link else None
        if url and not url.startswith(("http://", "https://")):
            url = None
        people = item.get("authors") or (
            [item["author"]] if isinstance(item.get("author"), dict) else []
        )
        authors = tuple(
            dict.fromkeys(
                str(a["name"]).strip() for a in people if isinstance(a, dict) and a.get("name")
            )
        )
        content = item.get("content_html")
        content_text = html_to_text(content) if isinstance(content, str) else ""
        if not content_text and isinstance(item.get("content_text"), str):
            content_text = _collapse(item["content_text"][:MAX_TEXT_CHARS])
        summary = item.get("summary")
        title = item.get("title")
        tags = item.get("tags")
        entries.append(
            FeedEntry(
                url=url,
                title=html_to_text(title) if isinstance(title, str) and title else None,
                published_at=_json_date(item.get("date_published")),
                updated_at=_json_date(item.get("date_modified")),
                authors=authors,
                summary=html_to_text(summary) if isinstance(summary, str) else "",
                content=content_text,
                entry_id=str(item["id"]) if item.get("id") is not None else None,
                link=urljoin(feed_url, link) if link and feed_url else link,
                tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            )
        )
    title = data.get("title")
    home = data.get("home_page_url")
    return FeedParse(
        title=html_to_text(title) if isinstance(title, str) and title else None,
        entries=entries,
        bozo=problem is not None,
        problem=problem,
        kind=kind,
        link=home if isinstance(home, str) else None,
        problem_type=problem.split(":", 1)[0] if problem else None,
        listed=len(listed),
    )


def select_entries_to_fetch(
    entries: Iterable[FeedEntry], known: Mapping[str, datetime | None]
) -> list[FeedEntry]:
    """Entries whose page should be fetched: new canonical URLs, or stored ones the feed says changed.

    `known` maps canonical URLs already stored to the entry date stored with them (the
    entry's updated or published time when it was last fetched; None if unknown). A stored URL
    is fetched again only when the entry carries an `updated_at` later than that. Entries
    without a URL are skipped; the same URL twice in `entries` (one story in two feeds) is
    kept once, the first time it appears.
    """
    chosen: list[FeedEntry] = []
    seen: set[str] = set()
    for entry in entries:
        if not entry.url or entry.url in seen:
            continue
        seen.add(entry.url)
        if entry.url not in known:
            chosen.append(entry)
            continue
        stored, updated = known[entry.url], entry.updated_at
        if updated is None:
            continue
        if stored is not None:
            changed = updated > stored
        else:  # no stored date: trust only an update stamp later than the publication
            changed = entry.published_at is not None and updated > entry.published_at
        if changed:
            chosen.append(entry)
    return chosen


def feed_body(entry: FeedEntry, min_chars: int = 1) -> tuple[str, str] | None:
    """The feed's own text for an entry whose page gave no usable body: (text, body_origin).

    The full content when the feed carries it ("feed_content"), else the summary
    ("feed_summary"); None when the feed has neither (or less than `min_chars`).
    """
    if entry.content and len(entry.content) >= max(min_chars, len(entry.summary)):
        return entry.content, "feed_content"
    if entry.summary and len(entry.summary) >= min_chars:
        return entry.summary, "feed_summary"
    if entry.content and len(entry.content) >= min_chars:
        return entry.content, "feed_content"
    return None
