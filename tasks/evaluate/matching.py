"""What the gold-data scorers share: content-word matching, and articles and mentions made from
gold records without a warehouse.

Matching (PLOVER actors and 5W1H answers use the same definitions):
- content words: lower-cased words, punctuation stripped, stop words and determiners removed, a
  trailing possessive "'s" and a plural "s" (on words over three letters) ignored;
- `overlaps`: the two strings share at least one content word (the lenient figure);
- `strict_match`: one string's content words contain the other's, or their Jaccard is >= 0.5.
"""

from __future__ import annotations

import re
from datetime import datetime

from spacy.tokens import Doc

from tasks.records import Article, Mention

_STOP = frozenset(
    """a an the of and or to in on at for by with from as is are was were be been has have had
    its it their his her this that these those over into than s 's""".split()
)


def content_words(text: str | None) -> set[str]:
    """The content words of a phrase, normalised for matching."""
    if not text:
        return set()
    out = set()
    for w in re.findall(r"[\w'-]+", text.lower()):
        w = w.strip("'-")
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) > 3 and w.endswith("s"):
            w = w[:-1]
        if w and w not in _STOP:
            out.add(w)
    return out


def overlaps(pred: str | None, gold: str | None) -> bool:
    """Lenient match: at least one shared content word."""
    return bool(content_words(pred) & content_words(gold))


def strict_match(pred: str | None, gold: str | None) -> bool:
    """Strict match: containment either way, or content-word Jaccard >= 0.5."""
    a, b = content_words(pred), content_words(gold)
    if not a or not b:
        return False
    return a <= b or b <= a or len(a & b) / len(a | b) >= 0.5


def production_mentions(doc: Doc, article_id: str) -> list[Mention]:
    """Entity mentions exactly as the pipeline makes them (`tasks.nlp.pipeline.enrich_doc`):
    the PLOVER scorer uses these, so that it measures production, not a variant of it."""
    from tasks.nlp.entities import resolve_mentions
    from tasks.nlp.pipeline import doc_spans

    return resolve_mentions(article_id, doc_spans(doc))[0]


def gold_article(
    rid: str, text: str, title: str = "", published: datetime | None = None
) -> Article:
    """An `Article` for a gold record (no file, no warehouse)."""
    return Article(
        id=rid,
        source="eval",
        uri=rid,
        url=None,
        title=title,
        text=text,
        content_hash="",
        extractor="eval/1",
        published_at=published,
    )
