"""Event coding by structure: which event a sentence is about, and who the parties are.

Each rule is checked on sentences of its own (not the development set's): the verb's lemma
repaired ("staged"), a demand's clause, an intent verb's infinitive, a meeting's purpose, a
refused request, the codebook's "violate a ceasefire", topics and causes that are no targets,
the future "going to", "according to" sources, and "they" resolved to a plural subject.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tasks.evaluate.matching import gold_article
from tasks.nlp.analysis import analyse
from tasks.nlp.entities import resolve_mentions
from tasks.nlp.events.lexicon import load_lexicon
from tasks.nlp.events.salience import main_event
from tasks.nlp.pipeline import doc_spans
from tasks.nlp.syntax import Mentions, resolve_pronoun
from tasks.records import Event


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon()


def _events(nlp, lexicon, text: str) -> list[Event]:  # type: ignore[no-untyped-def]
    art = gold_article("x", text, published=datetime(2021, 1, 25))
    doc = nlp(text)
    mentions = resolve_mentions(art.id, doc_spans(doc))[0]
    return list(analyse(doc, art, mentions, lexicon, quotes=False).events)


def _main(nlp, lexicon, text: str) -> Event:  # type: ignore[no-untyped-def]
    main = main_event(_events(nlp, lexicon, text))
    assert main is not None, text
    return main


def test_a_lemma_that_lost_its_e_still_finds_the_light_verb(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    main = _main(nlp, lexicon, "Farmers in Punjab staged protests outside the assembly on Monday.")
    assert (main.trigger, main.category) == ("staged", "PROTEST")


def test_the_clause_of_a_demand_noun_is_what_it_asks(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The union repeated its call on Friday that the government withdraw the reform."
    assert _main(nlp, lexicon, text).category == "DEMAND"


def test_swearing_to_fight_is_a_threat(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Tribal militias have sworn to fight until they drive the army out of the valley."
    assert _main(nlp, lexicon, text).category == "THREATEN"


def test_a_meeting_for_a_complaint_is_the_complaint(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Ghana's foreign minister summoned the French envoy to complain about the raids."
    assert _main(nlp, lexicon, text).category == "DISAPPROVE"


def test_dismissing_a_request_rejects_it(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The junta dismissed a request from the African Union to free the detained ministers."
    assert _main(nlp, lexicon, text).category == "REJECT"


def test_violating_a_truce_is_fighting(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Both armies violated the truce on Sunday, observers from the United Nations said."
    assert _main(nlp, lexicon, text).category == "FIGHT"


def test_a_topic_is_no_party(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The minister said officials would consult on new rules for landlords."
    consult = [e for e in _events(nlp, lexicon, text) if e.category == "CONSULT"]
    assert consult and all(e.target is None for e in consult)


def test_a_cause_owned_by_someone_is_no_target(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "Thousands of Belarusians marched through Minsk for Kolesnikova's freedom on Sunday."
    events = _events(nlp, lexicon, text)
    assert events and all("freedom" not in (e.target or "") for e in events)


def test_going_to_is_the_future_not_a_movement(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = '"We are going to raise the minimum wage next year," the chancellor said.'
    assert not any(e.trigger == "going" for e in _events(nlp, lexicon, text))


def test_nothing_inside_an_according_to_source_is_an_event(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Prices rose sharply in March, according to figures published by a group that "
        "monitors arrests of journalists."
    )
    assert not any(e.trigger in ("published", "arrests") for e in _events(nlp, lexicon, text))


def test_they_is_the_plural_subject_before_it(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The law was drafted to fight the Mafia. The oil companies deny that they broke it. "
        "They also say they paid every fine."
    )
    doc = nlp(text)
    index = Mentions(doc, resolve_mentions("x", doc_spans(doc))[0])
    theys = [t for t in doc if t.lower_ == "they"]
    found = [resolve_pronoun(t, index) for t in theys]
    assert all(f is not None and "companies" in f.text for f in found), found


def test_a_reopened_quotation_closes_where_it_ends(nlp) -> None:  # type: ignore[no-untyped-def]
    """British style reopens a quotation that goes on without closing it first."""
    from tasks.nlp.syntax import in_direct_speech

    text = (
        'The mayor said: "We have doubled the budget. "We will double it again." '
        'She said critics were "wrong", and the council agreed.'
    )
    doc = nlp(text)
    inside = {t.text: in_direct_speech(t) for t in doc if t.text in ("again", "She", "council")}
    assert inside == {"again": True, "She": False, "council": False}


def test_stating_that_someone_must_act_is_a_demand(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The commission concluded on Friday that member states should share the patrol costs."
    main = _main(nlp, lexicon, text)
    assert (main.category, main.actor) == ("DEMAND", "commission")


def test_a_subject_hung_on_the_subordinator_is_the_subject(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The union called for a general strike on Friday, days after thousands of nurses "
        "marched through Lagos."
    )
    march = [e for e in _events(nlp, lexicon, text) if e.trigger == "marched"]
    assert march and all(e.actor is None or "nurses" in e.actor for e in march)


def test_meeting_a_demand_accedes_to_it(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The miners' union said the owners had met most of its demands by Thursday."
    events = _events(nlp, lexicon, text)
    assert any(e.trigger == "met" and e.category == "CONCEDE" for e in events)
    assert not any(e.trigger == "demands" for e in events)


def test_whose_request_is_answered_is_the_target(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The dock workers rejected the port authority's offer on Monday."
    main = _main(nlp, lexicon, text)
    assert main.category == "REJECT" and "authority" in (main.target or "")


def _demand(nlp, lexicon, text: str) -> Event:  # type: ignore[no-untyped-def]
    demands = [e for e in _events(nlp, lexicon, text) if e.category == "DEMAND"]
    assert len(demands) == 1, (text, demands)
    return demands[0]


def test_a_call_for_someones_arrest_is_no_act_on_the_thing_asked(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """What a demand asks for ("X's arrest") is no party to it; X is the subject of what is
    asked, not the one asked."""
    text = "Protesters in Minsk were calling for Lukashenko's arrest."
    assert _demand(nlp, lexicon, text).target is None


def test_a_call_for_the_release_of_someone_does_not_target_them(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The African Union has called for the immediate release of Ondo and two of his aides."
    assert _demand(nlp, lexicon, text).target is None


def test_the_platform_a_call_is_made_on_is_no_addressee(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The opposition leader appealed on Facebook for students across the region "
        "to boycott classes."
    )
    assert "Facebook" not in (_demand(nlp, lexicon, text).target or "")


def test_the_addressee_of_a_call_is_still_its_target(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    text = "The teachers' union called on the minister to resign."
    assert _demand(nlp, lexicon, text).target == "minister"


def test_a_vote_split_is_no_sport_score(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """Two small numbers under a word of voting or deciding are a court's or house's split."""
    events = _events(nlp, lexicon, "The appeal was dismissed in a 3-2 ruling.")
    assert events and all(e.domain != "sport" for e in events)
    beat = _events(nlp, lexicon, "Leeds beat Everton 2-1 at Elland Road on Saturday.")
    assert beat and all(e.domain == "sport" for e in beat)


def test_a_warning_of_possible_harm_is_no_threat(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """A passive modal prediction ("could be ruined by the tariff") is threatened by nobody."""
    text = "The chamber's president warned that many family farms could be ruined by the tariff."
    assert not any(e.category == "THREATEN" for e in _events(nlp, lexicon, text))
    text = "The general warned the rebels that they would be crushed."
    assert _main(nlp, lexicon, text).category == "THREATEN"


def test_withdrawing_a_mission_reduces_relations(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """A mission's people withdrawn is CAMEO 166 (announced for the future: a threat); troops
    withdrawn are a de-escalation (announced: an intent to cooperate)."""
    text = (
        "The head of the African Union mission announced on Friday that she will withdraw "
        "the election monitors from Chad."
    )
    assert _main(nlp, lexicon, text).category == "THREATEN"
    text = "Kenya announced on Friday that it will withdraw its troops from the border."
    assert _main(nlp, lexicon, text).category == "AGREE"
    text = "Kenya withdrew its troops from the border on Monday."
    assert _main(nlp, lexicon, text).category == "RETREAT"


def test_relief_goods_handed_over_are_aid(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """A verb of transfer the lexicon does not code, with relief goods (or a quantity of them)
    as its object, is humanitarian aid; other goods are no event."""
    text = "Turkish engineers handed over two tonnes of vaccines to the health ministry in Kabul."
    main = _main(nlp, lexicon, text)
    assert (main.trigger, main.category) == ("handed", "AID")
    text = "The firm shipped 300 laptops to schools in Kenya."
    assert not _events(nlp, lexicon, text)


def test_a_hyphenated_participle_is_a_state_not_an_act(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """ "injury-hit", "war-ravaged": one adjective; neither side is an event or an actor."""
    assert not _events(nlp, lexicon, "The injury-hit striker missed the final.")
    assert not _events(nlp, lexicon, "The war-ravaged province held its first election on Sunday.")
    text = "The flood-battered villagers of Sindh protested outside the governor's office."
    assert _main(nlp, lexicon, text).category == "PROTEST"


def test_trying_to_act_is_the_act(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """A verb of trying or succeeding with an infinitive codes nothing itself."""
    text = "Small shops are struggling to pay their rent after the tax rise."
    assert not any(e.trigger == "struggling" for e in _events(nlp, lexicon, text))
    assert not _events(nlp, lexicon, "The minister managed to reach the border town on Sunday.")
    text = "Rebels tried to storm the barracks on Monday."
    assert _main(nlp, lexicon, text).category == "FIGHT"


def test_a_participle_before_its_noun_is_a_state(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """ "the banned drug", "the detained activists": what the noun is, not an act in the
    sentence; the act of the sentence is still coded."""
    assert not _events(nlp, lexicon, "Doctors found traces of the banned drug in the sample.")
    events = _events(nlp, lexicon, "The detained activists were freed by the police on Monday.")
    assert [e.trigger for e in events] == ["freed"]
    text = "Police detained the activists on Monday."
    assert _main(nlp, lexicon, text).category == "COERCE"


def test_a_request_from_someone_for_something(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """A demand noun's "from" object is who asks, its "for" thing what is asked (no target)."""
    text = "A request from the Red Cross for access to the prisoners was refused."
    demand = _demand(nlp, lexicon, text)
    assert (demand.actor, demand.target) == ("Red Cross", None)
    text = "The union's demand for a pay rise was rejected by the board."
    assert _demand(nlp, lexicon, text).target is None


def test_the_means_of_force_is_no_target(nlp, lexicon) -> None:  # type: ignore[no-untyped-def]
    """A force noun's "with" complement that names no person or group is its instrument."""
    text = "The dissident is recovering in Vienna from a poisoning with a Soviet-era nerve agent."
    force = [e for e in _events(nlp, lexicon, text) if e.category == "ASSAULT"]
    assert force and all("agent" not in (e.target or "") for e in force)
