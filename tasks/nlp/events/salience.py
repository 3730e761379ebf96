"""Which event a sentence is about: the depth of a trigger and the main event.

`event_depth` counts the dependency arcs from a trigger up to its sentence's root: reporting
verbs are transparent ("X said Y will do Z"), background clauses ("after ...", relative
clauses) cost more, nouns cost more unless a reporting or light verb carries them.
The coder lowers an event's confidence by its depth, so that `main_event`, the highest-confidence
event, is the most central one unless another is much better coded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from tasks.nlp.events.lexicon import EventLexicon
from tasks.nlp.events.rules import SalienceRules
from tasks.nlp.syntax import OBJ
from tasks.records import Event

if TYPE_CHECKING:
    from spacy.tokens import Token


def _step(cur: Token, reporting: frozenset[str], w: SalienceRules) -> float:
    """The cost of the arc from `cur` up to its head."""
    head, dep = cur.head, cur.dep_
    if head.lemma_.lower() in reporting and dep in ("ccomp", "dobj", "parataxis", "xcomp"):
        return w.reported
    if dep in ("relcl", "acl", "appos", "csubj") or (
        dep == "advcl"
        and (
            any(k.dep_ == "mark" and k.lower_ in w.subordinate_marks for k in cur.children)
            or cur.tag_ == "VBG"
            and cur.lemma_.lower() in reporting  # "staged rallies, saying he must resign"
        )
    ):
        return w.background_clause
    if dep == "pobj" and head.lower_ in w.background_preps:
        return w.background_prep
    if dep in ("pcomp", "advcl"):
        return w.subordinate
    return w.step


def event_depth(tok: Token, lexicon: EventLexicon) -> float:
    """How far a trigger is from being what its sentence is about (lower = more central).

    One step per dependency arc up to the root, except that a reporting verb's complement or
    object costs nothing ("X said Y will do Z"); background clauses cost more: adverbial
    clauses opened by "after/when/because/if ...", relative clauses and noun modifiers, and
    phrases under "after/despite/amid/during ..."; a noun trigger costs 1.5 more unless it is
    what a reporting or light verb carries ("announced a suspension", "held talks").
    """
    rules = lexicon.coding
    w, reporting = rules.salience, lexicon.reporting
    d = 0.0
    if tok.pos_ != "VERB":
        head = tok.head.lemma_.lower()
        carried = tok.dep_ in OBJ and (head in reporting or head in rules.words.light_verbs)
        d += w.carried_noun if carried else w.noun
    cur = tok
    for _ in range(20):
        if cur.head == cur:
            break
        d += _step(cur, reporting, w)
        cur = cur.head
    return d


def main_event(events: Sequence[Event]) -> Event | None:
    """The event a sentence (or a one-sentence record) is about: its highest-confidence event
    (confidence ranks events by how central the trigger is, `event_depth`, and by how fully the
    event is coded), the earliest on a tie."""
    if not events:
        return None
    return min(events, key=lambda e: (-e.confidence, e.sentence, e.trigger_start))


def mark_main(events: Sequence[Event]) -> list[Event]:
    """One sentence's events with its main event (`main_event`) marked `is_main`."""
    main = main_event(events)
    return [e if e.is_main == (e is main) else replace(e, is_main=e is main) for e in events]
