"""Places and tone of one parsed article, added to its enrichment.

Called at the end of `enrich_doc`: GPE/LOC names and event locations are resolved with the
article's context (`tasks.nlp.places`), each event gets its place and its sentence's tone, the
article gets the mean tone of its sentences (`tasks.nlp.tone`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tasks.nlp.gazetteer import load_gazetteer
from tasks.nlp.places import resolve_article_places
from tasks.nlp.syntax import doc_sents, doc_text
from tasks.nlp.tone import mean_tone, sentence_tone
from tasks.records import Enrichment

if TYPE_CHECKING:
    from spacy.tokens import Doc


def sentence_texts(doc: Doc) -> list[str]:
    """The article's sentences (paragraphs when the pipeline set no sentence boundaries)."""
    if doc.has_annotation("SENT_START"):
        text = doc_text(doc)  # slices of the text: a Span's .text joins its tokens anew
        return [text[s.start_char : s.end_char] for s in doc_sents(doc)]
    return [p for p in doc_text(doc).split("\n\n") if p.strip()]


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
        events.append(replace(ev, tone=tone, place_id=r.place.place_id if r else None))
    places = {r.place.place_id: r.place for r in resolved.values()}
    return replace(
        enrichment,
        events=tuple(events),
        tone=mean_tone(s for s, text in zip(tones, sentences) if text.strip()),
        places=tuple(places.values()),
        place_links=tuple(sorted((name, r.place.place_id) for name, r in resolved.items())),
    )
