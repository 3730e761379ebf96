"""Places and tone of one parsed article, added to its enrichment.

Called at the end of `enrich_doc`: GPE/LOC names and event locations are resolved with the
article's context (`tasks.nlp.places`), each event gets its place and its sentence's tone, the
article gets the mean tone of its sentences (`tasks.nlp.tone`).
"""

from __future__ import annotations

from dataclasses import fields, replace
from operator import attrgetter
from typing import TYPE_CHECKING

from tasks.nlp.gazetteer import load_gazetteer
from tasks.nlp.places import resolve_article_places
from tasks.nlp.syntax import doc_sents, doc_text
from tasks.nlp.tone import mean_tone, sentence_tone
from tasks.records import Enrichment, Event

if TYPE_CHECKING:
    from spacy.tokens import Doc


def sentence_texts(doc: Doc) -> list[str]:
    """The article's sentences (paragraphs when the pipeline set no sentence boundaries)."""
    if doc.has_annotation("SENT_START"):
        text = doc_text(doc)  # slices of the text: a Span's .text joins its tokens anew
        return [text[s.start_char : s.end_char] for s in doc_sents(doc)]
    return [p for p in doc_text(doc).split("\n\n") if p.strip()]


# Every field of an Event is an __init__ argument, in this order.
_EVENT_FIELDS = tuple(f.name for f in fields(Event))
_event_values = attrgetter(*_EVENT_FIELDS)
_TONE = _EVENT_FIELDS.index("tone")
_PLACE_ID = _EVENT_FIELDS.index("place_id")


def _with_place_and_tone(ev: Event, tone: float, place_id: str | None) -> Event:
    """`replace(ev, tone=tone, place_id=place_id)`, built from the event's values in field order
    (`dataclasses.replace` costs twice as much: it reads and passes each field by name)."""
    values = list(_event_values(ev))
    values[_TONE] = tone
    values[_PLACE_ID] = place_id
    return Event(*values)


def add_places_and_tone(enrichment: Enrichment, doc: Doc) -> Enrichment:
    """The enrichment with its places, place links, event places and tones filled in."""
    sentences = sentence_texts(doc)
    tones = [sentence_tone(s) for s in sentences]  # each sentence scored once
    canonical_of = {m.entity_id: m.canonical for m in enrichment.mentions}
    locations = {
        canonical_of.get(ev.location_entity or "", ev.location or "")
        for ev in enrichment.events
        if ev.location
    }
    resolved = resolve_article_places(enrichment.mentions, load_gazetteer(), locations)
    events = []
    for ev in enrichment.events:
        name = canonical_of.get(ev.location_entity or "", ev.location or "")
        r = resolved.get(name) if ev.location else None
        tone = tones[ev.sentence] if 0 <= ev.sentence < len(tones) else 0.0
        events.append(_with_place_and_tone(ev, tone, r.place.place_id if r else None))
    places = {r.place.place_id: r.place for r in resolved.values()}
    return replace(
        enrichment,
        events=tuple(events),
        tone=mean_tone(s for s, text in zip(tones, sentences) if text.strip()),
        places=tuple(places.values()),
        place_links=tuple(sorted((name, r.place.place_id) for name, r in resolved.items())),
    )
