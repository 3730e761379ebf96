"""When and where of an article's main event (5W1H), worded the way news annotators word them.

The lead is the article's first content sentences (`lead_sentences`): page furniture such as
"Click to share on Twitter", "Subscribe" or a photo credit (an imperative without a subject, a
line without a verb, fewer than five words) is skipped.

When (`event_when`), the first of (only recent days count: up to two weeks before the
publication date, or the day after; a year, a birthday or a plan is background):
0. the day of the headline's event: a day that hangs from a word the title also uses
   ("Obama meets Trump" ... "Thursday's meeting"), in the first half of the text;
1. the main event's own day: the one the event coder attached to its trigger, else one in the
   trigger's sentence outside a relative clause (nearest to the trigger); a main event past the
   lead's first sentence gives way to that sentence's day;
2. the first day of the lead (outside relative clauses);
3. a clock time of the lead ("shortly before 7 pm");
4. the day the first half of the text names most often ("Wednesday", "today");
5. a recent week or month of the lead ("last month");
6. the publication date, written as a date ("November 9, 2016").
A clock time and a day close together in one sentence are given as one phrase ("11pm local time
on Thursday"). Bare numbers ("62", "the 48th") and durations are not dates, nor are date words
inside names ("USA TODAY"). A weekday of the lead that an unresolvable date phrase swallowed
("the second half Monday afternoon") is resolved on its own, as a past day. `when_date` is the
resolved date of the expression (the publication date for a clock time alone).

Where (`event_where`), the first of:
1. the main event's own place: an in/at/near/outside/into... phrase on its trigger, its objects
   or its clause whose noun is a place (GPE, LOC or FAC, or a common noun with such a place
   nested in it: "a tunnel near Sandilands tram station");
2. a locative place phrase elsewhere in the trigger's sentence (not in a relative clause);
3. the dateline ("WASHINGTON, Nov 6 (Reuters) -", "SAO PAULO (AP) --"; a single dash needs an
   agency or a date before it);
4. the first locative place phrase of the lead;
5. the most salient place: per mention 3 in the title, 2 in the lead, 1 elsewhere.
Each place is given with the places the text nests it in ("Trump Tower in New York City",
"Baoding, Hebei province", "the northern city of Mazar-e-Sharif"). An answer that is a whole
country gives way to a more precise place that a locative phrase of the lead names (annotators
write "Mazar-e-Sharif", not "Afghanistan"); an answer without the place the headline puts the
event in ("... at Interlagos") gives way to a locative phrase of the text's first half that names
it. A place name that modifies a noun ("US President", "US-based") says what, not where.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
from spacy.attrs import DEP, IDX, IS_ALPHA
from spacy.symbols import AUX, VERB
from spacy.tokens import Doc, Span, Token

from tasks.nlp.dates import _DURATION_RE, resolve_expression
from tasks.nlp.syntax import doc_ents, doc_memo, doc_sents, doc_text, token_table
from tasks.records import DateMention, Mention

LEAD_SENTENCES = 3
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
LOCATIVE_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "across", "around", "throughout", "into", "on", "off"}
)
_NESTING_PREPS = frozenset({"in", "at", "near", "on", "of", "outside", "off"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "npadvmod"})
_CLAUSE_STOP = frozenset({"relcl", "ccomp", "parataxis", "acl", "csubj"})
# from a sentence's root, what was reported ("officials said it happened in X") is searched too
_SENTENCE_STOP = frozenset({"relcl", "acl"})
_NAME_LABELS = frozenset({"ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
_RECENT_BEFORE = timedelta(days=14)
_RECENT_AFTER = timedelta(days=1)
_CLOCK_RE = re.compile(
    r"\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\b\d{1,2}:\d{2}\b|\b(?:noon|midnight)\b", re.I
)
_WORDY_DATE_RE = re.compile(r"[A-Za-z]{3,}|\b\d{4}\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
# Short names of countries that news use and the CLDR territory names leave out.
_COUNTRY_ALIASES = frozenset(
    """uk u.k. britain us u.s. usa u.s.a. america england scotland wales""".split()
)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Lower-cased English names of countries and world regions (CLDR, through babel), with the
    short names news use."""
    from babel import Locale

    return frozenset(n.lower() for n in Locale("en").territories.values()) | _COUNTRY_ALIASES


def is_country(name: str) -> bool:
    """Whether a place name is a whole country or world region."""
    low = name.lower().strip()
    low = low[4:] if low.startswith("the ") else low
    return low in _countries()


class WordTable(NamedTuple):
    """Per-token columns of a Doc that `tasks.nlp.syntax.TokenTable` lacks, read once from its
    arrays, so that a scan over the words makes a Token only for those it keeps (a Token is
    built on each `doc[i]`)."""

    dep: list[int]  # the dependency label's string id (`Token.dep`)
    alpha: list[int]  # `Token.is_alpha` (1 or 0)
    idx: list[int]  # `Token.idx`


def _word_table(doc: Doc) -> WordTable:
    if not len(doc):
        return WordTable([], [], [])
    dep, alpha, idx = doc.to_array([DEP, IS_ALPHA, IDX]).T.tolist()
    return WordTable(dep, alpha, idx)


def word_table(doc: Doc) -> WordTable:
    """The Doc's `WordTable`, read once per Doc."""
    return doc_memo(doc, "when_where.words", _word_table)


def label_ids(doc: Doc, labels: Iterable[str]) -> frozenset[int]:
    """The string ids of dependency labels, as `WordTable.dep` holds them."""
    strings = doc.vocab.strings
    return frozenset(strings[label] for label in labels)


_VERB_POS = frozenset({VERB, AUX})


def is_content_sentence(sent: Span) -> bool:
    """A sentence of the article, not page furniture: five words or more, a verb, and not an
    imperative without a subject at its start ("Click to share", "Subscribe")."""
    doc = sent.doc
    alpha = word_table(doc).alpha
    pos = token_table(doc).pos
    words = [i for i in range(sent.start, sent.end) if alpha[i]]
    if len(words) < 5 or _VERB_POS.isdisjoint(pos[sent.start : sent.end]):
        return False
    root = sent.root
    return not (
        root.tag_ == "VB"
        and root.i == words[0]
        and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children)
    )


def text_length(doc: Doc) -> int:
    """The length of a Doc's text (without building it: `doc.text` joins every token)."""
    return doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0


def span_text(doc: Doc, start: int, end: int) -> str:
    """`doc[start:end].text` as a slice of the Doc's text (a Span's `.text` builds a Token for
    each of its words; spaCy's tokens are lossless, so the slice is the same text)."""
    span = doc[start:end]
    return doc_text(doc)[span.start_char : span.end_char]


def text_head(doc: Doc, chars: int = 800) -> str:
    """The text of the tokens that start in a Doc's first `chars` characters (a slice of the
    Doc's text, which spaCy's lossless tokens make equal to those tokens' own text)."""
    starts = doc.to_array(IDX)
    end = int(np.searchsorted(starts, chars, side="left"))  # the first token at or after it
    if end == 0:
        return ""
    last = doc[end - 1]
    return doc_text(doc)[: last.idx + len(last.text)]


def lead_sentences(doc: Doc, n: int = LEAD_SENTENCES) -> list[Span]:
    """The first `n` content sentences (all sentences' first `n` when none is content)."""
    content: list[Span] = []
    first: list[Span] = []
    for sent in doc_sents(doc):
        if len(first) < n:
            first.append(sent)
        if is_content_sentence(sent):
            content.append(sent)
            if len(content) == n:
                break
    return content or first


# ---------------------------------------------------------------------------------------- when


def _is_date_text(text: str) -> bool:
    """A date expression worth giving as a when: words or a year, not a bare number."""
    t = text.strip()
    if re.fullmatch(r"(?:the\s+)?\d+(?:st|nd|rd|th)?", t, re.I):
        return False  # "62", "the 48th": an age, a lap, a rank
    return bool(_WORDY_DATE_RE.search(t)) and not re.fullmatch(r"[\d\s.,/-]+", t)


def _recent(value: date | None, published: date | None) -> bool:
    if value is None:
        return False
    if published is None:
        return True
    return published - _RECENT_BEFORE <= value <= published + _RECENT_AFTER


def _in_relative_clause(tok: Token, stop: Token | None = None) -> bool:
    cur = tok
    for _ in range(12):
        if cur == stop or cur.head == cur:
            return False
        if cur.dep_ == "relcl":
            return True
        cur = cur.head
    return False


def _span_root(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _clock_times(doc: Doc, within: Span) -> list[Span]:
    """Clock-time entities of a sentence ("6am", "shortly before 7 pm", "00:48")."""
    return [
        e
        for e in doc_ents(doc)
        if e.label_ == "TIME"
        and within.start_char <= e.start_char < within.end_char
        and _CLOCK_RE.search(e.text)
        and not _DURATION_RE.match(e.text.strip())
    ]


def _with_clock(doc: Doc, start: int, end: int, sent: Span, days: Sequence[DateMention]) -> str:
    """The expression, joined with a clock time (or, for a clock time, a day) close to it in the
    same sentence: "6.10am on Wednesday", "11pm local time on Thursday evening"."""
    others: list[tuple[int, int]] = [(e.start_char, e.end_char) for e in _clock_times(doc, sent)]
    others += [(d.start, d.end) for d in days if sent.start_char <= d.start < sent.end_char]
    lo, hi = start, end
    base = sent.start_char
    text = doc_text(doc)[base : sent.end_char]  # the sentence's text, without its Tokens
    for a, b in others:
        if (a, b) == (start, end) or a < sent.start_char or b > sent.end_char:
            continue
        gap = text[min(hi, b) - base : max(lo, a) - base] if b <= lo or a >= hi else ""
        if len(gap.split()) <= 4 and not re.search(r"[;,()\"]", gap) or gap.strip() == ",":
            lo, hi = min(lo, a), max(hi, b)
    return text[lo - base : hi - base].strip()


def _sentence_of(doc: Doc, pos: int) -> Span | None:
    tok = _span_root(doc, pos, pos + 1)
    return tok.sent if tok is not None else None


def _stems(title: str) -> set[str]:
    """Four-letter stems of the title's longer words ("meets" and "meeting" share "meet")."""
    return {w[:4] for w in re.findall(r"[a-z]{4,}", title.lower())}


def _governors(tok: Token, limit: int = 3) -> list[Token]:
    """The content words a date expression hangs from, up to the first verb ("Thursday's
    meeting" -> meeting; "talks on Thursday" -> talks, meet)."""
    out: list[Token] = []
    cur = tok
    for _ in range(6):
        if cur.head == cur or len(out) >= limit:
            break
        cur = cur.head
        if cur.pos_ in ("NOUN", "VERB"):
            out.append(cur)
            if cur.pos_ == "VERB":
                break
    return out


def _headline_day(
    doc: Doc, days: Sequence[DateMention], title: str, end: int
) -> DateMention | None:
    """The first day (before `end`) that hangs from a word the title also uses: the headline's
    event ("Obama meets Trump" ... "Thursday's meeting")."""
    stems = _stems(title)
    if not stems:
        return None
    for d in days:
        if d.start >= end:
            break
        root = _span_root(doc, d.start, d.end)
        if root is None:
            continue
        if any(g.lower_[:4] in stems for g in _governors(root)):
            return d
    return None


_WEEKDAY_PHRASE_RE = re.compile(
    r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:\s+(?:morning|afternoon|evening|night))?\b"
)


def _lone_weekdays(
    doc: Doc, lead: Sequence[Span], found: Sequence[DateMention], published: date | None
) -> list[DateMention]:
    """Weekdays of the lead that no resolved date expression covers: a date entity that runs
    over them and does not resolve ("the second half Monday afternoon") loses them."""
    out = []
    full = doc_text(doc)
    for sent in lead:
        for m in _WEEKDAY_PHRASE_RE.finditer(full[sent.start_char : sent.end_char]):
            a, b = m.start() + sent.start_char, m.end() + sent.start_char
            if any(d.start < b and a < d.end for d in found):
                continue
            # no tense: a photo caption's present tense ("reaches ... Monday") is a past day
            resolved = resolve_expression(m.group(0), published)
            if resolved is not None and resolved[0] is not None:
                out.append(DateMention(m.group(0), a, b, resolved[0], resolved[1], resolved[2]))
    return out


def _first_day(doc: Doc, days: Sequence[DateMention], sent: Span) -> DateMention | None:
    """The first day of a sentence outside a relative clause."""
    for d in days:
        if sent.start_char <= d.start < sent.end_char:
            root = _span_root(doc, d.start, d.end)
            if root is not None and not _in_relative_clause(root):
                return d
    return None


def event_when(
    doc: Doc,
    trigger: Token | None,
    event_date: DateMention | None,
    dates: Sequence[DateMention],
    lead: Sequence[Span],
    published: date | None,
    title: str = "",
) -> tuple[str | None, date | None]:
    """The main event's when: (phrase from the text, resolved date)."""
    names = [(e.start_char, e.end_char) for e in doc_ents(doc) if e.label_ in _NAME_LABELS]
    usable = [
        d
        for d in dates
        if d.value is not None
        and _is_date_text(d.text)
        and not any(a < d.end and d.start < b for a, b in names)  # "USA TODAY"
    ]
    usable += _lone_weekdays(doc, lead, usable, published)
    usable.sort(key=lambda d: d.start)
    days = [d for d in usable if d.precision == "day" and _recent(d.value, published)]

    def answer(d: DateMention) -> tuple[str, date | None]:
        sent = _sentence_of(doc, d.start)
        text = _with_clock(doc, d.start, d.end, sent, days) if sent is not None else d.text
        return text, d.value

    # 0. the day of the headline's event
    found = _headline_day(doc, days, title, text_length(doc) // 2)
    if found is not None:
        return answer(found)
    # 1. the event's own expression; a main event past the first sentence gives way to the
    # first sentence's day ("Energiya confirmed on Friday that ..." over "... launched Tuesday")
    if trigger is not None and lead and trigger.sent.start > lead[0].start:
        first = _first_day(doc, days, lead[0])
        if first is not None:
            return answer(first)
    if event_date is not None and event_date in days:
        return answer(event_date)
    if trigger is not None:
        sent = trigger.sent
        own = []
        for d in days:
            if not sent.start_char <= d.start < sent.end_char:
                continue
            root = _span_root(doc, d.start, d.end)
            if root is None or _in_relative_clause(root, trigger):
                continue
            own.append((abs(root.i - trigger.i), d))
        if own:
            return answer(min(own, key=lambda x: x[0])[1])
    # 2. the lead's first recent day
    for sent in lead:
        found = _first_day(doc, days, sent)
        if found is not None:
            return answer(found)
    # 3. a clock time of the lead
    for sent in lead:
        clocks = _clock_times(doc, sent)
        if clocks:
            c = clocks[0]
            text = _with_clock(doc, c.start_char, c.end_char, sent, days)
            return text, published
    # 4. the recent day the first half of the text names most often, ties to the first named
    early = [d for d in days if d.start < text_length(doc) / 2]
    if early:
        counts = Counter(d.value for d in early)
        return answer(max(early, key=lambda d: (counts[d.value], -d.start)))
    # 5. a recent week or month of the lead
    for sent in lead:
        for d in usable:
            if sent.start_char <= d.start < sent.end_char and d.precision in ("week", "month"):
                if _recent(d.value, published) or d.relative:
                    return answer(d)
    # 6. the publication date
    if published is not None:
        return f"{published:%B} {published.day}, {published.year}", published
    return None, None


# --------------------------------------------------------------------------------------- where


class Places:
    """The article's place mentions (GPE, LOC, FAC) by character offset."""

    def __init__(self, mentions: Sequence[Mention]):
        # spaCy's own label of the mention counts too: the article-wide settled label can make
        # a place an organisation ("the White House said")
        self.items = sorted(
            (m.start, m.end, m.text)
            for m in mentions
            if m.label in PLACE_LABELS or m.ner_label in PLACE_LABELS
        )

    def on(self, tok: Token) -> tuple[int, int, str] | None:
        a, b = tok.idx, tok.idx + len(tok.text)
        for m in self.items:
            if m[0] < b and a < m[1]:
                return m
        return None

    def names(self, tok: Token) -> list[str]:
        """The place names of a noun phrase: on its head, or on a name before it when the head
        is a singular noun ("Afghanistan's Mazar-i-Sharif city", "the Sandilands stop"; not
        "US air strikes")."""
        own = self.on(tok)
        if own is not None:
            return [own[2]]
        if tok.tag_ not in ("NN", "NNP"):
            return []
        found = []
        for c in tok.children:
            if c.i < tok.i and c.dep_ in ("compound", "poss", "nmod"):
                for t in c.subtree:
                    m = self.on(t)
                    if m is not None and m[2] not in found:
                        found.append(m[2])
        return found


def _is_modifier(tok: Token) -> bool:
    """A place name that modifies a noun ("US President", "U.S. election") or sits in a
    hyphenated word ("US-based")."""
    cur = tok
    while cur.dep_ == "compound" and cur.head.ent_iob_ == "I" and cur.head != cur:
        cur = cur.head  # the last word of a multi-word name
    if cur.dep_ in _MODIFIER_DEPS and cur.head.pos_ in ("NOUN", "PROPN", "ADJ", "VERB"):
        return not (cur.head.ent_type_ in PLACE_LABELS and cur.head.ent_iob_ == "I")
    nxt = cur.nbor(1) if cur.i + 1 < len(cur.doc) else None
    return nxt is not None and nxt.text == "-" and not cur.whitespace_


def _nested(tok: Token, places: Places, depth: int = 0) -> list[Token]:
    """The tokens of the named places nested in `tok`'s phrase: "of X", "in X", "near X",
    ", X"."""
    out: list[Token] = []
    if depth > 2:
        return out
    for c in tok.children:
        if c.i < tok.i:
            continue
        if c.dep_ == "prep" and c.lower_ in _NESTING_PREPS:
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                inner = _nested(g, places, depth + 1)
                # a named place, or, under a named place, a common noun with one ("the
                # Consulate in the northern hub of X")
                if places.names(g) or (
                    g.pos_ == "NOUN" and depth == 0 and inner and places.names(tok)
                ):
                    out += [c, *_np_tokens(g), *inner]
        elif c.dep_ in ("appos", "npadvmod") and places.names(c):
            out += [*_np_tokens(c), *_nested(c, places, depth + 1)]
    return out


def _np_tokens(tok: Token) -> list[Token]:
    """A noun with its modifiers before it ("the northern commercial hub"), and the rest of a
    hyphenated name the tokenizer split ("Mazar-e-Sharif")."""
    keep = [tok]
    for c in tok.children:
        if c.i < tok.i and c.dep_ in ("det", "amod", "compound", "nmod", "poss", "nummod"):
            keep += list(c.subtree)
    doc, i = tok.doc, tok.i
    while i + 2 < len(doc) and not doc[i].whitespace_ and doc[i + 1].text == "-":
        if doc[i + 1].whitespace_ or not doc[i + 2].is_alpha:
            break
        keep += [doc[i + 1], doc[i + 2]]
        i += 2
    return keep


def _place_like(tok: Token, places: Places) -> bool:
    """A named place, or a common noun with one nested in it ("a tunnel near X")."""
    return bool(places.names(tok)) or tok.pos_ == "NOUN" and bool(_nested(tok, places))


def place_phrase(tok: Token, places: Places) -> str:
    """A place noun with the places nested in it, as the text gives them."""
    toks = sorted(
        {t.i: t for t in [*_np_tokens(tok), *_nested(tok, places)]}.values(), key=lambda t: t.i
    )
    # one stretch of the text from the noun phrase's start
    run = [toks[0]]
    for t in toks[1:]:
        if t.i > run[-1].i + 2:
            break
        run.append(t)
    while run and (run[-1].is_punct or run[-1].dep_ in ("prep", "cc", "det", "case")):
        run.pop()
    while len(run) > 1 and run[0].dep_ == "det":
        run = run[1:]
    if not any(places.on(t) for t in run):
        # the nested place is too far from the noun ("180mph in the rain at X"): X alone
        inner = [t for t in toks if t.dep_ == "pobj" and places.names(t)]
        return place_phrase(inner[0], places) if inner and inner[0] != tok else tok.text
    return span_text(tok.doc, run[0].i, run[-1].i + 1)


def _names_in(tok: Token, places: Places) -> list[str]:
    """Every place name of a place phrase, its own and nested ones."""
    names = list(places.names(tok))
    for t in _nested(tok, places):
        names += [n for n in places.names(t) if n not in names]
    return names


def _locatives(root: Token, places: Places, stops: frozenset[str] = _CLAUSE_STOP) -> list[Token]:
    """pobj tokens of locative prepositions under `root`, in breadth-first order, not entering
    relative or reported clauses."""
    out: list[Token] = []
    queue = [(root, 0)]
    seen = {root.i}
    while queue:
        tok, depth = queue.pop(0)
        for c in tok.children:
            if c.i in seen or c.dep_ in stops or depth > 4:
                continue
            seen.add(c.i)
            if c.dep_ == "prep" and c.lower_ in LOCATIVE_PREPS:
                for g in c.children:
                    if g.dep_ == "pobj" and _place_like(g, places) and not _is_modifier(g):
                        out.append(g)
            queue.append((c, depth + 1))
    return out


# "WASHINGTON, Nov 6 (Reuters) -", "SAO PAULO (AP) --", "LONDON --": a dateline in the lead
_DATELINE_RE = re.compile(
    r"(?:^|[\s.)])([A-Z][A-Z.'\-]+(?:\s[A-Z][A-Z.'\-]+){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?(?:,?\s\d{1,2}(?:,\s\d{4})?)?)?"
    r"(?:\s*\([A-Za-z .&-]{2,25}\))?\s*(?:--|\u2014|\u2013|-)\s"
)
_NOT_DATELINE = frozenset({"AP", "AFP", "UPDATE", "PHOTO", "VIDEO", "WATCH"})


def _dateline_match(text: str) -> re.Match[str] | None:
    m = _DATELINE_RE.search(text[:800])
    if m is None:
        return None
    name = m.group(1).strip(" .-")
    if len(name.replace(".", "")) < 3 or name in _NOT_DATELINE:
        return None
    # a single dash needs a news agency or a date before it ("WASHINGTON, Nov 6 (Reuters) -");
    # "the US or USSR - ..." is no dateline
    single = not re.search(r"(?:--|\u2014)\s$", m.group(0))
    return None if single and not re.search(r"[(\d]", m.group(0)) else m


# "(CNN) North Korean leader ...": a news agency's credit opening the text
_CREDIT_RE = re.compile(r"^\W*\(([A-Z][A-Za-z.]{1,15})\)\s")


def dateline_span(text: str) -> tuple[int, int] | None:
    """Where a dateline near the start of a text runs, from its place name to its dash, or an
    opening agency credit ("(CNN)")."""
    m = _dateline_match(text)
    if m:
        return m.start(1), m.end()
    credit = _CREDIT_RE.match(text)
    return (credit.start(1), credit.end()) if credit else None


def dateline(text: str) -> str | None:
    """The place of a dateline near the start of a text ("WASHINGTON")."""
    m = _dateline_match(text)
    return m.group(1).strip(" .-") if m else None


def _salient(doc: Doc, places: Places, lead_end: int, title: str) -> Token | None:
    """The most salient place: per mention 3 more if the title names it, 2 in the lead, 1
    elsewhere; ties to the first named."""
    score: dict[str, float] = {}
    first: dict[str, Token] = {}
    for start, end, text in places.items:
        tok = _span_root(doc, start, end)
        if tok is None or _is_modifier(tok):
            continue

        score[text] = score.get(text, 0.0) + (2.0 if start < lead_end else 1.0)
        first.setdefault(text, tok)
    for key in score:
        if _in_title(key, title):
            score[key] += 3.0
    if not score:
        return None
    return first[max(score, key=lambda k: (score[k], -first[k].i))]


def _in_title(name: str, title: str) -> bool:
    low = name.lower()
    low = low[4:] if low.startswith("the ") else low
    return bool(low) and low in title.lower()


def event_where(
    doc: Doc, trigger: Token | None, lead: Sequence[Span], mentions: Sequence[Mention], title: str
) -> str | None:
    """The main event's where, as a phrase of the text."""
    places = Places(mentions)
    lead_end = lead[-1].end_char if lead else 0
    headline_places = [p for p in _TITLE_PLACE_RE.findall(title) if not is_country(p)]

    # the lead's locatives and the headline's place phrases, looked for once and only when an
    # answer needs them (an answer from the trigger's own clause often does not)
    @cache
    def lead_locs() -> list[Token]:
        return [t for s in lead for t in _locatives(s.root, places, _SENTENCE_STOP)]

    @cache
    def precise() -> list[Token]:
        return [t for t in lead_locs() if not _country_only(t, places)]

    @cache
    def titled() -> list[Token]:
        if not headline_places:
            return []
        return [
            t
            for t in _locatives_before(doc, places, text_length(doc) // 2)
            if any(p.lower() in place_phrase(t, places).lower() for p in headline_places)
        ]

    def answer(tok: Token) -> str:
        if _country_only(tok, places) and precise():
            tok = precise()[0]
        text = place_phrase(tok, places)
        if titled() and not any(p.lower() in text.lower() for p in headline_places):
            return place_phrase(titled()[0], places)  # the headline's place ("... at Interlagos")
        return text

    if trigger is not None:
        own = _locatives(trigger, places)
        if own:
            return answer(own[0])
        others = _locatives(trigger.sent.root, places, _SENTENCE_STOP)
        if others:
            return answer(others[0])
    line = dateline(doc_text(doc)[: lead[-1].end_char] if lead else text_head(doc))
    if line:
        return line
    if lead_locs():
        return answer(lead_locs()[0])
    tok = _salient(doc, places, lead_end, title)
    return answer(tok) if tok is not None else None


# "... at Interlagos", "... in Hebei": a place the headline puts the event in
_TITLE_PLACE_RE = re.compile(
    r"\b(?:in|at|near|outside)\s+(?:the\s+)?([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3})"
)


def _locatives_before(doc: Doc, places: Places, end: int) -> list[Token]:
    """The locative place phrases of the sentences that start before `end`."""
    return [t for s in doc_sents(doc) if s.start_char < end for t in _locatives(s.root, places)]


def _country_only(tok: Token, places: Places) -> bool:
    """Whether a place phrase names countries only."""
    names = _names_in(tok, places)
    return bool(names) and all(is_country(n) for n in names)
