"""Typed records passed between pipeline stages.

They become rows (Arrow tables) only at the warehouse boundary (`tasks.store`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Bytes as read from a file or fetched from the web, before extraction."""

    source: str  # source name: a folder, a feed, "urls"
    uri: str  # file path relative to its root, or the URL
    content: bytes
    media_type: str  # "text/plain", "text/html", "application/json", "application/x-ndjson"
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None  # declared charset, if any
    route: str = "file"  # how it arrived: "file", "feed", "url"
    hints: dict[str, str] = field(default_factory=dict)  # e.g. feed entry title/date/summary


@dataclass(frozen=True, slots=True)
class Article:
    """One extracted, cleaned article."""

    id: str  # stable id (canonical URL, record id or file identity)
    source: str
    uri: str  # where it was read from (file path or fetched URL)
    url: str | None  # canonical URL, when known
    title: str
    text: str  # clean body text; paragraphs separated by "\n\n"
    content_hash: str  # sha256 of title + clean text
    extractor: str  # e.g. "plaintext/1", "trafilatura/2.3.1", "json/1"
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    published_inferred: bool = False
    language: str | None = None
    site: str | None = None
    external_id: str | None = None  # the id a JSON record carried
    captions: tuple[str, ...] = ()  # photo captions taken out of the body
    body_origin: str = "body"  # "body", or "feed_content"/"feed_summary" when a page gave none
    route: str = "file"
    encoding: str | None = None  # charset the bytes were decoded with
    decode_errors: int = 0  # invalid byte sequences replaced by U+FFFD
    text_warnings: tuple[str, ...] = ()  # doubts about the text: replaced bytes, a wrong label


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention, with offsets into `Article.text`."""

    article_id: str
    entity_id: str
    canonical: str  # canonical name within the article (e.g. "Alexey Navalny")
    label: str  # settled label across the article's mentions (PERSON, ORG, GPE, ...)
    text: str  # surface text as in the article
    ner_label: str  # label spaCy gave this mention
    start: int
    end: int
    sentence: int  # sentence index within the article


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity across articles: one per (canonical name, label)."""

    id: str
    name: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression resolved against the article's publication date."""

    text: str
    start: int
    end: int
    value: date | None
    precision: str  # "day", "month", "year"
    relative: bool


@dataclass(frozen=True, slots=True)
class Event:
    """Who did what to whom, when and where: one coded event in a sentence."""

    article_id: str
    sentence: int
    trigger: str
    trigger_start: int
    trigger_end: int
    category: str  # PLOVER category, e.g. CONSULT
    quad_class: str  # verbal/material cooperation/conflict
    mode: str  # asserted, planned, hypothetical, negated, reported
    confidence: float
    actor: str | None = None
    actor_entity: str | None = None
    target: str | None = None
    target_entity: str | None = None
    location: str | None = None
    location_entity: str | None = None
    event_date: date | None = None
    date_precision: str | None = None
    date_text: str | None = None
    cameo_code: str | None = None
    actor_code: str | None = None  # CAMEO actor code, e.g. RUSCOP (tasks.nlp.events.actors)
    actor_country: str | None = None  # its country code, e.g. RUS (None for IGOs)
    target_code: str | None = None
    target_country: str | None = None
    coded: bool = False  # actor (and target, for two-party categories) resolve; political
    is_main: bool = False  # the event its sentence is about
    domain: str | None = None  # political, or sport/entertainment/business/tech
    tone: float | None = None  # the event sentence's tone, -100..+100 (tasks.nlp.tone)
    place_id: str | None = None  # where it happened, resolved in the gazetteer (ActionGeo)


@dataclass(frozen=True, slots=True)
class Quote:
    """What was said, by whom."""

    article_id: str
    sentence: int
    quotation: str
    start: int
    end: int
    kind: str  # "direct" or "indirect"
    speaker: str | None = None
    speaker_entity: str | None = None
    cue: str | None = None


@dataclass(frozen=True, slots=True)
class FiveW1H:
    """Per-article who, what, when, where, why and how."""

    article_id: str
    who: str | None = None
    what: str | None = None
    when: str | None = None
    when_date: date | None = None
    where: str | None = None
    why: str | None = None
    how: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """An item that failed at some stage; the run goes on without it."""

    stage: str  # "read", "extract", "enrich", "load", "fetch", "feed", ...
    source: str
    uri: str
    error_type: str
    message: str
    http_status: int | None = None
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything the NLP stage derived from one article."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()
    dates: tuple[DateMention, ...] = ()
    five_w1h: FiveW1H | None = None
    tone: float | None = None  # the article's tone, -100..+100 (tasks.nlp.tone)
    places: tuple[Place, ...] = ()  # places the article names, resolved in the gazetteer
    place_links: tuple[tuple[str, str], ...] = ()  # (canonical place name, place_id)


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the offline gazetteer (tasks.nlp.gazetteer)."""

    place_id: str  # "gn:<geonames id>", or "iso:<ISO 3166-2 code>" for other subdivisions
    name: str
    country_code: str | None  # ISO 3166-1 alpha-2; None for continents
    lat: float | None
    lon: float | None
    kind: str  # country, city, region
    population: int | None


@dataclass(frozen=True, slots=True)
class RawPage:
    """A fetched page body, kept so a new extractor can re-extract without fetching."""

    url: str
    article_id: str | None
    fetched_at: datetime
    status: int
    content_type: str | None
    encoding: str | None
    headers: dict[str, str]
    body: bytes


# ----------------------------------------------------------------------------------------------
# The web path: configured feeds, what a feed listed, pages to fetch, what a batch of pages adds
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedSource:
    """A configured feed (a `[[feeds]]` table of the sources file)."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    schedule: str | None = None  # cron expression
    interval_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item, with its link in canonical form."""

    url: str | None  # canonical article URL (tracking parameters dropped); None if it has none
    title: str | None
    published_at: datetime | None  # aware UTC
    updated_at: datetime | None  # aware UTC
    authors: tuple[str, ...] = ()
    summary: str = ""  # plain text
    content: str = ""  # plain text of the full content, when the feed carries it
    entry_id: str | None = None  # guid / atom:id as given
    link: str | None = None  # the link as the feed gave it (resolved, not canonicalised)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """What checking one feed gave: its status, the entries it listed and its new validators."""

    source: FeedSource
    status: str  # "ok", "not_modified", "bozo", "truncated", "failed"
    entries: tuple[FeedEntry, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    failures: tuple[Failure, ...] = ()  # what was wrong with the feed (recorded in `failures`)


@dataclass(frozen=True, slots=True)
class PageJob:
    """One article page to fetch: the route it came by and what the feed said about it.

    `twins` are the same page listed by other feeds: fetched once, recorded for each.
    """

    source: str
    url: str  # canonical URL
    route: str  # "feed" or "url"
    entry: FeedEntry | None = None
    twins: tuple[PageJob, ...] = ()


@dataclass(frozen=True, slots=True)
class EntrySeen:
    """A feed entry as a run saw it, with what became of its page (a `feed_entries` row)."""

    source: str
    url: str  # canonical URL
    article_id: str
    status: str  # "fetched", "feed_body" (the feed's own text was used), "failed"
    entry: FeedEntry | None = None


@dataclass(frozen=True, slots=True)
class PageRows:
    """What a batch of fetched pages writes beside its articles, in the same transaction.

    `twins` are (source that fetched, url, other source listing it): the other source gets a
    route to whatever article the page became.
    """

    pages: tuple[RawPage, ...] = ()
    entries: tuple[EntrySeen, ...] = ()
    twins: tuple[tuple[str, str, str], ...] = ()
