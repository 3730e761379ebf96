"""Entity labels: the CoNLL reader and scorer, and the entity ruler in the pipeline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from tasks.evaluate.ner import read_conll, score_spans
from tasks.nlp.build_entity_patterns import build_patterns, parse_tabari, title_case
from tasks.nlp.pipeline import ENTITY_RULER, installed_model_version, load_nlp, model_version
from tasks.nlp.ruler import PRETOKENIZED, parse_entity_patterns, read_entity_patterns
from tasks.settings import load_settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ner"


def test_conll_documents_become_article_text_with_entity_offsets() -> None:
    first, second = read_conll(FIXTURES / "tiny.conll")
    assert first.text.startswith("PARIS 1997-03-04\n\nThe mayor of Lyon, Anne Martin, met")
    assert "(Reuters)." in first.text
    found = {(first.text[a:b], label) for a, b, label in first.entities}
    assert found == {
        ("PARIS", "LOC"),
        ("Lyon", "LOC"),
        ("Anne Martin", "PER"),
        ("United Nations", "ORG"),
        ("Reuters", "ORG"),
    }  # MISC is not scored
    assert {(second.text[a:b], label) for a, b, label in second.entities} == {
        ("Ms Keller", "PER"),
        ("Bob Lee", "PER"),
        ("Bern", "LOC"),
    }
    assert second.text.startswith("Ms Keller's firm")


def test_a_file_without_document_marks_is_split_into_its_stories(tmp_path: Path) -> None:
    def sentence(*words: str) -> str:
        return "".join(f"{w} {'B-LOC' if w.isupper() and w.isalpha() else 'O'}\n" for w in words)

    story = [sentence("CRICKET", "-", "WIN", "."), sentence("LONDON", "1996-08-30")]
    story += [sentence("They", "won", ".")] * 3
    (tmp_path / "stories.conll").write_text("\n".join(story * 3), encoding="utf-8")
    docs = read_conll(tmp_path / "stories.conll")
    assert len(docs) == 3 and all(d.text.startswith("CRICKET - WIN.\n\nLONDON") for d in docs)
    # no datelines either: runs of 10 sentences, never one article for the whole file
    (tmp_path / "plain.conll").write_text("\n".join([sentence("Hi", ".")] * 25), encoding="utf-8")
    assert [d.text.count("Hi") for d in read_conll(tmp_path / "plain.conll")] == [10, 10, 5]


def test_patterns_file_gives_each_name_in_capitals_too() -> None:
    patterns = read_entity_patterns(FIXTURES / "patterns.tsv")
    assert patterns.label(["Lyon"]) == "GPE"
    assert patterns.label(["LYON"]) == "GPE"
    assert patterns.label(["United", "Nations"]) == patterns.label(["UNITED", "NATIONS"]) == "ORG"
    assert patterns.label(["Lyons"]) is None


def test_pretokenized_patterns_match_names_spacy_splits() -> None:
    lines = [PRETOKENIZED, "ORG\tAl-Qaida\tAl - Qaida", "GPE\tLyon"]
    patterns = parse_entity_patterns(lines)
    nlp = spacy.blank("en")
    doc = nlp.make_doc("AL-QAIDA said Al-Qaida was near Lyon and LYON.")
    assert [(doc[a:b].text, label) for a, b, label in patterns.match(doc)] == [
        ("AL-QAIDA", "ORG"),
        ("Al-Qaida", "ORG"),
        ("Lyon", "GPE"),
        ("LYON", "GPE"),
    ]


def test_shipped_patterns_carry_the_models_tokens(nlp: Language) -> None:
    """The shipped file says how the model's tokenizer splits each name; were the model's
    tokenizer to change, the file would need rebuilding (tasks.nlp.build_entity_patterns)."""
    settings = load_settings()
    lines = settings.nlp.entity_patterns.read_text(encoding="utf-8").splitlines()
    assert (
        parse_entity_patterns(lines).phrases
        == parse_entity_patterns(lines, lambda text: [t.text for t in nlp.tokenizer(text)]).phrases
    )


def test_score_spans_counts_exact_span_and_label() -> None:
    gold = [(0, 5, "LOC"), (10, 20, "PER")]
    counts = score_spans(gold, [(0, 5, "LOC"), (10, 19, "PER"), (30, 35, "ORG")])
    assert counts == Counter({"tp:LOC": 1, "fp:PER": 1, "fn:PER": 1, "fp:ORG": 1})


def test_tabari_entries_and_labels() -> None:
    lines = [
        "FRANCE_  [FRA]",
        "+FRENCH_",
        "+LOIRE_RIVER_",
        "+CHAMPAGNE_",
        "# a comment",
        "JACQUES_CHIRAC_  # CountryInfo.txt",
        "\t[FRAGOV 950517-070516]",
        "FRENCH_ARMY_ [FRAMIL]",
    ]
    entries = list(parse_tabari(lines, "actors_countries.txt"))
    assert [e.names[0] for e in entries] == ["FRANCE", "JACQUES CHIRAC", "FRENCH ARMY"]
    assert title_case("REPUBLIC OF THE CONGO") == "Republic of the Congo"
    assert title_case("GUINEA-BISSAU") == "Guinea-Bissau"


def test_build_patterns_from_a_small_dictionary(tmp_path: Path) -> None:
    (tmp_path / "actors_countries.txt").write_text(
        "FRANCE_  [FRA]\n+FRENCH_\n+LOIRE_RIVER_\n+CHAMPAGNE_\n+FRENCHMAN_\n+FRENCH_PEOPLE_\n"
        "JACQUES_CHIRAC_  # CountryInfo.txt\n\t[FRAGOV 950517-070516]\n"
        "FRENCH_ARMY_ [FRAMIL]\n",
        encoding="utf-8",
    )
    (tmp_path / "actors_international.txt").write_text(
        "THE_UNITED_NATIONS_ [IGOUNO]\n17_NOVEMBER_ [GRCREB]\n", encoding="utf-8"
    )
    patterns = build_patterns(tmp_path, {"champagne"}, lambda _words: {"FRENCH": "NORP"})
    got = {(p["pattern"], p["label"]) for p in patterns}
    assert ("France", "GPE") in got
    assert ("French", "NORP") in got
    assert ("Loire River", "LOC") in got
    assert ("Jacques Chirac", "PERSON") in got
    assert ("French Army", "ORG") in got
    assert ("United Nations", "ORG") in got
    assert not any(p.startswith(("Champagne", "17", "Frenchman", "French People")) for p, _ in got)


def test_the_ruler_labels_dictionary_names_and_the_model_the_rest() -> None:
    settings = load_settings()
    bare = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    nlp = load_nlp(settings.nlp.model, (*bare, ENTITY_RULER), FIXTURES / "patterns.tsv")
    assert nlp.pipe_names.index(ENTITY_RULER) > nlp.pipe_names.index("ner")
    doc = nlp("PARIS 1997-03-04\n\nThe mayor of Lyon met officials from the United Nations.")
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("PARIS", "GPE") in ents and ("Lyon", "GPE") in ents
    assert any("United Nations" in text and label == "ORG" for text, label in ents)
    # a dictionary name inside a longer name the NER found stays part of it
    doc = nlp("Officials met Lyon Martinez Gutierrez, the new mayor, on Monday.")
    assert not any(e.text == "Lyon" for e in doc.ents) or not any(
        "Martinez" in e.text for e in doc.ents
    )
    assert ENTITY_RULER not in load_nlp(settings.nlp.model, bare).pipe_names


def test_provenance_without_loading_names_the_same_patterns() -> None:
    settings = load_settings()
    n = settings.nlp
    loaded = load_nlp(n.model, n.components, n.entity_patterns)
    assert installed_model_version(n.model, n.components, n.entity_patterns) == model_version(
        loaded
    )
    assert "+ruler-" in model_version(loaded)
    bare = tuple(c for c in n.components if c != ENTITY_RULER)
    assert "+ruler-" not in installed_model_version(n.model, bare, n.entity_patterns)


def test_a_place_in_a_row_of_figures_is_a_team() -> None:
    settings = load_settings()
    bare = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    nlp = load_nlp(settings.nlp.model, (*bare, ENTITY_RULER), FIXTURES / "patterns.tsv")
    doc = nlp("PARIS 1996-08-31\n\nLYON 75 60 .556 -\n\n4. Mary Onyali (Lyon) 11.14")
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get("PARIS") == "GPE"  # a dateline is no table row
    assert labels.get("LYON") == "ORG"  # the standings row's team
    assert labels.get("Lyon") == "GPE"  # an athlete's place in brackets
    # a paragraph of prose with figures and no final full stop is no table row
    doc = nlp("About 40 people were hurt in Lyon on 9 November when 2 trams collided, police said")
    assert {e.text: e.label_ for e in doc.ents}.get("Lyon") == "GPE"


def test_a_place_inside_a_longer_name_is_not_added() -> None:
    settings = load_settings()
    bare = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    nlp = load_nlp(settings.nlp.model, (*bare, ENTITY_RULER), FIXTURES / "patterns.tsv")
    text = "He is bidding for a fourth Lyon Open title. Yesterday Lyon won on Friday."
    doc = nlp(text)
    places = {e.start_char for e in doc.ents if e.label_ == "GPE"}
    assert text.index("Lyon Open") not in places
    assert nlp("They met in Lyon on Friday.").ents[0].text == "Lyon"


@pytest.fixture(scope="module")
def fixture_ruler() -> Language:
    """The configured pipeline with the entity ruler fed by the test patterns."""
    settings = load_settings()
    bare = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    return load_nlp(settings.nlp.model, (*bare, ENTITY_RULER), FIXTURES / "patterns.tsv")


def test_a_datelines_places_and_a_tables_teams(fixture_ruler: Language) -> None:
    nlp = fixture_ruler
    doc = nlp("TAVILDARA, Tajikistan 1996-08-30\n\nGovernment troops took the town.")
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get("TAVILDARA") == "GPE" and labels.get("Tajikistan") == "GPE"
    doc = nlp("Headline words\n\nNEW YORK (Reuters) - Shares rose on Friday.")
    assert {e.text: e.label_ for e in doc.ents}.get("NEW YORK") == "GPE"
    # capitals with no date after them are a headline, not a dateline
    doc = nlp("SOCCER - SHEARER NAMED AS CAPTAIN.\n\nThe striker was named on Friday.")
    assert not any(e.text == "SOCCER" and e.label_ == "GPE" for e in doc.ents)
    # a standings table and a results list: the names before the figures are teams
    doc = nlp(
        "Standings after Saturday's matches:\n\nStoke 4 3 1 0 7 4 10\n\nBarnsley 3 3 0 0 8 2 9"
        "\n\nQueens Park Rangers 3 2 1 0 5 3 7\n\nResults:\n\nBarnsley 4 Stoke 2"
    )
    labels = {e.text: e.label_ for e in doc.ents}
    for team in ("Stoke", "Barnsley", "Queens Park Rangers"):
        assert labels.get(team) == "ORG", (team, labels)
    results = doc.text.index("Results")
    assert [e.text for e in doc.ents if e.start_char > results and e.label_ == "ORG"] == [
        "Barnsley",
        "Stoke",
    ]
    # a table of people stays people
    doc = nlp("Leading scores:\n\nGreg Norman 68 70\n\nNick Price 69 70\n\nErnie Els 70 71")
    assert not any(e.label_ == "ORG" for e in doc.ents)


def test_a_headline_in_capitals_gets_the_names_the_body_spells(fixture_ruler: Language) -> None:
    nlp = fixture_ruler
    doc = nlp(
        "SOCCER - MARTINEZ SIGNS FOR HOLLOWAY ROVERS.\n\nLYON 1996-08-30\n\n"
        "Striker Carlos Martinez signed for Holloway Rovers on Friday, the club said. "
        "Martinez had played for the club before."
    )
    body = {e.text: e.label_ for e in doc.ents if e.start_char > doc.text.index("Striker")}
    heads = {e.text: e.label_ for e in doc.ents if e.end_char < doc.text.index("LYON")}
    assert heads.get("MARTINEZ") == "PERSON"  # the surname of a person the body names
    if "Holloway Rovers" in body:  # a name the body labels is labelled so in capitals
        assert heads.get("HOLLOWAY ROVERS") == body["Holloway Rovers"]
    assert "SOCCER" not in heads


def test_an_entity_has_no_leading_the_nor_possessive(fixture_ruler: Language) -> None:
    nlp = fixture_ruler
    doc = nlp(
        "Analysts expect the Federal Reserve to act, and the European Central Bank's chief too."
    )
    texts = {e.text for e in doc.ents if e.label_ == "ORG"}
    assert texts and not any(t.lower().startswith("the ") or t.endswith("'s") for t in texts)


def test_people_by_their_form_and_names_without_scores(fixture_ruler: Language) -> None:
    nlp = fixture_ruler
    doc = nlp("Scoreboard:\n\nA. Stewart b Mushtaq Ahmed 46\n\nN. Knight run out 1")
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get("A. Stewart") == "PERSON" and labels.get("N. Knight") == "PERSON"
    doc = nlp(
        "Belgium - 1 - Filip De Wilde, 2 - Bertrand Crasson, 3 - Dirk Medved, "
        "10 - Enzo Scifo, 11 - Luis Oliveira, 9 - Marc Degryse."
    )
    people = {e.text for e in doc.ents if e.label_ == "PERSON"}
    assert {"Filip De Wilde", "Bertrand Crasson", "Dirk Medved", "Marc Degryse"} <= people
    doc = nlp("France beat Mexico 2-0 in a friendly international on Saturday.")
    assert not any(any(c.isdigit() for c in e.text) for e in doc.ents if e.label_ != "DATE")


def test_the_models_organisations_in_capitals_need_a_source() -> None:
    settings = load_settings()
    bare = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    nlp = load_nlp(settings.nlp.model, (*bare, ENTITY_RULER), FIXTURES / "patterns.tsv")
    doc = nlp("BASEBALL - MAJOR LEAGUE STANDINGS AFTER THURSDAY'S GAMES.\n\nW L PCT GB\n\nText.")
    assert not any(e.label_ == "ORG" for e in doc.ents if e.end_char < doc.text.index("Text"))
    # the dictionary's organisations stay
    doc = nlp("UNITED NATIONS SAYS AID DELAYED.\n\nAid was delayed, officials said.")
    assert any(e.text == "UNITED NATIONS" and e.label_ == "ORG" for e in doc.ents)
