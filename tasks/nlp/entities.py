"""Canonical entities from NER spans: names resolved within an article, ids stable across articles.

Within one article:

- surface forms are cleaned for the canonical name (leading "the", possessive "'s", surrounding
  punctuation, courtesy titles); each mention keeps its own surface text and offsets;
- a short form resolves to the longest full name that contains it ("Navalny" ->
  "Alexey Navalny", "Ms Hewitt" -> "Patricia Hewitt"); a surname prefers a person's name even
  when spaCy labelled it ORG/GPE/NORP;
- an acronym resolves to the multi-word name whose initials it spells ("EU" ->
  "European Union"), or to the name it follows in brackets ("... Weapons (OPCW)");
- when a short form fits several names, the most recent one introduced before the mention wins;
  with none before it, the mention stays on its own;
- the label is settled per canonical entity (the label most mentions have, ties to the full
  form; a multi-word personal name referred to by its parts is a PERSON).

Across articles, `entity_id(name, label)` is a hash of the normalised name and the label.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from tasks.records import Entity, Mention

RULES_VERSION = "entities/1"

ENTITY_LABELS: frozenset[str] = frozenset(
    {
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "NORP",
        "FAC",
        "EVENT",
        "PRODUCT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
    }
)

# Courtesy titles: never part of a canonical name.
HONORIFICS: frozenset[str] = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "messrs", "mme", "mlle", "herr"}
)
# Office and rank titles: stripped from PERSON names ("President Biden" is "Biden").
OFFICE_TITLES: frozenset[str] = frozenset(
    {
        "president",
        "vice",
        "prime",
        "minister",
        "foreign",
        "secretary",
        "chancellor",
        "senator",
        "sen",
        "rep",
        "representative",
        "congressman",
        "congresswoman",
        "gov",
        "governor",
        "mayor",
        "judge",
        "justice",
        "chief",
        "general",
        "gen",
        "lt",
        "col",
        "colonel",
        "capt",
        "captain",
        "sgt",
        "sergeant",
        "commander",
        "admiral",
        "adm",
        "ambassador",
        "pope",
        "rev",
        "reverend",
        "archbishop",
        "bishop",
        "cardinal",
        "rabbi",
        "imam",
        "sheikh",
        "coach",
        "officer",
        "detective",
        "inspector",
        "deputy",
        "speaker",
        "leader",
        "chairman",
        "chairwoman",
        "ceo",
        "mp",
        "mep",
    }
)
# Words skipped when spelling initials ("Organisation for the Prohibition of Chemical Weapons").
ACRONYM_STOPWORDS: frozenset[str] = frozenset(
    {"of", "the", "and", "for", "in", "on", "de", "du", "des", "la", "le", "der", "&", "at"}
)
# Lower-case particles inside personal names ("Ursula von der Leyen", "Luiz Inacio da Silva").
NAME_PARTICLES: frozenset[str] = frozenset(
    {
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "ben",
        "y",
        "ter",
        "zu",
    }
)
# Words that make a capitalised phrase an organisation or a place, not a personal name
# ("Trump Tower", "Trump Organization", "Navalny Foundation").
NON_PERSON_WORDS: frozenset[str] = frozenset(
    {
        "academy",
        "agency",
        "airline",
        "airlines",
        "airport",
        "alliance",
        "assembly",
        "association",
        "authority",
        "bank",
        "board",
        "bridge",
        "building",
        "bureau",
        "cathedral",
        "center",
        "centre",
        "church",
        "city",
        "club",
        "co",
        "college",
        "commission",
        "committee",
        "company",
        "conference",
        "congress",
        "corp",
        "corporation",
        "council",
        "county",
        "court",
        "department",
        "embassy",
        "federation",
        "foundation",
        "fund",
        "group",
        "hall",
        "hospital",
        "hotel",
        "house",
        "inc",
        "institute",
        "international",
        "island",
        "islands",
        "league",
        "ltd",
        "magazine",
        "media",
        "ministry",
        "movement",
        "museum",
        "network",
        "news",
        "office",
        "organisation",
        "organization",
        "palace",
        "park",
        "parliament",
        "party",
        "plaza",
        "police",
        "post",
        "press",
        "prize",
        "project",
        "railway",
        "region",
        "republic",
        "road",
        "school",
        "senate",
        "service",
        "society",
        "square",
        "stadium",
        "state",
        "station",
        "street",
        "studio",
        "studios",
        "times",
        "tower",
        "towers",
        "trust",
        "union",
        "united",
        "university",
        "valley",
    }
)
# Labels whose short forms may resolve to a longer name ending the same way
# ("Democrats" -> "Liberal Democrats"). Places are left out on purpose: "Sudan" is not
# "South Sudan", "York" is not "New York".
SUFFIX_LABELS: frozenset[str] = frozenset({"ORG", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT"})

_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»"} | {c: "'" for c in "‘’‚‛‹›`´"})
# Brackets are handled apart, kept when balanced: "European Union (EU)".
_LEADING_JUNK = "\"'[{<-–—,;:·•*/ "
_TRAILING_JUNK = "\"'[{<>]}-–—,;:·•*/!? "
_ACRONYM_RE = re.compile(r"^[A-Z](?:\.?[A-Z]){1,5}\.?$")
_ABBREV_END_RE = re.compile(r"(?:\b[A-Z]\.|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|Bros|Mt)\.)$")
_TRAILING_ACRONYM_RE = re.compile(r"^(?P<long>.+?)\s*\((?P<acr>[A-Z][A-Za-z.&]{1,7})\)$")


@dataclass(frozen=True, slots=True)
class Span:
    """One NER span as spaCy gave it (character offsets into the article text)."""

    text: str
    label: str
    start: int
    end: int
    sentence: int


# --- names ---------------------------------------------------------------------------------


def _normalize_name(name: str) -> str:
    """NFKC, ASCII quotes, single spaces: the form names are compared and hashed in."""
    name = unicodedata.normalize("NFKC", name).translate(_QUOTES)
    return " ".join(name.split())


@lru_cache(maxsize=65536)
def entity_id(name: str, label: str) -> str:
    """Stable 16-hex-digit id of a (canonical name, label) pair, the same in every article."""
    key = f"{label.strip().upper()}\x1f{_normalize_name(name).casefold()}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_LEADING_THE_RE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE_END_RE = re.compile(r"(?:'s|')$")


@lru_cache(maxsize=65536)
def clean_name(text: str) -> str:
    """A surface form as a name: no leading "the", possessive "'s", or surrounding punctuation."""
    name = _normalize_name(text) if "\n" not in text else _longest_line(text)
    for _ in range(3):  # the steps uncover each other: "the EU's" -> "EU's" -> "EU"
        before = name
        name = name.strip(_LEADING_JUNK)
        if not _ABBREV_END_RE.search(name):  # keep the dot of "U.S." and "Acme Inc."
            name = name.rstrip(_TRAILING_JUNK + ".")
        name = name.rstrip(_TRAILING_JUNK)
        if name.startswith("(") and name.endswith(")") and name.count("(") == 1:
            name = name[1:-1]  # the whole span in brackets: "(NATO)"
        if name.startswith("(") and name.count("(") > name.count(")"):
            name = name[1:]
        if name.endswith("(") or (name.endswith(")") and name.count(")") > name.count("(")):
            name = name[:-1]
        name = _LEADING_THE_RE.sub("", name)
        name = _POSSESSIVE_END_RE.sub("", name)
        if name == before:
            break
    return name or _normalize_name(text)


def _longest_line(text: str) -> str:
    """The longest line of a span that ran across a line break (a spaCy slip over paragraphs)."""
    lines = [_normalize_name(line) for line in text.splitlines() if line.strip()]
    return max(reversed(lines), key=len) if lines else ""


def _strip_titles(words: list[str], person: bool) -> list[str]:
    """Leading titles removed: courtesy titles always, office titles for people; never all."""
    i = 0
    while i < len(words) - 1:
        word = words[i].rstrip(".").casefold()
        if word in HONORIFICS:
            person = True  # "Ms Hewitt" is a person whatever the label says
        elif not (person and word in OFFICE_TITLES):
            break
        i += 1
    return words[i:]


def _initials(words: Sequence[str]) -> set[str]:
    """Possible acronyms of a name: initials of its capitalised words, hyphenated or not."""
    kept = [w for w in words if w.casefold() not in ACRONYM_STOPWORDS and w[:1].isalpha()]
    whole = "".join(w[0] for w in kept if w[0].isupper())
    split = "".join(part[0] for w in kept for part in w.split("-") if part[:1].isupper())
    return {whole.upper(), split.upper()} - {""}


def _is_acronym(name: str) -> bool:
    """True for an all-caps token of 2-6 letters, dots allowed ("EU", "U.S.", "NATO")."""
    return bool(_ACRONYM_RE.match(name))


def _name_like(words: Sequence[str]) -> bool:
    """True for 2-5 words shaped like a personal name: capitalised words and name particles."""
    if not 2 <= len(words) <= 5:
        return False
    capitalised = [w for w in words if w[:1].isupper() and not any(c.isdigit() for c in w)]
    rest_ok = all(w[:1].isupper() or w.casefold() in NAME_PARTICLES for w in words)
    return rest_ok and len(capitalised) >= 2


# --- forms: the distinct names of an article -----------------------------------------------


@dataclass(slots=True)
class _Item:
    """One span being resolved."""

    span: Span
    surface: str  # cleaned surface form, titles kept (for aliases)
    display: str  # cleaned, titles stripped (for canonical names)
    key: tuple[str, ...]  # casefolded words of `display`: the form this mention belongs to


@dataclass(slots=True)
class _Form:
    """All mentions sharing one key, with what resolution needs to know about them."""

    key: tuple[str, ...]
    words: list[str]  # display words of the first mention
    items: list[_Item] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)

    @property
    def first_start(self) -> int:
        """Offset of the first mention."""
        return min(item.span.start for item in self.items)

    @property
    def display(self) -> str:
        """The most frequent display spelling, earliest first on ties."""
        counts = _count(item.display for item in self.items)
        return max(counts, key=lambda d: (counts[d], -self._first_of(d)))

    def _first_of(self, display: str) -> int:
        """Offset of the first mention spelled `display`."""
        return min(i.span.start for i in self.items if i.display == display)

    def main_label(self) -> str:
        """The label most of this form's mentions have; on a tie, the earliest of the tied."""
        top = max(self.labels.values())
        tied = [label for label, count in self.labels.items() if count == top]
        return min(tied, key=lambda lb: min(i.span.start for i in self.items if i.span.label == lb))


def _count(values: Iterable[str]) -> dict[str, int]:
    """How often each value occurs, in order of first occurrence (as `Counter` counts, without
    its type checks, which cost more than the counting of a few values)."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _make_item(span: Span) -> _Item | None:
    """Clean one span; None when nothing name-like is left."""
    parts = _name_parts(span.text, span.label)
    if parts is None:
        return None
    surface, display, key = parts
    return _Item(span=span, surface=surface, display=display, key=key)


@lru_cache(maxsize=65536)
def _name_parts(text: str, label: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(surface, display, key) of a span's text as a name of this label; None when nothing
    name-like is left (cached: the same names recur across articles)."""
    surface = clean_name(text)
    words = surface.split()
    # Names have a capital or a digit somewhere; all-lower-case Latin spans are model slips
    # ("n't" tagged GPE).
    if not words or not any(c.isalnum() for c in surface):
        return None
    if surface.isascii() and surface == surface.lower() and not any(c.isdigit() for c in surface):
        return None
    display_words = _strip_titles(words, person=label == "PERSON")
    return surface, " ".join(display_words), tuple(w.rstrip(".").casefold() for w in display_words)


# --- resolution ----------------------------------------------------------------------------


def _candidates(
    short: _Form,
    longer: Sequence[_Form],
    adjacent: set[tuple[str, ...]],
    place_words: set[str],
) -> list[_Form]:
    """Longer forms this form may be a short form or acronym of, best kind first (`longer`:
    the article's forms with more words than `short`, in resolution order)."""
    if len(short.key) == 1 and _is_acronym(short.words[0]):
        acronym = short.words[0].replace(".", "")
        by_initials = [f for f in longer if len(f.words) >= 2 and acronym in _initials(f.words)]
        by_brackets = [f for f in longer if f.key in adjacent and len(f.words) >= 2]
        return by_initials or by_brackets
    short_words = set(short.key)
    short_person = "PERSON" in short.labels
    people = [
        f
        for f in longer
        if short_words <= set(f.key)
        and _name_like(f.words)
        and (short_person or "PERSON" in f.labels)
        # "Trump Tower", "Trump Chicago": an organisation word or a place named in the article.
        and not (set(f.key) - short_words) & (NON_PERSON_WORDS | place_words)
    ]
    if people:
        # Names the model called PERSON at least once beat look-alikes it never did.
        return [f for f in people if "PERSON" in f.labels] or people
    label = short.main_label()
    if label not in SUFFIX_LABELS:
        return []
    return [f for f in longer if f.key[-len(short.key) :] == short.key and f.main_label() == label]


def _bracket_pairs(items: Sequence[_Item]) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """Acronym key -> keys of names it directly follows in brackets: "Long Form (ACR)"."""
    pairs: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    ordered = sorted(items, key=lambda i: i.span.start)
    for prev, cur in zip(ordered, ordered[1:]):
        gap = cur.span.start - prev.span.end
        if 0 < gap <= 2 and _is_acronym(cur.display) and prev.span.sentence == cur.span.sentence:
            # Dateline "MOSCOW (AFP)" also sits in brackets: the letters must fit the name.
            letters = cur.display.replace(".", "").casefold()
            name = prev.display.casefold()
            if letters[0] == name[0] and _is_subsequence(letters, name):
                pairs.setdefault(cur.key, set()).add(prev.key)
    return pairs


def _is_subsequence(needle: str, haystack: str) -> bool:
    """True when the characters of `needle` appear in `haystack` in order."""
    it = iter(haystack)
    return all(ch in it for ch in needle)


def _split_inline_acronyms(items: list[_Item]) -> list[_Item]:
    """A span "European Union (EU)" becomes the long form, its bracketed acronym noted."""
    out: list[_Item] = []
    for item in items:
        match = _TRAILING_ACRONYM_RE.match(item.display)
        if match and match.group("acr").replace(".", "").upper() in _initials(
            match.group("long").split()
        ):
            long = match.group("long")
            item = _Item(
                span=item.span,
                surface=item.surface,
                display=long,
                key=tuple(w.rstrip(".").casefold() for w in long.split()),
            )
        out.append(item)
    return out


def resolve_mentions(article_id: str, spans: Sequence[Span]) -> tuple[list[Mention], list[Entity]]:
    """Resolve an article's NER spans to mentions of canonical entities, and those entities."""
    items = [
        item
        for span in spans
        if span.label in ENTITY_LABELS
        for item in [_make_item(span)]
        if item is not None
    ]
    items = _split_inline_acronyms(items)
    if not items:
        return [], []

    forms: dict[tuple[str, ...], _Form] = {}
    for item in sorted(items, key=lambda i: i.span.start):
        form = forms.setdefault(item.key, _Form(key=item.key, words=item.display.split()))
        form.items.append(item)
        form.labels[item.span.label] += 1

    adjacent = _bracket_pairs(items)
    place_words = {
        f.key[0] for f in forms.values() if len(f.key) == 1 and f.main_label() in {"GPE", "LOC"}
    }
    # Longest forms first, so a candidate's own root is known when a shorter form needs it.
    order = sorted(forms.values(), key=lambda f: (-len(f.key), f.first_start))
    root: dict[tuple[str, ...], tuple[str, ...]] = {}
    per_mention: dict[int, tuple[str, ...]] = {}  # id(item) -> root, for ambiguous forms
    # the forms with more than n words lead `order`: the first longer_than[n] of them
    minus_words = [-len(f.key) for f in order]  # ascending
    longer_than = {-m: bisect_left(minus_words, m) for m in set(minus_words)}
    for form in order:
        longer = order[: longer_than[len(form.key)]]
        cands = _candidates(form, longer, adjacent.get(form.key, set()), place_words)
        roots = {root.get(c.key, c.key) for c in cands}
        if len(roots) == 1:
            root[form.key] = roots.pop()
            continue
        root[form.key] = form.key
        if roots:
            # Several names fit ("Smith" with John and Jane Smith): each mention takes the
            # name introduced most recently before it, as a reader would.
            for item in form.items:
                before = [
                    (other.span.start, root.get(c.key, c.key))
                    for c in cands
                    for other in c.items
                    if other.span.start < item.span.start
                ]
                if before:
                    per_mention[id(item)] = max(before)[1]

    groups: dict[tuple[str, ...], list[_Item]] = {}
    for item in items:
        groups.setdefault(per_mention.get(id(item), root[item.key]), []).append(item)

    mentions: list[Mention] = []
    entities: dict[str, Entity] = {}
    for root_key, members in groups.items():
        full = forms[root_key]
        canonical = full.display
        label = _settle_label(full, members)
        eid = entity_id(canonical, label)
        aliases = {m.surface for m in members} | {canonical}
        if eid in entities:  # two groups may meet on one name: merge their aliases
            aliases |= set(entities[eid].aliases)
        entities[eid] = Entity(id=eid, name=canonical, label=label, aliases=tuple(sorted(aliases)))
        for item in members:
            mentions.append(
                Mention(
                    article_id=article_id,
                    entity_id=eid,
                    canonical=canonical,
                    label=label,
                    text=item.span.text,
                    ner_label=item.span.label,
                    start=item.span.start,
                    end=item.span.end,
                    sentence=item.span.sentence,
                )
            )
    mentions.sort(key=lambda m: (m.start, m.end))
    return mentions, sorted(entities.values(), key=lambda e: (e.label, e.name))


def _settle_label(full: _Form, members: Sequence[_Item]) -> str:
    """The label of a canonical entity from all its mentions' labels."""
    counts = _count(item.span.label for item in members)
    # A multi-word personal name that the text also calls by a part of it ("Navalny") is a
    # person, whatever the small model said about each mention.
    if (
        "PERSON" in counts
        and _name_like(full.words)
        and any(
            item.key != full.key and len(item.key) == 1 and not _is_acronym(item.display)
            for item in members
        )
    ):
        return "PERSON"
    top = max(counts.values())
    tied = {label for label, count in counts.items() if count == top}
    if len(tied) == 1:
        return tied.pop()
    full_label = full.main_label()
    if full_label in tied:
        return full_label
    return min(tied, key=lambda lb: min(i.span.start for i in members if i.span.label == lb))
