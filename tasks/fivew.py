"""Per-article 5W1H (who, what, when, where, why, how) from the main event and the entities.

The main event is chosen among the events of the article's first sentences (news puts the main
fact in the lead): earliest sentence, asserted or reported events before planned ones, events
with an actor first, then the most central trigger (`tasks.events.event_depth`), then the most
confident. Then:
- who: the main event's actor when it is a name; otherwise the person, organisation or country
  named in the headline that the text mentions most; else the actor, else the subject of the
  main sentence, else the first person or organisation in the lead;
- what: the trigger with its auxiliaries, particles and object ("detained more than 3,500
  people"); the headline (without a " | Site" tail) instead when the main event is not in the
  first sentence or is a bare verb and the headline does not contain its trigger;
- when: the event's date expression (and resolved date), else the first date in the lead, else
  the publication date;
- where: the event's location, unless the headline names another place the text mentions; else
  the most salient place (per mention: 3 more if in the headline, 2 in the lead, 1 elsewhere);
- why: a causal phrase at the trigger ("because ...", "over ...", "after ...", "to protest
  ...", "in response to ..."), else one anywhere in the main sentence (because/since/as clauses,
  over/after/amid/following phrases on a verb, a "to"-purpose clause);
- how: the manner of the main event ("by ...ing", "with/using/through/via ...", an -ly adverb,
  a participle clause ", killing 46 people"), else None.
Matching against gold is defined in `tasks.evaluate_events` (content-word overlap, and a strict
figure: containment or Jaccard >= 0.5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tasks.events import _REPORTING_DEFAULT, _Mentions, _phrase, event_depth
from tasks.records import Article, DateMention, Event, FiveW1H, Mention

LEAD_SENTENCES = 3
_WHY_MARKERS = ("because", "since", "as a result of", "due to", "in response to", "in protest",
                "over", "after", "amid", "following", "to protest", "in order to", "for")
_HOW_PREPS = ("by", "with", "using", "through", "via")
_MODE_RANK = {"asserted": 0, "reported": 0, "planned": 1, "hypothetical": 2, "negated": 3}


def _main_event(events: Sequence[Event], doc: Any) -> Event | None:
    lead = [e for e in events if e.sentence < LEAD_SENTENCES] or list(events)
    if not lead:
        return None

    def key(e: Event) -> tuple[float, ...]:
        span = doc.char_span(e.trigger_start, e.trigger_end, alignment_mode="expand")
        tok = span[0] if span is not None else None
        depth = event_depth(tok, _REPORTING_DEFAULT) if tok is not None else 9.0
        return (e.sentence, _MODE_RANK.get(e.mode, 2), 0 if e.actor else 1, depth, -e.confidence)

    return min(lead, key=key)


def _token_at(doc: Any, start: int, end: int) -> Any | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _what(doc: Any, ev: Event) -> str:
    """The trigger with its auxiliaries, particles and object ("will visit Moscow")."""
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end)
    if tok is None:
        return ev.trigger
    keep = [c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < tok.i]
    keep.append(tok)
    for c in tok.children:
        if c.i < tok.i:
            continue
        if c.dep_ in ("prt", "dobj", "dative", "attr", "xcomp", "acomp", "oprd", "prep", "npadvmod", "advmod"):
            keep.extend(t for t in c.subtree if t.i - tok.i <= 15)
    keep = sorted(set(keep), key=lambda t: t.i)
    # a contiguous stretch from the first kept token to the last one next to the trigger
    run = [keep[0]]
    for t in keep[1:]:
        if t.i != run[-1].i + 1:
            break
        run.append(t)
    if tok not in run:
        run = [t for t in keep if t.i >= tok.i]
    while run and run[-1].dep_ in ("punct", "cc", "prep", "det"):
        run.pop()
    return doc.text[run[0].idx : run[-1].idx + len(run[-1].text)] if run else ev.trigger


def _span_text(doc: Any, first: Any, last: Any, limit: int = 160) -> str:
    return doc.text[first.idx : last.idx + len(last.text)][:limit]


def _why(doc: Any, ev: Event | None, sent: Any) -> str | None:
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end) if ev else sent.root
    if tok is None:
        return None
    found = _why_near(doc, tok, sent)
    if found:
        return found
    # a causal phrase anywhere in the main sentence: "because/due to/in order to/over/after"
    for t in sent:
        low = t.lower_
        if t.dep_ == "mark" and low in ("because", "since", "as") and t.head.dep_ == "advcl":
            return _span_text(doc, t, t.head.right_edge)
        if t.dep_ == "prep" and low in ("over", "after", "amid", "following") and t.head.pos_ == "VERB":
            if any(g.dep_ in ("pobj", "pcomp") and g.ent_type_ not in ("DATE", "TIME") for g in t.children):
                return _span_text(doc, t, t.right_edge)
        if t.dep_ == "advcl" and t.tag_ == "VB" and any(k.lower_ == "to" for k in t.children):
            return _span_text(doc, t.left_edge, t.right_edge)
    return None


def _why_near(doc: Any, tok: Any, sent: Any) -> str | None:
    """A causal phrase attached to the trigger."""
    # an explicit causal connective anywhere in the main sentence
    for t in sent:
        if t.lower_ in ("because", "due") or (t.lower_ == "result" and t.i > 0 and t.doc[t.i - 1].lower_ == "a"):
            head = t.head if t.dep_ in ("mark", "amod") else t
            return doc.text[t.idx : head.right_edge.idx + len(head.right_edge.text)]
    for c in tok.children:
        low = c.lower_
        if c.dep_ in ("advcl",) and any(m.lower_ in ("because", "since", "as") for m in c.children if m.dep_ == "mark"):
            return doc.text[c.left_edge.idx : c.right_edge.idx + len(c.right_edge.text)]
        if c.dep_ == "prep" and low in ("over", "after", "amid", "following", "because", "due"):
            return doc.text[c.idx : c.right_edge.idx + len(c.right_edge.text)]
        if c.dep_ in ("advcl", "xcomp") and c.tag_ == "VB" and any(a.lower_ == "to" for a in c.children):
            if c.dep_ == "advcl":
                return doc.text[c.left_edge.idx : c.right_edge.idx + len(c.right_edge.text)]
    return None


def _how(doc: Any, ev: Event | None) -> str | None:
    """Manner of the main event: an -ly adverb, "by ...ing", "with/using/through ...", "despite"."""
    if ev is None:
        return None
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end)
    if tok is None:
        return None
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "by" and any(g.tag_ == "VBG" for g in c.children):
            return _span_text(doc, c, c.right_edge)
        if c.dep_ == "prep" and c.lower_ in _HOW_PREPS and c.lower_ != "by":
            if any(g.ent_type_ not in ("PERSON", "ORG", "GPE", "DATE") for g in c.children if g.dep_ == "pobj"):
                return _span_text(doc, c, c.right_edge)
        if c.dep_ == "advmod" and c.tag_ == "RB" and c.lower_.endswith("ly"):
            return c.text
        if c.dep_ == "advcl" and c.tag_ == "VBG" and not any(k.dep_ == "mark" for k in c.children):
            return _span_text(doc, c, c.right_edge)  # "..., killing 46 people"
    return None


def _headline(title: str) -> str | None:
    """The title without a trailing " | Site" / " - Site" part."""
    t = re.split(r"\s+[|\u2013\u2014]\s+|\s+-\s+(?=[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}$)", title.strip())[0]
    return t[:200] or None


def _shares_trigger(ev: Event | None, headline: str) -> bool:
    if ev is None:
        return False
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", headline)}
    trig = ev.trigger.lower()
    return trig in words or any(w.startswith(trig[:5]) for w in words if len(trig) >= 5)


def _span_of(doc: Any, ev: Event) -> tuple[int, int]:
    """Character span of the event's actor in the text (its first occurrence near the trigger)."""
    actor = ev.actor or ""
    pos = doc.text.rfind(actor, 0, ev.trigger_start) if actor else -1
    if pos < 0:
        pos = doc.text.find(actor) if actor else -1
    return (pos, pos + len(actor)) if pos >= 0 else (0, 0)


def _title_actor(index: _Mentions, title: str) -> str | None:
    """The most mentioned person, organisation or country of the text that the title names."""
    counts: dict[str, int] = {}
    for m in index.items:
        if m[3] in ("PERSON", "ORG", "GPE", "NORP") and m[4] and m[4] in title:
            counts[m[4]] = counts.get(m[4], 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], title.find(k) == 0, -title.find(k)))


def _salient_place(index: _Mentions, lead_end: int, title: str) -> str | None:
    """The most salient place: named in the title (3), in the lead (2), elsewhere (1) per
    mention; ties go to the first named."""
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for m in index.items:
        if m[3] not in ("GPE", "LOC", "FAC"):
            continue
        key = m[4]
        score[key] = score.get(key, 0.0) + (2.0 if m[0] < lead_end else 1.0)
        first.setdefault(key, m[0])
    for key in score:
        if key and key in title:
            score[key] += 3.0
    if not score:
        return None
    return max(score, key=lambda k: (score[k], -first[k]))


def five_w1h(
    doc: Any,
    article: Article,
    events: Sequence[Event],
    mentions: Sequence[Mention],
    dates: Sequence[DateMention],
) -> FiveW1H:
    """One 5W1H row for an article."""
    index = _Mentions(doc, mentions)
    sents = list(doc.sents)
    if not sents:
        return FiveW1H(article_id=article.id)
    ev = _main_event(events, doc)
    sent = sents[ev.sentence] if ev and ev.sentence < len(sents) else sents[0]
    lead_end = sents[min(LEAD_SENTENCES, len(sents)) - 1].end_char

    who = ev.actor if ev and ev.actor else None
    named = bool(ev and ev.actor and (ev.actor_entity or index.best(*_span_of(doc, ev))[1]))
    if not named:
        # the actor is no name (or missing): a person, organisation or country the headline names
        in_title = _title_actor(index, article.title or "")
        if in_title:
            who = in_title
    if who is None:
        subj = [t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"]
        if subj and subj[0].pos_ != "PRON":
            who = _phrase(subj[0], index).text
    if who is None:
        people = [m for m in index.items if m[0] < lead_end and m[3] in ("PERSON", "ORG", "NORP", "GPE")]
        who = people[0][4] if people else None

    what = _what(doc, ev) if ev else None
    headline = _headline(article.title or "")
    if headline and (what is None or not _shares_trigger(ev, headline)) and (
        ev is None or ev.sentence > 0 or len(what.split()) < 4
    ):
        # the headline states the main fact when the first sentence gives no verb phrase of
        # its own (no coded event there, or a bare verb) and the event is not in the headline
        what = headline
    if what is None:
        root = sent.root
        what = doc.text[root.idx : root.right_edge.idx + len(root.right_edge.text)][:200]

    when = when_date = None
    if ev and ev.event_date and ev.date_text:
        when, when_date = ev.date_text, ev.event_date
    else:
        lead_dates = [d for d in dates if d.start < lead_end and d.value is not None]
        if lead_dates:
            when, when_date = lead_dates[0].text, lead_dates[0].value
        elif ev and ev.event_date:
            when_date = ev.event_date
            when = when_date.isoformat()
        elif article.published_at:
            when_date = article.published_at.date()
            when = when_date.isoformat()

    where = ev.location if ev and ev.location else None
    salient = _salient_place(index, lead_end, article.title or "")
    if where is None or (salient and salient in (article.title or "") and salient not in where):
        where = salient  # a place the headline names outranks one in the lead sentence

    return FiveW1H(
        article_id=article.id,
        who=who,
        what=what,
        when=when,
        when_date=when_date,
        where=where,
        why=_why(doc, ev, sent),
        how=_how(doc, ev),
    )
