"""Sense of domain: is an event political, or a match, a film, a product launch, a market?

Each event gets a score per domain (political, sport, entertainment, business, tech) from
evidence that does not depend on the trigger (`config/event_rules.toml`, `[domain]`):
- the article's vocabulary: each domain's share of the article's domain words;
- the sentence's vocabulary: the domain words in the event's sentence;
- the parse: a score in the sentence ("beat Chelsea 3-1", "won 2-0") is sport, a vote split
  ("a 2-1 decision", "by a 5-4 majority": the numbers' head is a word of voting) is not;
- what the actor and target are: a code of a political or security sector (government,
  military, police, rebels, opposition, courts, legislatures, IGOs) is political evidence, a bare
  country or demonym weaker evidence (teams bear them too); an actor phrase made of a domain's own
  words ("England captain", "the club") is not political evidence.
The political vocabulary is the rules' `political_words` plus the agent dictionary's one-word
role words of the political sectors ("minister", "army", "police"); the others are the rules'
word lists. The highest score wins; ties go to political.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spacy.attrs import IS_ALPHA, LEMMA, LOWER
from spacy.tokens import Doc

from tasks.nlp.events.actors import ActorCode, ActorDictionary
from tasks.nlp.events.rules import DomainRules
from tasks.nlp.syntax import doc_sents, doc_text

if TYPE_CHECKING:
    from spacy.tokens import Span

POLITICAL = "political"
DOMAINS = (POLITICAL, "sport", "entertainment", "business", "tech")
# A score: two small numbers joined by a dash ("3-1", "2 - 0"), not part of a date or a range
# of larger numbers.
_SCORE_RE = re.compile(r"(?<![\d./:-])\d{1,2} ?- ?\d{1,2}(?![\d./:%-])")


@dataclass(frozen=True)
class Vocabulary:
    """Domain words: one-word lemmas and multiword phrases, each with its domains."""

    words: dict[str, tuple[str, ...]]
    phrases: dict[str, tuple[str, ...]]
    # the first words of `phrases`, and each token's domains as `_count_sentences` found them
    phrase_firsts: frozenset[str] = frozenset()
    memo: dict[tuple[int, ...], tuple[str, tuple[str, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )


_VOCABULARIES: dict[tuple[int, int], Vocabulary] = {}


def vocabulary(rules: DomainRules, actors: ActorDictionary) -> Vocabulary:
    """The domain vocabulary of these rules and this dictionary (built once)."""
    key = (id(rules), id(actors))
    hit = _VOCABULARIES.get(key)
    if hit is not None:
        return hit
    lists: dict[str, set[str]] = {
        POLITICAL: set(rules.political_words)
        | {
            w
            for w, code in actors.agents.items()
            if " " not in w and _sectors(code.strip("~")) & rules.political_sectors
        },
        "sport": set(rules.sport),
        "entertainment": set(rules.entertainment),
        "business": set(rules.business),
        "tech": set(rules.tech),
    }
    table: dict[str, set[str]] = {}
    for domain, words in lists.items():
        for w in words:
            table.setdefault(w, set()).add(domain)
    vocab = Vocabulary(
        {k: tuple(sorted(v)) for k, v in table.items() if " " not in k},
        {k: tuple(sorted(v)) for k, v in table.items() if " " in k},
        frozenset(k.split(" ", 1)[0] for k in table if " " in k),
    )
    _VOCABULARIES.clear()
    _VOCABULARIES[key] = vocab
    return vocab


def _sectors(code: str) -> set[str]:
    """The three-letter parts of a code after its country or IGO prefix (RUSGOVMIL -> GOV, MIL)."""
    return {code[i : i + 3] for i in range(0, len(code) - 2, 3)}


def _count(tokens: Span | Doc, vocab: Vocabulary) -> Counter[str]:
    """Domain words and two-word phrases of a sentence (or a whole Doc)."""
    doc = tokens if isinstance(tokens, Doc) else tokens.doc
    start, end = (0, len(doc)) if isinstance(tokens, Doc) else (tokens.start, tokens.end)
    return _count_sentences(doc, [(start, end)], vocab)[0]


def _count_sentences(
    doc: Doc, bounds: Sequence[tuple[int, int]], vocab: Vocabulary
) -> list[Counter[str]]:
    """`_count` of each (start, end) token range of a Doc, read from the Doc's arrays (a Token
    object per word costs more than the look-ups)."""
    columns = doc.to_array([IS_ALPHA, LOWER, LEMMA]).T.tolist() if len(doc) else [[], [], []]
    alphas, lowers, lemmas = columns
    strings = doc.vocab.strings
    memo = vocab.memo  # (is_alpha, lower id, lemma id) -> (lower form or "" to skip, domains)
    if len(memo) > 500_000:
        memo.clear()
    firsts = vocab.phrase_firsts
    phrases = vocab.phrases
    out: list[Counter[str]] = []
    for start, end in bounds:
        found: list[str] = []  # each domain once per word or phrase of it, in text order
        prev = ""
        for key in zip(alphas[start:end], lowers[start:end], lemmas[start:end]):
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = _token_domains(key, strings, vocab)
            lower, domains = hit
            if not lower:
                prev = ""
                continue
            if domains:
                found.extend(domains)
            if prev in firsts:
                found.extend(phrases.get(f"{prev} {lower}", ()))
            prev = lower
        out.append(Counter(found))
    return out


def _token_domains(
    row: tuple[int, int, int], strings: Any, vocab: Vocabulary
) -> tuple[str, tuple[str, ...]]:
    """(lower form, domains of its lower form and lemma) of a token's array row (is_alpha, lower
    id, lemma id); ("", ()) for a
    token that is neither alphabetic nor hyphenated (the text has a hyphen when its lower form
    has)."""
    alpha, lo, le = row
    lower = strings[lo]
    if not alpha and "-" not in lower:
        return "", ()
    lemma = strings[le].lower()
    keys = (lower,) if lemma == lower else (lower, lemma)
    return lower, tuple(d for key in keys for d in vocab.words.get(key, ()))


class ArticleDomain:
    """The domain evidence of one article, computed once over its parse."""

    def __init__(self, doc: Doc, rules: DomainRules, actors: ActorDictionary) -> None:
        self.rules = rules
        self.actors = actors
        self.vocab = vocabulary(rules, actors)
        sents = doc_sents(doc)
        counted = _count_sentences(doc, [(s.start, s.end) for s in sents], self.vocab)
        self.sentences = list(zip(sents, counted))
        total: Counter[str] = Counter()
        for _, counts in self.sentences:
            total.update(counts)
        n = sum(total.values())
        self.share = {d: total[d] / n for d in DOMAINS} if n else dict.fromkeys(DOMAINS, 0.0)
        self._scores: dict[int, bool] = {}

    def _has_score(self, si: int) -> bool:
        if si not in self._scores:
            sent = self.sentences[si][0]
            dates: list[tuple[int, int]] | None = None  # read only when a score-like text is
            found = False
            for m in _SCORE_RE.finditer(doc_text(sent.doc)[sent.start_char : sent.end_char]):
                if dates is None:
                    dates = [
                        (e.start_char, e.end_char)
                        for e in sent.ents
                        if e.label_ in ("DATE", "TIME")
                    ]
                start = sent.start_char + m.start()
                if not any(a <= start < b for a, b in dates) and not self._tally(
                    sent, start, sent.start_char + m.end()
                ):
                    found = True
                    break
            self._scores[si] = found
        return self._scores[si]

    def _tally(self, sent: Span, start: int, end: int) -> bool:
        """A vote split, not a score: the numbers' head is a word of voting or deciding ("a
        2-1 decision", "by a 5-4 majority", "voted 7-2"), `DomainRules.tally_words`."""
        span = sent.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return False
        head = span.root.head
        for _ in range(3):  # "a 2-1 split decision": up through the numbers' own modifiers
            if (
                head.lemma_.lower() in self.rules.tally_words
                or head.lower_ in self.rules.tally_words
            ):
                return True
            if head.pos_ not in ("NOUN", "ADJ", "NUM") or head.head == head:
                return False
            head = head.head
        return False

    def _party(self, code: ActorCode | None, text: str | None) -> tuple[float, float]:
        """(political, country) evidence of an actor or target."""
        if code is None:
            return 0.0, 0.0
        words = set((text or "").lower().replace("-", " ").split())
        if any(d != POLITICAL for w in words for d in self.vocab.words.get(w, ())):
            return 0.0, 0.0  # "England captain", "the club": the phrase says its domain
        value = code.code
        if value.startswith("IGO") or _sectors(value[3:] if code.country else value) & (
            self.rules.political_sectors
        ):
            return self.rules.political_actor, 0.0
        if code.country and value == code.country:
            return 0.0, self.rules.country_actor
        return 0.0, 0.0

    def judge(
        self,
        si: int,
        actor: ActorCode | None,
        actor_text: str | None,
        target: ActorCode | None,
        target_text: str | None,
    ) -> str:
        """The domain of an event of sentence `si` with this actor and target."""
        r = self.rules
        counts = self.sentences[si][1] if si < len(self.sentences) else Counter()
        scores = {d: r.article * self.share[d] + r.sentence * counts[d] for d in DOMAINS}
        if si < len(self.sentences) and self._has_score(si):
            scores["sport"] += r.score
        for code, text in ((actor, actor_text), (target, target_text)):
            political, country = self._party(code, text)
            scores[POLITICAL] += political + country
        best = max(DOMAINS, key=lambda d: (scores[d], d == POLITICAL))
        return best
