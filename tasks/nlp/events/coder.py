"""Event coding from the dependency parse: who did what to whom, when, where, and in what mode.

Per sentence, every verb and event noun is looked up in the trigger lexicon
(`config/event_lexicon.toml`): verb patterns first ("put ... on blacklist", "call for"), then the
verb alone, then nominalisations ("visit", "sanctions"). For each trigger:
- actors are the subjects (through conjunctions: "Jordan and Britain have agreed" gives two
  events), or the "by" agent of a passive; clauses without a subject borrow their head's
  (xcomp, advcl, conj); a noun's actor is its possessor or the subject of its verb;
- the target is the direct object (the passive subject, the dative, or a "to/against/on/with"
  object when there is none); a noun's target is its "of/on/against/to" object;
- the location is an "in/at/near/across" place attached to the trigger or its object, else a
  place named in the sentence;
- the date is the resolved date expression attached to the trigger without crossing another
  verb; asserted events with none take the publication date;
- the mode comes from the trigger and the words governing it up to the first finite verb:
  negated ("not", "premature", "hold off") > hypothetical ("possible", "could", "weigh") >
  planned ("will", "due", infinitives under "call"/"urge", a resolved date after publication) >
  reported (under "say"/"tell") > asserted.
Then, per sentence (`_reinterpret`), one coded word may decide another's category: a light verb
takes its event noun's ("held talks", "speeded up the withdrawal"); a purpose clause decides for
a material act ("shunned work to protest" is PROTEST, "blocked streets to demand" is PROTEST); an
act under "willing/ready to" is AGREE (cooperation) or THREATEN (force), "prepared to resume
shelling" is MOBILIZE, "vowed to fight" THREATEN. Generic violence (attack, kill, wound) is FIGHT
when regular forces act (army, troops, aircraft) and ASSAULT when irregular ones do (gunmen,
militants, rioters, police). Targets are scored (`_scored_targets`): named actors first, then
people and groups, places, other nouns, nearer slots first. `main_event` picks the most central
trigger (`event_depth`): reporting verbs are transparent, background clauses ("after ...",
relative clauses) cost more, nouns cost more unless a reporting or light verb carries them.
Coding rules after the mode (CAMEO/PLOVER definitions): an intention the actor itself states
("Hungary said it will support", "he announced he will withdraw") is AGREE for cooperation and
THREATEN for material conflict, a stated refusal ("says it will not accept") REJECT, while a
plan the reporter states ("Borrell will visit Moscow") keeps its category with mode planned;
destroying things ("blew up power lines") is COERCE (1712); a coercive order ("ordered the paper
to suspend publication") is COERCE (172). What a demand asks for ("said Sudan must return",
"its demand that Israel ease") is not coded as an act: the demand is the event.
Everything is linear in the number of tokens; no dateparser or model calls happen here.
The rules version is the lexicon's `meta.version` (`tasks.nlp.events.lexicon.LEXICON_VERSION`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tasks.nlp.dates import verb_direction
from tasks.nlp.events.lexicon import EventLexicon, Trigger
from tasks.records import Article, DateMention, Event, Mention

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_SUBJ = ("nsubj", "csubj")
_PASS_SUBJ = ("nsubjpass", "csubjpass")
_OBJ = ("dobj", "obj")
_TARGET_PREPS = ("to", "against", "on", "with", "at", "upon", "toward", "towards", "into", "for")
_PLACE_PREPS = ("in", "at", "near", "across", "inside", "outside", "throughout", "around")
_NOUN_TARGET_PREPS = ("of", "on", "against", "to", "with", "for", "into")
_NP_DEPS = frozenset(
    {
        "compound",
        "amod",
        "nmod",
        "poss",
        "case",
        "nummod",
        "quantmod",
        "flat",
        "det",
        "cc",
        "conj",
        "npadvmod",
        "predet",
    }
)
_PRONOUNS = {
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
# Nouns whose possessor undergoes the event ("Navalny's arrest", "Navalny's release").
_PATIENT_POSSESSOR = frozenset({"COERCE", "ASSAULT", "RETREAT", "CRIME"})
_DEMAND_VERBS = frozenset(
    {"call", "urge", "ask", "appeal", "press", "push", "demand", "invite", "petition"}
)
_MODE_ORDER = ("negated", "hypothetical", "planned", "reported", "asserted")

# Light and aspectual verbs: with an event noun as object the noun decides ("hold talks",
# "launch an attack", "stage a strike", "speed up the withdrawal"); coded alone they say little.
LIGHT_VERBS = frozenset(
    """hold launch stage begin start organize organise conduct carry mount wage make issue
    continue resume complete open take give provide offer extend grant deliver send lodge file
    express voice engage involve participate lead join intensify step speed escalate undertake
    perform pursue initiate renew go""".split()
)
# Verbs whose event is their "in" object ("engaged in ethnic cleansing").
_IN_LIGHT = frozenset({"engage", "involve", "participate", "join", "take"})
# Adjectives of intent: a cooperative act under them is an intent to cooperate (CAMEO 03,
# PLOVER AGREE), a conflict act a threat ("is willing to withdraw", "ready to fight").
_INTENT_ADJ = frozenset(
    {"willing", "ready", "prepared", "committed", "determined", "eager", "keen"}
)
_PREPARE_VERBS = frozenset({"prepare", "gear", "mass", "poise"})
_COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "AGREE"})
_FORCE = frozenset({"FIGHT", "ASSAULT"})
# FIGHT (conventional military force) vs ASSAULT (irregular or unconventional violence) for
# generic violence triggers (attack, kill, wound, shoot) is decided by who acts.
MILITARY_ACTOR_WORDS = frozenset(
    """army armies troops troop forces force military militaries aircraft jets jet warplanes
    warplane helicopters helicopter gunships navy naval warships warship artillery tanks tank
    battalion battalions brigade division marines airforce air-force bombers fighter fighters
    soldiers""".split()
)
IRREGULAR_ACTOR_WORDS = frozenset(
    """gunmen gunman militants militant rioters rioter police policemen mob mobs guerrillas
    guerrilla guerillas guerilla militiamen militia militias insurgents insurgent attackers
    attacker assailants assailant terrorists terrorist bomber bombers extremists extremist
    gang gangs youths settlers vigilantes kidnappers pirates hijackers bombing bomb""".split()
)
# Specific violence codes keep their category whoever acts (torture, abduction, assassination,
# beating, mass killing; shelling and air strikes).
_SPECIFIC_FORCE_CODES = frozenset(
    {"181", "182", "1821", "1822", "184", "185", "186", "175", "194", "195"}
)
_INTENT_VERBS = frozenset({"vow", "pledge", "promise", "swear", "threaten"})
# Generic gathering verbs whose "for" object is the event ("converged for a rally").
_GATHER_VERBS = frozenset(
    {"gather", "converge", "assemble", "meet", "return", "come", "head", "arrive", "go"}
)
_PURPOSE_MARKS = frozenset({"to", "in order to"})
# Destroying things is CAMEO 171/1712 (seize or damage property), PLOVER COERCE, when what is
# destroyed is a thing, not people or a place ("blew up three power lines").
_DESTROY_VERBS = frozenset(
    """blow bomb destroy demolish burn torch raze sabotage damage wreck smash loot vandalize
    vandalise bulldoze dynamite""".split()
)
# Orders that restrict, close or expel (CAMEO 172/174, PLOVER COERCE): "ordered the newspaper
# to suspend publication", "forced them to leave".
_ORDER_VERBS = frozenset({"order", "force", "compel", "instruct", "direct", "require"})
_RESTRICT_VERBS = frozenset(
    """suspend stop close halt cease shut leave quit evacuate disband surrender vacate abandon
    end withdraw dissolve""".split()
)
_MATERIAL_CONFLICT = frozenset(
    {"PROTEST", "CRIME", "MOBILIZE", "COERCE", "ASSAULT", "FIGHT", "SANCTION"}
)
_FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})


@dataclass(frozen=True, slots=True)
class Phrase:
    """A noun phrase found for an actor, target or location."""

    text: str
    start: int
    end: int
    entity_id: str | None = None
    label: str | None = None


class _Mentions:
    """Mentions (or spaCy entities when none were given) indexed by character offset."""

    def __init__(self, doc: Any, mentions: Sequence[Mention]):
        if mentions:
            self.items: list[tuple[int, int, str | None, str, str]] = [
                (m.start, m.end, m.entity_id, m.label, m.text) for m in mentions
            ]
        else:
            self.items = [(e.start_char, e.end_char, None, e.label_, e.text) for e in doc.ents]
        self.items.sort()

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, str | None, str, str]]:
        return [m for m in self.items if m[0] < end and start < m[1]]

    def best(
        self, start: int, end: int, head: tuple[int, int] | None = None
    ) -> tuple[str | None, str | None]:
        """(entity id, label) of the mention that best covers [start, end)."""
        cands = self.overlapping(start, end)
        if not cands:
            return None, None
        if head:
            on_head = [m for m in cands if m[0] < head[1] and head[0] < m[1]]
            cands = on_head or cands
        m = max(cands, key=lambda m: min(end, m[1]) - max(start, m[0]))
        return m[2], m[3]

    def before(
        self, pos: int, labels: Iterable[str], window: int
    ) -> tuple[int, int, str | None, str, str] | None:
        labels = set(labels)
        found = [m for m in self.items if m[1] <= pos and m[3] in labels and pos - m[1] < window]
        return found[-1] if found else None


def _is_verb(tok: Any) -> bool:
    return tok.pos_ in ("VERB",) or (tok.pos_ == "AUX" and tok.dep_ not in ("aux", "auxpass"))


def _finite(tok: Any) -> bool:
    if tok.tag_ in ("VBD", "VBZ", "VBP", "MD"):
        return True
    return any(
        c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBD", "VBZ", "VBP", "MD") for c in tok.children
    )


def _phrase_tokens(tok: Any, with_preps: bool, top: bool = True) -> list[Any]:
    """Tokens of the noun phrase headed by `tok` (no relative clauses, appositions or punctuation)."""
    out = [tok]
    for child in tok.children:
        if child.dep_ in _NP_DEPS:
            if child.dep_ == "conj" and top:
                continue  # conjuncts of the head are separate actors; of a modifier they stay
            if child.dep_ == "cc" and top:
                continue
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


def _phrase(tok: Any, mentions: _Mentions, with_preps: bool = True) -> Phrase:
    toks = sorted(_phrase_tokens(tok, with_preps), key=lambda t: t.i)
    # keep a contiguous run around the head; drop leading determiners and trailing possessives
    lo = hi = toks.index(tok)
    idx = [t.i for t in toks]
    while hi < len(toks) - 1 and idx[hi + 1] == idx[hi] + 1:
        hi += 1
    doc = tok.doc
    # left of the head every modifier belongs to the phrase, with what stands between them
    # ("the pro-Iranian Hizbollah (Party of God) group")
    first = toks[0].i
    run = [doc[i] for i in range(first, tok.i)] + toks[lo : hi + 1]
    opened = sum(t.text == "(" for t in run) - sum(t.text == ")" for t in run)
    if opened > 0 and run[-1].i + 1 < len(doc) and doc[run[-1].i + 1].text == ")":
        run.append(doc[run[-1].i + 1])
    while run and run[0].dep_ in ("det", "predet", "cc", "punct") and run[0] != tok:
        run = run[1:]
    while run and run[-1].dep_ in ("case", "punct", "cc") and run[-1] != tok:
        run = run[:-1]
    start, end = run[0].idx, run[-1].idx + len(run[-1].text)
    entity_id, label = mentions.best(start, end, (tok.idx, tok.idx + len(tok.text)))
    if label is None and tok.ent_type_:
        label = tok.ent_type_
    # the span's own text: `doc.text` would rebuild the whole document's text on every call
    return Phrase(doc[run[0].i : run[-1].i + 1].text, start, end, entity_id, label)


def _conjuncts(tok: Any) -> list[Any]:
    out = [tok]
    for c in tok.children:
        if (
            c.dep_ == "conj"
            and c.pos_ in ("NOUN", "PROPN", "PRON")
            and not (
                c.ent_iob_ == "I" and tok.ent_iob_ in ("B", "I")  # a name split by the parser
            )
            and c.is_alpha | any(ch.isalpha() for ch in c.text)
        ):
            out.extend(_conjuncts(c))
    return out


def _resolve_pronoun(tok: Any, mentions: _Mentions) -> Phrase | None:
    label = _PRONOUNS.get(tok.lower_)
    if label is None:
        return None
    labels = {"PERSON"} if label == "PERSON" else {"ORG", "GPE", "NORP"}
    m = mentions.before(tok.idx, labels, 400)
    if m is None:
        return None
    return Phrase(m[4], m[0], m[1], m[2], m[3])


def _subjects(verb: Any) -> tuple[list[Any], bool]:
    """Subject tokens of a verb (borrowed from its head when it has none) and whether passive."""
    cur = verb
    for _ in range(4):
        subs = [c for c in cur.children if c.dep_ in _SUBJ]
        pas = [c for c in cur.children if c.dep_ in _PASS_SUBJ]
        if (
            subs
            and subs[0].lower_ == "it"
            and cur.lemma_ == "be"
            and any(c.dep_ in ("acomp", "attr") for c in cur.children)
        ):
            subs = []  # expletive "it was premature to impose": look further up
        if subs or pas:
            if cur != verb and pas and not subs:
                return [], False
            return (subs or pas), bool(pas and not subs)
        if cur.dep_ in ("xcomp", "advcl", "conj", "ccomp", "acomp") and cur.head != cur:
            # "called on Russians to rally": the controller is the object of the head verb
            if cur.dep_ in ("xcomp", "advcl") and cur == verb:
                objs = [c for c in cur.head.children if c.dep_ in _OBJ]
                preps = [
                    g
                    for c in cur.head.children
                    if c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for", "upon")
                    for g in c.children
                    if g.dep_ == "pobj" and g.pos_ in ("PROPN", "NOUN")
                ]
                preps = [p for p in preps if p.i < cur.i and p.ent_type_ not in ("DATE", "TIME")]
                if cur.head.lemma_ in (
                    "call",
                    "urge",
                    "ask",
                    "invite",
                    "order",
                    "tell",
                    "encourage",
                ) and (objs or preps):
                    return (objs or preps[-1:])[:1], False
            if cur.dep_ == "ccomp" and not (
                cur.lemma_ == "be" and cur.head.lemma_ in ("decide", "find", "think", "say")
            ):
                return [], False
            cur = cur.head
            continue
        if cur.dep_ in ("relcl", "acl") and cur.head.pos_ in ("NOUN", "PROPN"):
            rel = [c for c in cur.children if c.tag_ in ("WDT", "WP")]
            if rel or cur.dep_ == "relcl":
                return [cur.head], False
            return [], True  # "protesters detained": the head noun undergoes the event
        break
    return [], False


def _agent(verb: Any) -> Any | None:
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def _objects(verb: Any) -> list[Any]:
    objs = [c for c in verb.children if c.dep_ in _OBJ]
    if objs:
        return [o for obj in objs for o in _conjuncts(obj)]
    dative = [c for c in verb.children if c.dep_ == "dative"]
    if dative:
        return dative
    for prep in _TARGET_PREPS:
        for c in verb.children:
            if c.dep_ in ("prep", "prt") and c.lower_ == prep:
                pobj = [g for g in c.children if g.dep_ == "pobj"]
                if pobj and pobj[0].ent_type_ not in ("DATE", "TIME"):
                    return _conjuncts(pobj[0])
    return []


def _place(tok: Any, mentions: _Mentions, exclude: Iterable[tuple[int, int]]) -> Phrase | None:
    """An in/at/near place attached to the trigger or its objects."""
    heads = [tok] + [c for c in tok.children if c.dep_ in _OBJ + ("dobj", "pobj", "attr")]
    for h in heads:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in _PLACE_PREPS:
                for g in c.children:
                    if g.dep_ == "pobj":
                        ph = _phrase(g, mentions, with_preps=False)
                        if (ph.label in PLACE_LABELS) or g.ent_type_ in PLACE_LABELS:
                            return ph
                        # "at rallies in over 100 cities": one step down
                        for gc in g.children:
                            if gc.dep_ == "prep" and gc.lower_ in _PLACE_PREPS:
                                for pp in gc.children:
                                    if pp.dep_ == "pobj":
                                        return _phrase(pp, mentions, with_preps=False)
    return None


def _sentence_place(
    sent: Any, mentions: _Mentions, exclude: list[tuple[int, int]]
) -> Phrase | None:
    for m in mentions.overlapping(sent.start_char, sent.end_char):
        if m[3] in PLACE_LABELS and not any(a < m[1] and m[0] < b for a, b in exclude):
            return Phrase(m[4], m[0], m[1], m[2], m[3])
    return None


def _match_words(tokens: Sequence[Any], words: Sequence[Sequence[str]]) -> bool:
    """Whether each slot (alternatives, possibly multiword) matches in order in `tokens`."""
    forms = [(t.lower_, t.lemma_.lower()) for t in tokens]
    pos = 0
    for slot in words:
        found = False
        for i in range(pos, len(forms)):
            for alt in slot:
                parts = alt.split()
                if i + len(parts) > len(forms):
                    continue
                if all(
                    p in forms[i + k] or p.rstrip("s") == forms[i + k][1]
                    for k, p in enumerate(parts)
                ):
                    pos = i + len(parts)
                    found = True
                    break
            if found:
                break
        if not found:
            return False
    return True


def _verb_trigger(tok: Any, lexicon: EventLexicon) -> tuple[Trigger | None, frozenset[str], str]:
    """(trigger, words the match used, source) for a verb: phrases, patterns, then the verb alone."""
    lemma = tok.lemma_.lower()
    right = [t for t in tok.subtree if t.i > tok.i][:15]
    if right:
        # a date between verb and particle does not break the phrase ("called Thursday on")
        adjacent = [
            t
            for t in right[:4]
            if t.i <= tok.i + 4 and t.dep_ != "punct" and t.ent_type_ not in ("DATE", "TIME")
        ][:2]
        candidates = [(w, trig, "phrase") for w, trig in _phrases_for(lemma, lexicon)] + [
            (p.words, p.trigger, "pattern") for p in lexicon.patterns.get(lemma, ())
        ]
        for words, trig, source in candidates:
            if all(alt in _FUNCTION_WORDS for slot in words for alt in slot):
                # "call for", "press on": a bare particle must follow the verb directly
                ok = (
                    _match_words(adjacent[: len(words)], words)
                    and bool(adjacent)
                    and _first_near(adjacent[:1], words[0])
                )
            else:
                ok = _first_near(right[:6], words[0]) and _match_words(right, words)
            if ok:
                return trig, frozenset(a for slot in words for a in slot), source
    single = lexicon.verbs.get(lemma)
    if single is not None:
        return single, frozenset(), "verb"
    return None, frozenset(), ""


_FUNCTION_WORDS = frozenset(
    "to on for in at by with from of into onto upon off out up down over back away about against "
    "through around along across after before under behind ahead apart aside forward".split()
)


_DEONTIC = frozenset({"must", "should", "ought"})


def _reported_demand(verb: Any, lexicon: EventLexicon) -> Trigger | None:
    """ "Russia said Sudan must return the helicopter": a demand by the speaker on the subject."""
    for comp in verb.children:
        if comp.dep_ != "ccomp":
            continue
        if any(c.dep_ == "aux" and c.lower_ in _DEONTIC for c in comp.children):
            return lexicon.trigger("DEMAND", "100")
    return None


_DEMAND_NOUNS = frozenset({"demand", "call", "appeal", "request", "ultimatum", "plea"})


def _demanded(tok: Any) -> bool:
    """Whether a verb is what a demand asks for: "said Sudan must return ..." (a reported
    clause with must/should), "its demand that Israel ease ..."."""
    if tok.pos_ != "VERB":
        return False
    head = tok.head
    if (
        tok.dep_ in ("ccomp", "acl")
        and head.pos_ == "NOUN"
        and head.lemma_.lower() in _DEMAND_NOUNS
    ):
        return True
    return (
        tok.dep_ == "ccomp"
        and head.pos_ == "VERB"
        and any(c.dep_ == "aux" and c.lower_ in _DEONTIC for c in tok.children)
        and head.lemma_.lower() in _REPORTING_DEFAULT
    )


def _first_near(tokens: Sequence[Any], slot: Sequence[str]) -> bool:
    firsts = {alt.split()[0] for alt in slot}
    return any(t.lower_ in firsts or t.lemma_.lower() in firsts for t in tokens)


_PHRASE_CACHE: dict[int, dict[str, list[tuple[tuple[tuple[str, ...], ...], Trigger]]]] = {}


def _phrases_for(
    lemma: str, lexicon: EventLexicon
) -> list[tuple[tuple[tuple[str, ...], ...], Trigger]]:
    index = _PHRASE_CACHE.get(id(lexicon))
    if index is None:
        index = {}
        for words, trig in lexicon.phrases.items():
            index.setdefault(words[0], []).append((tuple((w,) for w in words[1:]), trig))
        for items in index.values():
            items.sort(key=lambda x: -len(x[0]))
        _PHRASE_CACHE.clear()
        _PHRASE_CACHE[id(lexicon)] = index
    return [x for x in index.get(lemma, []) if x[0]]


def _noun_trigger(tok: Any, lexicon: EventLexicon) -> Trigger | None:
    lemma, lower = tok.lemma_.lower(), tok.lower_
    for c in tok.children:
        if c.dep_ == "compound":
            for key in (f"{c.lower_} {lower}", f"{c.lemma_.lower()} {lemma}"):
                if key in lexicon.nouns:
                    return lexicon.nouns[key]
    return lexicon.nouns.get(lower) or lexicon.nouns.get(lemma)


def _mode_chain(tok: Any, lexicon: EventLexicon) -> list[Any]:
    """The trigger and the words that govern it, up to and including the first finite verb."""
    chain = [tok]
    cur = tok
    for _ in range(6):
        if (
            _is_verb(cur)
            and _finite(cur)
            or cur.dep_ in ("relcl", "acl", "ROOT")
            or cur.head == cur
        ):
            break
        if cur.dep_ in ("appos",):
            break
        if (
            cur.pos_ in ("NOUN", "PROPN")
            and cur.dep_ == "pobj"
            and cur.head.head.pos_ in ("NOUN", "PROPN")
        ):
            break  # "pressure over the arrest": the arrest is not governed by the outer verb
        cur = cur.head
        if cur.lemma_.lower() in lexicon.reporting and cur.pos_ == "VERB":
            break
        chain.append(cur)
    return chain


def _has_cue(tok: Any, cues: frozenset[str]) -> bool:
    return tok.lemma_.lower() in cues or tok.lower_ in cues


def _mode(
    tok: Any, trig: Trigger, lexicon: EventLexicon, event_date: date | None, published: date | None
) -> str:
    chain = _mode_chain(tok, lexicon)
    found: set[str] = set()
    crossed_prep = False  # a noun in a prepositional phrase does not share its verb's tense
    for i, c in enumerate(chain):
        if i > 0 and chain[i - 1].dep_ == "pobj" and tok.pos_ != "VERB":
            crossed_prep = True
        words = [c] if i > 0 else []
        kids = [
            k
            for k in c.children
            if k.dep_
            in ("neg", "aux", "auxpass", "advmod", "acomp", "amod", "mark", "prt", "attr", "det")
        ]
        words.extend(kids)
        for k in kids:
            if k.dep_ == "attr":
                words.extend(g for g in k.children if g.dep_ == "amod")
        # a copula governing a nominal trigger: "Sanctions are a possible tool"
        if i == 0 and c.dep_ in ("nsubj", "nsubjpass") and c.head.lemma_ == "be":
            for k in c.head.children:
                if k.dep_ in ("attr", "acomp"):
                    words.append(k)
                    words.extend(g for g in k.children if g.dep_ == "amod")
        for w in words:
            lw = w.lemma_.lower()
            if w.dep_ == "neg" or (_has_cue(w, lexicon.negation) and w != tok):
                if w.dep_ != "det" or lw == "no":
                    found.add("negated")
            if lw == "hold" and any(k.dep_ == "prt" and k.lower_ == "off" for k in w.children):
                found.add("negated")
            if _has_cue(w, lexicon.hypothetical) and w != tok and w.dep_ != "det":
                found.add("hypothetical")
            if _has_cue(w, lexicon.planning) and w != tok and w.dep_ != "det":
                if not (crossed_prep and w.dep_ in ("aux", "auxpass")):
                    found.add("planned")
        if i > 0 and c.lemma_.lower() in _DEMAND_VERBS and c.pos_ == "VERB":
            prev = chain[i - 1]
            if (prev.dep_ in ("xcomp", "advcl") and prev.tag_ == "VB") or (
                prev.dep_ == "prep" and prev.lower_ == "for"
            ):
                found.add("planned")  # called for Russians to rally / called for his release
    top = chain[-1]
    if "negated" not in found and "hypothetical" not in found:
        if (
            top.tag_ == "VB"
            and any(k.lower_ == "to" for k in top.children)
            and top.head.pos_ in ("NOUN",)
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
    for m in _MODE_ORDER:
        if m in found:
            return m
    return "asserted"


def _date_for(
    tok: Any, dates: Sequence[DateMention], sent: Any, published: date | None = None
) -> DateMention | None:
    """The date expression attached to the trigger without crossing another verb."""
    doc = tok.doc
    anchor = tok if _is_verb(tok) else None
    if anchor is None:
        cur = tok
        for _ in range(5):
            if cur.head == cur:
                break
            cur = cur.head
            if _is_verb(cur):
                anchor = cur
                break
    best: tuple[tuple[int, int], DateMention] | None = None
    for d in dates:
        if not (sent.start_char <= d.start < sent.end_char):
            continue
        span = doc.char_span(d.start, d.end, alignment_mode="expand")
        if span is None:
            continue
        cur, depth = span.root, 0
        ok = False
        while depth < 8:
            if cur == tok or (anchor is not None and cur == anchor):
                ok = True
                break
            if cur.head == cur:
                break
            if _is_verb(cur) and cur != span.root:
                break
            cur = cur.head
            depth += 1
        if ok:
            # a past-tense verb does not take a date after publication ("called ... this weekend")
            clash = int(
                published is not None
                and d.value is not None
                and d.value > published
                and anchor is not None
                and verb_direction(anchor) == "past"
            )
            key = (clash, depth)
            if best is None or key < best[0]:
                best = (key, d)
    return best[1] if best else None


def extract_events(
    doc: Any,
    article: Article,
    mentions: Sequence[Mention],
    dates: Sequence[DateMention],
    lexicon: EventLexicon,
) -> list[Event]:
    """Events coded from every sentence of `doc` (a spaCy Doc of `article.text`)."""
    index = _Mentions(doc, mentions)
    published = article.published_at.date() if article.published_at else None
    events: list[Event] = []
    for si, sent in enumerate(doc.sents):
        claimed: set[int] = set()
        matched: dict[int, frozenset[str]] = {}
        found: list[tuple[Any, Trigger, str]] = []
        for tok in sent:
            if tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ not in ("aux", "auxpass")):
                if tok.lemma_.lower() in lexicon.reporting or tok.lower_ == "according":
                    demand = _reported_demand(tok, lexicon)
                    if demand is not None:
                        found.append((tok, demand, "verb"))
                    continue  # saying is not an event; what is said may hold one
                trig, used, source = _verb_trigger(tok, lexicon)
                if trig is not None and source:
                    found.append((tok, trig, source))
                    matched[tok.i] = used
                    if source in ("pattern", "phrase"):
                        claimed.update(t.i for t in tok.subtree if t.i > tok.i and t.i - tok.i < 16)
                    else:
                        claimed.update(c.i for c in tok.children if c.dep_ in _OBJ)
            elif tok.pos_ == "NOUN" or (tok.pos_ == "VERB" and tok.dep_ in ("pobj", "dobj")):
                trig = _noun_trigger(tok, lexicon)
                if trig is not None:
                    found.append((tok, trig, "noun"))
        found = _reinterpret(found, lexicon, claimed)
        for tok, trig, source in found:
            if not trig.category:
                continue
            if _demanded(tok):
                continue  # what a demand asks for is coded as the demand, not as an act
            if source == "noun" and tok.i in claimed:
                # the object of a coded verb ("impose sanctions"): coded once, by the verb,
                # unless it codes something else ("calling for ... release")
                parent = next((f for f in found if f[0] == tok.head), None) or next(
                    (f for f in found if f[0] == tok.head.head), None
                )
                if parent is None or parent[1].category == trig.category:
                    continue
            events.extend(
                _code(
                    tok,
                    trig,
                    source,
                    si,
                    sent,
                    article,
                    index,
                    dates,
                    lexicon,
                    published,
                    matched.get(tok.i, frozenset()),
                )
            )
    return events


def _by_token(found: Sequence[tuple[Any, Trigger, str]]) -> dict[int, Trigger]:
    return {tok.i: trig for tok, trig, _ in found if trig.category}


def _light_object(
    verb: Any, nouns: dict[int, Trigger], coded: dict[int, Trigger] | None = None
) -> tuple[Any, Trigger] | None:
    """The event noun a light verb carries: its object, or its "in" object ("engage in"), or
    the participle on its object ("issued a declaration demanding ...")."""
    for c in verb.children:
        if c.dep_ in _OBJ and c.i in nouns:
            return c, nouns[c.i]
    if coded:
        for c in verb.children:
            if c.dep_ in _OBJ:
                for g in c.children:
                    if g.dep_ == "acl" and g.tag_ == "VBG" and g.i in coded:
                        return g, coded[g.i]
    lemma = verb.lemma_.lower()
    for verbs, prep in ((_GATHER_VERBS, "for"), (_IN_LIGHT, "in")):
        if lemma in verbs:
            for c in verb.children:
                if c.dep_ == "prep" and c.lower_ == prep:
                    for g in c.children:
                        if g.dep_ == "pobj" and g.i in nouns:
                            return g, nouns[g.i]
    return None


def _purpose(verb: Any, coded: dict[int, Trigger]) -> Trigger | None:
    """The coded event of a purpose clause: "to protest ...", "in protest of ...", "in order to"."""
    for c in verb.children:
        if (
            c.dep_ == "advcl"
            and c.i in coded
            and c.tag_ == "VB"
            and any(k.dep_ in ("aux", "mark") and k.lower_ in ("to", "order") for k in c.children)
        ):
            return coded[c.i]
        if c.dep_ == "prep" and c.lower_ == "in":
            for g in c.children:
                if g.dep_ == "pobj" and g.lemma_.lower() == "protest" and g.i in coded:
                    return coded[g.i]
    return None


def _reinterpret(
    found: list[tuple[Any, Trigger, str]], lexicon: EventLexicon, claimed: set[int]
) -> list[tuple[Any, Trigger, str]]:
    """Sentence-level rules that let one coded word decide another's category.

    - light verbs: "hold talks", "launch an attack", "stage a strike" take the noun's category
      (verb-only codes are replaced, patterns and phrases kept); an uncoded light verb with an
      event noun as object becomes a trigger with the noun's category;
    - purpose clauses: "shunned work to protest" is a PROTEST; a material act done to demand,
      criticise or reject is a PROTEST too ("blocked streets to demand reforms"); a verbal or
      uncoded act takes its purpose's category ("summoned the ambassador to complain");
    - intent: an act under "willing/ready/prepared to" is an intent to cooperate (AGREE) or a
      threat (THREATEN); "prepared to resume shelling" (the verb) is a show of force (MOBILIZE).
    """
    nouns = {tok.i: trig for tok, trig, src in found if src == "noun" and trig.category}
    verbs_coded = {tok.i for tok, _, src in found if src != "noun"}
    out: list[tuple[Any, Trigger, str]] = []
    extra: list[tuple[Any, Trigger, str]] = []
    all_coded = _by_token(found)
    for tok, trig, source in found:
        lemma = tok.lemma_.lower()
        if source == "verb" and (
            lemma in LIGHT_VERBS or trig.cameo == "040" and lemma in _GATHER_VERBS
        ):
            obj = _light_object(tok, nouns, all_coded)
            if obj is not None:
                trig, source = obj[1], "light"
                claimed.add(obj[0].i)
        out.append((tok, trig, source))
    for tok, _, _ in found:
        verb = (
            tok.head if tok.dep_ in _OBJ else tok.head.head if tok.dep_ in ("pobj", "acl") else None
        )
        if verb is None or verb.i in verbs_coded or verb.pos_ != "VERB":
            continue
        lemma = verb.lemma_.lower()
        if lemma not in LIGHT_VERBS and lemma not in _GATHER_VERBS or lemma in lexicon.reporting:
            continue
        obj = _light_object(verb, nouns, all_coded)
        if obj is not None and obj[0] == tok:
            extra.append((verb, obj[1], "light"))
            claimed.add(tok.i)
            verbs_coded.add(verb.i)
    out.extend(extra)
    coded = _by_token(out)
    result = []
    for tok, trig, source in out:
        cat = trig.category
        if source != "noun" and cat:
            purpose = _purpose(tok, coded)
            if purpose is not None and purpose.category != cat:
                quad = trig.quad_class
                if tok.lemma_.lower() in _DEMAND_VERBS:
                    pass  # "called for Russians to take to the streets": the call is the event
                elif purpose.category == "PROTEST" and not quad.startswith("verbal"):
                    trig = purpose
                elif purpose.category in ("DEMAND", "DISAPPROVE", "REJECT") and quad.startswith(
                    "material"
                ):
                    trig = lexicon.trigger("PROTEST", "140")
                elif not quad or (trig.cameo == "040" and purpose.quad_class == "verbal conflict"):
                    trig = purpose  # a generic "summon/meet/converge ... to complain"
            head = tok.head
            if tok.dep_ == "xcomp" and head.pos_ == "ADJ" and head.lemma_.lower() in _INTENT_ADJ:
                if cat in _COOPERATIVE:
                    trig = lexicon.trigger("AGREE", "030")
                elif cat in _FORCE or cat in ("COERCE", "SANCTION", "MOBILIZE"):
                    trig = lexicon.trigger("THREATEN", "130")
            lemma = tok.lemma_.lower()
            if lemma in _PREPARE_VERBS or lemma in _INTENT_VERBS:
                inner = _xcomp_category(tok, coded)
                if inner in _FORCE and lemma in _PREPARE_VERBS:
                    trig = lexicon.trigger(
                        "MOBILIZE", "150"
                    )  # preparing to attack: a show of force
                elif inner in _FORCE or inner in ("COERCE", "SANCTION", "MOBILIZE"):
                    trig = lexicon.trigger("THREATEN", "138")  # vowing to fight is a threat
        result.append((tok, trig, source))
    return result


def _xcomp_category(verb: Any, coded: dict[int, Trigger]) -> str | None:
    """Category of the act an intent or preparation verb governs (two infinitives down)."""
    frontier = [c for c in verb.children if c.dep_ == "xcomp"]
    for _ in range(2):
        nxt: list[Any] = []
        for c in frontier:
            if c.i in coded:
                return coded[c.i].category
            nxt.extend(g for g in c.children if g.dep_ in ("xcomp", "dobj"))
        frontier = nxt
    return None


_DECLARE_VERBS = frozenset(
    {"announce", "pledge", "promise", "vow", "decide", "plan", "intend", "offer"}
)


def _declared_by_actor(tok: Any, reporting: frozenset[str]) -> bool:
    """Whether the actor itself states the act as its intention: "Hungary has said it will
    support", "Annan announced that he will withdraw", not a plan the reporter states."""
    head = tok.head
    if head == tok or tok.dep_ not in ("ccomp", "xcomp") or head.pos_ != "VERB":
        return False
    if head.lemma_.lower() not in reporting and head.lemma_.lower() not in _DECLARE_VERBS:
        return False
    own = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not own:
        return tok.dep_ == "xcomp"
    speaker = [c for c in head.children if c.dep_ == "nsubj"]
    subj = own[0]
    if subj.lower_ in _PRONOUNS or subj.lower_ in ("i", "you"):
        return True
    return bool(speaker) and speaker[0].lemma_.lower() == subj.lemma_.lower()


def _intent_trigger(tok: Any, trig: Trigger, mode: str, lexicon: EventLexicon) -> Trigger:
    """CAMEO/PLOVER coding of intentions the actor states (CAMEO 03 "express intent to ...",
    13 "threaten"): a cooperative act it says it will do is AGREE, an act of material conflict
    THREATEN, and cooperation it says it will not give REJECT ("Syria says it will not accept
    refugees"). A plan the reporter states ("Borrell will visit Moscow") keeps its category."""
    cat = trig.category
    if mode not in ("planned", "negated") or not _declared_by_actor(tok, lexicon.reporting):
        return trig
    if mode == "planned":
        if cat in _COOPERATIVE and cat != "AGREE" or cat == "INVESTIGATE":
            return lexicon.trigger("AGREE", "030")
        if cat in _MATERIAL_CONFLICT:
            return lexicon.trigger("THREATEN", "130")
    elif cat in _COOPERATIVE or cat == "INVESTIGATE":
        aux = {c.lower_ for c in tok.children if c.dep_ == "aux"}
        if aux & _FUTURE_AUX and any(c.dep_ == "neg" for c in tok.children):
            return lexicon.trigger("REJECT", "120")
    return trig


def _property_or_order(tok: Any, trig: Trigger, lexicon: EventLexicon) -> Trigger:
    """Destroying things and coercive orders are COERCE (CAMEO 1712 and 172)."""
    lemma = tok.lemma_.lower()
    if lemma in _DESTROY_VERBS and trig.category in _FORCE:
        objs = [c for c in tok.children if c.dep_ in _OBJ]
        if objs and all(_is_thing(o) for o in objs):
            return lexicon.trigger("COERCE", "1712")
    if lemma in _ORDER_VERBS and trig.category in ("DEMAND", "COERCE", "SANCTION", ""):
        for c in tok.children:
            if c.dep_ in ("xcomp", "ccomp") and c.lemma_.lower() in _RESTRICT_VERBS:
                return lexicon.trigger("COERCE", "172")
    return trig


def _is_thing(tok: Any) -> bool:
    """A common noun for an object: no person, group, named entity or place."""
    if tok.pos_ != "NOUN" or tok.ent_type_:
        return False
    low = tok.lemma_.lower()
    if low in HUMAN_NOUNS or tok.lower_ in HUMAN_NOUNS:
        return False
    return not any(
        c.ent_type_ in ("GPE", "LOC", "FAC", "NORP", "ORG", "PERSON")
        for c in tok.children
        if c.dep_ in ("compound", "amod", "poss")
    )


def _force_category(trig: Trigger, actor: Phrase | None) -> Trigger:
    """FIGHT for conventional forces, ASSAULT for irregular ones, on generic violence triggers."""
    if (
        trig.category not in _FORCE
        or actor is None
        or trig.cameo in _SPECIFIC_FORCE_CODES
        or (trig.cameo.startswith(("183", "20")))
    ):
        return trig
    words = {w.strip(".,'").lower() for w in actor.text.replace("-", " ").split()}
    if words & IRREGULAR_ACTOR_WORDS and not words & (MILITARY_ACTOR_WORDS - {"force", "forces"}):
        return Trigger("ASSAULT", trig.quad_class, trig.cameo, trig.passive)
    if words & MILITARY_ACTOR_WORDS:
        return Trigger("FIGHT", trig.quad_class, trig.cameo, trig.passive)
    return trig


def _code(
    tok: Any,
    trig: Trigger,
    source: str,
    si: int,
    sent: Any,
    article: Article,
    index: _Mentions,
    dates: Sequence[DateMention],
    lexicon: EventLexicon,
    published: date | None,
    used: frozenset[str] = frozenset(),
) -> list[Event]:
    actors: list[Phrase | None] = []
    targets: list[Phrase] = []
    scored: list[Phrase] = []
    if source == "noun":
        poss = [c for c in tok.children if c.dep_ == "poss"]
        by = [
            g
            for c in tok.children
            if c.dep_ == "prep" and c.lower_ == "by"
            for g in c.children
            if g.dep_ == "pobj"
        ]
        if poss and trig.category in _PATIENT_POSSESSOR:
            targets.append(_target_phrase(poss[0], index))  # "Navalny's release"
            poss = []
        if poss:
            actors.append(_actor_phrase(poss[0], index))
        elif by:
            actors.append(_actor_phrase(by[0], index))
        else:
            verb = tok.head
            while (
                verb.head != verb
                and not _is_verb(verb)
                and verb.dep_ in ("conj", "compound", "dobj")
            ):
                verb = verb.head
            if _is_verb(verb) and tok.dep_ in ("dobj", "conj", "attr"):
                subs, passive = _subjects(verb)
                if not passive:
                    actors.extend(_actor_phrase(s, index) for sub in subs for s in _conjuncts(sub))
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in _NOUN_TARGET_PREPS:
                pobj = [g for g in c.children if g.dep_ == "pobj"]
                if pobj:
                    # "suspension of air links with Serbia": a named complement of the object
                    named = (
                        []
                        if _is_actor_like(pobj[0], index)
                        else [
                            g
                            for c2 in pobj[0].children
                            if c2.dep_ == "prep" and c2.lower_ in ("with", "against", "to", "on")
                            for g in c2.children
                            if g.dep_ == "pobj" and _is_actor_like(g, index)
                        ]
                    )
                    targets.append(_phrase((named or pobj)[0], index))
                    break
        if not targets and poss and by:
            targets.append(_phrase(poss[0], index))
    else:
        subs, passive = _subjects(tok)
        if trig.passive:
            targets.extend(_target_phrase(s, index) for sub in subs for s in _conjuncts(sub))
            subs = []
        if passive and tok.dep_ not in ("acl", "relcl"):
            agent = _agent(tok)
            targets.extend(_target_phrase(s, index) for sub in subs for s in _conjuncts(sub))
            if agent is not None:
                actors.append(_actor_phrase(agent, index))
        elif passive:
            targets.extend(_phrase(s, index) for s in subs)
        else:
            actors.extend(_actor_phrase(s, index) for sub in subs for s in _conjuncts(sub))
        kind = 0.0
        if not targets:
            spans = [(a.start, a.end) for a in actors if a is not None]
            kind, scored = _scored_targets(tok, index, used, lexicon, spans)
            if kind >= 2:
                targets.extend(scored)
        if not targets:
            for o in _objects(tok):
                if (
                    o.lemma_.lower() in used
                    or o.lower_ in used
                    or _noun_trigger(o, lexicon) is not None
                ):
                    # the object is part of the trigger ("slap sanctions on the Kremlin")
                    inner = [
                        g
                        for c in o.children
                        if c.dep_ == "prep" and c.lower_ in _NOUN_TARGET_PREPS
                        for g in c.children
                        if g.dep_ == "pobj"
                    ]
                    if inner:
                        targets.append(_target_phrase(inner[0], index))
                    else:  # "imposed a curfew in the town of Cizre": the place is what it hits
                        where = _place(tok, index, [])
                        if where is not None and where.label in PLACE_LABELS:
                            targets.append(where)
                elif o.pos_ in ("PROPN", "NOUN", "PRON", "NUM"):
                    targets.append(_target_phrase(o, index))
                if targets:
                    break
    if not targets and scored:
        targets.extend(scored)
    actors = [a for a in actors if a is not None] or [None]
    used_spans = [(p.start, p.end) for p in [*actors, *targets] if p is not None]
    place = _place(tok, index, used_spans)
    if place is None and targets and targets[0].label in PLACE_LABELS:
        place = targets[0]
    place = place or _sentence_place(sent, index, used_spans)
    dm = _date_for(tok, dates, sent, published)
    event_date = dm.value if dm else None
    mode = _mode(tok, trig, lexicon, event_date, published)
    trig = _intent_trigger(tok, trig, mode, lexicon)
    if source != "noun":
        trig = _property_or_order(tok, trig, lexicon)
    precision = dm.precision if dm else None
    date_text = dm.text if dm else None
    if (
        dm is None
        and published is not None
        and mode in ("asserted", "reported")
        and source != "noun"
    ):
        event_date, precision = published, "day"
    target = targets[0] if targets else None
    base = {"pattern": 0.75, "phrase": 0.75, "verb": 0.65, "light": 0.7, "noun": 0.5}[source]
    out = []
    for actor in actors:
        trig_a = _force_category(trig, actor)
        conf = base + (
            0.1
            if actor and actor.entity_id or actor and actor.label in ACTOR_LABELS
            else 0.05
            if actor
            else 0
        )
        conf += 0.05 if target else 0.0
        out.append(
            Event(
                article_id=article.id,
                sentence=si,
                trigger=tok.text,
                trigger_start=tok.idx,
                trigger_end=tok.idx + len(tok.text),
                category=trig_a.category,
                quad_class=trig_a.quad_class,
                mode=mode,
                confidence=round(min(conf, 0.95), 3),
                actor=actor.text if actor else None,
                actor_entity=actor.entity_id if actor else None,
                target=target.text if target else None,
                target_entity=target.entity_id if target else None,
                location=place.text if place else None,
                location_entity=place.entity_id if place else None,
                event_date=event_date,
                date_precision=precision,
                date_text=date_text,
                cameo_code=trig.cameo or None,
            )
        )
    return out


HUMAN_NOUNS = frozenset(
    """people person civilians civilian soldiers soldier troops forces force army military police
    officials official government governments authorities authority regime rebels rebel
    refugees refugee detainees detainee prisoners prisoner protesters protester demonstrators
    demonstrator students student workers worker diplomats diplomat nationals national leaders
    leader party parties opposition activists activist journalists journalist citizens citizen
    residents resident villagers villager immigrants immigrant migrants migrant settlers
    militants militant guerrillas guerrilla insurgents fighters fighter members member minister
    ministers president premier ambassador envoy delegation country countries nation nations
    state states partners partner allies ally population community communities group groups
    peacekeepers peacekeeper inspectors inspector monitors observers observer advisers advisers
    officers officer suspects suspect hostages hostage victims victim children women men
    farmers union unions court parliament council committee newspaper company companies
    rulers ruler clergy bishops voters supporters""".split()
)
_NESTED_PREPS = frozenset(
    {
        "of",
        "against",
        "to",
        "for",
        "on",
        "with",
        "by",
        "from",
        "between",
        "into",
        "over",
        "toward",
        "towards",
    }
)
_LOCATIVE = frozenset(_PLACE_PREPS) | {"along", "across", "within"}


def _scored_targets(
    verb: Any,
    index: _Mentions,
    used: frozenset[str],
    lexicon: EventLexicon,
    exclude: Sequence[tuple[int, int]],
) -> tuple[float, list[Phrase]]:
    """Who or what the event is done to, scored: a named actor (or a noun with a national or
    named modifier: "Palestinian detainees") 3, a person or group noun 2, a place 1.5, another
    noun 1; ties go to the nearer slot: dative, object, to/against/with/... object, the subject
    of a that-clause, the objects' own of/against/to/by ... complements, the same slots one
    infinitive or purpose clause down, then in/at/near places."""
    cands: list[tuple[Any, int, bool]] = []  # (token, rank, locative)

    def slots(v: Any, base: int) -> None:
        objs: list[Any] = []
        for c in v.children:
            if c.dep_ == "dative":
                cands.append((c, base, False))
            elif c.dep_ in _OBJ or c.dep_ == "attr":
                objs.extend(_conjuncts(c))
            elif c.dep_ == "prt":  # "kidnapped up to 16 advisers": a quantity read as a particle
                objs.extend(
                    g
                    for p in c.children
                    if p.dep_ == "prep"
                    for g in p.children
                    if g.dep_ == "pobj"
                )
        for o in objs:
            cands.append((o, base + 1, False))
        for c in v.children:
            if c.dep_ in ("prep", "prt", "agent") and c.lower_ in _NESTED_PREPS | set(
                _TARGET_PREPS
            ):
                for g in c.children:
                    if g.dep_ == "pobj":
                        for x in _conjuncts(g):
                            cands.append((x, base + 2, False))
                            objs.append(x)
            elif c.dep_ == "prep" and c.lower_ in _LOCATIVE:
                for g in c.children:
                    if g.dep_ == "pobj":
                        cands.append((g, base + 6, True))
            elif c.dep_ == "ccomp":
                cands.extend(
                    (g, base + 3, False) for g in c.children if g.dep_ in ("nsubj", "nsubjpass")
                )
        for o in objs:  # the objects' own complements and national modifiers
            for c in o.children:
                if c.dep_ in ("amod", "compound") and (c.ent_type_ in ("NORP", "GPE", "ORG")):
                    cands.append((c, base + 4, False))
                if c.dep_ == "prep":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            cands.append(
                                (
                                    g,
                                    base + 4 if c.lower_ in _NESTED_PREPS else base + 6,
                                    c.lower_ not in _NESTED_PREPS,
                                )
                            )
                            for c2 in g.children:  # "the town of Cizre"
                                if c2.dep_ == "prep" and c2.lower_ in ("of",):
                                    cands.extend(
                                        (g2, base + 5, False)
                                        for g2 in c2.children
                                        if g2.dep_ == "pobj"
                                    )

    slots(verb, 0)
    for c in verb.children:
        if c.dep_ in ("xcomp", "advcl") and c.pos_ == "VERB":
            slots(c, 10)
    best: tuple[float, int] | None = None
    chosen: Any = None
    for tok, rank, locative in cands:
        if (
            tok.lower_ in used
            or tok.lemma_.lower() in used
            or tok.ent_type_ in ("DATE", "TIME", "PERCENT", "MONEY")
        ):
            continue
        if any(a <= tok.idx < b for a, b in exclude):
            continue
        if tok.pos_ == "PRON":
            ph = _resolve_pronoun(tok, index)
            if ph is None:
                continue
            kind = 3.0
        elif tok.pos_ not in ("NOUN", "PROPN", "ADJ", "NUM"):
            continue
        else:
            kind = _target_kind(tok, index, locative, lexicon)
        if kind <= 0:
            continue
        key = (kind, -rank)
        if best is None or key > best:
            best, chosen = key, tok
    if chosen is None or best is None:
        return 0.0, []
    return best[0], [_target_phrase(chosen, index)]


def _target_kind(tok: Any, index: _Mentions, locative: bool, lexicon: EventLexicon) -> float:
    _, label = index.best(tok.idx, tok.idx + len(tok.text))
    label = label or tok.ent_type_
    if label in PLACE_LABELS and (locative or label != "GPE"):
        return 1.5
    if label in ACTOR_LABELS:
        return 3.0
    if tok.pos_ == "ADJ":
        return 0.0
    mods = [c for c in tok.children if c.dep_ in ("amod", "compound", "poss")]
    if any(c.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") for c in mods):
        return 3.0 if not locative else 1.5
    if tok.lemma_.lower() in HUMAN_NOUNS or tok.lower_ in HUMAN_NOUNS:
        return 2.0
    if _noun_trigger(tok, lexicon) is not None:
        return 0.0
    return 1.0


def _is_actor_like(tok: Any, index: _Mentions) -> bool:
    """A named person, organisation, country or nationality (not a thing or a place name alone)."""
    if tok.ent_type_ in ACTOR_LABELS:
        return True
    _, label = index.best(tok.idx, tok.idx + len(tok.text))
    return label in ACTOR_LABELS


def _actor_like_targets(verb: Any, index: _Mentions, used: frozenset[str]) -> list[Phrase]:
    """Who the event is done to, when a named actor fills a target slot.

    Order: dative, a to/against/with/on/from/for object, the direct object, the subject of a
    that-clause ("demanded that the US cancel"), the same slots one infinitive down ("offered to
    hand over to Great Britain"); named actors only.
    """

    def slots(v: Any) -> list[Any]:
        out = [c for c in v.children if c.dep_ == "dative"]
        for c in v.children:
            if c.dep_ in ("prep", "prt") and c.lower_ in _TARGET_PREPS + ("from",):
                out.extend(g for g in c.children if g.dep_ == "pobj")
        out.extend(c for c in v.children if c.dep_ in _OBJ)
        for c in v.children:
            if c.dep_ == "ccomp":
                out.extend(g for g in c.children if g.dep_ in ("nsubj", "nsubjpass"))
        return out

    cands = slots(verb)
    for c in verb.children:
        if c.dep_ in ("xcomp",):
            cands.extend(slots(c))
    for cand in cands:
        if cand.lower_ in used or cand.lemma_.lower() in used:
            continue
        for t in _conjuncts(cand):
            if _is_actor_like(t, index):
                return [
                    _target_phrase(x, index) for x in _conjuncts(cand) if _is_actor_like(x, index)
                ]
    return []


def _target_phrase(tok: Any, index: _Mentions) -> Phrase:
    if tok.pos_ == "PRON":
        return _resolve_pronoun(tok, index) or _phrase(tok, index)
    if tok.pos_ == "NOUN":  # "the opposition newspaper La Prensa": the name says who
        name = next(
            (
                c
                for c in tok.children
                if c.dep_ == "appos"
                and c.pos_ == "PROPN"
                and c.i == tok.i + 1
                or c.dep_ == "appos"
                and c.pos_ == "PROPN"
                and c.left_edge.i == tok.i + 1
            ),
            None,
        )
        if name is not None:
            return _phrase(name, index)
    return _phrase(tok, index)


def _actor_phrase(tok: Any, index: _Mentions) -> Phrase | None:
    if tok.ent_type_ in ("CARDINAL", "QUANTITY") or tok.lower_ in (
        "thousands",
        "hundreds",
        "dozens",
        "scores",
    ):
        # "Thousands of Nigerians", "Hundreds of thousands of people": the group is the actor
        for _ in range(3):
            pobj = [
                g
                for c in tok.children
                if c.dep_ == "prep" and c.lower_ == "of"
                for g in c.children
                if g.dep_ == "pobj"
            ]
            if not pobj:
                break
            tok = pobj[0]
            if tok.ent_type_ not in ("CARDINAL", "QUANTITY") and tok.lower_ not in (
                "thousands",
                "hundreds",
            ):
                return _phrase(tok, index)
    if tok.ent_type_ in ("DATE", "TIME", "CARDINAL", "PERCENT", "MONEY", "QUANTITY"):
        return None
    if tok.pos_ == "PRON":
        return _resolve_pronoun(tok, index)
    return _phrase(tok, index)


_SUBORDINATE_MARKS = frozenset(
    "after before when while as since because although though if unless until once whereas".split()
)
_BACKGROUND_PREPS = frozenset(
    "after before since following despite amid during over because without than like".split()
)


def event_depth(tok: Any, reporting: frozenset[str] = frozenset()) -> float:
    """How far a trigger is from being what its sentence is about (lower = more central).

    One step per dependency arc up to the root, except that a reporting verb's complement or
    object costs nothing ("X said Y will do Z"); background clauses cost more: adverbial
    clauses opened by "after/when/because/if ...", relative clauses and noun modifiers, and
    phrases under "after/despite/amid/during ..."; a noun trigger costs 1.5 more unless it is
    what a reporting or light verb carries ("announced a suspension", "held talks").
    """
    d = 0.0
    cur = tok
    if tok.pos_ != "VERB":
        head = tok.head
        carried = tok.dep_ in _OBJ and (
            head.lemma_.lower() in reporting or head.lemma_.lower() in LIGHT_VERBS
        )
        d += 0.5 if carried else 1.5
    for _ in range(20):
        if cur.head == cur:
            break
        head = cur.head
        dep = cur.dep_
        if head.lemma_.lower() in reporting and dep in ("ccomp", "dobj", "parataxis", "xcomp"):
            step = 0.0
        elif (
            dep == "advcl"
            and any(k.dep_ == "mark" and k.lower_ in _SUBORDINATE_MARKS for k in cur.children)
            or dep in ("relcl", "acl", "appos", "csubj")
        ):
            step = 3.0
        elif dep == "pobj" and head.lower_ in _BACKGROUND_PREPS:
            step = 2.5
        elif dep == "pcomp" or dep == "advcl":
            step = 2.0
        else:
            step = 1.0
        d += step
        cur = head
    return d


def main_event(
    events: Sequence[Event], doc: Any | None = None, reporting: frozenset[str] | None = None
) -> Event | None:
    """The event a sentence (or article) is mainly about: the most central trigger (`event_depth`),
    then the most confident, then the first."""
    if not events:
        return None
    rep = reporting if reporting is not None else _REPORTING_DEFAULT

    def depth(ev: Event) -> float:
        if doc is None:
            return 0
        span = doc.char_span(ev.trigger_start, ev.trigger_end, alignment_mode="expand")
        if span is None:
            return 9
        return event_depth(span[0], rep)

    return min(events, key=lambda e: (e.sentence, depth(e), -e.confidence, e.trigger_start))


_REPORTING_DEFAULT = frozenset(
    """say tell report insist claim announce state add note declare confirm explain argue stress
    assert allege write tweet comment admit acknowledge reply respond reiterate emphasize
    emphasise indicate suggest maintain""".split()
)


def _is_nominal(ev: Event, doc: Any | None) -> bool:
    if doc is None:
        return False
    span = doc.char_span(ev.trigger_start, ev.trigger_end, alignment_mode="expand")
    return bool(span is not None and span[0].pos_ != "VERB")
