"""Category recodings: when one coded word decides another's category, or the context does.

Per sentence (`reinterpret`): a light verb takes its event noun's category ("held talks",
"speeded up the withdrawal"); a purpose clause decides for a material act ("shunned work to
protest" is PROTEST, "blocked streets to demand" is PROTEST); an act under "willing/ready to" is
AGREE (cooperation) or THREATEN (force); "prepared to resume shelling" is MOBILIZE, "vowed to
fight" THREATEN. Per event, after the mode: an intention the actor itself states ("Hungary said
it will support") is AGREE for cooperation and THREATEN for material conflict, a stated refusal
REJECT (`intent_trigger`); destroying things is COERCE 1712 and a coercive order COERCE 172
(`property_or_order`); generic violence is FIGHT when regular forces act and ASSAULT when
irregular ones do (`force_category`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tasks.nlp.events.lexicon import EventLexicon, Trigger
from tasks.nlp.events.triggers import Found
from tasks.nlp.syntax import OBJ, PRONOUNS, Phrase, pobjs

if TYPE_CHECKING:
    from spacy.tokens import Token

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
COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "AGREE"})
FORCE = frozenset({"FIGHT", "ASSAULT"})
MATERIAL_CONFLICT = frozenset(
    {"PROTEST", "CRIME", "MOBILIZE", "COERCE", "ASSAULT", "FIGHT", "SANCTION"}
)
_COERCIVE = frozenset({"COERCE", "SANCTION", "MOBILIZE"})
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
GATHER_VERBS = frozenset(
    {"gather", "converge", "assemble", "meet", "return", "come", "head", "arrive", "go"}
)
DEMAND_VERBS = frozenset(
    {"call", "urge", "ask", "appeal", "press", "push", "demand", "invite", "petition"}
)
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
_DECLARE_VERBS = frozenset(
    {"announce", "pledge", "promise", "vow", "decide", "plan", "intend", "offer"}
)
_FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})
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


def _by_token(found: Sequence[Found]) -> dict[int, Trigger]:
    return {f.tok.i: f.trig for f in found if f.trig.category}


def _light_object(
    verb: Token, nouns: dict[int, Trigger], coded: dict[int, Trigger]
) -> tuple[Token, Trigger] | None:
    """The event noun a light verb carries: its object, or its "in" object ("engage in"), or
    the participle on its object ("issued a declaration demanding ...")."""
    objs = [c for c in verb.children if c.dep_ in OBJ]
    for c in objs:
        if c.i in nouns:
            return c, nouns[c.i]
    for g in (g for c in objs for g in c.children):
        if g.dep_ == "acl" and g.tag_ == "VBG" and g.i in coded:
            return g, coded[g.i]
    lemma = verb.lemma_.lower()
    prep = "for" if lemma in GATHER_VERBS else "in" if lemma in _IN_LIGHT else None
    if prep is None:
        return None
    return next(((g, nouns[g.i]) for g in pobjs(verb, (prep,)) if g.i in nouns), None)


def _purpose(verb: Token, coded: dict[int, Trigger]) -> Trigger | None:
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


def _carried_by_light_verbs(
    found: list[Found], lexicon: EventLexicon, claimed: set[int]
) -> list[Found]:
    """Light verbs take their event noun's category; an uncoded light verb with an event noun
    as object becomes a trigger with the noun's category."""
    nouns = {f.tok.i: f.trig for f in found if f.source == "noun" and f.trig.category}
    verbs_coded = {f.tok.i for f in found if f.source != "noun"}
    all_coded = _by_token(found)
    out: list[Found] = []
    for tok, trig, source in found:
        lemma = tok.lemma_.lower()
        if source == "verb" and (
            lemma in LIGHT_VERBS or trig.cameo == "040" and lemma in GATHER_VERBS
        ):
            obj = _light_object(tok, nouns, all_coded)
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
        if lemma not in LIGHT_VERBS and lemma not in GATHER_VERBS or lemma in lexicon.reporting:
            continue
        obj = _light_object(verb, nouns, all_coded)
        if obj is not None and obj[0] == tok:
            out.append(Found(verb, obj[1], "light"))
            claimed.add(tok.i)
            verbs_coded.add(verb.i)
    return out


def _by_purpose(tok: Token, trig: Trigger, purpose: Trigger, lexicon: EventLexicon) -> Trigger:
    quad = trig.quad_class
    if tok.lemma_.lower() in DEMAND_VERBS:
        return trig  # "called for Russians to take to the streets": the call is the event
    if purpose.category == "PROTEST" and not quad.startswith("verbal"):
        return purpose
    if purpose.category in ("DEMAND", "DISAPPROVE", "REJECT") and quad.startswith("material"):
        return lexicon.trigger("PROTEST", "140")
    if not quad or (trig.cameo == "040" and purpose.quad_class == "verbal conflict"):
        return purpose  # a generic "summon/meet/converge ... to complain"
    return trig


def _xcomp_category(verb: Token, coded: dict[int, Trigger]) -> str | None:
    """Category of the act an intent or preparation verb governs (two infinitives down)."""
    frontier = [c for c in verb.children if c.dep_ == "xcomp"]
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
    head = tok.head
    if tok.dep_ == "xcomp" and head.pos_ == "ADJ" and head.lemma_.lower() in _INTENT_ADJ:
        if cat in COOPERATIVE:
            trig = lexicon.trigger("AGREE", "030")
        elif cat in FORCE or cat in _COERCIVE:
            trig = lexicon.trigger("THREATEN", "130")
    lemma = tok.lemma_.lower()
    if lemma in _PREPARE_VERBS or lemma in _INTENT_VERBS:
        inner = _xcomp_category(tok, coded)
        if inner in FORCE and lemma in _PREPARE_VERBS:
            trig = lexicon.trigger("MOBILIZE", "150")  # preparing to attack: a show of force
        elif inner in FORCE or inner in _COERCIVE:
            trig = lexicon.trigger("THREATEN", "138")  # vowing to fight is a threat
    return trig


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
    out = _carried_by_light_verbs(found, lexicon, claimed)
    coded = _by_token(out)
    result = []
    for tok, trig, source in out:
        if source != "noun" and trig.category:
            purpose = _purpose(tok, coded)
            cat = trig.category
            if purpose is not None and purpose.category != cat:
                trig = _by_purpose(tok, trig, purpose, lexicon)
            trig = _by_intent(tok, trig, cat, coded, lexicon)
        result.append(Found(tok, trig, source))
    return result


def _declared_by_actor(tok: Token, reporting: frozenset[str]) -> bool:
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
    if subj.lower_ in PRONOUNS or subj.lower_ in ("i", "you"):
        return True
    return bool(speaker) and speaker[0].lemma_.lower() == subj.lemma_.lower()


def intent_trigger(tok: Token, trig: Trigger, mode: str, lexicon: EventLexicon) -> Trigger:
    """CAMEO/PLOVER coding of intentions the actor states (CAMEO 03 "express intent to ...",
    13 "threaten"): a cooperative act it says it will do is AGREE, an act of material conflict
    THREATEN, and cooperation it says it will not give REJECT ("Syria says it will not accept
    refugees"). A plan the reporter states ("Borrell will visit Moscow") keeps its category."""
    cat = trig.category
    if mode not in ("planned", "negated") or not _declared_by_actor(tok, lexicon.reporting):
        return trig
    if mode == "planned":
        if cat in COOPERATIVE and cat != "AGREE" or cat == "INVESTIGATE":
            return lexicon.trigger("AGREE", "030")
        if cat in MATERIAL_CONFLICT:
            return lexicon.trigger("THREATEN", "130")
    elif cat in COOPERATIVE or cat == "INVESTIGATE":
        aux = {c.lower_ for c in tok.children if c.dep_ == "aux"}
        if aux & _FUTURE_AUX and any(c.dep_ == "neg" for c in tok.children):
            return lexicon.trigger("REJECT", "120")
    return trig


def is_thing(tok: Token) -> bool:
    """A common noun for an object: no person, group, named entity or place."""
    if tok.pos_ != "NOUN" or tok.ent_type_:
        return False
    if tok.lemma_.lower() in HUMAN_NOUNS or tok.lower_ in HUMAN_NOUNS:
        return False
    return not any(
        c.ent_type_ in ("GPE", "LOC", "FAC", "NORP", "ORG", "PERSON")
        for c in tok.children
        if c.dep_ in ("compound", "amod", "poss")
    )


def property_or_order(tok: Token, trig: Trigger, lexicon: EventLexicon) -> Trigger:
    """Destroying things and coercive orders are COERCE (CAMEO 1712 and 172)."""
    lemma = tok.lemma_.lower()
    if lemma in _DESTROY_VERBS and trig.category in FORCE:
        objs = [c for c in tok.children if c.dep_ in OBJ]
        if objs and all(is_thing(o) for o in objs):
            return lexicon.trigger("COERCE", "1712")
    if lemma in _ORDER_VERBS and trig.category in ("DEMAND", "COERCE", "SANCTION", ""):
        for c in tok.children:
            if c.dep_ in ("xcomp", "ccomp") and c.lemma_.lower() in _RESTRICT_VERBS:
                return lexicon.trigger("COERCE", "172")
    return trig


def force_category(trig: Trigger, actor: Phrase | None) -> Trigger:
    """FIGHT for conventional forces, ASSAULT for irregular ones, on generic violence triggers."""
    if (
        trig.category not in FORCE
        or actor is None
        or trig.cameo in _SPECIFIC_FORCE_CODES
        or trig.cameo.startswith(("183", "20"))
    ):
        return trig
    words = {w.strip(".,'").lower() for w in actor.text.replace("-", " ").split()}
    if words & IRREGULAR_ACTOR_WORDS and not words & (MILITARY_ACTOR_WORDS - {"force", "forces"}):
        return Trigger("ASSAULT", trig.quad_class, trig.cameo, trig.passive)
    if words & MILITARY_ACTOR_WORDS:
        return Trigger("FIGHT", trig.quad_class, trig.cameo, trig.passive)
    return trig
