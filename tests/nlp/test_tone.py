"""Tone from VADER's packaged lexicon, on GDELT's -100..+100 scale."""

from __future__ import annotations

from tasks.nlp.tone import RULES_VERSION, article_tone, sentence_tone


def test_sentence_tone_scale_and_sign():
    bad = sentence_tone("Police brutally beat and arrested peaceful protesters, killing two.")
    good = sentence_tone("The leaders welcomed the agreement as a great success for peace.")
    assert -100 <= bad < -40 and 40 < good <= 100
    assert sentence_tone("The meeting is on Tuesday.") == 0.0
    assert sentence_tone("   ") == 0.0


def test_article_tone_is_the_mean_of_sentences():
    sentences = ["Police killed two protesters.", "The meeting is on Tuesday."]
    assert article_tone(sentences) == round(sum(sentence_tone(s) for s in sentences) / 2, 2)
    assert article_tone([]) is None
    assert RULES_VERSION.startswith("tone/1+vader-")


def test_sentences_without_scored_words_skip_vader_with_the_same_tone():
    """The short cut for sentences VADER scores nothing in gives VADER's own figure, on real
    sentences and on the cases its rules treat apart (emoji, "no", punctuation, capitals)."""
    from pathlib import Path

    from tasks.nlp.tone import analyzer

    texts = [
        "The meeting is on Tuesday.",
        "No.",
        "It was :) at the end",
        "Markets closed at 5,000 points \U0001f600",
        '"Great!" he said -- AMAZING.',
        "The company kind of expects 3% growth, but not in 2024.",
        "The (bill) was read again; 'no' votes followed.",
    ]
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    for path in sorted(fixtures.rglob("*.txt"))[:20]:
        texts += [s for s in path.read_text(encoding="utf-8", errors="replace").split(".") if s]
    vader = analyzer()
    for text in texts:
        expected = (
            round(100.0 * vader.polarity_scores(text)["compound"], 2) if text.strip() else 0.0
        )
        assert sentence_tone(text) == expected, text
