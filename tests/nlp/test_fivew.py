"""5W1H: the seed article's row, rules on small texts, and the Giveme5W1H scorer and its folds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from tasks.evaluate.fivew import (
    GoldRecord,
    evaluate_5w1h,
    load_records,
    score_answer,
    story_folds,
    verdict,
)
from tasks.evaluate.matching import overlaps, strict_match
from tasks.nlp.analysis import analyse
from tasks.nlp.entities import resolve_mentions
from tasks.nlp.events.lexicon import load_lexicon
from tasks.nlp.pipeline import doc_spans
from tasks.evaluate.matching import gold_article
from tasks.records import FiveW1H

FIXTURES = Path(__file__).parent.parent / "fixtures"
GIVEME = FIXTURES / "events" / "giveme5w1h"


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon()


@pytest.fixture(scope="module")
def seed(seed_parsed, lexicon):  # type: ignore[no-untyped-def]
    art, doc, mentions = seed_parsed
    return art, doc, mentions, analyse(doc, art, mentions, lexicon)


def _row(nlp, lexicon, text, title="", published=datetime(2020, 5, 4)):  # type: ignore[no-untyped-def]
    art = gold_article("x", text, title, published)
    doc = nlp(text)
    mentions = resolve_mentions(art.id, doc_spans(doc))[0]
    return analyse(doc, art, mentions, lexicon, quotes=False).five_w1h


def test_five_w1h_row(seed) -> None:  # type: ignore[no-untyped-def]
    art, _, _, result = seed
    row = result.five_w1h
    assert row.article_id == art.id
    assert row.who and "diplomats" in row.who
    # what: the headline's predicate (the seed's headline) or, without one, the main event's
    # verb phrase (the lead's "discussed slapping sanctions ...")
    assert row.what and (row.what in art.title or "sanctions" in row.what)
    assert row.when_date is not None


def test_five_w1h_what_without_headline(seed, lexicon) -> None:  # type: ignore[no-untyped-def]
    art, doc, mentions, _ = seed
    row = analyse(doc, replace(art, title=""), mentions, lexicon, quotes=False).five_w1h
    assert row.what and "sanctions" in row.what  # the lead's main event


def test_five_w1h_how_and_why(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    # no manner phrase: the how is the main action with its object (Giveme5W1H convention)
    row = _row(
        nlp, lexicon, "Investigators found no evidence of wrongdoing in the company's accounts."
    )
    assert row.how and "found no evidence" in row.how
    # an "in a bid to" purpose in another lead sentence gives the why
    row = _row(
        nlp,
        lexicon,
        "Rescuers dug through the night in the village. "
        "Around 80 diggers are working in a bid to save the child.",
    )
    assert row.why and "save the child" in row.why
    # a stance adverb ("probably") is not a manner
    row = _row(nlp, lexicon, "The minister probably signed the decree on Monday.")
    assert row.how != "probably"


def test_5w1h_sample_floors(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    # measured (events/3, headline what): when 1.0, where 1.0, who/what/when/where 0.875
    result = evaluate_5w1h(GIVEME, nlp, lexicon)
    assert result["articles"] == 4
    assert result["questions"]["when"]["match"] >= 0.75
    assert result["questions"]["where"]["match"] >= 0.75
    assert result["who_what_when_where_match"] >= 0.75


def test_matching_definitions() -> None:
    assert overlaps("Donald Trump", "Trump's team")  # possessive and plural ignored
    assert not overlaps("the White House", "in the Oval Office")
    assert strict_match("at the White House", "White House")
    assert not strict_match("Croydon, south London", "near the Sandilands stop in Croydon")


def test_when_scored_on_text_and_on_the_resolved_date() -> None:
    gold = ({"text": "on Sunday", "parsed": "2016-11-13 00:00:00"},)
    by_date = score_answer(
        "when", FiveW1H("a", when="2016-11-13", when_date=date(2016, 11, 13)), gold
    )
    assert by_date.match and by_date.strict and not by_date.text
    by_text = score_answer("when", FiveW1H("a", when="Sunday", when_date=date(2016, 11, 6)), gold)
    assert by_text.match and by_text.text
    assert not score_answer("where", FiveW1H("a"), ({"text": "Croydon"},)).match


def test_story_folds_keep_a_story_together() -> None:
    def rec(i: int, story: str) -> GoldRecord:
        return GoldRecord(str(i), story, "", "", None, {})

    records = [rec(i, s) for i, s in enumerate("aaabbbccdde")]
    folds = story_folds(records, 3)
    assert sorted(i for f in folds for i in f) == list(range(11))
    for story in "abcde":
        members = {i for i, r in enumerate(records) if r.story == story}
        assert sum(bool(members & set(f)) for f in folds) == 1
    assert max(map(len, folds)) - min(map(len, folds)) <= 2


def test_verdict_refuses_a_change_that_hurts_a_fold() -> None:
    assert verdict([0.1, 0.0, 0.0]) == "taken"
    assert verdict([0.1, -0.05, 0.0]).startswith("not taken")
    assert verdict([0.0, 0.0]) == "no change"


def test_gold_records_load() -> None:
    records = load_records(GIVEME)
    assert len(records) == 4
    assert all(r.gold["who"] for r in records)
    assert all(a["text"].strip() for r in records for q in r.gold for a in r.gold[q])


def test_when_is_the_events_own_time_as_written(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    # a clock time and the day next to it make one phrase, resolved to that day
    row = _row(
        nlp,
        lexicon,
        "A huge blast was heard at around 11pm local time on Thursday near the station. "
        "Police said two people died.",
    )
    assert row.when and "11pm" in row.when and "Thursday" in row.when
    assert row.when_date == date(2020, 4, 30)
    # page furniture before the lead is skipped; the event's day and place are the answers
    row = _row(
        nlp,
        lexicon,
        "Click to share on Twitter (Opens in new window)\n\n"
        "Police arrested a man in Leeds on Tuesday after a long chase.",
    )
    assert (row.when, row.when_date, row.where) == ("Tuesday", date(2020, 4, 28), "Leeds")
    # an age is not a date: the day named later is
    row = _row(
        nlp,
        lexicon,
        "The family of Mr Collett, 62, said he could light up a room. "
        "He died in the crash on Wednesday.",
    )
    assert row.when == "Wednesday"


def test_when_falls_back_to_the_publication_date_in_words(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    row = _row(nlp, lexicon, "The company said its profits fell because of higher costs.")
    assert (row.when, row.when_date) == ("May 4, 2020", date(2020, 5, 4))


def test_when_prefers_the_day_of_the_headlines_event(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    row = _row(
        nlp,
        lexicon,
        "President Obama congratulated him on Friday. After Thursday's meeting at the White "
        "House, the two leaders spoke to reporters.",
        title="Obama and Trump meet at White House",
    )
    assert row.when == "Thursday" and row.where == "White House"


def test_where_is_the_events_place_with_the_places_around_it(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    row = _row(
        nlp, lexicon, "Thousands of people protested outside Trump Tower in New York City today."
    )
    assert row.where == "Trump Tower in New York City"
    row = _row(
        nlp,
        lexicon,
        "A boy fell down a dry well in Baoding, Hebei province on Sunday morning. "
        "Rescuers are digging.",
    )
    assert row.where == "Baoding, Hebei province" and row.when == "Sunday morning"
    # a whole country gives way to the precise place the lead names
    row = _row(
        nlp,
        lexicon,
        "A bomb exploded in Afghanistan on Saturday, officials said. "
        "The blast hit a crowded market in the northern city of Kunduz.",
    )
    assert row.where and "Kunduz" in row.where
    # a place name that modifies a word ("US-based") is not where anything happened
    row = _row(
        nlp,
        lexicon,
        "The US-based maker of the bars said prices had risen. Shoppers in the UK complained.",
    )
    assert row.where == "UK"
    # a dateline, when the event names no place
    row = _row(
        nlp,
        lexicon,
        "LONDON -- The central bank raised interest rates on Monday for the first time in years.",
    )
    assert row.where == "LONDON" and row.when == "Monday"


def test_who_is_the_events_actor_not_a_dateline_or_a_reporter(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    row = _row(
        nlp,
        lexicon,
        "LONDON -- The central bank raised interest rates on Monday for the first time in years.",
    )
    assert row.who and "LONDON" not in row.who and "bank" in row.who
    row = _row(
        nlp,
        lexicon,
        "A Taliban suicide bomber rammed a car into the wall of the consulate, officials said.",
    )
    assert row.who and "Taliban" in row.who


def test_when_prefers_the_first_sentences_day(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    row = _row(
        nlp,
        lexicon,
        "Russian space corporation Energiya confirmed on Friday that it had re-established "
        "contact with the satellite. The satellite failed to send data after its launch from "
        "the Baikonur cosmodrome on Tuesday.",
    )
    assert row.when == "Friday"
    # a weekday inside a date phrase that does not resolve still counts, as a past day
    row = _row(
        nlp,
        lexicon,
        "Houston Texans receiver DeAndre Hopkins reaches for the ball during the second half "
        "Monday afternoon in Houston. Hopkins caught the ball for a touchdown.",
    )
    assert row.when and "Monday" in row.when and row.when_date == date(2020, 5, 4)


def test_a_dash_after_a_name_is_no_dateline() -> None:
    from tasks.nlp.when_where import dateline

    assert dateline("WASHINGTON, Nov 6 (Reuters) - The FBI said") == "WASHINGTON"
    assert dateline("Photo LONDON -- Toblerone has changed") == "LONDON"
    assert dateline("SAO PAULO (AP) \u2014 Felipe Massa") == "SAO PAULO"
    assert dateline("a feat never attempted by the US or USSR \u2013 landing on the moon") is None


def test_who_skips_an_agency_credit_and_finds_an_untagged_name(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    row = _row(
        nlp,
        lexicon,
        "(CNN) North Korean leader Kim Jong Un held out a rare olive branch to the South on "
        "Monday, offering talks.",
    )
    assert row.who and "Kim Jong Un" in row.who
    # the tagger misses "Israel" here; the title names it, so it is the actor's name
    row = _row(
        nlp,
        lexicon,
        "OFER PRISON, West Bank (Reuters) - Israel indicted a 16-year-old Palestinian girl on "
        "Monday on charges including assault.",
        title="Israel indicts Palestinian teenage girl who punched soldier",
    )
    assert row.who == "Israel" and row.where == "OFER PRISON" and row.when == "Monday"


def test_a_place_that_only_labels_or_modifies_the_headline_is_not_its_actor() -> None:
    from tasks.nlp.fivew import _acts_in_title

    assert _acts_in_title("Germany", "Germany rejects the plan")
    # the kicker's place is the topic; a speaker there is still the actor
    assert not _acts_in_title("Germany", "Germany: Rhine cruise ship hits bridge pylon", True)
    assert _acts_in_title("Comey", "Comey to country: The jury will disregard...")
    # a possessive modifier, or only part of a word, is not the name acting
    assert not _acts_in_title("Chicago", "Chicago's Apple Store Has a Falling Ice Problem")
    assert not _acts_in_title(
        "Angola\u2019s", "Russia re-establishes contact with Angola\u2019s satellite"
    )
    assert not _acts_in_title("Hawaii", "Hawaiian Air Flight That Took off in 2018 Will Land")
