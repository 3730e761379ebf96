"""Date expressions: find them, resolve them against the publication date, infer that date.

Library choice: `dateparser` resolves absolute and common relative expressions ("January 25,
2021", "Jan. 5", "yesterday", "two days ago", "next month") with a period (day/week/month/year)
and a relative base; it is well kept and multilingual. It is slow when called blindly (the first
call builds its locale data; each call costs about a millisecond), so it only sees candidate
spans: spaCy DATE entities plus a small regex for weekdays and "this/next/last week|month|weekend"
phrases. A few cases dateparser gets wrong for news are resolved here, because they depend on the
sentence and not on the expression alone:
- weekdays and bare months ("Saturday", "in October") point back or forward according to the
  tense and mode of the verb that governs them ("police on Saturday detained" is the past
  Saturday; "to take to the streets on Sunday" is the coming Sunday); a weekday equal to the
  reference day is that day in the past tense and a week later in the future;
- dates without a year ("February 2") take the year that puts them on the side of the reference
  date the tense says, or the nearest one;
- "early/mid/late" and "next/last/this" around months and weeks keep month or week precision;
- durations ("three-and-a-half years", "a single day", "days") are not dates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tasks.nlp.syntax import doc_ents, doc_text
from tasks.records import DateMention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_MONTH_RE = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY_RE = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

# Candidate spans spaCy's NER may miss.
# Holidays on a fixed day of the Western calendar (month, day), by their English names; the
# model tags some as EVENT, so they are candidates of their own. Moveable feasts (Easter,
# Thanksgiving) and national days, which differ by country, are left out.
FIXED_HOLIDAYS: dict[str, tuple[int, int]] = {
    "new year eve": (12, 31),
    "new year day": (1, 1),
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "boxing day": (12, 26),
    "valentine day": (2, 14),
    "halloween": (10, 31),
}


def _holiday_key(text: str) -> str:
    """A holiday's name as FIXED_HOLIDAYS keys it ("New Year's Eve", "new years eve" -> "new
    year eve"; "Valentine's Day" -> "valentine day"; "Hallowe'en" -> "halloween")."""
    key = re.sub(r"\b(year|valentine)'?s\b", r"\1", text)
    return key.replace("hallowe'en", "halloween")


# as candidates in running text: the two-word names anywhere, a bare "Christmas"/"Halloween"
# only as a day ("on Christmas", "last Halloween"; not "Christmas tree", "before Christmas")
_HOLIDAY_RE = (
    r"(?:(?:last|next|this)\s+)?(?:new\s+year(?:'?s)?\s+(?:eve|day)|christmas\s+(?:eve|day)"
    r"|boxing\s+day|valentine'?s\s+day)"
    r"|(?:on|at|during|last|next|this)\s+"
    r"(?:christmas|hallowe'?en)(?!\s+\w)"
)

_CANDIDATE_RE = re.compile(
    # every alternative starts with a letter after a word boundary: said once, up front, so the
    # search skips other positions without trying each alternative (40% faster)
    r"\b(?=[a-z])(?:"
    rf"\b(?:{_HOLIDAY_RE})\b|"
    rf"\b(?:(?:last|next|this|on|early|late)\s+)?{_WEEKDAY_RE}(?:'s)?(?:\s+(?:morning|afternoon|evening|night))?\b"
    r"|\b(?:yesterday|today|tomorrow|tonight)\b"
    r"|\b(?:(?:early|late|mid|earlier|later)\s+)?(?:this|next|last|past)\s+(?:week(?:end)?|month|year)\b"
    rf"|\b(?:(?:early|mid|late)[\s-]+)(?:{_MONTH_RE})(?:\s+\d{{4}})?\b"
    ")",
    re.IGNORECASE,
)

_FULL_DATE_RE = re.compile(
    r"\b(?=[a-z\d])(?:"  # each alternative starts with a letter or digit (as above)
    rf"\b(?:{_MONTH_RE})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})\s*,?\s+\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    ")",
    re.IGNORECASE,
)


def _lower_case_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """An IGNORECASE pattern without upper-case letters, made case-sensitive: over lower-cased
    ASCII text (lower-casing keeps every offset, and IGNORECASE compares ASCII letters by their
    lower case) it finds the same spans as `pattern` over the text, in half the time."""
    assert pattern.flags & re.IGNORECASE and pattern.pattern == pattern.pattern.lower()
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


_CANDIDATE_TWIN = _lower_case_twin(_CANDIDATE_RE)
_FULL_DATE_TWIN = _lower_case_twin(_FULL_DATE_RE)


def _spans(pattern: re.Pattern[str], twin: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """(start, end) of each match of `pattern` in `text`, in order (by its `twin` when ASCII)."""
    if text.isascii():
        return [m.span() for m in twin.finditer(text.lower())]
    return [m.span() for m in pattern.finditer(text)]


# A length of time ("three years", "the past few weeks"), also joined by hyphens into an
# adjective or an age ("a five-year deal", "a 25-year-old striker"): no point in time, though
# dateparser reads some of them as one ("five-year" as a month).
_DURATION_RE = re.compile(
    r"^(?:(?:about|around|nearly|almost|more than|over|some|the|a|an|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|several|few|many|\d+|[a-z]+-and-a-half|[a-z-]+)[\s-]+)*"
    r"(?:days?|weeks?|months?|years?|decades?|hours?|minutes?|centuries|century)"
    r"(?:[\s-]+olds?)?$",
    re.IGNORECASE,
)
_LEADING_RE = re.compile(
    r"^(?:on|in|at|by|since|until|till|from|of|during|before|after|the)\s+", re.I
)
_MODIFIER_RE = re.compile(
    r"^(?:(early|mid|late|earlier|later|the end of|end of|the beginning of|beginning of|the start of|start of)[\s-]+)",
    re.I,
)

# Verbs after which an infinitive points to the future ("called for Russians to rally").
_FORWARD_HEADS = frozenset(
    """call urge ask plan intend expect want hope decide agree promise pledge vow prepare aim seek
    threaten demand order invite appeal propose schedule set due need push press encourage
    tell allow permit plot try attempt""".split()
)


def _parser(reference: datetime, prefer: str) -> Any:
    """A dateparser DateDataParser for a reference and direction (built lazily, cached)."""
    return _parser_cached(reference, prefer)


@lru_cache(maxsize=64)
def _parser_cached(reference: datetime, prefer: str) -> Any:
    from dateparser.date import DateDataParser  # imported late: it loads locale data

    # locales=["en"]: with only `languages`, dateparser also considers its other English
    # locales (en-GB, en-IN, ...); one locale is about 8% faster over a run's calls, with the
    # same readings on every call of the BBC set, the 5W1H and the date dev sets.
    return DateDataParser(
        languages=["en"],
        locales=["en"],
        settings={
            "RELATIVE_BASE": reference,
            "PREFER_DATES_FROM": prefer,
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )


@lru_cache(maxsize=4096)
def _dateparser(text: str, reference: datetime | None, prefer: str) -> tuple[date | None, str]:
    """dateparser's reading of one expression: (date, period)."""
    ref = reference or datetime(2000, 1, 1)
    try:
        data = _parser(ref, prefer).get_date_data(text)
    except Exception:  # dateparser raises on odd input; a date we cannot read is no date
        return None, ""
    if data is None or data.date_obj is None:
        return None, ""
    return data.date_obj.date(), str(data.period or "day")


def governing_verb(token: Token) -> Token | None:
    """The nearest verb (or auxiliary root) above a token in the dependency tree."""
    cur = token
    for _ in range(8):
        if cur.pos_ in ("VERB", "AUX") and cur.dep_ not in ("aux", "auxpass"):
            return cur
        if cur.head == cur:
            return cur if cur.pos_ in ("VERB", "AUX") else None
        cur = cur.head
    return None


def verb_direction(verb: Token | None) -> str | None:
    """'past', 'future' or None (unknown) from a verb's tense, auxiliaries and mode."""
    if verb is None:
        return None
    for _ in range(4):
        auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
        aux_lemmas = {c.lemma_.lower() for c in auxes}
        aux_tags = {c.tag_ for c in auxes}
        if aux_lemmas & {"will", "shall", "'ll"} or "going" in {c.lower_ for c in verb.children}:
            return "future"
        if (
            verb.tag_ == "VBD"
            or aux_tags & {"VBD"}
            or (verb.tag_ == "VBN" and aux_lemmas & {"have"})
        ):
            return "past"
        if "to" in {c.lower_ for c in auxes} or (
            verb.tag_ == "VB" and verb.dep_ in ("xcomp", "advcl")
        ):
            head = verb.head
            if head == verb:
                return "future"
            if head.lemma_.lower() in _FORWARD_HEADS or head.pos_ in ("ADJ", "NOUN"):
                return "future"
            verb = head
            continue
        if verb.tag_ in ("VBZ", "VBP") or aux_tags & {"VBZ", "VBP"}:
            # present tense in news refers to scheduled events ("goes to court on February 2")
            if verb.lemma_.lower() == "be" and verb.dep_ == "ROOT":
                return None
            return "future"
        if verb.tag_ == "VBN" and not auxes:
            return "past"  # reduced passive ("protesters detained during ...") or a mis-tagged past
        if verb.tag_ == "MD":
            return "future"
        if verb.tag_ in ("VBG", "VB", "VBN") and verb.head != verb:
            verb = governing_verb(verb.head) or verb.head
            continue
        return None
    return None


def span_direction(doc: Doc, start: int, end: int) -> str | None:
    """Tense direction of the verb governing the character span [start, end)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return verb_direction(governing_verb(span.root))


def _shift_month(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def _weekday_date(ref: date, wd: int, direction: str | None, explicit: str | None) -> date:
    if explicit == "next":
        return ref + timedelta(days=((wd - ref.weekday()) % 7) or 7)
    if explicit == "last":
        return ref - timedelta(days=((ref.weekday() - wd) % 7) or 7)
    if explicit == "this" or direction == "future":
        delta = (wd - ref.weekday()) % 7
        if delta == 0 and direction == "future" and explicit != "this":
            delta = 7
        return ref + timedelta(days=delta)
    return ref - timedelta(days=(ref.weekday() - wd) % 7)


def _holiday_date(
    ref: date, day: tuple[int, int], direction: str | None, explicit: str | None
) -> date:
    """The holiday's date nearest `ref` on the side the tense or "last"/"next" points to."""
    options = [date(ref.year + k, *day) for k in (-1, 0, 1)]
    if explicit == "last" or (direction == "past" and explicit != "next"):
        return max(d for d in options if d <= ref)
    if explicit == "next" or direction == "future":
        return min(d for d in options if d >= ref)
    return min(options, key=lambda d: (abs((d - ref).days), d > ref))


def _month_date(ref: date, month: int, direction: str | None) -> date:
    if direction == "past":
        year = ref.year if month <= ref.month else ref.year - 1
    elif direction == "future":
        year = ref.year if month >= ref.month else ref.year + 1
    else:  # nearest
        options = [date(ref.year + k, month, 1) for k in (-1, 0, 1)]
        here = date(ref.year, ref.month, 1)
        return min(options, key=lambda d: (abs((d - here).days), d < here))
    return date(year, month, 1)


def _fix_year(value: date, ref: date, direction: str | None) -> date:
    """Choose the year of a year-less date by tense (or nearness)."""

    def at(year: int) -> date | None:
        try:
            return value.replace(year=year)
        except ValueError:
            return None

    options = [d for d in (at(ref.year - 1), at(ref.year), at(ref.year + 1)) if d]
    if direction == "past":
        past = [d for d in options if d <= ref]
        return max(past) if past else min(options)
    if direction == "future":
        future = [d for d in options if d >= ref]
        return min(future) if future else max(options)
    return min(options, key=lambda d: abs((d - ref).days))


def resolve_expression(
    text: str, reference: date | datetime | None, direction: str | None = None
) -> tuple[date | None, str, bool] | None:
    """Resolve one date expression: (value, precision, relative), or None if it is no date."""
    ref = reference.date() if isinstance(reference, datetime) else reference
    t = text.strip().lower().replace("\u2019", "'")
    t = re.sub(r"'s$", "", t).strip(" ,.")
    while True:
        stripped = _LEADING_RE.sub("", t)
        if stripped == t:
            break
        t = stripped
    named = re.fullmatch(r"(?:(last|next|this)\s+)?(.+)", re.sub(r"\s+", " ", t))
    holiday = FIXED_HOLIDAYS.get(_holiday_key(named.group(2))) if named else None
    if named and holiday is not None:
        if ref is None:
            return None, "day", True
        return _holiday_date(ref, holiday, direction, named.group(1)), "day", True
    if not t or _DURATION_RE.match(t) and not re.search(r"\b(?:ago|last|next|this|past)\b", t):
        return None
    if re.search(r"\b(?:past|last|next|coming)\s+(?:few|several|\d+|two|three|four|five)\b", t):
        return None  # a span of time, not a date
    m = _MODIFIER_RE.match(t)
    if m:
        t = t[m.end() :].strip()
    words = t.split()
    explicit = (
        words[0] if words and words[0] in ("last", "next", "this", "coming", "past") else None
    )
    core = " ".join(words[1:]) if explicit else t
    if explicit == "coming":
        explicit = "next"
    core = re.sub(r"\s+(?:morning|afternoon|evening|night)$", "", core)
    if core in WEEKDAYS:
        if ref is None:
            return None, "day", True
        return _weekday_date(ref, WEEKDAYS.index(core), direction, explicit), "day", True
    if core == "weekend":
        if ref is None:
            return None, "day", True
        sat = _weekday_date(
            ref, 5, "future" if explicit in (None, "this", "next") else "past", None
        )
        if explicit == "next" and (sat - ref).days < 2:
            sat += timedelta(days=7)
        return sat, "day", True
    if core in ("today", "tonight", "yesterday", "tomorrow"):
        if ref is None:
            return None, "day", True
        offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[core]
        return ref + timedelta(days=offset), "day", True
    if explicit in ("last", "next", "this", "past") and core in ("week", "month", "year"):
        if ref is None:
            return None, core, True
        step = {"last": -1, "past": -1, "next": 1, "this": 0}[explicit]
        if core == "week":
            monday = ref - timedelta(days=ref.weekday())
            return monday + timedelta(days=7 * step), "week", True
        if core == "month":
            return _shift_month(ref, step), "month", True
        return date(ref.year + step, 1, 1), "year", True
    month_only = re.fullmatch(rf"({_MONTH_RE})(?:\s+(?:of\s+)?(\d{{4}}))?", core)
    if month_only:
        month = _MONTH_ABBR[month_only.group(1).rstrip(".")[:3]]
        if month_only.group(2):
            return date(int(month_only.group(2)), month, 1), "month", False
        if explicit == "last" or explicit == "past":
            direction = "past"
        elif explicit == "next":
            direction = "future"
        if ref is None:
            return None, "month", True
        return _month_date(ref, month, direction), "month", True
    year = re.fullmatch(r"(?:mid-?|early |late )?((?:19|20)\d{2})", core)
    if year:
        return date(int(year.group(1)), 1, 1), "year", False
    if re.fullmatch(r"(?:the\s+)?(?:19|20)?\d0s", core) or not re.search(r"[a-z]{3}|\d", core):
        return None
    has_year = bool(re.search(r"\b(?:19|20)\d{2}\b", core)) or bool(re.search(r"\d{4}-\d{2}", core))
    prefer = {"past": "past", "future": "future"}.get(direction or "", "current_period")
    value, period = _dateparser(
        core, datetime.combine(ref, datetime.min.time()) if ref else None, prefer
    )
    if value is None:
        return None
    period = {"part_of_day": "day", "time": ""}.get(period, period)
    if not period:
        return None
    relative = not has_year
    if relative and ref is None:
        return None, period, True
    if not has_year and ref is not None and re.search(_MONTH_RE, core) and re.search(r"\d", core):
        value = _fix_year(value, ref, direction)
    if period == "month":
        value = value.replace(day=1)
    elif period == "year":
        value = date(value.year, 1, 1)
    return value, period, relative


def _candidate_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans worth resolving: DATE entities plus regex hits they do not cover."""
    spans: list[tuple[int, int]] = [
        (e.start_char, e.end_char) for e in doc_ents(doc) if e.label_ == "DATE"
    ]
    for s, e in _spans(_CANDIDATE_RE, _CANDIDATE_TWIN, doc_text(doc)):
        if any(a <= s < b or a < e <= b for a, b in spans):
            # extend an entity that only covered part of the phrase ("early" + "February")
            spans = [
                (min(a, s), max(b, e)) if (a <= s < b or a < e <= b) else (a, b) for a, b in spans
            ]
            continue
        spans.append((s, e))
    return sorted(set(spans))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading prepositions and a trailing possessive from a span's offsets."""
    piece = text[start:end]
    m = re.match(r"(?:on|in|at|by|since|until|during)\s+", piece, re.I)
    if m:
        start += m.end()
    if text[start:end].lower().endswith("'s"):
        end -= 2
    return start, end


def find_dates(doc: Doc, reference: date | datetime | None) -> list[DateMention]:
    """Date expressions in a spaCy Doc, resolved against `reference` (the publication date)."""
    out: list[DateMention] = []
    full = doc_text(doc)
    for start, end in _candidate_spans(doc):
        start, end = _trim(full, start, end)
        text = full[start:end]
        if not text.strip():
            continue
        direction = span_direction(doc, start, end)
        resolved = resolve_expression(text, reference, direction)
        if resolved is None:
            continue
        value, precision, relative = resolved
        out.append(DateMention(text, start, end, value, precision, relative))
    return out


def _parse_full_date(text: str) -> date | None:
    value, period = _dateparser(text, None, "past")
    return value if period == "day" else None


def infer_published_at(
    text: str, captions: Sequence[str] = (), nlp_doc: Doc | None = None
) -> datetime | None:
    """Guess a publication date from captions and text when the article gives none.

    Full dates (day, month and year) in photo captions come first: agencies date their pictures
    on the day. Otherwise the latest full date in the text. A candidate whose weekday the text
    names as "today"/"on Monday"/"Monday's" is preferred over one it does not.
    """
    caption_dates = [d for c in captions for d in _full_dates(c)]
    text_dates = _full_dates(text)
    if nlp_doc is not None:
        full = doc_text(nlp_doc)  # an entity's text is its slice (spaCy's tokens are lossless)
        text_dates += [
            d
            for e in doc_ents(nlp_doc)
            if e.label_ == "DATE"
            for d in _full_dates(full[e.start_char : e.end_char])
        ]
    for pool in (caption_dates, text_dates):
        if not pool:
            continue
        # the weekdays the text names, read only when there is a date to choose
        named_weekdays = {
            WEEKDAYS.index(m.group(1).lower())
            for m in re.finditer(rf"\b(?=[mtwfs])({_WEEKDAY_RE})\b", text, re.I)
        }
        matching = [d for d in pool if d.weekday() in named_weekdays]
        best = max(matching or pool)
        return datetime(best.year, best.month, best.day)
    return None


_FOUR_DIGITS_RE = re.compile(r"\d{4}")  # in every full date (its year)


def _full_dates(text: str) -> list[date]:
    out: list[date] = []
    if _FOUR_DIGITS_RE.search(text) is None:  # a quick scan rules out many texts
        return out
    for start, end in _spans(_FULL_DATE_RE, _FULL_DATE_TWIN, text):
        d = _parse_full_date(text[start:end])
        if d is not None and 1900 < d.year < 2100:
            out.append(d)
    return out
