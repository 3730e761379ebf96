"""Publication date of an article page: htmldate plus the page's own structured fields. Pure.

Evidence, gathered once per page (`date_evidence`):
- `htmldate`: htmldate's original publication date (`original_date=True`, extensive search,
  the page's URL), the strongest single source on the development pages;
- `json_ld`: `datePublished` of the page's JSON-LD (the article object first);
- `meta`: the page's published-time meta tags and `itemprop=datePublished` elements;
- `url`: a complete `/YYYY/MM/DD/` date in the URL's path;
- `trafilatura`: the day trafilatura's metadata gave (htmldate inside trafilatura).

A timestamp names an instant; the publication *day* is the day in the publisher's own time
zone. A timestamp with an offset gives its day in that offset. A UTC timestamp ("Z",
"+00:00") is moved into the zone the page's other timestamps use (the most common non-zero
offset on the page); with no such zone its day is only a UTC day, which is a day off for
every article published in the evening west of Greenwich.

`choose_published` weighs the evidence: each source votes for its day with a weight, the day
with the most weight wins and htmldate breaks ties. On a page with no JSON-LD or meta date,
htmldate's latest date (`original_date=False`) replaces its original date when it is later.
When htmldate alone dates the page (no structured field with a zone agrees) and the page never
shows a reader that day, while it shows others, the first date it shows is taken (a date in a
list of dates, such as a sidebar of dated links, or a future date is no candidate; a day whose
month the URL names stays; and an older shown date does not replace a day that a UTC-only
JSON-LD or meta timestamp confirms). A JSON-LD or meta timestamp in the publisher's zone wins
over a bare date (no time) of the other field on another day. Last, the one date the page
shows next to its headline (its byline; not a date a sentence cites, "on Monday, 28 April")
is taken when it is within 45 days of the chosen one; with no byline, the one date the page
labels as published ("Veröffentlicht am ..."). The weights are data (`DEFAULT_WEIGHTS`),
chosen by 5-fold cross-validation on the development pages (`tasks.evaluate.dates`): htmldate
is overruled only when the JSON-LD date and the meta tags agree on another day in the page's
own zone. When no weighted source has a day, the first of JSON-LD, meta, UTC days, URL and
trafilatura that has one is taken. The text-based inference (`tasks.nlp.dates`) comes after
all of this, in the NLP stage, for articles still without a date.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime

__all__ = [
    "DEFAULT_WEIGHTS",
    "DateEvidence",
    "Stamp",
    "byline_date",
    "choose_published",
    "date_evidence",
    "page_offset",
    "parse_stamp",
    "reader_evidence",
    "reader_view",
    "shown_dates",
    "url_day",
    "visible_text",
]

log = logging.getLogger(__name__)

# Votes per source. htmldate 3, JSON-LD 2, meta 2: the structured fields outvote htmldate only
# together. A UTC-only day (zone unknown) and the URL do not vote (cross-validated: they
# lowered accuracy when they did); they are fallbacks.
DEFAULT_WEIGHTS: Mapping[str, float] = {"htmldate": 3.0, "json_ld": 2.0, "meta": 2.0}
FALLBACK_ORDER = ("json_ld", "meta", "json_ld_utc", "meta_utc", "url", "trafilatura")

PUBLISHED_XPATHS = (
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

_ISO_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$",
    re.IGNORECASE,
)
# Zoned ISO timestamps anywhere in the page: the zone the publisher works in.
_ZONED_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?([+-]\d{2}:?\d{2})\b")
_URL_DAY_RE = re.compile(r"/((?:19|20)\d{2})[/_-]([01]\d)[/_-]([0-3]\d)(?=[/_.-]|$)")
_MAX_SCAN = 2_000_000  # characters of a page scanned for its time zone


@dataclass(frozen=True, slots=True)
class Stamp:
    """A publication date as a page states it: its local day, and the instant when known."""

    day: date  # in the publisher's zone when known, else as written (or UTC)
    instant: datetime | None = None  # aware, in the publisher's offset where known
    zone: str = (
        "date"  # "local" (own offset), "moved" (UTC put in the page's zone), "utc", "naive", "date"
    )


@dataclass(frozen=True, slots=True)
class DateEvidence:
    """What a page says about its publication date, source by source."""

    htmldate: date | None = None
    json_ld: Stamp | None = None
    meta: Stamp | None = None
    url: date | None = None
    trafilatura: date | None = None
    offset: timezone | None = None  # the page's own zone, from its zoned timestamps
    # htmldate's latest date (`original_date=False`), sought only on a page with no structured
    # date (no JSON-LD or meta date): see `choose_published`
    htmldate_latest: date | None = None
    # Dates a reader sees on the page (its text outside scripts and styles), sought only when
    # htmldate alone dates the page: whether htmldate's day is among them, and the first one
    # that is no later than today and not in a list of dates (see `shown_dates`).
    shown: frozenset[date] | None = None
    first_shown: date | None = None
    # The one date shown next to the page's headline (its first h1, else h2), if only one is:
    # a byline.
    byline: date | None = None
    url_month: tuple[int, int] | None = None  # a /YYYY/MM/ in the URL's path
    # The one day the page labels as its publication's ("Veröffentlicht am 16.08.2019"),
    # sought only when no byline is found.
    labelled: date | None = None
    extra: dict[str, date] = field(default_factory=dict)

    def days(self) -> dict[str, date]:
        """Each source's day; UTC-only stamps go under `json_ld_utc` / `meta_utc`."""
        out: dict[str, date] = {}
        for name in ("json_ld", "meta"):
            stamp: Stamp | None = getattr(self, name)
            if stamp is not None:
                out[name if stamp.zone != "utc" else f"{name}_utc"] = stamp.day
        for name in ("htmldate", "url", "trafilatura"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(self.extra)
        return out


def _offset(text: str) -> timezone | None:
    text = text.replace(":", "")
    if text.upper() == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    hours = int(text[1:3])
    minutes = int(text[3:5]) if len(text) >= 5 else 0
    if hours > 14 or minutes >= 60:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def page_offset(html: str) -> timezone | None:
    """The most common non-zero UTC offset among the page's ISO timestamps, if any."""
    counts: Counter[str] = Counter()
    for match in _ZONED_RE.finditer(html, 0, _MAX_SCAN):
        value = match.group(1).replace(":", "")
        if value not in ("+0000", "-0000"):
            counts[value] += 1
    if not counts:
        return None
    return _offset(counts.most_common(1)[0][0])


_NAIVE = "naive"


def _iso_stamp(match: re.Match[str]) -> Stamp | datetime | None:
    """An ISO match as a day (no time, or no zone) or as an aware datetime; None if invalid."""
    year, month, day_, hour, minute, second, tz = match.groups()
    try:
        if hour is None:
            return Stamp(date(int(year), int(month), int(day_)))
        parsed = datetime(
            int(year), int(month), int(day_), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        return None
    if tz is None:
        return Stamp(parsed.date(), None, _NAIVE)
    tzinfo = _offset(tz)
    return None if tzinfo is None else parsed.replace(tzinfo=tzinfo)


def _rfc_stamp(value: str) -> Stamp | datetime | None:
    """An RFC 2822 timestamp as an aware datetime (a day when it has no zone); None if invalid."""
    if not re.search(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", value):
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return Stamp(parsed.date(), None, _NAIVE) if parsed.tzinfo is None else parsed


def parse_stamp(value: str, zone: timezone | None = None) -> Stamp | None:
    """An ISO 8601 or RFC 2822 date or timestamp, with its day in the publisher's zone."""
    value = value.strip()
    if not value:
        return None
    match = _ISO_RE.match(value)
    parsed = _iso_stamp(match) if match else _rfc_stamp(value)
    if parsed is None or isinstance(parsed, Stamp):
        return parsed
    if parsed.utcoffset() != timedelta(0):
        return Stamp(parsed.date(), parsed, "local")
    if zone is not None and zone.utcoffset(None) != timedelta(0):
        moved = parsed.astimezone(zone)
        return Stamp(moved.date(), moved, "moved")
    return Stamp(parsed.date(), parsed.astimezone(UTC), "utc")


def _first_stamp(values: Iterable[object], zone: timezone | None) -> Stamp | None:
    for value in values:
        if isinstance(value, str):
            stamp = parse_stamp(value, zone)
            if stamp is not None and 1990 <= stamp.day.year <= 2100:
                return stamp
    return None


def url_day(url: str | None) -> date | None:
    """A complete `/YYYY/MM/DD/` (or `-`/`_` separated) date in a URL's path."""
    if not url:
        return None
    match = _URL_DAY_RE.search(url.split("?", 1)[0])
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


_URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})/([01]\d)/")

# Month names as pages write them (English, German, French, Italian, Spanish; with and without
# accents, full and abbreviated), for the dates a reader sees.
_MONTH_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "january jan januar janvier gennaio enero jänner",
            "february feb februar février fevrier febbraio febrero",
            "march mar märz maerz mars marzo",
            "april apr avril aprile abril",
            "may mai maggio mayo",
            "june jun juni juin giugno junio",
            "july jul juli juillet luglio julio",
            "august aug août aout agosto",
            "september sep sept septembre settembre septiembre",
            "october oct oktober okt octobre ottobre octubre",
            "november nov novembre noviembre",
            "december dec dezember dez décembre decembre dicembre diciembre",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
# day-month-year orders as (regex, order of the groups: y m d positions, month by name or not)
_SHOWN_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b"), "dmy"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), "dmy"),
    (re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])"), "dmy2"),
    (re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?\s+(\d{{4}})\b", re.IGNORECASE), "dMy"),
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE), "Mdy"),
)
# A run of this many different dates, each within LIST_GAP characters of the next, is a list
# (dated links in a sidebar, an archive): none of them is the page's own date.
LIST_RUN = 3
LIST_GAP = 150
# A byline's date stands this close to the headline (characters of the page's visible text),
# and is taken over the other evidence only this many days from it (a correction, a time zone,
# a print date; not another story's date).
BYLINE_BEFORE = 200
BYLINE_AFTER = 400
BYLINE_MAX_DAYS = 45
# A date labelled as the page's update is not its publication date ("Updated 0117 GMT November
# 28, 2013", "aktualisiert am", "mis à jour le").
_UPDATED_RE = re.compile(
    r"(?:updated|last edited|modified|aktualisiert|geändert|zuletzt|mis à jour|modifié"
    r"|actualizado|aggiornato)[^0-9]{0,25}$",
    re.IGNORECASE,
)
# ... or a date right before such a label with no date of its own: "November 28, 2013 --
# Updated 0203 GMT" (not "25.01.2022, updated 27.01.2022", where the first is the publication)
_UPDATED_AFTER_RE = re.compile(
    r"[^\n]{0,30}?(?:19|20)\d\d\D{0,6}(?:updated|aktualisiert|mis à jour|actualizado|aggiornato)"
    r"(?![^\n]{0,25}?(?:\d{1,2}[./]\d{1,2}[./]\d{2}|\b(?:19|20)\d\d\b))",
    re.IGNORECASE,
)
# A date a sentence cites, not a byline: after "on" (or "op", "am", "le", "el", "il") that
# follows a lowercase word, a comma or a bracket ("in Washington, on Feb. 26, 2024", "began on
# Monday, 28 April 2025", "(ZaB) am 18. Oktober 2021"); a publication label ("veröffentlicht am") or an author's name ("by jdoe
# on") before it keeps it a byline.
_PROSE_RE = re.compile(
    r"(?:[,)]|(?<!\bby )(?<!\bvon )"
    r"\b(?!published\b|posted\b|veröffentlicht\b|publié\b|publicado\b|pubblicato\b)"
    r"[a-zà-öø-ÿß]+)\s+(?:on|op|am|le|el|il)\s+(?:\w+,\s+)?$"
)
# The headline: the first h1 of ten characters or more that is not a date, else the first
# such h2 (a page with no h1, or only a short or dated one, often sets its title in an h2).
HEADLINE_TAGS = ("h1", "h2")
_INVISIBLE = "script style noscript template head".split()
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>")


def _shown_date(groups: tuple[str, ...], order: str) -> date | None:
    a, b, c = groups
    try:
        if order == "ymd":
            return date(int(a), int(b), int(c))
        if order == "dmy":
            return date(int(c), int(b), int(a))
        if order == "dmy2":
            return date(2000 + int(c), int(b), int(a))
        if order == "dMy":
            return date(int(c), _MONTH_NAMES[b.casefold()], int(a))
        return date(int(c), _MONTH_NAMES[a.casefold()], int(b))
    except (ValueError, KeyError):
        return None


def _is_date_heading(words: str) -> bool:
    """True for a heading that is a date and little else (a blog's "Samstag, 9. September 2017")."""
    rest = words
    for pattern, _ in _SHOWN_PATTERNS:
        rest = pattern.sub(" ", rest)
    return rest != words and len(re.sub(r"\W", "", rest)) < 10


def reader_view(html: str) -> tuple[str, str | None]:
    """The page's text a reader sees (text nodes outside scripts, styles and the head, spaces
    collapsed) and its headline (`HEADLINE_TAGS`). Parsed afresh: the
    extraction's tree has been pruned by then."""
    import lxml.html

    outside = " and ".join(f"not(ancestor::{tag})" for tag in _INVISIBLE)
    try:
        tree = lxml.html.fromstring(_XML_DECLARATION_RE.sub("", html, count=1))
        texts = tree.xpath(f"//text()[{outside}]")
        headings = [h for tag in HEADLINE_TAGS for h in tree.xpath(f"//{tag}")]
    except Exception:  # noqa: BLE001 - odd markup must not stop extraction
        return "", None
    headline = None
    for heading in headings:
        words = " ".join(" ".join(heading.itertext()).split())
        if len(words) >= 10 and not _is_date_heading(words):
            headline = words
            break
    return " ".join(" ".join(str(t) for t in texts).split()), headline


def visible_text(html: str) -> str:
    """The page's text a reader sees: its text nodes outside scripts, styles and the head."""
    return reader_view(html)[0]


def _dates_in(text: str, today: date) -> list[tuple[int, date]]:
    """(offset, day) of the dates written in `text`, 1995 to `today`, in order."""
    found: list[tuple[int, date]] = []
    for pattern, order in _SHOWN_PATTERNS:
        for match in pattern.finditer(text):
            day = _shown_date(match.groups(), order)
            if day is not None and date(1995, 1, 1) <= day <= today:
                found.append((match.start(), day))
    return sorted(found)


def shown_dates(text: str, today: date) -> tuple[frozenset[date], date | None]:
    """The dates written in `text` (1995 to `today`), and the first of them that is not in a
    list of dates (LIST_RUN different dates in a row, LIST_GAP characters apart at most)."""
    found = _dates_in(text, today)
    listed: set[int] = set()
    i = 0
    while i < len(found):
        j = i
        while j + 1 < len(found) and found[j + 1][0] - found[j][0] < LIST_GAP:
            j += 1
        if len({day for _, day in found[i : j + 1]}) >= LIST_RUN:
            listed.update(range(i, j + 1))
        i = j + 1
    first = next((day for n, (_, day) in enumerate(found) if n not in listed), None)
    return frozenset(day for _, day in found), first


def byline_date(text: str, headline: str | None, today: date) -> date | None:
    """The date shown next to the headline: within BYLINE_BEFORE characters before it or
    BYLINE_AFTER after it (not in it, not labelled as an update), when exactly one day is
    written there."""
    at = text.find(headline) if headline else -1
    if headline is None or at < 0:
        return None
    start, end = max(0, at - BYLINE_BEFORE), at + len(headline)
    window = text[start : end + BYLINE_AFTER]
    days = {
        day
        for offset, day in _dates_in(window, today)
        if not at - start <= offset < end - start
        and not _UPDATED_RE.search(window[max(0, offset - 40) : offset])
        and not _UPDATED_AFTER_RE.match(window, offset, offset + 50)
        and not _PROSE_RE.search(window[max(0, offset - 40) : offset])
    }
    return days.pop() if len(days) == 1 else None


def _htmldate(html: str, url: str | None, original: bool = True) -> date | None:
    from htmldate import find_date

    try:
        found = find_date(html, url=url, original_date=original, extensive_search=True)
    except Exception as exc:  # noqa: BLE001 - a date heuristic must not stop extraction
        log.debug("htmldate failed on %s: %s", url, exc)
        return None
    if not found:
        return None
    try:
        return date.fromisoformat(found[:10])
    except ValueError:
        return None


def _xpath_values(tree: object, expressions: Iterable[str]) -> list[str]:
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return []
    values: list[str] = []
    for expression in expressions:
        try:
            values.extend(str(v) for v in xpath(expression)[:3])
        except Exception:  # noqa: BLE001 - odd markup must not stop extraction
            continue
    return values


def date_evidence(
    html: str,
    tree: object,
    url: str | None,
    json_ld: Iterable[Mapping[str, object]] = (),
    trafilatura_date: str | None = None,
    *,
    article_types: tuple[str, ...] = ("article", "posting", "report"),
    today: date | None = None,
) -> DateEvidence:
    """Collect every source's publication date for one page (`json_ld`: its JSON-LD objects)."""
    zone = page_offset(html)
    objects = list(json_ld)

    def is_article(item: Mapping[str, object]) -> bool:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        return any(str(k).casefold().endswith(article_types) for k in kinds if k)

    articles = [o.get("datePublished") for o in objects if is_article(o)]
    others = [o.get("datePublished") for o in objects if not is_article(o)]
    traf: date | None = None
    if trafilatura_date:
        try:
            traf = date.fromisoformat(str(trafilatura_date)[:10])
        except ValueError:
            traf = None
    found = _htmldate(html, url)
    json_ld_stamp = _first_stamp(articles, zone) or _first_stamp(others, zone)
    meta_stamp = _first_stamp(_xpath_values(tree, PUBLISHED_XPATHS), zone)
    unstructured = found is not None and json_ld_stamp is None and meta_stamp is None
    month = _URL_MONTH_RE.search(url.split("?", 1)[0]) if url else None
    evidence = DateEvidence(
        htmldate=found,
        json_ld=json_ld_stamp,
        meta=meta_stamp,
        url=url_day(url),
        trafilatura=traf,
        offset=zone,
        htmldate_latest=_htmldate(html, url, original=False) if unstructured else None,
        url_month=(int(month.group(1)), int(month.group(2))) if month else None,
    )
    text, headline = reader_view(html)
    return reader_evidence(evidence, text, headline, today or date.today())


def _corroborated(evidence: DateEvidence) -> bool:
    """True when a JSON-LD or meta date with a zone agrees with htmldate's day."""
    stamps = [s for s in (evidence.json_ld, evidence.meta) if s is not None and s.zone != "utc"]
    return any(s.day == evidence.htmldate for s in stamps)


def reader_evidence(
    evidence: DateEvidence, text: str, headline: str | None, today: date
) -> DateEvidence:
    """`evidence` with what the page shows a reader: the dates in its visible `text` (sought
    only when htmldate alone dates the page) and the one date by its `headline` (a byline)."""
    shown: frozenset[date] | None = None
    first_shown: date | None = None
    if evidence.htmldate is not None and not _corroborated(evidence):
        shown, first_shown = shown_dates(text, today)
    byline = byline_date(text, headline, today)
    labelled = labelled_date(text, today) if byline is None else None
    return replace(evidence, shown=shown, first_shown=first_shown, byline=byline, labelled=labelled)


# A label that says the date after it is the publication's ("Veröffentlicht am 16.08.2019",
# "Erschienen am: 01.11.2023", "Published April 26, 2023", "Publié le 30 août 2023").
_PUBLISHED_LABEL_RE = re.compile(
    r"\b(?:published|posted|veröffentlicht|erschienen|publiziert|publié|publicado|pubblicato"
    r"|publisert|publicerad)(?:\s+(?:on|am|le|el|il|den))?\s*:?\s*",
    re.IGNORECASE,
)


def labelled_date(text: str, today: date) -> date | None:
    """The one day the page labels as its publication date, if it labels exactly one."""
    days: set[date] = set()
    for match in _PUBLISHED_LABEL_RE.finditer(text):
        found = _dates_in(text[match.end() : match.end() + 40], today)
        if found and found[0][0] <= 12:
            days.add(found[0][1])
    return days.pop() if len(days) == 1 else None


def _unseen(evidence: DateEvidence, chosen: date) -> bool:
    """True when the page shows dates but not `chosen`, and its URL does not name its month."""
    return (
        evidence.shown is not None
        and evidence.first_shown is not None
        and chosen not in evidence.shown
        and evidence.url_month != (chosen.year, chosen.month)
    )


def _htmldate_alone(
    evidence: DateEvidence, chosen: date, source: str | None
) -> tuple[date, str | None]:
    """The day and source when htmldate's is taken: its latest date or a date the page shows."""
    latest = evidence.htmldate_latest
    if latest is not None and chosen == evidence.htmldate and latest > chosen:
        # No structured date: htmldate's "original" date is then the oldest date it read in the
        # page (often one the text or a sidebar cites); its latest is the page's own more often
        # (cross-validated on the development pages: right on 6 such pages, wrong on 1).
        chosen, source = latest, "htmldate_latest"
    if source in ("htmldate", "htmldate_latest") and _unseen(evidence, chosen):
        # htmldate alone dates the page, with a day the page never shows a reader: the first
        # date it does show (a byline, a dateline) is the page's own more often (on the
        # development pages: right on 17 such pages where htmldate was wrong, wrong on 1).
        assert evidence.first_shown is not None
        if evidence.first_shown < chosen and _utc_agrees(evidence, chosen):
            # ... unless a UTC-only JSON-LD or meta timestamp agrees with htmldate and the
            # shown date is older: a page shows older dates (related articles, the events it
            # cites) far more often than its own publication stamp is too late.
            return chosen, source
        chosen, source = evidence.first_shown, "shown"
    return chosen, source


def _utc_agrees(evidence: DateEvidence, day: date) -> bool:
    """True when a UTC-only JSON-LD or meta timestamp gives `day`."""
    return any(
        s is not None and s.zone == "utc" and s.day == day
        for s in (evidence.json_ld, evidence.meta)
    )


def _timed_over_date_only(evidence: DateEvidence, chosen: date) -> date | None:
    """The day of a JSON-LD or meta timestamp in the publisher's zone, when the other of the
    two is a bare date on another day and that bare date was chosen (a bare date is often the
    print issue's day or a UTC day; the timestamp says when the page went out)."""
    pair = (evidence.json_ld, evidence.meta)
    for timed, bare in (pair, pair[::-1]):
        if (
            timed is not None
            and bare is not None
            and timed.zone in ("local", "moved")
            and bare.zone == "date"
            and bare.day == chosen
            and timed.day != chosen
        ):
            return timed.day
    return None


def _vote(evidence: DateEvidence, weights: Mapping[str, float]) -> tuple[date | None, str | None]:
    """The day with the most weight and the sources that voted for it (htmldate breaks ties);
    with no vote, the first source of FALLBACK_ORDER that has a day."""
    days = evidence.days()
    votes: dict[date, float] = {}
    for name, day in days.items():
        weight = weights.get(name, 0.0)
        if weight > 0:
            votes[day] = votes.get(day, 0.0) + weight
    if votes:
        chosen = max(votes, key=lambda d: (votes[d], d == evidence.htmldate))
        voters = [s for s, d in days.items() if d == chosen and weights.get(s, 0.0) > 0]
        return chosen, "+".join(voters)
    for name in FALLBACK_ORDER:
        if name in days:
            return days[name], name
    return None, None


def choose_published(
    evidence: DateEvidence, weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> tuple[datetime | None, str | None, str | None]:
    """(published_at, precision "time"/"day", source) from the evidence, by weighted vote.

    `published_at` is aware: the publisher's own timestamp (in its own offset) when one of
    the structured fields gives the chosen day with a time, else midnight UTC of that day.
    """
    chosen, source = _vote(evidence, weights)
    if chosen is None:
        return None, None, None
    timed = _timed_over_date_only(evidence, chosen)
    if timed is not None:
        chosen, source = timed, "timed"
    chosen, source = _htmldate_alone(evidence, chosen, source)
    shown, label = (evidence.byline, "byline") if evidence.byline else (evidence.labelled, "label")
    if shown is not None and shown != chosen and abs((shown - chosen).days) <= BYLINE_MAX_DAYS:
        # The one date next to the headline is the page's own date as its reader sees it (on
        # the development pages: right on 17 pages where the evidence was wrong, wrong on 5);
        # with none there, the one date the page labels as published (right on 2, wrong on 0).
        chosen, source = shown, label
    for stamp in (evidence.json_ld, evidence.meta):
        if stamp is not None and stamp.instant is not None and stamp.day == chosen:
            return stamp.instant, "time", source
    return datetime.combine(chosen, time(0, 0), tzinfo=UTC), "day", source
