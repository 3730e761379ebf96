"""Records to Arrow tables: the one place where typed records become warehouse rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from tasks.records import Article, Enrichment, Event, Quote

TS = pa.timestamp("us", tz="UTC")


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def arrow_table(columns: dict[str, tuple[pa.DataType, list[Any]]]) -> pa.Table:
    return pa.table({name: pa.array(values, type=kind) for name, (kind, values) in columns.items()})


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who wrote a row: the run and the versions of what produced it."""

    run_id: str
    model: str | None
    pipeline_version: str
    rules_version: str | None = None


def prov_columns(n: int, prov: Provenance) -> dict[str, tuple[pa.DataType, list[Any]]]:
    return {
        "run_id": (pa.string(), [prov.run_id] * n),
        "model": (pa.string(), [prov.model] * n),
        "pipeline_version": (pa.string(), [prov.pipeline_version] * n),
        "rules_version": (pa.string(), [prov.rules_version] * n),
    }


def event_id(ev: Event) -> str:
    """Stable id of an event: its article, trigger offsets, trigger, actor and target."""
    key = ":".join(
        str(v)
        for v in (
            ev.article_id,
            ev.trigger_start,
            ev.trigger_end,
            ev.trigger or "",
            ev.actor or "",
            ev.target or "",
        )
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def quote_id(q: Quote) -> str:
    """Stable id of a quotation: its article and offsets."""
    return hashlib.sha256(f"{q.article_id}:{q.start}:{q.end}".encode()).hexdigest()[:16]


def articles_table(
    articles: Sequence[Article],
    prov: Provenance,
    now: datetime,
    tones: Sequence[float | None] | None = None,
) -> pa.Table:
    """Articles as an Arrow table in the column order of `articles`."""
    a = articles
    return arrow_table(
        {
            "article_id": (pa.string(), [x.id for x in a]),
            "source": (pa.string(), [x.source for x in a]),
            "uri": (pa.string(), [x.uri for x in a]),
            "url": (pa.string(), [x.url for x in a]),
            "route": (pa.string(), [x.route for x in a]),
            "external_id": (pa.string(), [x.external_id for x in a]),
            "title": (pa.string(), [x.title for x in a]),
            "authors": (pa.list_(pa.string()), [list(x.authors) for x in a]),
            "site": (pa.string(), [x.site for x in a]),
            "language": (pa.string(), [x.language for x in a]),
            "published_at": (TS, [utc(x.published_at) for x in a]),
            "published_inferred": (pa.bool_(), [x.published_inferred for x in a]),
            "captions": (pa.list_(pa.string()), [list(x.captions) for x in a]),
            "text": (pa.string(), [x.text for x in a]),
            "word_count": (pa.int32(), [len(x.text.split()) for x in a]),
            "content_hash": (pa.string(), [x.content_hash for x in a]),
            "body_origin": (pa.string(), [x.body_origin for x in a]),
            "extractor": (pa.string(), [x.extractor for x in a]),
            "encoding": (pa.string(), [x.encoding for x in a]),
            "decode_errors": (pa.int32(), [x.decode_errors for x in a]),
            "text_warnings": (pa.list_(pa.string()), [list(x.text_warnings) for x in a]),
            "first_seen_at": (TS, [now] * len(a)),
            "updated_at": (TS, [now] * len(a)),
            "tone": (pa.float64(), list(tones) if tones is not None else [None] * len(a)),
            **prov_columns(len(a), prov),
        }
    )


def enrichment_tables(items: Sequence[Enrichment], prov: Provenance) -> dict[str, pa.Table]:
    mentions = [m for e in items for m in e.mentions]
    entities = {ent.id: ent for e in items for ent in e.entities}
    dates = [(e.article.id, d) for e in items for d in e.dates]
    events = [ev for e in items for ev in e.events]
    quotes = [q for e in items for q in e.quotes]
    fives = [e.five_w1h for e in items if e.five_w1h is not None]
    ents = list(entities.values())
    places = {p.place_id: p for e in items for p in e.places}
    place_of = {(e.article.id, name): pid for e in items for name, pid in e.place_links}
    plist = list(places.values())
    ev_place = [places.get(x.place_id or "") for x in events]
    s, i32, d32 = pa.string(), pa.int32(), pa.date32()
    return {
        "entities": arrow_table(
            {
                "entity_id": (s, [x.id for x in ents]),
                "name": (s, [x.name for x in ents]),
                "label": (s, [x.label for x in ents]),
                "aliases": (pa.list_(s), [list(x.aliases) for x in ents]),
                **prov_columns(len(ents), prov),
            }
        ),
        "entity_mentions": arrow_table(
            {
                "article_id": (s, [m.article_id for m in mentions]),
                "entity_id": (s, [m.entity_id for m in mentions]),
                "canonical": (s, [m.canonical for m in mentions]),
                "label": (s, [m.label for m in mentions]),
                "surface": (s, [m.text for m in mentions]),
                "ner_label": (s, [m.ner_label for m in mentions]),
                "start_char": (i32, [m.start for m in mentions]),
                "end_char": (i32, [m.end for m in mentions]),
                "sentence": (i32, [m.sentence for m in mentions]),
                "place_id": (
                    s,
                    [
                        place_of.get((m.article_id, m.canonical))
                        if m.label in ("GPE", "LOC")
                        else None
                        for m in mentions
                    ],
                ),
                **prov_columns(len(mentions), prov),
            }
        ),
        "date_mentions": arrow_table(
            {
                "article_id": (s, [a for a, _ in dates]),
                "text": (s, [d.text for _, d in dates]),
                "start_char": (i32, [d.start for _, d in dates]),
                "end_char": (i32, [d.end for _, d in dates]),
                "value": (d32, [d.value for _, d in dates]),
                "precision": (s, [d.precision for _, d in dates]),
                "relative": (pa.bool_(), [d.relative for _, d in dates]),
                **prov_columns(len(dates), prov),
            }
        ),
        "events": arrow_table(
            {
                "event_id": (s, [event_id(x) for x in events]),
                "article_id": (s, [x.article_id for x in events]),
                "sentence": (i32, [x.sentence for x in events]),
                "trigger": (s, [x.trigger for x in events]),
                "trigger_start": (i32, [x.trigger_start for x in events]),
                "trigger_end": (i32, [x.trigger_end for x in events]),
                "category": (s, [x.category for x in events]),
                "quad_class": (s, [x.quad_class for x in events]),
                "mode": (s, [x.mode for x in events]),
                "confidence": (pa.float64(), [x.confidence for x in events]),
                "actor": (s, [x.actor for x in events]),
                "actor_entity_id": (s, [x.actor_entity for x in events]),
                "target": (s, [x.target for x in events]),
                "target_entity_id": (s, [x.target_entity for x in events]),
                "location": (s, [x.location for x in events]),
                "location_entity_id": (s, [x.location_entity for x in events]),
                "event_date": (d32, [x.event_date for x in events]),
                "date_precision": (s, [x.date_precision for x in events]),
                "date_text": (s, [x.date_text for x in events]),
                "cameo_code": (s, [x.cameo_code for x in events]),
                "actor_code": (s, [x.actor_code for x in events]),
                "actor_country": (s, [x.actor_country for x in events]),
                "target_code": (s, [x.target_code for x in events]),
                "target_country": (s, [x.target_country for x in events]),
                "coded": (pa.bool_(), [x.coded for x in events]),
                "is_main": (pa.bool_(), [x.is_main for x in events]),
                "domain": (s, [x.domain for x in events]),
                "tone": (pa.float64(), [x.tone for x in events]),
                "place_id": (s, [x.place_id for x in events]),
                "action_country": (s, [p.country_code if p else None for p in ev_place]),
                "action_lat": (pa.float64(), [p.lat if p else None for p in ev_place]),
                "action_lon": (pa.float64(), [p.lon if p else None for p in ev_place]),
                **prov_columns(len(events), prov),
            }
        ),
        "quotes": arrow_table(
            {
                "quote_id": (s, [quote_id(q) for q in quotes]),
                "article_id": (s, [q.article_id for q in quotes]),
                "sentence": (i32, [q.sentence for q in quotes]),
                "quotation": (s, [q.quotation for q in quotes]),
                "start_char": (i32, [q.start for q in quotes]),
                "end_char": (i32, [q.end for q in quotes]),
                "kind": (s, [q.kind for q in quotes]),
                "speaker": (s, [q.speaker for q in quotes]),
                "speaker_entity_id": (s, [q.speaker_entity for q in quotes]),
                "cue": (s, [q.cue for q in quotes]),
                **prov_columns(len(quotes), prov),
            }
        ),
        "five_w1h": arrow_table(
            {
                "article_id": (s, [f.article_id for f in fives]),
                "who": (s, [f.who for f in fives]),
                "what": (s, [f.what for f in fives]),
                "when_text": (s, [f.when for f in fives]),
                "when_date": (d32, [f.when_date for f in fives]),
                "where_text": (s, [f.where for f in fives]),
                "why": (s, [f.why for f in fives]),
                "how": (s, [f.how for f in fives]),
                **prov_columns(len(fives), prov),
            }
        ),
        "places": arrow_table(
            {
                "place_id": (s, [p.place_id for p in plist]),
                "name": (s, [p.name for p in plist]),
                "country_code": (s, [p.country_code for p in plist]),
                "lat": (pa.float64(), [p.lat for p in plist]),
                "lon": (pa.float64(), [p.lon for p in plist]),
                "kind": (s, [p.kind for p in plist]),
                "population": (pa.int64(), [p.population for p in plist]),
                **prov_columns(len(plist), prov),
            }
        ),
    }
