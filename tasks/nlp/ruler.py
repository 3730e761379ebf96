"""The entity ruler: names from the actor dictionaries, merged with the statistical NER.

Patterns (`LABEL<TAB>name` lines, built by `tasks.nlp.build_entity_patterns`) are
matched token by token after the NER, as written and in UPPER CASE (headlines, datelines). A
dictionary match replaces the NER entities it overlaps (the NER called "Belarus" an ORG, or
missed "BELGRADE" in a dateline), except where an NER entity strictly contains it: "Jordan" in
PERSON "Michael Jordan" stays part of the person. A place name the NER left alone that runs on
into a capitalised word ("Hong Kong Open") is part of a longer name and is not added. A place
in a row of figures (a standings table, a results line) stands for a team there: it is an ORG.
Beyond the dictionary, the layout of news says what some names are: the places of a dateline
("BELGRADE 1996-08-30", "MILWAUKEE, Wisconsin ...", "LONDON (Reuters) -") are GPE; the names a
table's rows open with before their figures ("Stoke 4 3 1 0 7 4 10", "Wigan 4 Chester 2") are
teams (ORG) unless the NER calls most of them people; a headline in capitals gets the names the
body spells; people the NER missed are found by their form (a first initial, "A. Stewart"; the
names of a list of people); and an entity ends at a line break and has no leading "the",
trailing "'s" or trailing score.

Start-up is cheap: the patterns are a dict from token tuples to labels, read from the file
without spaCy's tokenizer (the build stores how spaCy splits each name where that is not at its
spaces: `Al-Qaida` is `Al - Qaida`), and kept once per process and file.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

__all__ = [
    "EntityPatterns",
    "EntityRuler",
    "MERGE_RULES",
    "PRETOKENIZED",
    "dateline_places",
    "merge_entities",
    "names_in_capitals",
    "parse_entity_patterns",
    "people_by_form",
    "read_entity_patterns",
    "table_slots",
    "teams_in_columns",
    "trim_edges",
    "trim_figures",
]

FACTORY = "newsflow_entity_ruler"
# How matches merge with the NER (`merge_entities`). The patterns file names it in its header, so
# the file's digest (the model's provenance) changes with the rules: `newsflow reenrich` redoes.
MERGE_RULES = "merge/7"
# The header line of a file whose lines carry spaCy's tokens (see parse_entity_patterns).
PRETOKENIZED = "# format: pretokenized"


@dataclass(frozen=True)
class EntityPatterns:
    """Token tuples -> label, and for each first token (by ORTH id, so a document's tokens are
    looked up without making their text) the lengths of the patterns it starts, longest first."""

    phrases: dict[tuple[str, ...], str]
    starts: dict[int, tuple[int, ...]]
    digest: str

    def label(self, tokens: Sequence[str]) -> str | None:
        """The label of the pattern with these tokens, or None."""
        return self.phrases.get(tuple(tokens))

    def match(self, doc: Doc) -> list[tuple[int, int, str]]:
        """(start, end, label) of the longest pattern starting at each token, where one does.
        (A shorter one at the same start lies inside it and would never be kept.)"""
        if not len(doc):
            return []
        phrases, starts, strings = self.phrases, self.starts, doc.vocab.strings
        orths = doc.to_array(ORTH).tolist()
        found = []
        for i, orth in enumerate(orths):
            lengths = starts.get(orth)
            if lengths is None:
                continue
            words = tuple(strings[o] for o in orths[i : i + lengths[0]])
            for length in lengths:
                label = phrases.get(words[:length]) if length <= len(words) else None
                if label is not None:
                    found.append((i, i + length, label))
                    break
        return found


def parse_entity_patterns(
    lines: Iterable[str], tokenize: Callable[[str], list[str]] | None = None, digest: str = ""
) -> EntityPatterns:
    """Patterns from `LABEL<TAB>name` lines (`#` comments), each name as written and in UPPER
    CASE, as token tuples. The first label given to a phrase wins.

    A file with the `PRETOKENIZED` header line says how spaCy splits each name: a third column
    with the tokens (space-separated) when they are not the name split at its spaces, a fourth
    with the tokens of the UPPER CASE name when they are not those tokens in capitals. Any other
    file's names go through `tokenize` (spaCy's tokenizer; split at spaces without it).
    """
    phrases: dict[tuple[str, ...], str] = {}
    pretokenized = tokenize is None
    for line in lines:
        if line.startswith("#"):
            pretokenized = pretokenized or line.strip() == PRETOKENIZED
            continue
        if not line.strip():
            continue
        label, name, *given = line.rstrip("\n").split("\t")
        if not name:
            continue
        if not pretokenized:
            assert tokenize is not None
            words, caps = tuple(tokenize(name)), tuple(tokenize(name.upper()))
        elif not given:  # most names: words and capitals split at spaces
            words, caps = tuple(name.split(" ")), tuple(name.upper().split(" "))
        else:
            words = tuple(given[0].split(" ") if given[0] else name.split(" "))
            caps = tuple(given[1].split(" ") if len(given) > 1 else [w.upper() for w in words])
        phrases.setdefault(words, label)
        phrases.setdefault(caps, label)
    lengths: dict[str, set[int]] = {}
    for phrase in phrases:
        lengths.setdefault(phrase[0], set()).add(len(phrase))
    starts = {get_string_id(w): tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()}
    return EntityPatterns(phrases, starts, digest)


_CACHE: dict[tuple[Path, int, str], EntityPatterns] = {}


def read_entity_patterns(
    path: Path, tokenize: Callable[[str], list[str]] | None = None, tokenizer_key: str = ""
) -> EntityPatterns:
    """The patterns of the file at `path`, read once per process and tokenizer (`tokenizer_key`
    names it: the model), and again if the file changes."""
    path = Path(path).resolve()
    key = (path, path.stat().st_mtime_ns, tokenizer_key if tokenize is not None else "")
    if key not in _CACHE:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:8]
        _CACHE[key] = parse_entity_patterns(data.decode("utf-8").splitlines(), tokenize, digest)
    return _CACHE[key]


# A table row is a short line (at most this many words) of which a quarter or more are figures.
TABLE_ROW_MAX_WORDS = 12
# A figure as written between spaces: 75, .556, 3:54.87, 2-1, 1996-08-30 (one, not three).
_FIGURE_RE = re.compile(r"[-+]?\.?\d[\d.,:/-]*")


def _line_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token bounds of the line (paragraph) holding tokens start..end: between newline tokens."""
    first = start
    while first > 0 and not (doc[first - 1].is_space and "\n" in doc[first - 1].text):
        first -= 1
    last = end
    while last < len(doc) and not (doc[last].is_space and "\n" in doc[last].text):
        last += 1
    return first, last


def in_table_row(doc: Doc, start: int, end: int) -> bool:
    """True when tokens start..end sit in a short line of figures, not in brackets: a standings or
    results row ("SAN DIEGO 75 60 .556 -", "San Diego 3 NEW YORK 2"), where a place name
    stands for a team. A line ending in a full stop is a sentence; a name in brackets in such a
    row ("4. Mary Onyali (Nigeria) 11.14") is an athlete's country."""
    first, last = _line_bounds(doc, start, end)
    if start > 0 and end < len(doc) and doc[start - 1].text == "(" and doc[end].text == ")":
        return False
    if last - first > 3 * TABLE_ROW_MAX_WORDS:
        return False
    line = doc[first:last].text.strip()  # one short line, made only for GPE entities
    chunks = line.split()
    if not chunks or len(chunks) > TABLE_ROW_MAX_WORDS or line.endswith("."):
        return False
    figures = sum(1 for chunk in chunks if _FIGURE_RE.fullmatch(chunk))
    return figures >= 2 and 4 * figures >= len(chunks)


# Capitalised words that follow or precede a place without being part of its name.
_CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December".split()
)


def _name_word(token: Token) -> bool:
    return token.is_title and token.is_alpha and token.text not in _CALENDAR


def glued_to_name(doc: Doc, start: int, end: int) -> bool:
    """True when tokens start..end run on into a capitalised word, in a line not written in
    capitals: a place inside a longer name ("Hong Kong Open", "U.S. Agriculture Department",
    "Gold Fields of South Africa Ltd" ends so, "Elia Kazan"). A capitalised word before it at the
    start of a sentence or line does not count ("Paris" in "Yesterday Paris ...")."""
    first, last = _line_bounds(doc, start, end)
    letters = [c for t in doc[first:last] for c in t.text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return False
    if end < last and _name_word(doc[end]):
        return True
    if start - 1 > first and _name_word(doc[start - 1]):
        return doc[start - 2].text not in (".", "!", "?", '"', "\u201c")
    return False


def merge_entities(doc: Doc, ents: Iterable[Span], matches: list[Span]) -> list[Span]:
    """The NER's entities with the dictionary matches merged in (see the module docstring)."""
    ents = list(ents)
    for match in filter_spans(matches):
        overlapping = [e for e in ents if e.start < match.end and match.start < e.end]
        if not overlapping and match.label_ == "GPE" and glued_to_name(doc, match.start, match.end):
            continue  # part of a longer name (an event, a company, a person) the NER missed
        if any(
            e.start <= match.start
            and match.end <= e.end
            and (e.start, e.end) != (match.start, match.end)
            for e in overlapping
        ):
            continue  # part of a longer name the NER found
        ents = [e for e in ents if e not in overlapping]
        ents.append(match)
    return sorted(teams_in_tables(doc, ents), key=lambda e: e.start)


def teams_in_tables(doc: Doc, ents: Iterable[Span]) -> list[Span]:
    """The entities with each place in a row of figures relabelled ORG: in a standings table or
    a results line a place name stands for its team ("SAN DIEGO 75 60 .556", "Somerset 5")."""
    return [
        Span(doc, e.start, e.end, label="ORG")
        if e.label_ == "GPE" and in_table_row(doc, e.start, e.end)
        else e
        for e in ents
    ]


# A dateline is among an article's first lines (headline, byline, dateline).
DATELINE_LINES = 4
# What follows a dateline's place: a date ("1996-08-30", "Aug 30", "30/08/96") or a wire credit
# in brackets with a dash or nothing after it ("(Reuters) -").
_WHEN_RE = re.compile(
    r"(?:\d{4}-\d\d-\d\d|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2})\b"
    r"|\([^()\n]{2,40}\)\s*(?:[-\u2013\u2014]|$)",
    re.IGNORECASE,
)


def _caps_word(token: Token) -> bool:
    """A word written in capitals: "BELGRADE", "AL-RAM", "ST.", "D.C." (not a figure)."""
    text = token.text
    return text.isupper() and any(c.isalpha() for c in text) and not any(c.isdigit() for c in text)


def _dated(tokens: Span) -> bool:
    """True when the tokens open with a date or a wire credit (`_WHEN_RE`)."""
    return bool(_WHEN_RE.match(tokens.text.strip()))


def dateline_places(doc: Doc) -> list[Span]:
    """The places of an article's dateline, as GPE: a line among the first few that opens with
    a name in capitals, then at most a region in title case after a comma, then a date or a
    wire credit ("BELGRADE 1996-08-30", "MILWAUKEE, Wisconsin 1996-08-29", "LONDON
    (Reuters) -"). Headline words in capitals with no date after them are no dateline."""
    start, lines = 0, 0
    while start < len(doc) and lines < DATELINE_LINES:
        first, last = _line_bounds(doc, start, start)
        places = _dateline(doc, first, last)
        if places:
            return places
        start, lines = last + 1, lines + 1
    return []


def _dateline(doc: Doc, first: int, last: int) -> list[Span]:
    while first < last and doc[first].is_space:
        first += 1
    end = first
    while end < last and end - first < 5 and _caps_word(doc[end]):
        end += 1
    if end in (first, last):
        return []
    places = [Span(doc, first, end, label="GPE")]
    if doc[end].text == "," and not _dated(doc[end + 1 : last]):
        region = end + 1
        stop = region
        while stop < last and stop - region < 3 and _name_word(doc[stop]):
            stop += 1
        if stop == region:
            return []
        places.append(Span(doc, region, stop, label="GPE"))
        end = stop + (stop < last and doc[stop].text == ",")
    elif doc[end].text == ",":
        end += 1
    return places if _dated(doc[end:last]) else []


_POSSESSIVE = frozenset({"'s", "'", "\u2019s", "\u2019"})


def trim_edges(doc: Doc, ents: Iterable[Span], words: bool = True) -> list[Span]:
    """Entities as names, without what the NER sometimes runs into them: a line break
    ("Stranraer\n\n": an entity ends at its first one, or starts after its last when that
    leaves it empty), and with `words` a leading "the" ("the Federal Reserve") and a
    possessive ("Magna's"); an entity that is only space is dropped."""
    out = []
    for e in ents:
        start, end = e.start, e.end
        breaks = [t.i for t in e if t.is_space]
        if breaks:
            if breaks[0] > start:
                end = breaks[0]
            else:
                start = breaks[-1] + 1
        if words and end - start > 1 and doc[start].lower_ == "the":
            start += 1
        if words and end - start > 1 and doc[end - 1].text in _POSSESSIVE:
            end -= 1
        if start < end and (start, end) != (e.start, e.end):
            out.append(Span(doc, start, end, label=e.label_))
        elif start < end:
            out.append(e)
    return out


_PARTICLES = frozenset({"of", "de", "del", "der", "van", "von", "la", "le", "du", "da", "&"})


def _name_token(token: Token) -> bool:
    """A word of a name in a table: capitalised or in capitals ("Queens", "FC", "St.")."""
    text = token.text
    return (
        text[:1].isupper()
        and not any(c.isdigit() for c in text)
        and token.is_alpha
        or (text[:1].isupper() and text.endswith(".") and text[:-1].replace(".", "").isalpha())
    )


def _name_runs(doc: Doc, first: int, last: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of name words in a line, particles inside a run allowed."""
    runs: list[tuple[int, int]] = []
    i = first
    while i < last:
        if not _name_token(doc[i]):
            i += 1
            continue
        end = i + 1
        while end < last and (
            _name_token(doc[end])
            or (doc[end].text in _PARTICLES and end + 1 < last and _name_token(doc[end + 1]))
        ):
            end += 1
        runs.append((i, end))
        i = end
    return runs


def _figure(token: Token) -> bool:
    return bool(_FIGURE_RE.fullmatch(token.text))


def table_slots(doc: Doc) -> list[list[tuple[int, int]]]:
    """The name slots of each table of the article: tables are runs of consecutive table rows;
    a slot is a name directly followed by a figure ("Stoke 4 3 1 0 7 4 10", "Wigan 4 Chester
    2"), not in brackets."""
    tables: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    start = 0
    while start < len(doc):
        first, last = _line_bounds(doc, start, start)
        slots: list[tuple[int, int]] = []
        if last > first and in_table_row(doc, first, first):
            for a, b in _name_runs(doc, first, last):
                bracketed = a > first and doc[a - 1].text == "("
                if not bracketed and b < last and _figure(doc[b]):
                    slots.append((a, b))
        if slots:
            current.extend(slots)
        elif last > first and current:
            tables.append(current)
            current = []
        start = last + 1
    if current:
        tables.append(current)
    return tables


def teams_in_columns(doc: Doc, ents: list[Span]) -> list[Span]:
    """Each table's names, labelled as the table's kind: a name followed by its score or its
    row of figures is a team (ORG), unless the NER calls most of the table's names people
    (PERSON). A table's names are all of one kind; names the NER left alone or called places
    take the table's kind; one it calls a person stays one."""
    tables = table_slots(doc)
    if not tables:
        return ents
    by_start = {e.start: e for e in ents}
    added: list[Span] = []
    for slots in tables:
        labels = [by_start[a].label_ for a, b in slots if a in by_start and by_start[a].end == b]
        people = labels.count("PERSON")
        if 2 * people > len(slots):
            continue
        added.extend(
            Span(doc, a, b, label="ORG")
            for a, b in slots
            if not (a in by_start and by_start[a].label_ == "PERSON" and by_start[a].end == b)
        )
    return _with(ents, added) if added else ents


# Labels a name keeps when the body's spelling labels its capitals in a headline.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
_LONGEST_NAME = 5


def _lines(doc: Doc) -> list[tuple[int, int]]:
    """(first, last) token bounds of each line (paragraph) of the document."""
    out: list[tuple[int, int]] = []
    first = 0
    for token in doc:
        if token.is_space and "\n" in token.text:
            if token.i > first:
                out.append((first, token.i))
            first = token.i + 1
    if first < len(doc):
        out.append((first, len(doc)))
    return out


def _in_capitals(doc: Doc, first: int, last: int) -> bool:
    letters = [c for t in doc[first:last] for c in t.text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.9 * len(letters)


def names_in_capitals(
    doc: Doc, ents: list[Span], patterns: EntityPatterns | None = None
) -> list[Span]:
    """Lines written in capitals (headlines) get the names the rest of the article spells in
    mixed case, with their labels there: "ROMANIA BEAT LITHUANIA" after "Lithuania" (GPE) in
    the body, "SHEARER" after "Alan Shearer" (PERSON). Only names the body labels one way are
    given. A headline name the body gives replaces the NER's guesses it overlaps, and the NER's
    other organisations in capitals go unless the dictionary (`patterns`) has them ("SOCCER -
    ENGLAND BEAT", "W L PCT GB": the model reads words in capitals badly). Datelines and tables
    are labelled after this."""
    lines = _lines(doc)
    capitals = [(a, b) for a, b in lines if _in_capitals(doc, a, b)]
    if not capitals:
        return ents
    in_caps = {i for a, b in capitals for i in range(a, b)}
    votes: dict[tuple[str, ...], Counter[str]] = {}
    surnames: set[str] = set()
    for e in ents:
        if e.label_ in _NAME_LABELS and e.start not in in_caps and len(e) <= _LONGEST_NAME:
            words = tuple(t.text.upper() for t in e)
            votes.setdefault(words, Counter())[e.label_] += 1
            if e.label_ == "PERSON" and len(e) >= 2 and e[-1].is_alpha:
                surnames.add(e[-1].text.upper())
    # a name the body labels one way only, without figures; a person's surname is the person
    known = {
        words: next(iter(counts))
        for words, counts in votes.items()
        if len(counts) == 1 and not any(c.isdigit() for w in words for c in w)
    }
    known.update(((surname,), "PERSON") for surname in surnames)
    found: list[Span] = []
    for a, b in capitals:
        i = a
        while i < b:
            for length in range(min(_LONGEST_NAME, b - i), 0, -1):
                words = tuple(t.text for t in doc[i : i + length])
                label = known.get(words)
                if label is not None:
                    found.append(Span(doc, i, i + length, label=label))
                    i += length
                    break
            else:
                i += 1
    ents = _with(ents, found) if found else ents
    given = {(e.start, e.end) for e in found}
    return [
        e
        for e in ents
        if e.label_ != "ORG"
        or e.start not in in_caps
        or (e.start, e.end) in given
        or (patterns is not None and patterns.label([t.text for t in e]) is not None)
    ]


# A first-name initial: "A." of "A. Stewart".
_INITIAL_RE = re.compile(r"[A-Z]\.")
# What may stand before and after an item of a list of names: "1 - Filip De Wilde, 2 - ...".
_ITEM_EDGES = frozenset({",", ";", "(", ")", "-", "--", ".", ":"})
# A list of names is a line with at least this many commas.
LIST_COMMAS = 3


def trim_figures(doc: Doc, ents: Iterable[Span]) -> list[Span]:
    """Names without the figures the NER ran into them: "Mexico 2-0", "Stamper 3-1", "Apic
    Yamada -" (a score or a dash after a name is not part of it)."""
    out = []
    for e in ents:
        end = e.end
        if e.label_ in _NAME_LABELS:
            while end - e.start > 1 and (_figure(doc[end - 1]) or doc[end - 1].text == "-"):
                end -= 1
        out.append(e if end == e.end else Span(doc, e.start, end, label=e.label_))
    return out


def _initialled(doc: Doc, taken: list[bool]) -> list[Span]:
    """People written with a first initial ("A. Stewart", "N. Knight"), where no entity is."""
    found: list[Span] = []
    for t in doc:
        if not _INITIAL_RE.fullmatch(t.text) or (t.i and _INITIAL_RE.fullmatch(doc[t.i - 1].text)):
            continue
        end = t.i + 1
        while end < len(doc) and end - t.i <= 2 and _name_word(doc[end]):
            end += 1
        if end > t.i + 1 and not any(taken[t.i : end]):
            found.append(Span(doc, t.i, end, label="PERSON"))
            taken[t.i : end] = [True] * (end - t.i)
    return found


def _listed(doc: Doc, ents: Sequence[Span], taken: list[bool]) -> list[Span]:
    """The unlabelled names of a list of people: in a line with LIST_COMMAS commas or more, the
    items that are a name of two to four words ("1 - Filip De Wilde, 2 - Bertrand Crasson,")
    are people when the NER calls most of the list's labelled items people (two at least)."""
    found: list[Span] = []
    by_span = {(e.start, e.end): e.label_ for e in ents}
    for first, last in _lines(doc):
        if sum(1 for t in doc[first:last] if t.text == ",") < LIST_COMMAS:
            continue
        items = []
        for a, b in _name_runs(doc, first, last):
            before = a - 1
            while before >= first and _figure(doc[before]):
                before -= 1
            if (
                2 <= b - a <= 4
                and (before < first or doc[before].text in _ITEM_EDGES)
                and (b >= last or doc[b].text in _ITEM_EDGES)
            ):
                items.append((a, b))
        labels = [by_span[item] for item in items if item in by_span]
        people = labels.count("PERSON")
        if people >= 2 and 2 * people > len(labels):
            found.extend(Span(doc, a, b, label="PERSON") for a, b in items if not any(taken[a:b]))
    return found


def people_by_form(doc: Doc, ents: list[Span]) -> list[Span]:
    """The entities with the people the NER missed that their form shows: a first initial and
    a surname, and the names of a list of people (see `_initialled`, `_listed`)."""
    taken = [False] * len(doc)
    for e in ents:
        taken[e.start : e.end] = [True] * len(e)
    added = _initialled(doc, taken)
    added += _listed(doc, ents, taken)
    return sorted([*ents, *added], key=lambda e: e.start) if added else ents


def _with(ents: Sequence[Span], spans: Sequence[Span]) -> list[Span]:
    """`ents` with `spans` in place of every entity they overlap."""
    kept = [e for e in ents if not any(s.start < e.end and e.start < s.end for s in spans)]
    return sorted([*kept, *spans], key=lambda e: e.start)


class EntityRuler:
    """The pipeline component: dictionary matches merged into `doc.ents`."""

    def __init__(self, patterns: EntityPatterns) -> None:
        self.patterns = patterns

    def __call__(self, doc: Doc) -> Doc:
        found = self.patterns.match(doc)
        ents: list[Span] = list(doc.ents)
        if any(t.is_space for e in ents for t in e):
            ents = trim_edges(doc, ents, words=False)
        ents = trim_figures(doc, ents)
        if found:
            ents = merge_entities(doc, ents, [Span(doc, a, b, label=lab) for a, b, lab in found])
        elif any(e.label_ == "GPE" for e in ents):
            ents = teams_in_tables(doc, ents)
        # after the merge: "the White House" the NER found keeps its own label
        ents = trim_edges(doc, ents)
        ents = names_in_capitals(doc, ents, self.patterns)
        places = dateline_places(doc)
        if places:
            ents = _with(ents, places)
        ents = teams_in_columns(doc, ents)
        ents = people_by_form(doc, ents)
        doc.ents = ents
        return doc


@Language.factory(FACTORY, default_config={"patterns_path": ""})
def make_entity_ruler(nlp: Language, name: str, patterns_path: str) -> EntityRuler:  # noqa: ARG001
    def tokenize(text: str) -> list[str]:
        return [t.text for t in nlp.tokenizer(text)]

    # a file that is not pretokenized (a user's own) goes through the model's tokenizer
    model = f"{nlp.lang}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"
    return EntityRuler(read_entity_patterns(Path(patterns_path), tokenize, model))
