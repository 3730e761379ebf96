"""Reading the dependency parse: noun phrases, subjects, objects, places and pronouns.

Shared by event coding (`tasks.nlp.events`), quotes and 5W1H. Everything here works on the
spaCy parse already made (no second pass) and on the article's resolved entity mentions
(`Mentions`, indexed by character offset). The closed word classes below (pronouns, the
prepositions of place) are English grammar, not coding rules; the coding rules, which are open
word lists and weights, live in `config/event_rules.toml`.
"""

from __future__ import annotations

import re

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from spacy.attrs import TAG

from tasks.records import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

T = TypeVar("T")

# Keys of what is computed once per Doc and kept in `Doc.user_data`.
_TEXT_KEY = "newsflow.text"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
SUBJ = ("nsubj", "csubj")
PASS_SUBJ = ("nsubjpass", "csubjpass")
OBJ = ("dobj", "obj")
PLACE_PREPS = ("in", "at", "near", "across", "inside", "outside", "throughout", "around")
# Dependents that belong to a noun phrase (relative clauses, appositions and punctuation do not).
NP_DEPS = frozenset(
    "compound amod nmod poss case nummod quantmod flat det cc conj npadvmod predet".split()
)
# Personal pronouns and the kind of entity each stands for.
PRONOUNS = {
    "he": "PERSON",
    "she": "PERSON",
    "him": "PERSON",
    "her": "PERSON",
    "his": "PERSON",
    "it": "ORG",
    "they": "ORG",
    "them": "ORG",
    "its": "ORG",
    "their": "ORG",
    "we": "ORG",
}
# First-person plural pronouns: in direct speech they stand for the speaker's side.
FIRST_PERSON = frozenset({"we", "us", "our"})
_FINITE_TAGS = ("VBD", "VBZ", "VBP", "MD")
_PRONOUN_WINDOW = 400  # characters back to look for a pronoun's antecedent


class MentionRef(NamedTuple):
    """One entity mention as the index holds it."""

    start: int
    end: int
    entity_id: str | None
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """A noun phrase found for an actor, target or location."""

    text: str
    start: int
    end: int
    entity_id: str | None = None
    label: str | None = None
    head: int | None = None  # the head token's index, when the phrase comes from the parse


class Mentions:
    """Mentions (or spaCy's entities when none were given) indexed by character offset."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]):
        if mentions:
            items = [MentionRef(m.start, m.end, m.entity_id, m.label, m.text) for m in mentions]
        else:
            items = [MentionRef(e.start_char, e.end_char, None, e.label_, e.text) for e in doc.ents]
        items.sort()
        self.items: list[MentionRef] = items
        self._starts = [m.start for m in items]
        self._longest = max((m.end - m.start for m in items), default=0)

    def overlapping(self, start: int, end: int) -> list[MentionRef]:
        """Mentions that overlap [start, end), in text order."""
        hi = bisect_left(self._starts, end)
        lo = bisect_left(self._starts, start - self._longest)
        return [m for m in self.items[lo:hi] if start < m.end]

    def best(
        self, start: int, end: int, head: tuple[int, int] | None = None
    ) -> tuple[str | None, str | None]:
        """(entity id, label) of the mention that best covers [start, end), on the head if any."""
        cands = self.overlapping(start, end)
        if not cands:
            return None, None
        if head:
            on_head = [m for m in cands if m.start < head[1] and head[0] < m.end]
            cands = on_head or cands
        m = max(cands, key=lambda m: min(end, m.end) - max(start, m.start))
        return m.entity_id, m.label

    def before(self, pos: int, labels: Iterable[str], window: int) -> MentionRef | None:
        """The last mention with one of `labels` that ends before `pos`, within `window`."""
        wanted = set(labels)
        for m in reversed(self.items[: bisect_right(self._starts, pos)]):
            if pos - m.start > window + self._longest:
                return None  # every earlier mention ends outside the window
            if m.end <= pos and pos - m.end < window and m.label in wanted:
                return m
        return None


def is_verb(tok: Token) -> bool:
    """A verb, or an auxiliary used as a main verb ("is", "has")."""
    return tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ not in ("aux", "auxpass"))


_VOWEL_GROUPS = re.compile(r"[aeiou]+")
_LEMMAS_KEY = "newsflow.verb_lemmas_repaired"


def _dropped_e(tok: Token) -> bool:
    """A past form whose lemma lost its final "e" ("staged" -> "stag", "waged" -> "wag"): the
    form is the lemma plus "ed" and the lemma is one syllable ending in a single vowel and a
    single consonant, which English would double before "-ed" ("stag" -> "stagged")."""
    lemma = tok.lemma_.lower()
    return (
        tok.tag_ in ("VBD", "VBN")
        and tok.lower_ == lemma + "ed"
        and len(_VOWEL_GROUPS.findall(lemma)) == 1
        and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", lemma) is not None
    )


def repair_verb_lemmas(doc: Doc) -> None:
    """Give verbs whose lemma lost its final "e" their lemma ("staged a protest": "stage"), once
    per Doc, so the lexicon and the light-verb lists see the verb."""
    if doc.user_data.get(_LEMMAS_KEY):
        return
    # past-tense tags found in the Doc's array: only those tokens are made (a Python token per
    # word of every article cost as much as the rest of the check)
    strings = doc.vocab.strings
    past = {strings.add("VBD"), strings.add("VBN")}
    changed = False
    for i, tag in enumerate(doc.to_array(TAG).tolist()):
        if tag in past:
            tok = doc[i]
            if tok.pos_ in ("VERB", "AUX") and _dropped_e(tok):
                tok.lemma_ = tok.lemma_ + "e"
                changed = True
    if changed:
        forget(doc, "tokens")  # the token table's lemmas are read again
    doc.user_data[_LEMMAS_KEY] = True


def is_finite(tok: Token) -> bool:
    """A finite verb (tensed itself, or through a tensed auxiliary)."""
    if tok.tag_ in _FINITE_TAGS:
        return True
    return any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE_TAGS for c in tok.children)


def token_at(doc: Doc, start: int, end: int) -> Token | None:
    """The first token of the character span [start, end), if it maps onto tokens."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def pobjs(
    tok: Token, preps: Iterable[str] | None = None, deps: Sequence[str] = ("prep",)
) -> list[Token]:
    """Objects of `tok`'s prepositions (only those in `preps`, when given)."""
    return [
        g
        for c in tok.children
        if c.dep_ in deps and (preps is None or c.lower_ in preps)
        for g in c.children
        if g.dep_ == "pobj"
    ]


def hyphen_participle(tok: Token) -> bool:
    """A participle glued by a hyphen to the word before it ("injury-plagued", "war-ravaged"):
    one adjective describing a state, not an act anyone did, nor anyone who acts."""
    doc, i = tok.doc, tok.i
    return (
        tok.tag_ == "VBN"
        and i >= 2
        and doc[i - 1].text == "-"
        and not doc[i - 1].whitespace_
        and not doc[i - 2].whitespace_
        and not any(c.dep_ in ("aux", "auxpass") for c in tok.children)
    )


def attributive_participle(tok: Token) -> bool:
    """A participle used as an adjective before its noun ("an injured runner", "the banned
    substance"): a state of the noun, with no one doing it in the sentence."""
    return (
        tok.tag_ == "VBN"
        and tok.dep_ == "amod"
        and tok.i < tok.head.i
        and not any(c.dep_ in ("agent", "aux", "auxpass") for c in tok.children)
    )


def in_hyphen_adjective(tok: Token) -> bool:
    """Either side of a noun-participle adjective ("injury-plagued", "war-torn"): the
    participle (`hyphen_participle`) or the noun glued before it."""
    doc, i = tok.doc, tok.i
    return hyphen_participle(tok) or (
        i + 2 < len(doc)
        and doc[i + 1].text == "-"
        and not tok.whitespace_
        and not doc[i + 1].whitespace_
        and hyphen_participle(doc[i + 2])
    )


def hyphen_part(tok: Token) -> bool:
    """Whether `tok` is one side of a hyphenated word whose other side the parser attached
    elsewhere ("Anti-Kremlin rallies": "Anti" and "Kremlin" are not actors on their own)."""
    doc = tok.doc
    i = tok.i
    if (
        i >= 2
        and doc[i - 1].text == "-"
        and not doc[i - 2].whitespace_
        and not doc[i - 1].whitespace_
    ):
        if not (tok.left_edge.i <= i - 2):
            return True
    if (
        i + 2 < len(doc)
        and doc[i + 1].text == "-"
        and not tok.whitespace_
        and not doc[i + 1].whitespace_
    ):
        if not (tok.right_edge.i >= i + 2):
            return True
    return False


def _phrase_tokens(tok: Token, with_preps: bool, top: bool = True) -> list[Token]:
    """Tokens of the noun phrase headed by `tok` (no relative clauses, appositions or punctuation)."""
    out = [tok]
    for child in tok.children:
        if child.dep_ in NP_DEPS:
            if top and child.dep_ in ("conj", "cc"):
                continue  # conjuncts of the head are separate actors; of a modifier they stay
            out.extend(_phrase_tokens(child, False, False))
        elif (
            with_preps
            and child.dep_ == "prep"
            and child.lower_ in ("of", "to", "from")
            and tok.pos_ == "NOUN"
        ):
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    out.append(child)
                    out.extend(_phrase_tokens(pobj, False, False))
    return out


def phrase_span(tok: Token, with_preps: bool = True) -> Span:
    """The contiguous noun phrase around `tok`: every modifier left of the head with what
    stands between them ("the pro-Iranian Hizbollah (Party of God) group"), the right-hand
    modifiers adjacent to it; no leading determiners or trailing possessive marks."""
    toks = sorted(_phrase_tokens(tok, with_preps), key=lambda t: t.i)
    hi = toks.index(tok)
    while hi < len(toks) - 1 and toks[hi + 1].i == toks[hi].i + 1:
        hi += 1
    doc = tok.doc
    first, last = toks[0].i, toks[hi].i
    if first > tok.i:
        first = tok.i
    run_text = doc[first : last + 1]
    opened = sum(t.text == "(" for t in run_text) - sum(t.text == ")" for t in run_text)
    if opened > 0 and last + 1 < len(doc) and doc[last + 1].text == ")":
        last += 1
    while first < tok.i and doc[first].dep_ in ("det", "predet", "cc", "punct"):
        first += 1
    while last > tok.i and doc[last].dep_ in ("case", "punct", "cc"):
        last -= 1
    return doc[first : last + 1]


def phrase(tok: Token, mentions: Mentions, with_preps: bool = True) -> Phrase:
    """The noun phrase headed by `tok`, with the entity mention that best covers it."""
    span = phrase_span(tok, with_preps)
    start, end = span.start_char, span.end_char
    entity_id, label = mentions.best(start, end, (tok.idx, tok.idx + len(tok.text)))
    if label is None and tok.ent_type_:
        label = tok.ent_type_
    return Phrase(span.text, start, end, entity_id, label, tok.i)


def conjuncts(tok: Token) -> list[Token]:
    """`tok` and the nouns conjoined to it ("Jordan and Britain"), not a name the parser split."""
    out = [tok]
    for c in tok.children:
        if (
            c.dep_ == "conj"
            and c.pos_ in ("NOUN", "PROPN", "PRON")
            and not (c.ent_iob_ == "I" and tok.ent_iob_ in ("B", "I"))
            and any(ch.isalpha() for ch in c.text)
        ):
            out.extend(conjuncts(c))
    return out


def doc_text(doc: Doc) -> str:
    """A Doc's text, built once per Doc (`doc.text` joins every token on each call)."""
    cached = doc.user_data.get(_TEXT_KEY)
    if cached is None:
        cached = doc.user_data[_TEXT_KEY] = doc.text
    return str(cached)


def remember_text(doc: Doc, text: str) -> None:
    """Record the text a Doc was made from (spaCy's tokenizer is lossless: `doc.text == text`),
    so `doc_text` need not rebuild it."""
    doc.user_data[_TEXT_KEY] = text


# What is computed once for the Doc being enriched: (the Doc, {key: value}). One slot, for the
# last Doc asked about: enrichment takes one Doc at a time, and Spans kept in `Doc.user_data`
# would make a reference cycle (the Doc then waits for the cyclic garbage collector).
_MEMO: tuple[Doc, dict[str, Any]] | None = None


def doc_memo(doc: Doc, key: str, compute: Callable[[Doc], T]) -> T:
    """`compute(doc)`, computed once while `doc` is the Doc being enriched."""
    global _MEMO
    memo = _MEMO  # read once: another thread may swap the slot, never its contents
    if memo is None or memo[0] is not doc:
        memo = _MEMO = (doc, {})
    values = memo[1]
    if key not in values:
        values[key] = compute(doc)
    return values[key]  # type: ignore[no-any-return]


def release(doc: Doc) -> None:
    """Drop everything `doc_memo` keeps for `doc` (its enrichment is done)."""
    global _MEMO
    memo = _MEMO
    if memo is not None and memo[0] is doc:
        _MEMO = None


def forget(doc: Doc, key: str) -> None:
    """Drop what `doc_memo` keeps for `doc` under `key` (the Doc changed)."""
    memo = _MEMO
    if memo is not None and memo[0] is doc:
        memo[1].pop(key, None)


def doc_sents(doc: Doc) -> Sequence[Span]:
    """A Doc's sentences, listed once per Doc (`doc.sents` walks every token on each call)."""
    return doc_memo(doc, "sents", lambda d: tuple(d.sents))


class TokenTable(NamedTuple):
    """Per-token columns of a Doc, read once from its arrays: a scan over them makes no Token
    object for the words it passes over (a Token is built on each `doc[i]` and each step of
    a walk)."""

    pos: list[int]  # the part-of-speech id (`Token.pos`)
    lower: list[str]  # `Token.lower_`
    lemma: list[str]  # `Token.lemma_.lower()`


_STRING_CACHE: dict[int, tuple[str, str]] = {}  # string id -> (string, its lower case)


def _strings(ids: Iterable[int], store: Any) -> list[tuple[str, str]]:
    cache = _STRING_CACHE
    out = []
    for h in ids:
        pair = cache.get(h)
        if pair is None:
            text = store[h]
            pair = cache[h] = (text, text.lower())
        out.append(pair)
    if len(cache) > 500_000:  # a long run meets new words without end; start again
        cache.clear()
    return out


def _token_table(doc: Doc) -> TokenTable:
    from spacy.attrs import LEMMA, LOWER, POS

    columns = doc.to_array([POS, LOWER, LEMMA]).T.tolist() if len(doc) else [[], [], []]
    store = doc.vocab.strings
    return TokenTable(
        columns[0],
        [text for text, _ in _strings(columns[1], store)],
        [lower for _, lower in _strings(columns[2], store)],
    )


def token_table(doc: Doc) -> TokenTable:
    """The Doc's `TokenTable`, read once per Doc."""
    return doc_memo(doc, "tokens", _token_table)


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """A Doc's entities, listed once per Doc (`doc.ents` makes a Span per entity on each call)."""
    return doc_memo(doc, "ents", lambda d: tuple(d.ents))


_QUOTE_MARKS = re.compile('["\u201c\u201d]')


def in_direct_speech(tok: Token) -> bool:
    """Whether a token lies inside quotation marks opened earlier in its paragraph.

    Marks are read by their side rather than counted: a mark after a space (or at the start)
    and before a word opens a quotation, even while one is open, as British style reopens a
    quotation that goes on ("... 26 weeks. "We are going to ..." She said"), and any other
    mark closes it."""
    text = doc_text(tok.doc)
    start = text.rfind("\n", 0, tok.idx) + 1
    before = text[start : tok.idx]
    inside = False
    for m in _QUOTE_MARKS.finditer(before):
        mark, i = m.group(), m.start()
        prev = before[i - 1] if i else " "
        nxt = before[i + 1] if i + 1 < len(before) else text[tok.idx : tok.idx + 1]
        if mark == "\u201c":
            inside = True
        elif mark == "\u201d":
            inside = False
        else:
            inside = (prev.isspace() or prev in "([:-\u2014") and not nxt.isspace()
    return inside


_PLURAL_PRONOUNS = frozenset({"they", "them", "their"})


def _plural_np(tok: Token) -> bool:
    """A plural noun phrase head ("the tobacco companies", "tens of thousands")."""
    return tok.pos_ in ("NOUN", "PROPN") and tok.tag_ in ("NNS", "NNPS")


def _plural_antecedent(tok: Token) -> Token | None:
    """What "they" stands for when a plural noun phrase is the subject before it: of a clause
    governing the pronoun in its own sentence ("The companies deny that they conspired"), else
    of the previous sentence's main clause ("The companies deny it. They also say ...")."""
    cur = tok
    while cur.head != cur:
        cur = cur.head
        for c in cur.children:
            if c.dep_ in SUBJ + PASS_SUBJ and c.i < tok.i and _plural_np(c):
                return c
    sent = tok.sent
    if sent.start == 0:
        return None
    prev = tok.doc[sent.start - 1].sent
    for c in prev.root.children:
        if c.dep_ in SUBJ + PASS_SUBJ and _plural_np(c):
            return c
    return None


def resolve_pronoun(tok: Token, mentions: Mentions) -> Phrase | None:
    """The person (he, she) or group (it, they, we) a pronoun stands for: for "they" a plural
    subject before it (`_plural_antecedent`), else the last one named."""
    label = PRONOUNS.get(tok.lower_)
    if label is None:
        return None
    if tok.lower_ in _PLURAL_PRONOUNS:
        ante = _plural_antecedent(tok)
        if ante is not None:
            return phrase(ante, mentions)
    labels = {"PERSON"} if label == "PERSON" else {"ORG", "GPE", "NORP"}
    m = mentions.before(tok.idx, labels, _PRONOUN_WINDOW)
    if m is None:
        return None
    return Phrase(m.text, m.start, m.end, m.entity_id, m.label)


def _controller(
    verb: Token, controllers: frozenset[str], nouns: frozenset[str] = frozenset()
) -> list[Token]:
    """The object that controls an infinitive: "called on Russians to rally" -> Russians; with
    a noun of pressure in `nouns` as its head's object, the "on" object of that head: "put
    pressure on the authorities to release him" -> authorities."""
    head = verb.head
    objs = [c for c in head.children if c.dep_ in OBJ]
    if head.lemma_ in controllers:
        if objs:
            return objs[:1]
        preps: tuple[str, ...] = ("on", "for", "upon")
    elif any(o.lemma_.lower() in nouns for o in objs):
        preps = ("on", "upon")
    else:
        return []
    found = [
        p
        for p in pobjs(head, preps, ("prep", "prt"))
        if p.pos_ in ("PROPN", "NOUN") and p.i < verb.i and p.ent_type_ not in ("DATE", "TIME")
    ]
    return found[-1:]


def _marked_subject(verb: Token) -> list[Token]:
    """A subject the parse hangs on the clause's subordinator ("days after tens of thousands
    rallied": "thousands" is the object of "after")."""
    return [
        g
        for c in verb.children
        if c.dep_ == "mark"
        for g in c.children
        if g.dep_ == "pobj" and g.i < verb.i and g.pos_ in ("NOUN", "PROPN", "NUM")
    ]


def _own_subjects(verb: Token) -> tuple[list[Token], list[Token]]:
    """A verb's own active and passive subjects (a placeholder "it" is none)."""
    subs = [c for c in verb.children if c.dep_ in SUBJ]
    pas = [c for c in verb.children if c.dep_ in PASS_SUBJ]
    if not subs and not pas:
        subs = _marked_subject(verb)
    if _expletive(subs, verb):
        subs = []
    return subs, pas


def _expletive(subs: list[Token], verb: Token) -> bool:
    """ "it was premature to impose": the subject is a placeholder."""
    return (
        bool(subs)
        and subs[0].lower_ == "it"
        and verb.lemma_ == "be"
        and any(c.dep_ in ("acomp", "attr") for c in verb.children)
    )


def subjects(
    verb: Token,
    controllers: frozenset[str] = frozenset(),
    control_nouns: frozenset[str] = frozenset(),
) -> tuple[list[Token], bool]:
    """Subject tokens of a verb (borrowed from its head when it has none) and whether passive.

    A clause without a subject borrows its head's (xcomp, advcl, conj), or the object of an
    object-control verb in `controllers` ("called on Russians to rally") or of a head that takes
    a noun of pressure in `control_nouns` ("put pressure on the authorities to release him"); a
    relative clause's subject is the noun it modifies; a participle on a noun ("protesters
    detained") is passive.
    """
    cur = verb
    for _ in range(4):
        subs, pas = _own_subjects(cur)
        if subs or pas:
            if cur != verb and pas and not subs:
                return [], False
            if cur != verb and any(c.dep_ == "auxpass" for c in verb.children):
                return subs, True  # "versions are due to be released": they undergo it
            return (subs or pas), bool(pas and not subs)
        if cur.dep_ in ("xcomp", "advcl", "conj", "ccomp", "acomp") and cur.head != cur:
            if cur.dep_ in ("xcomp", "advcl") and cur == verb:
                ctrl = _controller(cur, controllers, control_nouns)
                if ctrl:
                    return ctrl, False
            if cur.dep_ == "ccomp" and not (
                cur.lemma_ == "be" and cur.head.lemma_ in ("decide", "find", "think", "say")
            ):
                return [], False
            cur = cur.head
            continue
        return _clause_subject(cur)
    return [], False


def _clause_subject(cur: Token) -> tuple[list[Token], bool]:
    """A relative clause's subject is the noun it modifies; a participle on a noun
    ("protesters detained") has it as passive subject."""
    if cur.dep_ in ("relcl", "acl") and cur.head.pos_ in ("NOUN", "PROPN"):
        if cur.dep_ == "relcl" or any(c.tag_ in ("WDT", "WP") for c in cur.children):
            return [cur.head], False
        return [], True
    return [], False


def agent(verb: Token) -> Token | None:
    """The "by" agent of a passive verb."""
    found = pobjs(verb, None, ("agent",))
    return found[0] if found else None


def objects(verb: Token, preps: Sequence[str]) -> list[Token]:
    """Direct objects (with their conjuncts), else the dative, else the first object of one of
    `preps` in that order of preference (a date is not an object)."""
    objs = [c for c in verb.children if c.dep_ in OBJ]
    if objs:
        return [o for obj in objs for o in conjuncts(obj)]
    dative = [c for c in verb.children if c.dep_ == "dative"]
    if dative:
        return dative
    for prep in preps:
        for c in verb.children:
            if c.dep_ in ("prep", "prt") and c.lower_ == prep:
                pobj = [g for g in c.children if g.dep_ == "pobj"]
                if pobj and pobj[0].ent_type_ not in ("DATE", "TIME"):
                    return conjuncts(pobj[0])
    return []


def _free(ph: Phrase, exclude: Iterable[tuple[int, int]]) -> bool:
    return not any(a < ph.end and ph.start < b for a, b in exclude)


def place(tok: Token, mentions: Mentions, exclude: Iterable[tuple[int, int]] = ()) -> Phrase | None:
    """An in/at/near place attached to `tok` or its objects, outside the `exclude` spans (the
    event's actor and target): a named place, or one step down ("at rallies in over 100
    cities")."""
    exclude = list(exclude)
    heads = [tok] + [c for c in tok.children if c.dep_ in (*OBJ, "pobj", "attr")]
    for h in heads:
        for g in pobjs(h, PLACE_PREPS):
            ph = phrase(g, mentions, with_preps=False)
            if (ph.label in PLACE_LABELS or g.ent_type_ in PLACE_LABELS) and _free(ph, exclude):
                return ph
            for pp in pobjs(g, PLACE_PREPS):
                inner = phrase(pp, mentions, with_preps=False)
                if _free(inner, exclude):
                    return inner
    return None


def sentence_place(
    sent: Span, mentions: Mentions, exclude: Iterable[tuple[int, int]] = ()
) -> Phrase | None:
    """The first place named in the sentence outside the `exclude` spans."""
    exclude = list(exclude)
    for m in mentions.overlapping(sent.start_char, sent.end_char):
        if m.label in PLACE_LABELS and not any(a < m.end and m.start < b for a, b in exclude):
            return Phrase(m.text, m.start, m.end, m.entity_id, m.label)
    return None
