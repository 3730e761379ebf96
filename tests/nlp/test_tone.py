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
