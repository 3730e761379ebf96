"""Category recodings: when one coded word decides another's category, or the context does.

Per sentence (`reinterpret`): a light verb takes its event noun's category ("held talks",
"speeded up the withdrawal"); a purpose clause decides for a material act ("shunned work to
protest" is PROTEST, "blocked streets to demand" is PROTEST); an act under "willing/ready to" is
AGREE (cooperation) or THREATEN (force); "prepared to resume shelling" is MOBILIZE, "vowed to
fight" THREATEN. Per event, after the mode: an intention the actor itself states ("Hungary said
it will support") is AGREE for cooperation and THREATEN for material conflict, a stated refusal
REJECT (`intent_trigger`); destroying things is COERCE 1712 and a coercive order COERCE 172
(`property_or_order`); generic violence is FIGHT when regular forces act and ASSAULT when
irregular ones do (`force_category`); a court's ruling is a legal finding (`judicial_ruling`).
A verb whose complement changes its sense codes nothing (`other_sense`): "meet demands" is no
meeting, "signal the start" no intent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tasks.nlp.events.lexicon import EventLexicon, Trigger
from tasks.nlp.events.rules import EventRules, Words
from tasks.nlp.events.mode import mode_chain
from tasks.nlp.events.triggers import Found, noun_trigger
from tasks.nlp.syntax import OBJ, PRONOUNS, Phrase, pobjs

if TYPE_CHECKING:
    from spacy.tokens import Token

_FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})


def _by_token(found: Sequence[Found]) -> dict[int, Trigger]:
    return {f.tok.i: f.trig for f in found if f.trig.category}


def _light_object(
    verb: Token, nouns: dict[int, Trigger], coded: dict[int, Trigger], words: Words
) -> tuple[Token, Trigger] | None:
    """The event noun a light verb carries: its object, or its "in" object ("engage in"), or
    the participle on its object ("issued a declaration demanding ..."); a gathering verb
    carries only its "for" object ("converged for a rally"): "met the demands" is no demand."""
    lemma = verb.lemma_.lower()
    light = lemma in words.light_verbs
    objs = [c for c in verb.children if c.dep_ in OBJ] if light else []
    for c in objs:
        if c.i in nouns:
            return c, nouns[c.i]
    for g in (g for c in objs for g in c.children):
        if g.dep_ == "acl" and g.tag_ == "VBG" and g.i in coded:
            return g, coded[g.i]
    prep = "for" if lemma in words.gather_verbs else "in" if lemma in words.in_light_verbs else None
    if prep is None:
        return None
    return next(((g, nouns[g.i]) for g in pobjs(verb, (prep,)) if g.i in nouns), None)


def _purpose(verb: Token, coded: dict[int, Trigger], meeting: bool = False) -> Trigger | None:
    """The coded event of a purpose clause: "to protest ...", "in protest of ...", "in order to";
    for a generic meeting verb (`meeting`) also an infinitive after its object, which the parse
    may attach as a complement ("summoned the ambassador to complain")."""
    objected = meeting and any(c.dep_ in OBJ for c in verb.children)
    for c in verb.children:
        if (
            (c.dep_ == "advcl" or objected and c.dep_ == "xcomp")
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


def _carried_by_light_verbs(
    found: list[Found], lexicon: EventLexicon, claimed: set[int]
) -> list[Found]:
    """Light verbs take their event noun's category; an uncoded light verb with an event noun
    as object becomes a trigger with the noun's category."""
    words = lexicon.coding.words
    nouns = {f.tok.i: f.trig for f in found if f.source == "noun" and f.trig.category}
    verbs_coded = {f.tok.i for f in found if f.source != "noun"}
    all_coded = _by_token(found)
    out: list[Found] = []
    for tok, trig, source in found:
        lemma = tok.lemma_.lower()
        if source == "verb" and (
            lemma in words.light_verbs or trig.cameo == "040" and lemma in words.gather_verbs
        ):
            obj = _light_object(tok, nouns, all_coded, words)
            if obj is not None:
                trig, source = obj[1], "light"
                claimed.add(obj[0].i)
        out.append(Found(tok, trig, source))
    for f in found:
        tok = f.tok
        verb = (
            tok.head if tok.dep_ in OBJ else tok.head.head if tok.dep_ in ("pobj", "acl") else None
        )
        if verb is None or verb.i in verbs_coded or verb.pos_ != "VERB":
            continue
        lemma = verb.lemma_.lower()
        light = lemma in words.light_verbs or lemma in words.gather_verbs
        if not light or lemma in lexicon.reporting:
            continue
        obj = _light_object(verb, nouns, all_coded, words)
        if obj is not None and obj[0] == tok:
            out.append(Found(verb, obj[1], "light"))
            claimed.add(tok.i)
            verbs_coded.add(verb.i)
    return out


def _by_purpose(tok: Token, trig: Trigger, purpose: Trigger, lexicon: EventLexicon) -> Trigger:
    quad = trig.quad_class
    if tok.lemma_.lower() in lexicon.coding.words.demand_verbs:
        return trig  # "called for Russians to take to the streets": the call is the event
    if purpose.category == "PROTEST" and not quad.startswith("verbal"):
        return purpose
    if purpose.category in ("DEMAND", "DISAPPROVE", "REJECT") and quad.startswith("material"):
        return lexicon.recoded(lexicon.coding.recode.act_to_demand)
    if not quad or (trig.cameo == "040" and purpose.quad_class == "verbal conflict"):
        return purpose  # a generic "summon/meet/converge ... to complain"
    return trig


def _xcomp_category(verb: Token, coded: dict[int, Trigger]) -> str | None:
    """Category of the act an intent or preparation verb governs (two infinitives down); an
    infinitive the parse attaches as an adverbial clause counts too ("have sworn to fight")."""
    frontier = [
        c
        for c in verb.children
        if c.dep_ == "xcomp"
        or c.dep_ == "advcl"
        and c.tag_ == "VB"
        and any(k.dep_ == "aux" and k.lower_ == "to" for k in c.children)
    ]
    for _ in range(2):
        nxt: list[Token] = []
        for c in frontier:
            if c.i in coded:
                return coded[c.i].category
            nxt.extend(g for g in c.children if g.dep_ in ("xcomp", "dobj"))
        frontier = nxt
    return None


def _by_intent(
    tok: Token, trig: Trigger, cat: str, coded: dict[int, Trigger], lexicon: EventLexicon
) -> Trigger:
    """An act under "willing/ready to", or governed by "prepare/vow to" (`cat`: its own
    category before any purpose recoding)."""
    rules = lexicon.coding
    groups, words, recode = rules.categories, rules.words, rules.recode
    head = tok.head
    if (
        tok.dep_ == "xcomp"
        and head.pos_ == "ADJ"
        and head.lemma_.lower() in words.intent_adjectives
    ):
        if cat in groups.cooperative:
            trig = lexicon.recoded(recode.intent_to_cooperate)
        elif cat in groups.force or cat in groups.coercive:
            trig = lexicon.recoded(recode.intent_to_force)
    lemma = tok.lemma_.lower()
    if lemma in words.prepare_verbs or lemma in words.intent_verbs:
        inner = _xcomp_category(tok, coded)
        if inner in groups.force and lemma in words.prepare_verbs:
            trig = lexicon.recoded(recode.preparing_force)  # preparing to attack
        elif inner in groups.force or inner in groups.coercive:
            trig = lexicon.recoded(recode.vowing_force)  # vowing to fight is a threat
    return trig


def _refused(tok: Token, trig: Trigger, lexicon: EventLexicon) -> Trigger:
    """A generic disapproval of a request, proposal or offer refuses it ("dismissed an appeal",
    "rebuffed the offer"): CAMEO 12, REJECT."""
    rules = lexicon.coding
    if trig.cameo == "110" and any(
        c.dep_ in OBJ and c.lemma_.lower() in rules.words.request_nouns for c in tok.children
    ):
        return lexicon.recoded(rules.recode.refused_request)
    return trig


def _met_requests(verb: Token, lexicon: EventLexicon) -> list[Token]:
    """The requests a meeting verb satisfies ("met many of the government's demands"): its
    objects, or their "of" objects, that are nouns of request."""
    words = lexicon.coding.words
    objs = [c for c in verb.children if c.dep_ in OBJ]
    heads = [o for obj in objs for o in [obj, *pobjs(obj, ("of",))]]
    return [o for o in heads if o.lemma_.lower() in words.request_nouns]


def _acceded(found: list[Found], lexicon: EventLexicon, claimed: set[int]) -> list[Found]:
    """Meeting a demand accedes to it (CAMEO 08 "yield": accede to demands), coded once by the
    verb ("they have met many of the government's demands": CONCEDE, not the government's
    DEMAND)."""
    rules = lexicon.coding
    out = []
    for tok, trig, source in found:
        if source == "verb" and tok.lemma_.lower() in rules.words.meeting_verbs:
            requests = _met_requests(tok, lexicon)
            if requests:
                trig = lexicon.recoded(rules.recode.accede_to_demand)
                claimed.update(r.i for r in requests)
        out.append(Found(tok, trig, source))
    return out


def reinterpret(found: list[Found], lexicon: EventLexicon, claimed: set[int]) -> list[Found]:
    """Sentence-level rules that let one coded word decide another's category.

    - light verbs: "hold talks", "launch an attack", "stage a strike" take the noun's category
      (verb-only codes are replaced, patterns and phrases kept);
    - purpose clauses: "shunned work to protest" is a PROTEST; a material act done to demand,
      criticise or reject is a PROTEST too ("blocked streets to demand reforms"); a verbal or
      uncoded act takes its purpose's category ("summoned the ambassador to complain");
    - intent: an act under "willing/ready/prepared to" is an intent to cooperate (AGREE) or a
      threat (THREATEN); "prepared to resume shelling" (the verb) is a show of force (MOBILIZE).
    """
    out = _acceded(_carried_by_light_verbs(found, lexicon, claimed), lexicon, claimed)
    coded = _by_token(out)
    result = []
    for tok, trig, source in out:
        if source != "noun" and trig.category:
            purpose = _purpose(tok, coded, trig.cameo == "040")
            cat = trig.category
            if purpose is not None and purpose.category != cat:
                trig = _by_purpose(tok, trig, purpose, lexicon)
            trig = _by_intent(tok, trig, cat, coded, lexicon)
            trig = _refused(tok, trig, lexicon)
        result.append(Found(tok, trig, source))
    return result


def _declared_by_actor(tok: Token, reporting: frozenset[str], declare: frozenset[str]) -> bool:
    """Whether the actor itself states the act as its intention: "Hungary has said it will
    support", "Annan announced that he will withdraw", not a plan the reporter states."""
    head = tok.head
    if head == tok or tok.dep_ not in ("ccomp", "xcomp") or head.pos_ != "VERB":
        return False
    if head.lemma_.lower() not in reporting and head.lemma_.lower() not in declare:
        return False
    own = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not own:
        return tok.dep_ == "xcomp"
    speaker = [c for c in head.children if c.dep_ == "nsubj"]
    subj = own[0]
    if subj.lower_ in PRONOUNS or subj.lower_ in ("i", "you"):
        return True
    return bool(speaker) and speaker[0].lemma_.lower() == subj.lemma_.lower()


def _intended(tok: Token, lexicon: EventLexicon) -> bool:
    """A verb planned by its own actor ("Finland will give"), not one a demand asks for ("called
    for his release", "wanted the firms to surrender") nor a passive one ("the plans would be
    paid for by taxpayers": the agent states no intention)."""
    if tok.pos_ != "VERB" or any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
        return False
    demand = lexicon.coding.words.demand_verbs
    own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
    if own_subject and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
        return False  # "wanted the firms to surrender": asked of another actor
    chain = mode_chain(tok, lexicon.reporting)
    for prev, c in zip(chain, chain[1:]):
        if c.lemma_.lower() in demand:
            return False
        if prev.dep_ == "xcomp" and any(k.dep_ in OBJ for k in c.children):
            return False  # the object of the governing verb is asked to act
    return True


def intent_trigger(tok: Token, trig: Trigger, mode: str, lexicon: EventLexicon) -> Trigger:
    """CAMEO/PLOVER coding of intentions the actor states (CAMEO 03 "express intent to ...",
    13 "threaten"): a cooperative act it says it will do is AGREE, an act of material conflict
    THREATEN, and cooperation it says it will not give REJECT ("Syria says it will not accept
    refugees"). A plan the reporter states ("Borrell will visit Moscow") keeps its category."""
    rules = lexicon.coding
    groups = rules.categories
    cat = trig.category
    if mode == "planned" and cat in groups.material_cooperation and _intended(tok, lexicon):
        return lexicon.recoded(rules.recode.intent_to_cooperate)  # "will give a grant"
    if mode not in ("planned", "negated") or not _declared_by_actor(
        tok, lexicon.reporting, rules.words.declare_verbs
    ):
        return trig
    cooperative = cat in groups.cooperative or cat == "INVESTIGATE"
    if mode == "planned":
        if cooperative and cat != "AGREE":
            return lexicon.recoded(rules.recode.intent_to_cooperate)
        if cat in groups.material_conflict:
            return lexicon.recoded(rules.recode.intent_to_force)
    elif cooperative:
        aux = {c.lower_ for c in tok.children if c.dep_ == "aux"}
        if aux & _FUTURE_AUX and any(c.dep_ == "neg" for c in tok.children):
            return lexicon.recoded(rules.recode.stated_refusal)
    return trig


def is_thing(tok: Token, human_nouns: frozenset[str]) -> bool:
    """A common noun for an object: no person, group, named entity or place."""
    if tok.pos_ != "NOUN" or tok.ent_type_:
        return False
    if tok.lemma_.lower() in human_nouns or tok.lower_ in human_nouns:
        return False
    return not any(
        c.ent_type_ in ("GPE", "LOC", "FAC", "NORP", "ORG", "PERSON")
        for c in tok.children
        if c.dep_ in ("compound", "amod", "poss")
    )


def _patient_word(tok: Token, lexicon: EventLexicon) -> bool:
    words = lexicon.coding.words
    if not is_thing(tok, words.human_nouns):
        return True
    forms = {tok.lower_, tok.lemma_.lower()}
    return bool(forms & words.force_target_nouns) or any(
        f in lexicon.actor_dictionary.agents for f in forms
    )


def is_patient(obj: Token, lexicon: EventLexicon) -> bool:
    """Whether an object can undergo force or be released: a person, group or place (by its
    entity, the role words of the rules and the agent dictionary, or the places and materiel of
    the rules), a number or a pronoun, on its head, its modifiers ("the deputy chief") or its
    "of" complement ("scores of refugees", "a mission of observers"); not a mere thing ("a
    bell", "a report", "the ball")."""
    near = [obj] + [
        c
        for c in obj.children
        if c.dep_ in ("compound", "amod", "nmod", "poss") and c.pos_ in ("NOUN", "PROPN")
    ]
    near += pobjs(obj, ("of",))
    return any(_patient_word(t, lexicon) for t in near)


def acts_on_a_thing(
    tok: Token, trig: Trigger, lexicon: EventLexicon, used: frozenset[str], targets: Sequence[Token]
) -> bool:
    """A verb of force or release whose objects (else its targets: a passive subject, ...) are
    all mere things ("rang a bell", "hung up their spikes", "released a security bulletin", "its
    first version was released"): no event of that category."""
    if trig.category not in lexicon.coding.categories.needs_patient:
        return False
    objs = [
        c
        for c in tok.children
        if c.dep_ in OBJ
        and c.lower_ not in used
        and c.lemma_.lower() not in used
        and noun_trigger(c, lexicon) is None
    ]
    objs = objs or [t for t in targets if t.lower_ not in used and noun_trigger(t, lexicon) is None]
    return bool(objs) and not any(is_patient(o, lexicon) for o in objs)


def property_or_order(tok: Token, trig: Trigger, lexicon: EventLexicon) -> Trigger:
    """Destroying things and coercive orders are COERCE (CAMEO 1712 and 172)."""
    rules = lexicon.coding
    words = rules.words
    lemma = tok.lemma_.lower()
    if lemma in words.destroy_verbs and trig.category in rules.categories.force:
        objs = [c for c in tok.children if c.dep_ in OBJ]
        if objs and all(is_thing(o, words.human_nouns) for o in objs):
            return lexicon.recoded(rules.recode.destroy_property)
    if lemma in words.order_verbs and trig.category in ("DEMAND", "COERCE", "SANCTION", ""):
        for c in tok.children:
            if c.dep_ in ("xcomp", "ccomp") and c.lemma_.lower() in words.restrict_verbs:
                return lexicon.recoded(rules.recode.coercive_order)
    return trig


def withdrawn_mission(tok: Token, trig: Trigger, lexicon: EventLexicon) -> Trigger:
    """Withdrawing a mission's people (inspectors, observers, peacekeepers, aid workers,
    diplomats: `mission_nouns`) reduces relations, CAMEO 166 "expel or withdraw" (SANCTION),
    not a military de-escalation (087, RETREAT: "withdrew its troops"). Announced for the
    future, it is then a threat ("announced that he will withdraw the inspectors")."""
    rules = lexicon.coding
    if not trig.cameo.startswith("087"):
        return trig
    objs = [o for c in tok.children if c.dep_ in OBJ for o in _with_conjuncts(c)]
    mission = rules.words.mission_nouns
    if any(o.lemma_.lower() in mission or o.lower_ in mission for o in objs):
        return lexicon.recoded(rules.recode.withdraw_mission)
    return trig


def _with_conjuncts(tok: Token) -> list[Token]:
    return [tok, *(c for c in tok.children if c.dep_ == "conj")]


def force_category(trig: Trigger, actor: Phrase | None, rules: EventRules) -> Trigger:
    """FIGHT for conventional forces, ASSAULT for irregular ones, on generic violence triggers."""
    w = rules.words
    if (
        trig.category not in rules.categories.force
        or actor is None
        or trig.cameo in w.specific_force_codes
        or trig.cameo.startswith(w.specific_force_prefixes)
    ):
        return trig
    words = {x.strip(".,'").lower() for x in actor.text.replace("-", " ").split()}
    regular = words & w.military_actor_words
    if words & w.irregular_actor_words and not regular - w.generic_force_words:
        return Trigger("ASSAULT", trig.quad_class, trig.cameo, trig.passive)
    if regular:
        return Trigger("FIGHT", trig.quad_class, trig.cameo, trig.passive)
    return trig


def _own_clause(verb: Token, clause: Token) -> bool:
    """Whether a that-clause is about the verb's own subject: "signalled that it would
    withdraw" (a pronoun or the same word), not "it means paid leave would be increased"."""
    own = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
    subj = [c for c in verb.children if c.dep_ == "nsubj"]
    if not own:
        return False
    if own[0].lower_ in PRONOUNS:
        return True
    return bool(subj) and subj[0].lemma_.lower() == own[0].lemma_.lower()


def _signifies(verb: Token, lexicon: EventLexicon) -> bool:
    """A verb of meaning used to signify, not to state an intent: no infinitive ("meant to
    cooperate", "signalled to"), no event noun as object ("signalled a truce"), no clause
    about its own subject ("signalled that it would withdraw")."""
    for c in verb.children:
        if c.dep_ == "xcomp" and any(k.dep_ == "aux" and k.lower_ == "to" for k in c.children):
            return False
        if c.dep_ in OBJ and noun_trigger(c, lexicon) is not None:
            return False
        if c.dep_ == "ccomp" and _own_clause(verb, c):
            return False
    return True


def _met_things(verb: Token, lexicon: EventLexicon) -> bool:
    """A meeting verb whose objects are all things, not who or where is met, nor a meeting
    ("met the demands", "meet targets"; not "met the minister", "met Putin", "hosted talks").
    A quantity is judged by its "of" object ("met many of the demands")."""
    objs = [c for c in verb.children if c.dep_ in OBJ]
    if not objs:
        return False
    for obj in objs:
        heads = pobjs(obj, ("of",)) if obj.pos_ != "NOUN" and obj.ent_type_ == "" else []
        for o in heads or [obj]:
            event = noun_trigger(o, lexicon)
            if event is not None and event.category == "CONSULT":
                return False
            if event is None and is_patient(o, lexicon):
                return False
    return True


def _infinitive_complement(verb: Token) -> bool:
    return any(
        c.dep_ == "xcomp" and any(k.dep_ == "aux" and k.lower_ == "to" for k in c.children)
        for c in verb.children
    )


def other_sense(tok: Token, trig: Trigger, source: str, lexicon: EventLexicon) -> bool:
    """Whether a verb coded by its lemma alone is used in another sense that codes nothing: a
    verb of meaning that signifies ("the bell signals the start", "it would mean paid leave is
    increased"), a meeting verb whose object is a thing ("met the government's demands"), the
    future "going to" ("we are going to extend"), a warning that predicts harm (`_predicts`),
    a verb of trying or succeeding with an infinitive ("managed to reach", `try_verbs`)."""
    lemma = tok.lemma_.lower()
    if lemma == "go" and tok.tag_ == "VBG" and _infinitive_complement(tok):
        return True  # "we are going to extend the pay": the future, not a movement
    if source != "verb" or tok.pos_ != "VERB":
        return False
    words = lexicon.coding.words
    if lemma in words.signify_verbs:
        return _signifies(tok, lexicon)
    if lemma in words.meeting_verbs and trig.category == "CONSULT":
        return _met_things(tok, lexicon)
    if trig.category == "THREATEN":
        return _predicts(tok, lexicon)
    if lemma in words.try_verbs and not any(c.dep_ in OBJ for c in tok.children):
        # "managed to make it to Athens", "firms struggling to cope": the infinitive is the act
        return _infinitive_complement(tok)
    return False


def _predicts(verb: Token, lexicon: EventLexicon) -> bool:
    """A warning that foretells harm nobody in it threatens to do: its clause's doer is a mere
    thing ("warned that the reform will ruin farmers", "warned that shops could be hurt by the
    tax"), or it is a passive with a modal of possibility and no agent ("warned that hundreds
    of jobs could be lost"). A threat is an actor's own act ("warned it would retaliate"), or
    addressed to someone ("warned Moscow that ..."); a prediction is no event."""
    if any(c.dep_ in ("dobj", "dative") for c in verb.children):
        return False
    human = lexicon.coding.words.human_nouns
    for clause in (c for c in verb.children if c.dep_ == "ccomp"):
        kids = list(clause.children)
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in kids)
        if passive:  # the participle may be parsed as an adjective ('be "crippled" by')
            by = [
                g
                for c in kids
                if c.dep_ in ("agent", "prep") and c.lower_ == "by"
                for g in c.children
                if g.dep_ == "pobj"
            ]
            if by:
                return is_thing(by[0], human)
            return any(c.dep_ == "aux" and c.lower_ in lexicon.hypothetical for c in kids)
        subs = [c for c in kids if c.dep_ == "nsubj"]
        return bool(subs) and is_thing(subs[0], human)
    return False


def _judicial(code: str) -> bool:
    return any(code[i : i + 3] == "JUD" for i in range(0, len(code), 3))


def judicial_ruling(tok: Token, trig: Trigger, actor: str | None, lexicon: EventLexicon) -> Trigger:
    """A court or judge ruling that ... (`ruling_verbs` with a that-clause, an actor coded JUD)
    is a legal finding (CAMEO 116, "find guilty or liable", DISAPPROVE in PLOVER), not the
    verb's other senses ("rule" a country, "decide" to withdraw)."""
    rules = lexicon.coding
    if (
        actor is None
        or not _judicial(actor)
        or tok.lemma_.lower() not in rules.words.ruling_verbs
        or not any(c.dep_ == "ccomp" for c in tok.children)
    ):
        return trig
    return lexicon.recoded(rules.recode.judicial_ruling)
