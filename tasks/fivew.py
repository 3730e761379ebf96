"""Per-article 5W1H (who, what, when, where, why, how) from the main event and the entities.

The main event is chosen among the events of the article's first sentences (news puts the main
fact in the lead): asserted or reported events before planned ones, verbs before nouns, events
with an actor first, higher confidence first. Then:
- who: the main event's actor, else the subject of the first sentence, else the first person or
  organisation mentioned;
- what: the trigger with its object ("detained more than 3,500 people"), else the first
  sentence's main verb phrase;
- when: the event's date expression (and resolved date), else the first date in the lead, else
  the publication date;
- where: the event's location, else the first place named in the lead;
- why: a causal phrase of the main sentence ("because ...", "over ...", "after ...",
  "to protest ...", "in response to ...");
- how: the manner of the main event ("by ...", "with ...", an adverb of manner), else None.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tasks.events import _Mentions, _phrase
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
        nominal = 1 if tok is None or tok.pos_ != "VERB" else 0
        depth = 0
        while tok is not None and tok.head != tok and depth < 10:
            tok, depth = tok.head, depth + 1
        return (e.sentence, _MODE_RANK.get(e.mode, 2), nominal, 0 if e.actor else 1, depth, -e.confidence)

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


def _why(doc: Any, ev: Event | None, sent: Any) -> str | None:
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end) if ev else sent.root
    if tok is None:
        return None
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
    if ev is None:
        return None
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end)
    if tok is None:
        return None
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in _HOW_PREPS:
            return doc.text[c.idx : c.right_edge.idx + len(c.right_edge.text)]
        if c.dep_ == "advmod" and c.tag_ == "RB" and c.lower_.endswith("ly"):
            return c.text
    return None


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
    if who is None:
        subj = [t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"]
        if subj and subj[0].pos_ != "PRON":
            who = _phrase(subj[0], index).text
    if who is None:
        people = [m for m in index.items if m[0] < lead_end and m[3] in ("PERSON", "ORG", "NORP", "GPE")]
        who = people[0][4] if people else None

    what = _what(doc, ev) if ev else None
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
    if where is None:
        places = [m for m in index.items if m[3] in ("GPE", "LOC", "FAC")]
        lead_places = [m for m in places if m[0] < lead_end]
        where = (lead_places or places)[0][4] if places else None

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
