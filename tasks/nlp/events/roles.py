"""Who did it, to whom, and where: the actor, target and location of a trigger.

- actors are the subjects (through conjunctions: "Jordan and Britain have agreed" gives two
  events), or the "by" agent of a passive; clauses without a subject borrow their head's
  (xcomp, advcl, conj); a noun's actor is its possessor or the subject of its verb;
- the target is the direct object (the passive subject, the dative, or a "to/against/on/with"
  object when there is none); a noun's target is its "of/on/against/to" object; candidates are
  scored (`scored_targets`): named actors first, then people and groups, places, other nouns,
  nearer slots first;
- the location is an "in/at/near/across" place attached to the trigger or its object, else a
  place named in the sentence, never the actor's or target's own words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasks.nlp.events.lexicon import EventLexicon, Trigger
from tasks.nlp.events.recode import is_patient, is_thing
from tasks.nlp.events.rules import EventRules, RoleRules, Words
from tasks.nlp.events.triggers import noun_trigger
from tasks.nlp.syntax import (
    ACTOR_LABELS,
    FIRST_PERSON,
    OBJ,
    PLACE_LABELS,
    PLACE_PREPS,
    Mentions,
    Phrase,
    agent,
    conjuncts,
    hyphen_part,
    hyphen_participle,
    in_direct_speech,
    is_verb,
    objects,
    phrase,
    place,
    pobjs,
    resolve_pronoun,
    sentence_place,
    subjects,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_NOT_ACTORS = frozenset({"DATE", "TIME", "CARDINAL", "PERCENT", "MONEY", "QUANTITY"})
_Cands = list[tuple["Token", int, bool]]  # (token, slot rank, locative)


@dataclass(frozen=True, slots=True)
class Roles:
    """The actors (one event each; None when there is none), targets and place of a trigger."""

    actors: tuple[Phrase | None, ...]
    targets: tuple[Phrase, ...]
    location: Phrase | None


def is_actor_like(tok: Token, index: Mentions) -> bool:
    """A named person, organisation, country or nationality (not a thing or a place name alone)."""
    if tok.ent_type_ in ACTOR_LABELS:
        return True
    _, label = index.best(tok.idx, tok.idx + len(tok.text))
    return label in ACTOR_LABELS


def _pronoun(tok: Token, index: Mentions) -> Phrase | None:
    """The entity a pronoun stands for; "we" in direct speech is the speaker's side, which
    the last group named need not be ("We challenge him", said after "America")."""
    if tok.lower_ in FIRST_PERSON and in_direct_speech(tok):
        return None
    found = resolve_pronoun(tok, index)
    if found is None or found.entity_id is None:
        return found
    return _fullest_name(found, index, tok.idx)


def _fullest_name(found: Phrase, index: Mentions, before: int) -> Phrase:
    """The entity a pronoun stands for by its fullest name written before the pronoun ("it"
    after "The Nigerian Union of Teachers (NUT)" is the union, not "NUT")."""
    same = [m for m in index.items if m.entity_id == found.entity_id and m.start < before]
    full = max(same, key=lambda m: (len(m.text), m.start), default=None)
    if full is None or len(full.text) <= len(found.text):
        return found
    return Phrase(full.text, full.start, full.end, full.entity_id, full.label)


def target_phrase(tok: Token, index: Mentions) -> Phrase:
    """A target's phrase: a pronoun resolved, a common noun named by its apposition."""
    if tok.pos_ == "PRON":
        return _pronoun(tok, index) or phrase(tok, index)
    if tok.pos_ == "NOUN":  # "the opposition newspaper La Prensa": the name says who
        name = next(
            (
                c
                for c in tok.children
                if c.dep_ == "appos"
                and c.pos_ == "PROPN"
                and (c.i == tok.i + 1 or c.left_edge.i == tok.i + 1)
            ),
            None,
        )
        if name is not None:
            return phrase(name, index)
    return phrase(tok, index)


def actor_phrase(tok: Token, index: Mentions, quantity_words: frozenset[str]) -> Phrase | None:
    """An actor's phrase: the group of "Thousands of Nigerians", a pronoun resolved; a date or
    a number is no actor."""
    if tok.ent_type_ in ("CARDINAL", "QUANTITY") or tok.lower_ in quantity_words:
        for _ in range(3):
            of = pobjs(tok, ("of",))
            if not of:
                break
            tok = of[0]
            if tok.ent_type_ not in ("CARDINAL", "QUANTITY") and tok.lower_ not in (
                "thousands",
                "hundreds",
            ):
                return phrase(tok, index)
    if (
        tok.ent_type_ in _NOT_ACTORS
        or hyphen_part(tok)
        or hyphen_participle(tok)
        or not any(c.isalpha() for c in tok.text)
    ):
        return None
    if tok.pos_ == "PRON":
        return _pronoun(tok, index)
    return phrase(tok, index)


def _placed(tok: Token, ph: Phrase) -> Phrase:
    """A common-noun actor with the place it is in right after it: "demonstrators in Baghdad",
    "opposition groups in Zimbabwe" (the place says whose they are; it may still be the
    event's location: "arrested by police in Minsk")."""
    if tok.pos_ != "NOUN" or tok.ent_type_:
        return ph
    doc = tok.doc
    span = doc.char_span(ph.start, ph.end, alignment_mode="expand")
    if span is None:
        return ph
    for prep in tok.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "from") or prep.i != span.end:
            continue  # only a place right after the actor's phrase
        place_tok = next((g for g in prep.children if g.dep_ == "pobj"), None)
        if place_tok is None or place_tok.ent_type_ not in PLACE_LABELS:
            continue
        full = doc[span.start : place_tok.right_edge.i + 1]
        return Phrase(full.text, ph.start, full.end_char, ph.entity_id, ph.label, ph.head)
    return ph


def _target_kind(tok: Token, index: Mentions, locative: bool, lexicon: EventLexicon) -> float:
    """How much a candidate looks like who an event is done to (0: not a target)."""
    rules = lexicon.coding
    r = rules.roles
    _, label = index.best(tok.idx, tok.idx + len(tok.text))
    label = label or tok.ent_type_
    if label in PLACE_LABELS and (locative or label != "GPE"):
        return r.kind_place
    if label in ACTOR_LABELS:
        return r.kind_named
    if tok.pos_ == "ADJ":
        return 0.0
    mods = _modifiers(tok)
    if _cause(tok, mods, lexicon):
        return 0.0
    if any(c.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") for c in mods):
        return r.kind_named if not locative else r.kind_place
    human = rules.words.human_nouns
    if tok.lemma_.lower() in human or tok.lower_ in human:
        return r.kind_human
    if noun_trigger(tok, lexicon) is not None:
        return 0.0
    return r.kind_other


def _modifiers(tok: Token) -> list[Token]:
    return [c for c in tok.children if c.dep_ in ("amod", "compound", "poss")]


def _cause(tok: Token, mods: Sequence[Token], lexicon: EventLexicon) -> bool:
    """ "took to the streets for Navalny's freedom": a thing that belongs to someone, under a
    verb's "for", is what the act is for (its cause), not who it is done to; only its possessor
    is named, the noun itself is no person, group or event. Under a noun ("their disapproval for
    the United States' policies") the possessor may well be the target."""
    human = lexicon.coding.words.human_nouns
    return (
        tok.dep_ == "pobj"
        and tok.head.lower_ == "for"
        and is_verb(tok.head.head)
        and tok.pos_ == "NOUN"
        and any(c.dep_ == "poss" for c in mods)
        and not any(c.dep_ in ("amod", "compound") and c.ent_type_ for c in mods)
        and tok.lemma_.lower() not in human
        and tok.lower_ not in human
        and noun_trigger(tok, lexicon) is None
    )


def _object_slots(v: Token, base: int, cands: _Cands, r: RoleRules) -> list[Token]:
    """Dative, objects (a quantity read as a particle too) and prepositional objects of `v`."""
    objs: list[Token] = []
    for c in v.children:
        if c.dep_ == "dative":
            cands.append((c, base, False))
        elif c.dep_ in OBJ or c.dep_ == "attr":
            objs.extend(conjuncts(c))
        elif c.dep_ == "prt":  # "kidnapped up to 16 advisers": a quantity read as a particle
            objs.extend(pobjs(c, None))
    cands.extend((o, base + 1, False) for o in objs)
    for c in v.children:
        objs.extend(_prep_slots(c, base, cands, r))
    return objs


def _prep_slots(c: Token, base: int, cands: _Cands, r: RoleRules) -> list[Token]:
    """Candidates under one dependent of the verb: a to/against/with/... object (returned, as
    its complements count too), an in/at/near place, the subject of a that-clause."""
    if c.dep_ in ("prep", "prt", "agent") and (
        c.lower_ in r.nested_preps or c.lower_ in r.target_preps
    ):
        found = [x for g in c.children if g.dep_ == "pobj" for x in conjuncts(g)]
        cands.extend((x, base + 2, False) for x in found)
        return found
    if c.dep_ == "prep" and (c.lower_ in PLACE_PREPS or c.lower_ in r.extra_locative_preps):
        cands.extend((g, base + 6, True) for g in c.children if g.dep_ == "pobj")
    elif c.dep_ == "ccomp":
        cands.extend((g, base + 3, False) for g in c.children if g.dep_ in ("nsubj", "nsubjpass"))
    return []


def _complement_slots(objs: Sequence[Token], base: int, cands: _Cands, r: RoleRules) -> None:
    """The objects' own complements and national modifiers ("the town of Cizre")."""
    for o in objs:
        for c in o.children:
            if c.dep_ in ("amod", "compound") and c.ent_type_ in ("NORP", "GPE", "ORG"):
                cands.append((c, base + 4, False))
            if c.dep_ != "prep":
                continue
            nested = c.lower_ in r.nested_preps
            for g in c.children:
                if g.dep_ == "pobj":
                    cands.append((g, base + 4 if nested else base + 6, not nested))
                    cands.extend((g2, base + 5, False) for g2 in pobjs(g, ("of",)))


def _candidates(verb: Token, r: RoleRules) -> _Cands:
    """(token, rank, locative) for every slot a target may fill, one infinitive or purpose
    clause down too; not in a clause with its own subject or opened by a subordinator ("days
    after thousands rallied across Russia": Russia is no target of the call)."""
    cands: _Cands = []
    down = r.rank_clause_down
    for v, base in [(verb, 0)] + [
        (c, down)
        for c in verb.children
        if c.dep_ in ("xcomp", "advcl")
        and c.pos_ == "VERB"
        and not any(g.dep_ in ("mark", "nsubj", "nsubjpass") for g in c.children)
    ]:
        objs = _object_slots(v, base, cands, r)
        _complement_slots(objs, base, cands, r)
    return cands


def scored_targets(
    verb: Token,
    index: Mentions,
    used: frozenset[str],
    lexicon: EventLexicon,
    exclude: Sequence[tuple[int, int]],
) -> tuple[float, list[Phrase]]:
    """Who or what the event is done to, scored: a named actor (or a noun with a national or
    named modifier: "Palestinian detainees") 3, a person or group noun 2, a place 1.5, another
    noun 1; ties go to the nearer slot: dative, object, to/against/with/... object, the subject
    of a that-clause, the objects' own of/against/to/by ... complements, the same slots one
    infinitive or purpose clause down, then in/at/near places."""
    best: tuple[float, int] | None = None
    chosen: Token | None = None
    for tok, rank, locative in _candidates(verb, lexicon.coding.roles):
        if (
            tok.lower_ in used
            or tok.lemma_.lower() in used
            or tok.ent_type_ in ("DATE", "TIME", "PERCENT", "MONEY")
            or any(a <= tok.idx < b for a, b in exclude)
        ):
            continue
        if _topic(tok, lexicon):
            continue
        if tok.pos_ == "PRON":
            if _pronoun(tok, index) is None:
                continue
            kind = lexicon.coding.roles.kind_named
        elif tok.pos_ not in ("NOUN", "PROPN", "ADJ", "NUM"):
            continue
        else:
            kind = _target_kind(tok, index, locative, lexicon)
        if kind > 0 and (best is None or (kind, -rank) > best):
            best, chosen = (kind, -rank), tok
    if chosen is None or best is None:
        return 0.0, []
    return best[0], [target_phrase(chosen, index)]


def _noun_complement(
    tok: Token,
    index: Mentions,
    preps: Sequence[str],
    asked: frozenset[str] = frozenset(),
    human: frozenset[str] = frozenset(),
    instrument: frozenset[str] = frozenset(),
    agents: Mapping[str, object] | None = None,
) -> Phrase | None:
    """A noun trigger's of/on/against/to object, or a named complement of it ("suspension of
    air links with Serbia"); under a preposition in `asked`, only a person or group (what a
    demand is "for" is what it asks, not whom: "the demand for $280bn"); under one in
    `instrument`, no thing (`_means`: "a poisoning with a Novichok nerve agent")."""
    for c in tok.children:
        if c.dep_ != "prep" or c.lower_ not in preps:
            continue
        pobj = [g for g in c.children if g.dep_ == "pobj"]
        if not pobj:
            continue
        if c.lower_ in asked and not _party_noun(pobj[0], index, human):
            continue
        if c.lower_ in instrument and _means(pobj[0], human, agents or {}):
            continue  # "a poisoning with a nerve agent": the means, not the one poisoned
        named = (
            []
            if is_actor_like(pobj[0], index)
            else [
                g
                for g in pobjs(pobj[0], ("with", "against", "to", "on"))
                if is_actor_like(g, index)
            ]
        )
        return phrase((named or pobj)[0], index)
    return None


def _means(tok: Token, human: frozenset[str], agents: Mapping[str, object]) -> bool:
    """A common noun that names no person, group or role of its own (`human`, the agent
    dictionary), whatever modifies it ("a Novichok nerve agent"): a means of force."""
    forms = (tok.lower_, tok.lemma_.lower())
    return (
        tok.pos_ == "NOUN"
        and not tok.ent_type_
        and not any(f in human or f in agents for f in forms)
    )


def _party_noun(tok: Token, index: Mentions, human: frozenset[str]) -> bool:
    """A named actor, a pronoun, or a person or group noun (`human`); never a number or an
    amount the tagger took for a name ("$280bn")."""
    return not tok.text[:1].isdigit() and (
        is_actor_like(tok, index)
        or tok.pos_ == "PRON"
        or tok.lemma_.lower() in human
        or tok.lower_ in human
    )


def _subjects(verb: Token, rules: EventRules) -> tuple[list[Token], bool]:
    """`syntax.subjects` with the rules' control verbs and nouns of pressure."""
    return subjects(verb, rules.words.control_verbs, rules.words.control_nouns)


def _noun_roles(
    tok: Token, trig: Trigger, index: Mentions, lexicon: EventLexicon
) -> tuple[list[Phrase | None], list[Phrase]]:
    """A noun trigger: its possessor, "by" object or its verb's subject acts on its object."""
    rules = lexicon.coding
    agents = lexicon.actor_dictionary.agents
    qty = rules.words.quantity_words
    actors: list[Phrase | None] = []
    targets: list[Phrase] = []
    poss = [c for c in tok.children if c.dep_ == "poss"]
    by = pobjs(tok, ("by",))
    if poss and trig.category in rules.categories.patient_possessor:
        targets.append(target_phrase(poss[0], index))  # "Navalny's release"
        poss = []
    human = rules.words.human_nouns
    source = [
        g
        for g in pobjs(tok, ("from",))
        if trig.quad_class.startswith("verbal") and _party_noun(g, index, human)
    ]
    if poss:
        actors.append(actor_phrase(poss[0], index, qty))
    elif by:
        actors.append(actor_phrase(by[0], index, qty))
    elif source:  # "calls from several member states", "a request from the African Union"
        actors.append(actor_phrase(source[0], index, qty))
    else:
        verb = tok.head
        while verb.head != verb and not is_verb(verb) and verb.dep_ in ("conj", "compound", "dobj"):
            verb = verb.head
        if (
            is_verb(verb)
            and tok.dep_ in ("dobj", "conj", "attr")
            and verb.lemma_.lower() not in rules.words.reaction_verbs
        ):
            subs, passive = _subjects(verb, rules)
            if not passive:
                actors.extend(actor_phrase(s, index, qty) for sub in subs for s in conjuncts(sub))
    asked = frozenset({"for"}) if trig.category == "DEMAND" else frozenset()
    force = trig.category in rules.categories.force or trig.category == "COERCE"
    complement = _noun_complement(
        tok,
        index,
        rules.roles.noun_target_preps,
        asked,
        human,
        rules.words.instrument_preps if force else frozenset(),
        agents,
    )
    if complement is not None:
        targets.append(complement)
    if not targets and poss and by:
        targets.append(phrase(poss[0], index))
    return actors, targets


def _object_targets(
    tok: Token,
    index: Mentions,
    used: frozenset[str],
    lexicon: EventLexicon,
    exclude: Sequence[tuple[int, int]] = (),
) -> list[Phrase]:
    """Targets among a verb's objects; an object that is part of the trigger ("slap sanctions
    on the Kremlin") gives its own complement, or the place it hits ("imposed a curfew in the
    town of Cizre")."""
    r = lexicon.coding.roles
    for o in objects(tok, r.target_preps):
        if any(a <= o.idx < b for a, b in exclude):
            continue
        if o.lemma_.lower() in used or o.lower_ in used or noun_trigger(o, lexicon) is not None:
            inner = pobjs(o, r.noun_target_preps)
            if inner:
                return [target_phrase(inner[0], index)]
            where = place(tok, index)
            if where is not None and where.label in PLACE_LABELS:
                return [where]
        elif o.pos_ in ("PROPN", "NOUN", "PRON", "NUM") and not _topic(o, lexicon):
            if _cause(o, _modifiers(o), lexicon):
                continue
            return [target_phrase(o, index)]
    return []


def _topic(obj: Token, lexicon: EventLexicon) -> bool:
    """A mere thing under "on/about/over" is what an event is about, not a party to it
    ("ministers would consult on other proposals"): no target."""
    words = lexicon.coding.words
    return (
        obj.dep_ == "pobj"
        and (obj.head.lower_ in words.topic_preps or obj.head.lower_ == "for")
        and is_thing(obj, words.human_nouns)
    )


def _purpose_of_head(tok: Token, subs: Sequence[Token], lexicon: EventLexicon) -> bool:
    """An infinitive whose parsed subject is a mere thing: a purpose clause of its head."""
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    return (
        infinitive
        and tok.head != tok
        and is_verb(tok.head)
        and bool(subs)
        and not any(is_patient(s, lexicon) for s in subs)
    )


def _clause_top(tok: Token) -> Token:
    """The first of a run of conjoined verbs ("donated and delivered": "donated")."""
    cur = tok
    while cur.dep_ == "conj" and is_verb(cur.head):
        cur = cur.head
    return cur


def _active(verb: Token) -> bool:
    """Whether a verb (or one conjoined to it) takes an object, as only the active voice does."""
    verbs = [verb, *(c for c in verb.children if c.dep_ == "conj" and is_verb(c))]
    return not any(c.dep_ in ("auxpass", "agent") for c in verb.children) and any(
        c.dep_ in ("dobj", "dative", "oprd") for v in verbs for c in v.children
    )


def _clause_subjects(tok: Token, rules: EventRules) -> tuple[list[Token], bool]:
    """`syntax.subjects`, and three parses it misreads:
    - a verb with an object parsed as a noun's modifier in a sentence with no verb as its root
      ("Doctors from two aid groups donated and delivered $50,000 worth of goods", "An official
      Syrian newspaper called Thursday on Arabs to unite"): the root noun is its subject (a
      reduced relative, "journalists arrested in Minsk", is passive and takes no object);
    - an "in" light verb in the passive form ("Serb forces were engaged in ethnic cleansing"):
      its subject acts;
    - a gerund under a preposition of a verb without an object ("youths resorted to throwing
      stones"): the verb's subject acts."""
    top = _clause_top(tok)
    root = top
    while root.head != root:
        root = root.head
    if top.dep_ == "acl" and root.pos_ in ("NOUN", "PROPN") and _active(top):
        return [root], False
    subs, passive = _subjects(tok, rules)
    if (
        passive
        and tok.lemma_.lower() in rules.words.in_light_verbs
        and agent(tok) is None
        and pobjs(tok, ("in",))
    ):
        return subs, False
    if not subs and tok.dep_ == "pcomp" and tok.tag_ == "VBG" and tok.head.dep_ == "prep":
        verb = tok.head.head
        if is_verb(verb) and not any(c.dep_ in OBJ for c in verb.children):
            return _subjects(verb, rules)
    return subs, passive


def _requester(verb: Token, request_nouns: frozenset[str]) -> Token | None:
    """Whose request a verb answers: the possessor of a request noun it takes as object (or as
    its object's "of" object): "met many of the government's demands", "rejected the union's
    offer" (the government, the union)."""
    for obj in (c for c in verb.children if c.dep_ in OBJ):
        for noun in [obj, *pobjs(obj, ("of",))]:
            if noun.lemma_.lower() in request_nouns:
                poss = [c for c in noun.children if c.dep_ == "poss"]
                if poss:
                    return poss[0]
    return None


def _asked_for(pobj: Token, lexicon: EventLexicon) -> bool:
    """A demand verb's "for" object that is a thing or an act, not a person or group ("called
    for X's release", "called for the immediate release of X", "urged for calm"): what is asked
    for. The one asked is its addressee ("called on the army to ..."), or nobody named; a person
    in the thing asked for ("of X", "X's") is its subject, no target of the demand."""
    words = lexicon.coding.words
    return (
        pobj.head.lower_ == "for"
        and pobj.head.head.lemma_.lower() in words.demand_verbs
        and pobj.pos_ == "NOUN"
        and not pobj.ent_type_
        and pobj.lemma_.lower() not in words.human_nouns
        and pobj.lower_ not in words.human_nouns
        and pobj.lemma_.lower() not in lexicon.actor_dictionary.agents
    )


def _medium(pobj: Token, words: Words) -> bool:
    """A medium or platform a statement is made on, in or through ("called on Twitter for
    ...", "said on state television"): where it was said, not to whom."""
    return pobj.head.lower_ in words.medium_preps and (
        pobj.lower_ in words.medium_nouns or pobj.lemma_.lower() in words.medium_nouns
    )


def _not_parties(verb: Token, trig: Trigger, lexicon: EventLexicon) -> list[tuple[int, int]]:
    """Character spans under `verb` that hold no target: what a demand asks for, and, for a
    verbal event, the medium it was stated on (`_asked_for`, `_medium`)."""
    words = lexicon.coding.words
    verbal = trig.quad_class.startswith("verbal")
    out = []
    for prep in verb.children:
        if prep.dep_ != "prep":
            continue
        for pobj in prep.children:
            if pobj.dep_ == "pobj" and (
                _asked_for(pobj, lexicon) or (verbal and _medium(pobj, words))
            ):
                out.append((pobj.left_edge.idx, pobj.right_edge.idx + len(pobj.right_edge)))
    return out


def _verb_roles(
    tok: Token, trig: Trigger, index: Mentions, used: frozenset[str], lexicon: EventLexicon
) -> tuple[list[Phrase | None], list[Phrase]]:
    """A verb trigger: subjects act (the agent of a passive) on objects, scored."""
    rules = lexicon.coding
    qty = rules.words.quantity_words
    actors: list[Phrase | None] = []
    targets: list[Phrase] = []
    subs, passive = _clause_subjects(tok, rules)
    if _purpose_of_head(tok, subs, lexicon):
        # "rings a bell to signal the start": a thing does not act; the purpose is the
        # main clause subject's
        subs, passive = _subjects(tok.head, rules)
    if trig.passive:
        targets.extend(target_phrase(s, index) for sub in subs for s in conjuncts(sub))
        subs = []
    if passive and tok.dep_ not in ("acl", "relcl"):
        targets.extend(target_phrase(s, index) for sub in subs for s in conjuncts(sub))
        by = agent(tok)
        if by is not None:
            actors.append(actor_phrase(by, index, qty))
    elif passive:
        targets.extend(phrase(s, index) for s in subs)
    else:
        actors.extend(actor_phrase(s, index, qty) for sub in subs for s in conjuncts(sub))
    if tok.lemma_.lower() in rules.words.discussion_verbs and not targets:
        # "discussed sanctions on the Kremlin": the object is the topic; who is consulted is
        # the "with" object ("discussed the crisis with Putin")
        heads = [tok, *(c for c in tok.children if c.dep_ in OBJ)]
        return actors, [target_phrase(p, index) for h in heads for p in pobjs(h, ("with",))]
    if targets:
        return actors, targets
    requester = _requester(tok, rules.words.request_nouns)
    if requester is not None:
        return actors, [target_phrase(requester, index)]
    free = _not_parties(tok, trig, lexicon)
    spans = [(a.start, a.end) for a in actors if a is not None] + free
    kind, scored = scored_targets(tok, index, used, lexicon, spans)
    if kind >= rules.roles.kind_accepted:
        return actors, scored
    return actors, _object_targets(tok, index, used, lexicon, free) or scored


def event_roles(
    tok: Token,
    trig: Trigger,
    source: str,
    sent: Span,
    index: Mentions,
    lexicon: EventLexicon,
    used: frozenset[str] = frozenset(),
) -> Roles:
    """Actors, targets and place of one trigger (`used`: the words its pattern matched)."""
    if source == "noun":
        actors, targets = _noun_roles(tok, trig, index, lexicon)
    else:
        actors, targets = _verb_roles(tok, trig, index, used, lexicon)
    found = tuple(a for a in actors if a is not None) or (None,)
    taken = [(p.start, p.end) for p in [*found, *targets] if p is not None]
    where = place(tok, index, taken)
    if where is None and targets and targets[0].label in PLACE_LABELS:
        where = targets[0]
    doc = tok.doc
    placed: tuple[Phrase | None, ...] = tuple(
        _placed(doc[a.head], a) if a is not None and a.head is not None else a for a in found
    )
    return Roles(placed, tuple(targets), where or sentence_place(sent, index, taken))
