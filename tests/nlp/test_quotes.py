"""Direct and indirect quotations on the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.nlp.events.lexicon import load_lexicon
from tasks.nlp.quotes import extract_quotes

SEED = Path(__file__).parent.parent / "fixtures" / "text" / "seed_000_791b397503252e09.txt"


@pytest.fixture(scope="module")
def seed_quotes(seed_parsed):  # type: ignore[no-untyped-def]
    art, doc, mentions = seed_parsed
    return art, extract_quotes(doc, art, mentions, load_lexicon())


def test_senior_diplomat_told_afp(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    art, quotes = seed_quotes
    q = next(
        q for q in quotes if q.quotation.startswith("Borrell will go to Moscow in early February")
    )
    assert q.kind == "direct"
    assert q.speaker and "diplomat" in q.speaker
    assert q.cue == "told"
    assert art.text[q.start : q.end].strip() == q.quotation


def test_landsbergis_quote(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes = seed_quotes
    q = next(
        q
        for q in quotes
        if q.quotation.startswith("needs to send a very clear and decisive message")
    )
    assert q.speaker and "Landsbergis" in q.speaker
    assert q.cue == "insisted"


def test_indirect_attribution(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes = seed_quotes
    indirect = [q for q in quotes if q.kind == "indirect"]
    q = next(q for q in indirect if "will visit Moscow" in q.quotation)
    assert q.speaker and "diplomats" in q.speaker.lower() and q.cue == "said"


def test_scare_quotes_are_not_quotations(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes = seed_quotes
    assert not any(
        q.quotation in ("premature", "business as normal", "assassination attempt") for q in quotes
    )
    assert all(q.start < q.end for q in quotes)
