"""Tone of sentences and articles from VADER's lexicon (it ships inside vaderSentiment).

Scale: -100 (most negative) to +100 (most positive), like GDELT's tone, but not the same
measure. A sentence's tone is VADER's compound score (a normalised sum of word valences with
negation, intensifier and "but" rules) times 100. An article's tone is the mean of its
sentences' tones, so long articles do not saturate the way one compound score over the whole
text does; sentences with no scored word count as 0 (neutral). GDELT's tone is (positive words
- negative words) / all words * 100 and in practice stays within about -10..+10; ours spreads
wider: a plainly negative news sentence scores -50 to -90.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol


class _Analyzer(Protocol):
    def polarity_scores(self, text: str) -> dict[str, float]: ...


class _Vader(_Analyzer, Protocol):
    lexicon: dict[str, float]
    emojis: dict[str, str]


def _vader_version() -> str:
    try:
        return version("vaderSentiment")
    except PackageNotFoundError:  # pragma: no cover - a broken install
        return "unknown"


RULES_VERSION = f"tone/1+vader-{_vader_version()}"


@lru_cache(maxsize=1)
def analyzer() -> _Vader:
    """VADER's analyzer with its packaged lexicon (loaded once per process)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()  # type: ignore[no-any-return]


def _scores_nothing(text: str) -> bool:
    """Whether VADER gives `text` a compound of 0 for want of any word it scores: no emoji
    (it reads them as words) and no word of its lexicon, each word cut from its punctuation by
    VADER's own `SentiText`. About a third of news sentences; VADER's own pass costs several
    times more."""
    vader = analyzer()
    if not (text.isascii() and _ascii_free()) and not vader.emojis.keys().isdisjoint(text):
        return False
    words = set(text.split())
    if not _SCORED.isdisjoint(words):
        return False
    for word in words.difference(_UNSCORED):  # words not met before: looked at once each
        if _scored_word(word):
            _remember(_SCORED, word)
            return False
        _remember(_UNSCORED, word)
    return True


# Whitespace-cut words whose stripped, lower-cased form VADER's lexicon scores, and words it
# does not: words recur across sentences, so each is looked at once (while the sets are small).
_SCORED: set[str] = set()
_UNSCORED: set[str] = set()
_MAX_WORDS = 200_000


def _remember(words: set[str], word: str) -> None:
    if len(words) >= _MAX_WORDS:  # a long run meets new words without end; start again
        words.clear()
    words.add(word)


@lru_cache(maxsize=1)
def _ascii_free() -> bool:
    """Whether no emoji of VADER's is ASCII, so that ASCII text holds none."""
    return not any(emoji.isascii() for emoji in analyzer().emojis)


def _scored_word(word: str) -> bool:
    """Whether the analyzer's lexicon scores a whitespace-cut word."""
    from vaderSentiment.vaderSentiment import SentiText

    return SentiText._strip_punc_if_word(word).lower() in analyzer().lexicon


def sentence_tone(text: str) -> float:
    """Tone of one sentence, -100..+100 (0 for text without scored words)."""
    if not text.strip():
        return 0.0
    if _scores_nothing(text):
        return 0.0
    return round(100.0 * analyzer().polarity_scores(text)["compound"], 2)


def article_tone(sentences: Iterable[str]) -> float | None:
    """Mean tone of an article's sentences, -100..+100; None when it has no sentence."""
    return mean_tone(sentence_tone(s) for s in sentences if s.strip())


def mean_tone(tones: Iterable[float]) -> float | None:
    """Mean of sentence tones, rounded like them; None when there is none."""
    values = list(tones)
    if not values:
        return None
    return round(sum(values) / len(values), 2)
