"""The mode of an event (asserted, reported, planned, hypothetical, negated) and its date.

The mode comes from the trigger and the words governing it up to the first finite verb:
negated ("not", "premature", "hold off") > hypothetical ("possible", "could", "weigh", a
conditional "would") > planned ("will", "due", infinitives under "call"/"urge", a resolved date
after publication, a "would" that is the past of "will" in reported speech) > reported (under
"say"/"tell") > asserted. GDELT and PETRARCH code neither hypothetical nor negated verbs: such
events stay in the table, not `coded` and ranked down (`coder`). The date is the resolved date expression attached to the
trigger without crossing another verb.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from tasks.nlp.dates import verb_direction
from tasks.nlp.events.lexicon import EventLexicon
from tasks.nlp.syntax import is_finite, is_verb
from tasks.records import DateMention

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_CUE_DEPS = frozenset(
    {"neg", "aux", "auxpass", "advmod", "acomp", "amod", "mark", "prt", "attr", "det"}
)


_QUOTES = frozenset('"\u201c\u201d')


def mode_chain(tok: Token, reporting: frozenset[str]) -> list[Token]:
    """The trigger and the words that govern it, up to and including the first finite verb."""
    chain = [tok]
    cur = tok
    for _ in range(6):
        if is_verb(cur) and is_finite(cur) or cur.dep_ in ("relcl", "acl", "ROOT", "appos"):
            break
        if cur.head == cur:
            break
        if (
            cur.pos_ in ("NOUN", "PROPN")
            and cur.dep_ == "pobj"
            and cur.head.head.pos_ in ("NOUN", "PROPN")
        ):
            break  # "pressure over the arrest": the arrest is not governed by the outer verb
        cur = cur.head
        if cur.lemma_.lower() in reporting and cur.pos_ == "VERB":
            break
        chain.append(cur)
    return chain


def _has_cue(tok: Token, cues: frozenset[str]) -> bool:
    return tok.lemma_.lower() in cues or tok.lower_ in cues


def _cue_words(c: Token, first: bool) -> list[Token]:
    """A chain word and its modifiers that may carry a mode cue."""
    words = [] if first else [c]
    kids = [k for k in c.children if k.dep_ in _CUE_DEPS]
    words.extend(kids)
    for k in kids:
        if k.dep_ == "attr":
            words.extend(g for g in k.children if g.dep_ == "amod")
    # a copula governing a nominal trigger: "Sanctions are a possible tool"
    if first and c.dep_ in ("nsubj", "nsubjpass") and c.head.lemma_ == "be":
        for k in c.head.children:
            if k.dep_ in ("attr", "acomp"):
                words.append(k)
                words.extend(g for g in k.children if g.dep_ == "amod")
    return words


def _cues(w: Token, tok: Token, lexicon: EventLexicon, crossed_prep: bool) -> set[str]:
    found: set[str] = set()
    lw = w.lemma_.lower()
    if (w.dep_ == "neg" or (_has_cue(w, lexicon.negation) and w != tok)) and (
        w.dep_ != "det" or lw == "no"
    ):
        found.add("negated")
    if lw == "hold" and any(k.dep_ == "prt" and k.lower_ == "off" for k in w.children):
        found.add("negated")
    if w == tok or w.dep_ == "det":
        return found
    if w.dep_ == "aux" and w.lower_ in lexicon.coding.mode.conditional:
        found.add("conditional")
    if _has_cue(w, lexicon.hypothetical):
        found.add("hypothetical")
    if _has_cue(w, lexicon.planning) and not (crossed_prep and w.dep_ in ("aux", "auxpass")):
        found.add("planned")
    return found


def _chain_cues(tok: Token, chain: Sequence[Token], lexicon: EventLexicon) -> set[str]:
    found: set[str] = set()
    crossed_prep = False  # a noun in a prepositional phrase does not share its verb's tense
    for i, c in enumerate(chain):
        if i > 0 and chain[i - 1].dep_ == "pobj" and tok.pos_ != "VERB":
            crossed_prep = True
        for w in _cue_words(c, i == 0):
            found |= _cues(w, tok, lexicon, crossed_prep)
        if i > 0 and c.lemma_.lower() in lexicon.coding.words.demand_verbs and c.pos_ == "VERB":
            prev = chain[i - 1]
            if (prev.dep_ in ("xcomp", "advcl") and prev.tag_ == "VB") or (
                prev.dep_ == "prep" and prev.lower_ == "for"
            ):
                found.add("planned")  # called for Russians to rally / called for his release
    return found


def _backshifted(tok: Token, top: Token, lexicon: EventLexicon) -> bool:
    """Whether a "would" is the past of "will" in reported speech ("She said ministers would
        consult"): the clause is the complement of a verb of saying, declaring or signifying in the
    past, and
        not quoted ("'mothers would welcome it,' she said" is the speaker's own conditional)."""
    head = top.head
    if head == top or top.dep_ not in ("ccomp", "conj"):
        return False
    lemma = head.lemma_.lower()
    words = lexicon.coding.words
    if not (
        lemma in lexicon.reporting or lemma in words.declare_verbs or lemma in words.signify_verbs
    ):
        return False
    past = head.tag_ == "VBD" or (
        head.tag_ == "VBN" and any(c.dep_ == "aux" for c in head.children)
    )
    lo, hi = sorted((head.i, tok.i))
    quoted = any(t.tag_ in ("``", "''") or t.text in _QUOTES for t in tok.doc[lo:hi])
    return past and not quoted


def event_mode(
    tok: Token, lexicon: EventLexicon, event_date: date | None, published: date | None
) -> str:
    """The event's mode from its governing words, its date and a reporting verb above it."""
    chain = mode_chain(tok, lexicon.reporting)
    found = _chain_cues(tok, chain, lexicon)
    top = chain[-1]
    if "conditional" in found:
        found.discard("conditional")
        found.add("planned" if _backshifted(tok, top, lexicon) else "hypothetical")
    if "negated" not in found and "hypothetical" not in found:
        if (
            top.tag_ == "VB"
            and any(k.lower_ == "to" for k in top.children)
            and top.head.pos_ == "NOUN"
        ):
            found.add("planned")
        if event_date and published and event_date > published:
            found.add("planned")
        if (
            top.head != top
            and top.head.lemma_.lower() in lexicon.reporting
            and top.dep_ in ("ccomp", "parataxis", "conj")
        ):
            found.add("reported")
    return next((m for m in lexicon.coding.mode.order if m in found), "asserted")


def _anchor(tok: Token) -> Token | None:
    """The verb a trigger's date hangs from: the trigger itself, or the verb above a noun."""
    if is_verb(tok):
        return tok
    cur = tok
    for _ in range(5):
        if cur.head == cur:
            return None
        cur = cur.head
        if is_verb(cur):
            return cur
    return None


def _reach(root: Token, tok: Token, anchor: Token | None) -> int | None:
    """Arcs from a date's root up to the trigger (or its anchor verb) without crossing a verb."""
    cur = root
    for depth in range(8):
        if cur == tok or (anchor is not None and cur == anchor):
            return depth
        if cur.head == cur or (is_verb(cur) and cur != root):
            return None
        cur = cur.head
    return None


def date_for(
    tok: Token, dates: Sequence[DateMention], sent: Span, published: date | None = None
) -> DateMention | None:
    """The date expression attached to the trigger without crossing another verb; a past-tense
    verb does not take a date after publication ("called ... this weekend")."""
    doc = tok.doc
    anchor = _anchor(tok)
    past: bool | None = None  # the anchor's tense, looked up once and only when needed
    best: tuple[tuple[int, int], DateMention] | None = None
    for d in dates:
        if not (sent.start_char <= d.start < sent.end_char):
            continue
        span = doc.char_span(d.start, d.end, alignment_mode="expand")
        if span is None:
            continue
        depth = _reach(span.root, tok, anchor)
        if depth is None:
            continue
        clash = 0
        if (
            anchor is not None
            and published is not None
            and d.value is not None
            and d.value > published
        ):
            if past is None:
                past = verb_direction(anchor) == "past"
            clash = int(past)
        if best is None or (clash, depth) < best[0]:
            best = ((clash, depth), d)
    return best[1] if best else None
