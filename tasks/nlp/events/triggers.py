"""Finding event triggers in a sentence: verbs, verb phrases and patterns, and event nouns.

Per sentence, every verb is looked up in the trigger lexicon (`config/event_lexicon.toml`):
phrases and patterns first ("put ... on blacklist", "call for"), then the verb alone; nouns
(and verbs used as nouns) by their compound ("air strike") or their own form ("sanctions").
Reporting verbs are not events (what is said may hold one), except a reported demand ("said
Sudan must return ..."). What a demand asks for is not coded as an act (`demanded`).
"""

from __future__ import annotations

from functools import lru_cache

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from tasks.nlp.events.lexicon import EventLexicon, Trigger
from spacy.symbols import AUX, NOUN, VERB

from tasks.nlp.syntax import OBJ, doc_memo, token_table

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Particles and prepositions: a pattern made only of these must follow the verb directly.
FUNCTION_WORDS = frozenset(
    "to on for in at by with from of into onto upon off out up down over back away about against "
    "through around along across after before under behind ahead apart aside forward".split()
)
DEONTIC = frozenset({"must", "should", "ought"})


class Found(NamedTuple):
    """A trigger found in a sentence: the token, what it codes, and how it was matched
    (pattern, phrase, verb, noun, or light for a light verb carrying an event noun)."""

    tok: Token
    trig: Trigger
    source: str


@dataclass
class SentenceTriggers:
    """Triggers of one sentence, with the tokens matched phrases and objects claimed."""

    found: list[Found] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)
    matched: dict[int, frozenset[str]] = field(default_factory=dict)
    stating: set[int] = field(default_factory=set)


def _slot_at(forms: Sequence[tuple[str, str]], i: int, slot: Sequence[str]) -> int:
    """Length of the alternative of `slot` that matches at `forms[i]`, or 0."""
    for alt in slot:
        parts = alt.split()
        if i + len(parts) > len(forms):
            continue
        if all(p in forms[i + k] or p.rstrip("s") == forms[i + k][1] for k, p in enumerate(parts)):
            return len(parts)
    return 0


def _forms(tokens: Sequence[Token]) -> list[tuple[str, str]]:
    return [(t.lower_, t.lemma_.lower()) for t in tokens]


def _match_forms(forms: Sequence[tuple[str, str]], words: Sequence[Sequence[str]]) -> bool:
    pos = 0
    for slot in words:
        for i in range(pos, len(forms)):
            n = _slot_at(forms, i, slot)
            if n:
                pos = i + n
                break
        else:
            return False
    return True


def match_words(tokens: Sequence[Token], words: Sequence[Sequence[str]]) -> bool:
    """Whether each slot (alternatives, possibly multiword) matches in order in `tokens`."""
    return _match_forms(_forms(tokens), words)


@lru_cache(maxsize=4096)
def _firsts(slot: tuple[str, ...]) -> frozenset[str]:
    return frozenset(alt.split()[0] for alt in slot)


@lru_cache(maxsize=4096)
def _particles_only(words: tuple[tuple[str, ...], ...]) -> bool:
    """Whether every word of a phrase's or pattern's slots is a function word ("for", "on")."""
    return all(alt in FUNCTION_WORDS for slot in words for alt in slot)


def _near(forms: Sequence[tuple[str, str]]) -> frozenset[str]:
    """Every lower-case form and lemma of `forms`, to test a slot's first words against."""
    return frozenset(f for pair in forms for f in pair)


class _Candidate(NamedTuple):
    """A phrase or pattern a verb's lemma starts, with what matching it needs, computed once."""

    words: tuple[tuple[str, ...], ...]
    trig: Trigger
    source: str  # "phrase" or "pattern"
    particles_only: bool  # `_particles_only(words)`
    firsts: frozenset[str]  # `_firsts(words[0])`
    used: frozenset[str]  # every word of every slot: what a match uses


_CANDIDATES: dict[int, dict[str, tuple[_Candidate, ...]]] = {}


def _candidate(words: tuple[tuple[str, ...], ...], trig: Trigger, source: str) -> _Candidate:
    return _Candidate(
        words,
        trig,
        source,
        _particles_only(words),
        _firsts(words[0]),
        frozenset(a for slot in words for a in slot),
    )


def _candidates(lemma: str, lexicon: EventLexicon) -> tuple[_Candidate, ...]:
    """Multiword phrases that start with `lemma`, longest first, then its patterns (longest
    first, as the lexicon orders them); indexed once per lexicon."""
    index = _CANDIDATES.get(id(lexicon))
    if index is None:
        phrases: dict[str, list[tuple[tuple[tuple[str, ...], ...], Trigger]]] = {}
        for words, trig in lexicon.phrases.items():
            phrases.setdefault(words[0], []).append((tuple((w,) for w in words[1:]), trig))
        index = {}
        for first in phrases.keys() | lexicon.patterns.keys():
            items = sorted(phrases.get(first, []), key=lambda x: -len(x[0]))
            index[first] = tuple(
                [_candidate(w, trig, "phrase") for w, trig in items if w]
                + [
                    _candidate(p.words, p.trigger, "pattern")
                    for p in lexicon.patterns.get(first, ())
                ]
            )
        _CANDIDATES.clear()
        _CANDIDATES[id(lexicon)] = index
    return index.get(lemma, ())


def _right_of(tok: Token, limit: int) -> list[Token]:
    """The first `limit` words of `tok`'s subtree right of it, in subtree order: the same as
    `[t for t in tok.subtree if t.i > tok.i][:limit]`, without walking the subtrees of left
    children that lie wholly left of it (their right edge is left of it)."""
    out: list[Token] = []
    if limit <= 0:
        return out
    i = tok.i
    for child in (*(c for c in tok.lefts if c.right_edge.i > i), *tok.rights):
        for t in child.subtree:
            if t.i > i:
                out.append(t)
                if len(out) == limit:
                    return out
    return out


def _phrase_matches(
    c: _Candidate,
    right: Sequence[tuple[str, str]],
    adjacent: Sequence[tuple[str, str]],
    near: tuple[frozenset[str], frozenset[str]],
) -> bool:
    """Whether a phrase's or pattern's words follow the verb (`right`, `adjacent`: the
    (lower, lemma) forms of the words right of it in its subtree, and of the next two; `near`:
    the forms of right's first six words and of adjacent's first, as `_near` makes them)."""
    if c.particles_only:
        # "call for", "press on": a bare particle must follow the verb directly
        return (
            bool(adjacent)
            and not c.firsts.isdisjoint(near[1])
            and _match_forms(adjacent[: len(c.words)], c.words)
        )
    return not c.firsts.isdisjoint(near[0]) and _match_forms(right, c.words)


def verb_trigger(tok: Token, lexicon: EventLexicon) -> tuple[Trigger | None, frozenset[str], str]:
    """(trigger, words the match used, source) for a verb: phrases, patterns, then the verb alone."""
    lemma = tok.lemma_.lower()
    candidates = _candidates(lemma, lexicon)
    # the words right of the verb in its subtree, walked only when a phrase or pattern may match
    right = _right_of(tok, lexicon.coding.limits.pattern_reach) if candidates else []
    if right:
        # a date between verb and particle does not break the phrase ("called Thursday on")
        adjacent = [
            t
            for t in right[:4]
            if t.i <= tok.i + 4 and t.dep_ != "punct" and t.ent_type_ not in ("DATE", "TIME")
        ][:2]
        right_forms, adjacent_forms = _forms(right), _forms(adjacent)
        near, next_to = _near(right_forms[:6]), _near(adjacent_forms[:1])
        for c in candidates:
            # `_phrase_matches`, its first test here: most candidates fail it
            if c.firsts.isdisjoint(next_to if c.particles_only else near):
                continue
            if _phrase_matches(c, right_forms, adjacent_forms, (near, next_to)):
                return c.trig, c.used, c.source
    single = lexicon.verbs.get(lemma)
    if single is not None:
        return single, frozenset(), "verb"
    return None, frozenset(), ""


_COMPOUND_HEADS: dict[int, frozenset[str]] = {}


def _compound_heads(lexicon: EventLexicon) -> frozenset[str]:
    """The last words of the lexicon's two-word nouns ("strike" of "air strike"): only a noun
    that is one can be the head of a compound trigger (computed once per lexicon)."""
    heads = _COMPOUND_HEADS.get(id(lexicon))
    if heads is None:
        heads = frozenset(k.rsplit(" ", 1)[1] for k in lexicon.nouns if " " in k)
        _COMPOUND_HEADS.clear()
        _COMPOUND_HEADS[id(lexicon)] = heads
    return heads


def noun_trigger(tok: Token, lexicon: EventLexicon) -> Trigger | None:
    """The trigger of an event noun: its compound first ("air strike"), then the noun."""
    lemma, lower = tok.lemma_.lower(), tok.lower_
    heads = _compound_heads(lexicon)
    if lower in heads or lemma in heads:
        for c in tok.children:
            if c.dep_ == "compound":
                for key in (f"{c.lower_} {lower}", f"{c.lemma_.lower()} {lemma}"):
                    if key in lexicon.nouns:
                        return lexicon.nouns[key]
    return lexicon.nouns.get(lower) or lexicon.nouns.get(lemma)


def _deontic_clause(comp: Token, that: bool = False) -> bool:
    """A complement clause with must/should/ought (opened by "that" when `that`)."""
    return (
        comp.dep_ == "ccomp"
        and any(c.dep_ == "aux" and c.lower_ in DEONTIC for c in comp.children)
        and (not that or any(c.dep_ == "mark" and c.lower_ == "that" for c in comp.children))
    )


def _deontic_heads(doc: Doc) -> frozenset[int]:
    """Token indices of the verbs a complement clause with must/should/ought hangs on: the only
    verbs `_reported_demand` can find a demand under."""
    table = token_table(doc)
    heads = set()
    for i, lower in enumerate(table.lower):
        if lower in DEONTIC:
            aux = doc[i]
            if aux.dep_ == "aux" and aux.head.dep_ == "ccomp":
                heads.add(aux.head.head.i)
    return frozenset(heads)


def _reported_demand(verb: Token, lexicon: EventLexicon, that: bool = False) -> Trigger | None:
    """ "Russia said Sudan must return the helicopter": a demand by the speaker."""
    if verb.i not in doc_memo(verb.doc, "deontic heads", _deontic_heads):
        return None
    if any(_deontic_clause(comp, that) for comp in verb.children):
        return lexicon.recoded(lexicon.coding.recode.reported_demand)
    return None


def demanded(
    tok: Token,
    demand_nouns: frozenset[str],
    reporting: frozenset[str],
    stating: frozenset[int] = frozenset(),
) -> bool:
    """Whether a verb is what a demand asks for: "said Sudan must return ..." (a reported
    clause with must/should, under a reporting verb or a verb in `stating`, the token indices of
    other verbs coded as stating a demand), "its demand that Israel ease ..." (also when the
    parse hangs the clause on the verb that carries the demand noun: "reiterated its demand
    today that ...")."""
    if tok.pos_ != "VERB":
        return False
    head = tok.head
    if tok.dep_ in ("ccomp", "acl") and head.pos_ == "NOUN" and head.lemma_.lower() in demand_nouns:
        return True
    if tok.dep_ == "ccomp" and any(
        c.dep_ in OBJ and c.lemma_.lower() in demand_nouns and c.i < tok.i for c in head.children
    ):
        return True  # "reiterated its demand today that Israel ease": the clause is the demand's
    return (
        head.pos_ == "VERB"
        and _deontic_clause(tok)
        and (head.lemma_.lower() in reporting or head.i in stating)
    )


def _aid_handed_over(verb: Token, lexicon: EventLexicon) -> frozenset[str]:
    """The words of relief goods (`aid_goods`) a verb of transfer the lexicon does not code
    (`transfer_verbs`: "handed over", "distributed") takes as object, or a quantity of them
    ("700 kg of medicine"): humanitarian aid (CAMEO 073). Empty when it is no such transfer."""
    words = lexicon.coding.words
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in words.transfer_verbs:
        return frozenset()
    for obj in (c for c in verb.children if c.dep_ in OBJ):
        nouns = [obj, *(g for p in obj.children if p.lower_ == "of" for g in p.children)]
        if any(n.lemma_.lower() in words.aid_goods or n.lower_ in words.aid_goods for n in nouns):
            return frozenset(f for n in nouns for f in (n.lower_, n.lemma_.lower()))
    return frozenset()


def _add_verb(tok: Token, lexicon: EventLexicon, out: SentenceTriggers) -> None:
    if tok.lemma_.lower() in lexicon.reporting or tok.lower_ == "according":
        demand = _reported_demand(tok, lexicon)
        if demand is not None:
            out.found.append(Found(tok, demand, "verb"))
        return  # saying is not an event; what is said may hold one
    trig, used, source = verb_trigger(tok, lexicon)
    if trig is None or not source:
        # a verb the lexicon does not code, with "that X must ...": stating a demand ("the
        # forum concluded that the US must allocate ...")
        demand = _reported_demand(tok, lexicon, that=True)
        if demand is not None and tok.pos_ == "VERB":
            out.found.append(Found(tok, demand, "verb"))
            out.stating.add(tok.i)
        elif goods := _aid_handed_over(tok, lexicon):
            out.found.append(Found(tok, lexicon.recoded(lexicon.coding.recode.aid_goods), "verb"))
            out.matched[tok.i] = goods  # the goods are what is given, not who receives them
            out.claimed.update(c.i for c in tok.children if c.dep_ in OBJ)
        return
    out.found.append(Found(tok, trig, source))
    out.matched[tok.i] = used
    if source in ("pattern", "phrase"):
        reach = lexicon.coding.limits.claim_reach
        out.claimed.update(t.i for t in tok.subtree if 0 < t.i - tok.i < reach)
    else:
        out.claimed.update(c.i for c in tok.children if c.dep_ in OBJ)


def _may_be_noun_trigger(lower: str, lemma: str, lexicon: EventLexicon) -> bool:
    """Whether `noun_trigger` can find anything for a noun of these forms."""
    nouns, heads = lexicon.nouns, _compound_heads(lexicon)
    return lower in nouns or lemma in nouns or lower in heads or lemma in heads


def sentence_triggers(sent: Span, lexicon: EventLexicon) -> SentenceTriggers:
    """Every verb and noun trigger of a sentence, in token order."""
    out = SentenceTriggers()
    doc = sent.doc
    table = token_table(doc)  # part of speech and forms without a Token per word
    for i in range(sent.start, sent.end):
        pos = table.pos[i]
        if pos in (VERB, AUX):
            tok = doc[i]
            if pos == VERB or tok.dep_ not in ("aux", "auxpass"):
                _add_verb(tok, lexicon, out)
        elif pos == NOUN and _may_be_noun_trigger(table.lower[i], table.lemma[i], lexicon):
            tok = doc[i]
            trig = noun_trigger(tok, lexicon)
            if trig is not None:
                out.found.append(Found(tok, trig, "noun"))
    return out
