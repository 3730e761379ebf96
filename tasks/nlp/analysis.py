"""One call per document for everything after NER: dates, events, quotes and 5W1H.

`analyse` infers the publication date when the article has none (captions first, then text),
resolves every date against it, and codes events, quotes and the 5W1H row. It reads the parse
spaCy already made (no second pass); dateparser sees only candidate date spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tasks.nlp.dates import find_dates, infer_published_at
from tasks.nlp.events.coder import extract_events
from tasks.nlp.events.lexicon import EventLexicon
from tasks.nlp.fivew import five_w1h
from tasks.nlp.quotes import extract_quotes
from tasks.records import Article, DateMention, Event, FiveW1H, Mention, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True, slots=True)
class Analysis:
    """What `analyse` derived from one article."""

    events: tuple[Event, ...]
    quotes: tuple[Quote, ...]
    dates: tuple[DateMention, ...]
    five_w1h: FiveW1H
    published_at: datetime | None
    published_inferred: bool


def analyse(
    doc: Doc,
    article: Article,
    mentions: Sequence[Mention],
    lexicon: EventLexicon,
    *,
    events: bool = True,
    quotes: bool = True,
) -> Analysis:
    """Dates, events, quotes and 5W1H for one article (`doc` is spaCy's Doc of `article.text`)."""
    published = article.published_at
    inferred = article.published_inferred
    if published is None:
        published = infer_published_at(article.text, article.captions, doc)
        inferred = published is not None
        if published is not None:
            article = replace(article, published_at=published, published_inferred=True)
    dates = find_dates(doc, published)
    evs = extract_events(doc, article, mentions, dates, lexicon) if events else []
    qs = extract_quotes(doc, article, mentions, lexicon) if quotes else []
    row = five_w1h(doc, article, evs, mentions, dates, lexicon)
    return Analysis(tuple(evs), tuple(qs), tuple(dates), row, published, inferred)
