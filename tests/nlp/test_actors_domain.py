"""Actor coding (CAMEO codes from the PETRARCH dictionaries), the sense of domain, the main
event of a sentence, and the seed events as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.nlp.analysis import analyse
from tasks.nlp.entities import resolve_mentions
from tasks.nlp.events.lexicon import load_lexicon
from tasks.nlp.pipeline import doc_spans
from tasks.evaluate.matching import gold_article
from tasks.records import Event, RawDocument
from tasks.text.extract import prepare_articles

TEXTS = Path(__file__).parent.parent / "fixtures" / "text"


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon()


def _events(
    nlp, lexicon, text: str, published: datetime | None = datetime(2021, 1, 25)
) -> list[Event]:  # type: ignore[no-untyped-def]
    art = gold_article("x", text, published=published)
    doc = nlp(text)
    mentions = resolve_mentions(art.id, doc_spans(doc))[0]
    return list(analyse(doc, art, mentions, lexicon, quotes=False).events)


def _file_events(nlp, lexicon, name: str) -> list[Event]:  # type: ignore[no-untyped-def]
    path = TEXTS / name
    raw = RawDocument("t", name, path.read_bytes(), "text/plain", datetime.now(UTC))
    (art,), _ = prepare_articles([raw])
    doc = nlp(art.text)
    mentions = resolve_mentions(art.id, doc_spans(doc))[0]
    return list(analyse(doc, art, mentions, lexicon, quotes=False).events)


@pytest.fixture(scope="module")
def seed_events(seed_parsed, lexicon):  # type: ignore[no-untyped-def]
    art, doc, mentions = seed_parsed
    return art, list(analyse(doc, art, mentions, lexicon, quotes=False).events)


def test_seed_actors_get_cameo_codes(seed_events) -> None:  # type: ignore[no-untyped-def]
    _, events = seed_events
    detained = next(e for e in events if e.trigger == "detained" and e.actor)
    assert detained.actor == "Russian police"
    assert (detained.actor_code, detained.actor_country) == ("RUSCOP", "RUS")
    assert detained.target_code and detained.coded
    eu = next(e for e in events if e.actor == "EU" and e.category == "DEMAND")
    assert eu.actor_code == "IGOEUREEC" and eu.actor_country is None
    # a person is coded by the role the article gives them: "EU foreign policy chief Josep
    # Borrell", then "Borrell"
    visits = [e for e in events if e.actor and "Borrell" in e.actor]
    assert visits and all(e.actor_code and e.actor_code.startswith("IGOEUREEC") for e in visits)
    kremlin = [e for e in events if e.actor == "Kremlin"]
    assert kremlin and all(e.actor_code == "RUSGOV" for e in kremlin)


def test_seed_events_read_as_a_person_reads_them(seed_events) -> None:  # type: ignore[no-untyped-def]
    art, events = seed_events
    assert not [e for e in events if e.trigger == "rings" and e.category in ("FIGHT", "ASSAULT")]
    signal = [e for e in events if e.trigger == "signal"]
    assert all(e.actor != "bell" for e in signal)
    headline_end = art.text.index("\n")
    rallies = [
        e
        for e in events
        if e.trigger_start > headline_end
        and "Anti-Kremlin" in art.text[e.trigger_start - 20 : e.trigger_start]
    ]
    assert all(e.actor != "Kremlin" for e in rallies)
    assert all(e.actor not in ("Kremlin", "Anti") or e.trigger != "rallies" for e in events)


def test_other_seeds_read_right(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    sport = _file_events(nlp, lexicon, "bbc_sport_030.txt")
    assert not [
        e for e in sport if e.trigger in ("found", "hung") and e.category in ("FIGHT", "ASSAULT")
    ]
    assert not [e for e in sport if e.coded and e.category in ("FIGHT", "ASSAULT")]
    tech = _file_events(nlp, lexicon, "bbc_tech_020.txt")
    assert not [e for e in tech if e.trigger == "released" and e.category == "RETREAT"]


def test_a_role_word_takes_the_articles_country(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Police detained dozens of protesters in Moscow on Saturday. The protesters had gathered "
        "near the Kremlin. Russian officials said the rally in Moscow was illegal."
    )
    ev = next(e for e in _events(nlp, lexicon, text) if e.trigger == "detained")
    assert (ev.actor, ev.actor_code, ev.actor_country) == ("Police", "RUSCOP", "RUS")
    assert ev.coded


def test_a_role_phrase_takes_the_country_it_is_placed_in(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Paris, Monday. Opposition groups in Zimbabwe demanded new elections on Sunday."
    ev = next(e for e in _events(nlp, lexicon, text) if e.trigger == "demanded")
    assert (ev.actor_code, ev.actor_country) == ("ZWEOPP", "ZWE")


def test_a_hyphenated_modifier_is_not_the_actor(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Anti-government rallies blocked roads in Moscow on Saturday, the police said."
    ev = next(e for e in _events(nlp, lexicon, text) if e.actor and "rallies" in e.actor)
    assert not (ev.actor_code or "").endswith("GOV")  # rallies against the government
    text = "Anti-government protesters threw stones at Russian police in Moscow on Saturday."
    ev = next(e for e in _events(nlp, lexicon, text) if e.actor and "protesters" in e.actor)
    assert (ev.actor_code or "").endswith("OPP")


def test_we_in_direct_speech_is_not_the_last_group_named(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The Kremlin rejected the demands on Monday. "
        '"We will protest again on Saturday," an opposition spokesman said.'
    )
    protest = [e for e in _events(nlp, lexicon, text) if e.trigger == "protest"]
    assert protest and all(e.actor != "Kremlin" and not e.coded for e in protest)


def test_a_match_is_not_political_violence(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "England beat Wales 2-0 in the World Cup qualifier at Old Trafford on Saturday. "
        "The England captain scored twice as the home side dominated the match, and the "
        "Wales manager said his team had been outplayed by the better side."
    )
    events = _events(nlp, lexicon, text)
    force = [e for e in events if e.category in ("FIGHT", "ASSAULT")]
    assert force, "the coder should still see the trigger; the domain demotes it"
    assert all(not e.coded and e.domain == "sport" for e in force)


def test_violence_between_political_actors_is_coded(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Israeli troops killed three Palestinian militants in a raid on the Jenin refugee camp."
    ev = next(e for e in _events(nlp, lexicon, text) if e.trigger == "killed")
    assert ev.category in ("FIGHT", "ASSAULT") and ev.coded and ev.domain == "political"
    assert (ev.actor_code, ev.actor_country) == ("ISRMIL", "ISR")
    assert ev.target_country == "PSE"


def test_two_party_events_need_a_target(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    events = _events(nlp, lexicon, "Israeli troops opened fire on Tuesday.")
    fire = [e for e in events if e.category in ("FIGHT", "ASSAULT")]
    assert fire and all(e.actor_code == "ISRMIL" and not e.coded for e in fire)


def test_one_main_event_per_sentence(seed_events) -> None:  # type: ignore[no-untyped-def]
    _, events = seed_events
    by_sentence: dict[int, list[Event]] = {}
    for e in events:
        by_sentence.setdefault(e.sentence, []).append(e)
    for evs in by_sentence.values():
        main = [e for e in evs if e.is_main]
        assert len({(e.trigger_start) for e in main}) == 1
        # the main event is the one with the highest confidence in its sentence
        assert max(e.confidence for e in evs) == main[0].confidence
