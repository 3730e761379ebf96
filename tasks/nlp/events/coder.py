"""Event coding from the dependency parse: who did what to whom, when, where, and in what mode.

Per sentence: triggers are found (`triggers`), one coded word may decide another's category
(`recode.reinterpret`), and each trigger gets its actors, target and place (`roles`), its date
and mode (`mode`); then the category recodings that need the mode or the actor
(`recode.intent_trigger`, `recode.property_or_order`, `recode.force_category`). What a demand
asks for ("said Sudan must return", "its demand that Israel ease") is not coded as an act: the
demand is the event. An event noun that is the object of a coded verb ("impose sanctions") is
coded once, by the verb. All of it reads the parse spaCy already made; no dateparser or model
calls happen here. The rules version is the lexicon's `meta.version`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tasks.nlp.events import recode
from tasks.nlp.events.lexicon import EventLexicon, Trigger
from tasks.nlp.events.mode import date_for, event_mode
from tasks.nlp.events.actors import ActorCode, ArticleActors
from tasks.nlp.events.domain import POLITICAL, ArticleDomain
from tasks.nlp.events.roles import event_roles
from tasks.nlp.events.rules import ConfidenceRules, EventRules
from tasks.nlp.events.salience import event_depth, mark_main
from tasks.nlp.events.triggers import Found, SentenceTriggers, demanded, sentence_triggers
from tasks.nlp.syntax import (
    ACTOR_LABELS,
    Mentions,
    attributive_participle,
    Phrase,
    doc_sents,
    in_hyphen_adjective,
    repair_verb_lemmas,
)
from tasks.records import Article, DateMention, Event, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def _coded_by_parent(f: Found, found: Sequence[Found]) -> bool:
    """The object of a coded verb ("impose sanctions") is coded once, by the verb, unless it
    codes something else ("calling for ... release")."""
    tok = f.tok
    parent = next((p for p in found if p.tok == tok.head), None) or next(
        (p for p in found if p.tok == tok.head.head), None
    )
    return parent is None or parent.trig.category == f.trig.category


def _attribution(tok: Token) -> bool:
    """A word inside an "according to ..." source ("according to a press release by the
    Tigers", "according to statistics gathered by X"): who says so, not what happened."""
    cur = tok
    for _ in range(20):
        if cur.head == cur:
            return False
        cur = cur.head
        if cur.lower_ == "according":
            return True
    return False


def _to_code(triggers: SentenceTriggers, lexicon: EventLexicon) -> list[Found]:
    found = recode.reinterpret(triggers.found, lexicon, triggers.claimed)
    out = []
    for f in found:
        demand_nouns = lexicon.coding.words.demand_nouns
        if not f.trig.category or demanded(
            f.tok, demand_nouns, lexicon.reporting, frozenset(triggers.stating)
        ):
            continue
        if f.source == "noun" and f.tok.i in triggers.claimed and _coded_by_parent(f, found):
            continue
        if (
            recode.other_sense(f.tok, f.trig, f.source, lexicon)
            or _attribution(f.tok)
            or in_hyphen_adjective(f.tok)
            or attributive_participle(f.tok)
        ):
            continue

        out.append(f)
    return out


def _confidence(
    source: str,
    actor: Phrase | None,
    has_target: bool,
    depth: float,
    happened: bool,
    w: ConfidenceRules,
) -> float:
    """How sure, and how much what the sentence is about: the match and the roles found, times
    `depth` for each unit of the trigger's depth in its sentence (`salience.event_depth`), times
    `irrealis` for an event that did not happen (hypothetical or negated)."""
    conf = w.base(source)
    if actor is not None:
        conf += w.named_actor if actor.entity_id or actor.label in ACTOR_LABELS else w.other_actor
    conf += w.target if has_target else 0.0
    conf = min(conf, w.max) * w.depth**depth * (1.0 if happened else w.irrealis)
    return round(max(w.min, conf), 3)


@dataclass(frozen=True)
class _Article:
    """What every trigger of one article is coded against."""

    article: Article
    index: Mentions
    dates: Sequence[DateMention]
    lexicon: EventLexicon
    published: date | None
    actors: ArticleActors
    domain: ArticleDomain


def _is_coded(
    category: str, actor: ActorCode | None, target: ActorCode | None, r: EventRules
) -> bool:
    """The actor resolves, and for two-party categories the target too."""
    return actor is not None and (category not in r.actors.two_party or target is not None)


def _state_act(tok: Token, trig: Trigger, source: str, place: Phrase | None, r: EventRules) -> bool:
    """An act only a state does (arrest, deport, ...), in the passive with no agent, in a named
    country or city: the state there did it ("a missionary was arrested in Lebanon")."""
    return (
        place is not None
        and place.label == "GPE"
        and source != "noun"
        and trig.category in r.actors.state_acts
        and any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)
    )


def _code(f: Found, si: int, sent: Span, ctx: _Article, used: frozenset[str]) -> list[Event]:
    """The events of one trigger: one per actor."""
    tok, trig, source = f
    lexicon, published = ctx.lexicon, ctx.published
    rules = lexicon.coding
    roles = event_roles(tok, trig, source, sent, ctx.index, lexicon, used)
    heads = [tok.doc[t.head] for t in roles.targets if t.head is not None]
    thing = source in ("verb", "pattern", "phrase") and recode.acts_on_a_thing(
        tok, trig, lexicon, used, heads
    )
    dm = date_for(tok, ctx.dates, sent, published)
    event_date = dm.value if dm else None
    mode = event_mode(tok, lexicon, event_date, published)
    if source != "noun":
        trig = recode.withdrawn_mission(tok, trig, lexicon)
    trig = recode.intent_trigger(tok, trig, mode, lexicon)
    if source != "noun":
        trig = recode.property_or_order(tok, trig, lexicon)
    if thing and trig.cameo != rules.recode.destroy_property.cameo:
        return []  # a verb of force or release on a mere thing; destroying things is COERCE
    precision = dm.precision if dm else None
    if (
        dm is None
        and published is not None
        and mode in ("asserted", "reported")
        and source != "noun"
    ):
        event_date, precision = published, "day"
    target = roles.targets[0] if roles.targets else None
    target_code = ctx.actors.code(target)
    depth = event_depth(tok, lexicon)
    happened = mode in rules.mode.coded
    place = roles.location
    actors = roles.actors
    if actors == (None,) and _state_act(tok, trig, source, place, rules):
        actors = (place,)  # "was arrested in Lebanon": by the state where it happened
    out = []
    for actor in actors:
        coded: Trigger = recode.force_category(trig, actor, rules)
        actor_code = ctx.actors.code(actor)
        coded = recode.judicial_ruling(tok, coded, actor_code.code if actor_code else None, lexicon)
        domain = ctx.domain.judge(
            si,
            actor_code,
            actor.text if actor else None,
            target_code,
            target.text if target else None,
        )
        out.append(
            Event(
                article_id=ctx.article.id,
                sentence=si,
                trigger=tok.text,
                trigger_start=tok.idx,
                trigger_end=tok.idx + len(tok.text),
                category=coded.category,
                quad_class=coded.quad_class,
                mode=mode,
                confidence=_confidence(
                    source, actor, target is not None, depth, happened, rules.confidence
                ),
                actor=actor.text if actor else None,
                actor_entity=actor.entity_id if actor else None,
                target=target.text if target else None,
                target_entity=target.entity_id if target else None,
                location=place.text if place else None,
                location_entity=place.entity_id if place else None,
                event_date=event_date,
                date_precision=precision,
                date_text=dm.text if dm else None,
                cameo_code=coded.cameo or None,
                actor_code=actor_code.code if actor_code else None,
                actor_country=actor_code.country if actor_code else None,
                target_code=target_code.code if target_code else None,
                target_country=target_code.country if target_code else None,
                coded=domain == POLITICAL
                and happened
                and _is_coded(coded.category, actor_code, target_code, rules),
                domain=domain,
            )
        )
    return out


def extract_events(
    doc: Doc,
    article: Article,
    mentions: Sequence[Mention],
    dates: Sequence[DateMention],
    lexicon: EventLexicon,
) -> list[Event]:
    """Events coded from every sentence of `doc` (a spaCy Doc of `article.text`); each
    sentence's main event (`salience.main_event`) is marked `is_main`."""
    repair_verb_lemmas(doc)
    index = Mentions(doc, mentions)
    published = article.published_at.date() if article.published_at else None
    rules = lexicon.coding
    actors = ArticleActors(
        doc,
        index,
        lexicon.actor_dictionary,
        published,
        rules.actors.dominant_share,
        rules.actors.dominant_min,
    )
    domain = ArticleDomain(doc, rules.domain, lexicon.actor_dictionary)
    ctx = _Article(article, index, dates, lexicon, published, actors, domain)
    events: list[Event] = []
    for si, sent in enumerate(doc_sents(doc)):
        triggers = sentence_triggers(sent, lexicon)
        if not triggers.found:
            continue
        found: list[Event] = []
        for f in _to_code(triggers, lexicon):
            used = triggers.matched.get(f.tok.i, frozenset())
            found.extend(_code(f, si, sent, ctx, used))
        events.extend(mark_main(found))
    return events
