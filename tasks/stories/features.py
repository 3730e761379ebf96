"""What story clustering knows about one article: weighted terms, entities, date, signatures.

- Terms: words of the title (counted `title_weight` times) and of the lead (the first
  `lead_words` words of the body), stop words dropped, each weighted by (1 + log tf) times its
  rarity in English (8 minus the Zipf frequency from wordfreq's shipped word lists, floored), so
  "Telegram" or "Erie" weigh more than "said" or "year". No corpus statistics are needed, so an
  article's features never change when others arrive. The vector is L2-normalised.
- Keyword signature: MinHash of the `lsh_keywords` heaviest terms; it finds candidate stories.
- Shingle signature: MinHash of the body's word 5-grams; it finds near-duplicates (wire copy
  republished by several outlets).
- Entities: canonical names of the named things the article mentions (people, organisations,
  places, ...), the evidence that separates two events on the same topic.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from tasks.stories.minhash import Signature, minhash, minhash_encoded

# A word, or a number: one digit or digits with inner separators ("1,000", "9:30").
_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d(?:[\d.,:\-]*\d)?", re.UNICODE)
# Labels whose names tell one event from another; dates and numbers do not.
STORY_ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """How an article is turned into story features (part of the rules version)."""

    title_weight: float = 3.0
    lead_words: int = 100
    max_terms: int = 80
    lsh_keywords: int = 20
    num_perm: int = 64
    shingle_size: int = 5
    seed: int = 1


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """One article as story clustering sees it."""

    article_id: str
    title: str
    outlet: str  # site or source name, for source counts
    published_at: datetime | None
    terms: Mapping[str, float]  # L2-normalised weights
    entities: frozenset[str]
    keyword_signature: Signature
    shingle_signature: Signature


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"said", "says", "told", "according", "reported", "news"}


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """How rare a word is in English: 8 minus its Zipf frequency, floored at 0.5."""
    from wordfreq import zipf_frequency

    return max(0.5, 8.0 - zipf_frequency(word, "en"))


def _trimmed(w: str) -> str:
    """A lower-cased match as a word: no possessive ("russia's" is "russia"), no apostrophes or
    hyphens around it."""
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    return w.strip("'’-")


def words(text: str) -> list[str]:
    """Lower-cased words and numbers of a text, in order."""
    found = _WORD.findall(text)
    if not found:
        return []
    # Lower-cased in one call: a match never holds a newline, no character lower-cases to or
    # from one, and a newline ends a final-sigma context as the end of a string does. A match
    # starts with a letter or digit (so `strip` only ever trims its end): one that ends with no
    # "s", apostrophe or hyphen is already a word.
    lowered = "\n".join(found).lower().split("\n")
    return [_trimmed(w) if w[-1] in "s'’-" else w for w in lowered]


def _content(ws: Iterable[str]) -> list[str]:
    stop = _stop_words()
    return [w for w in ws if len(w) > 2 and w not in stop]


def content_words(text: str) -> list[str]:
    """Words that carry content: no stop words, no one- or two-letter words."""
    return _content(words(text))


def term_weights(
    title: str, text: str, config: FeatureConfig, *, text_words: list[str] | None = None
) -> dict[str, float]:
    """L2-normalised weights of the title's and the lead's content words (`text_words`: the
    text's `words`, when the caller has them already)."""
    counts: defaultdict[str, float] = defaultdict(float)
    for w in content_words(title):
        counts[w] += config.title_weight
    body = words(text) if text_words is None else text_words
    for w in _content(body)[: config.lead_words]:
        counts[w] += 1
    raw = {w: (1.0 + math.log(c)) * rarity(w) for w, c in counts.items()}
    top = sorted(raw, key=lambda w: (-raw[w], w))[: config.max_terms]
    norm = math.sqrt(sum(raw[w] ** 2 for w in top)) or 1.0
    return {w: raw[w] / norm for w in top}


def shingles(ws: list[str], size: int) -> list[bytes]:
    """Word n-grams of these words, UTF-8 encoded, as `minhash_encoded` takes them (all the
    words as one shingle when there are fewer; a repeated shingle may repeat)."""
    encoded = [w.encode("utf-8") for w in ws]
    if len(encoded) <= size:
        return [b" ".join(encoded)] if encoded else []
    return [b" ".join(encoded[i : i + size]) for i in range(len(encoded) - size + 1)]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two L2-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    # Only the shared terms' products, in `a`'s order: the others are 0.0 and add exactly
    # nothing to a sum of positive weights (an empty `a` still gives the empty sum, 0).
    products = [a[t] * b[t] for t in filter(b.__contains__, a)]
    return sum(products) if products or not a else 0.0


def story_features(
    article_id: str,
    title: str,
    text: str,
    *,
    outlet: str,
    published_at: datetime | None,
    entities: Iterable[str] = (),
    config: FeatureConfig = FeatureConfig(),
) -> StoryFeatures:
    """Features of one article (pure: the same input always gives the same features)."""
    body = words(text)  # once, for the terms and the shingles
    terms = term_weights(title, text, config, text_words=body)
    keywords = sorted(terms, key=lambda w: (-terms[w], w))[: config.lsh_keywords]
    return StoryFeatures(
        article_id=article_id,
        title=title,
        outlet=outlet,
        published_at=published_at,
        terms=terms,
        entities=frozenset(e.casefold() for e in entities),
        keyword_signature=minhash(keywords, config.num_perm, config.seed),
        shingle_signature=minhash_encoded(
            # words never run across the line break: the words of title + "\n" + text
            shingles(words(title) + body, config.shingle_size),
            config.num_perm,
            config.seed + 1,
        ),
    )
