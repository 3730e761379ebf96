"""Place resolution against the packaged gazetteer, with the article's context."""

from __future__ import annotations

import pytest

from tasks.nlp.gazetteer import load_gazetteer, normalise
from tasks.nlp.places import resolve_article_places
from tasks.records import Mention


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def _mentions(*pairs: tuple[str, str]) -> list[Mention]:
    return [
        Mention("a1", f"e{i}", name, label, name, label, i * 10, i * 10 + len(name), 0)
        for i, (name, label) in enumerate(pairs)
    ]


def test_seed_places(gazetteer):
    places = resolve_article_places(
        _mentions(("Moscow", "GPE"), ("Brussels", "GPE"), ("Germany", "GPE"), ("Russia", "GPE")),
        gazetteer,
    )
    moscow = places["Moscow"].place
    assert (moscow.country_code, moscow.kind) == ("RU", "city")
    assert moscow.lat == pytest.approx(55.75, abs=0.1) and moscow.lon == pytest.approx(
        37.62, abs=0.1
    )
    assert places["Brussels"].place.country_code == "BE"
    assert (places["Germany"].place.country_code, places["Germany"].place.kind) == ("DE", "country")
    assert places["Russia"].place.country_code == "RU"


def test_georgia_follows_context(gazetteer):
    us = resolve_article_places(_mentions(("Georgia", "GPE"), ("Atlanta", "GPE")), gazetteer)
    assert (us["Georgia"].place.country_code, us["Georgia"].place.kind) == ("US", "region")
    assert us["Georgia"].reason == "context"
    caucasus = resolve_article_places(
        _mentions(("Georgia", "GPE"), ("Tbilisi", "GPE"), ("Russian", "NORP")), gazetteer
    )
    assert caucasus["Georgia"].place.country_code == "GE"
    alone = resolve_article_places(_mentions(("Georgia", "GPE")), gazetteer)
    assert alone["Georgia"].place.kind == "country"  # no context: the country first


def test_paris_by_context_then_population(gazetteer):
    texas = resolve_article_places(
        _mentions(("Paris", "GPE"), ("Dallas", "GPE"), ("Texas", "GPE")), gazetteer
    )
    assert texas["Paris"].place.country_code == "US"
    plain = resolve_article_places(_mentions(("Paris", "GPE")), gazetteer)
    assert plain["Paris"].place.country_code == "FR" and plain["Paris"].reason == "population"
    french = resolve_article_places(_mentions(("Paris", "GPE"), ("French", "NORP")), gazetteer)
    assert french["Paris"].place.country_code == "FR" and french["Paris"].reason == "context"


def test_aliases_exonyms_demonyms_and_unknowns(gazetteer):
    places = resolve_article_places(
        _mentions(
            ("U.S.", "GPE"),
            ("Britain", "GPE"),
            ("Kiev", "GPE"),
            ("Europe", "LOC"),
            ("Narnia", "GPE"),
        ),
        gazetteer,
        extra_names=["Cologne"],
    )
    assert places["U.S."].place.country_code == "US"
    assert places["Britain"].place.country_code == "GB"
    assert places["Kiev"].place.country_code == "UA"
    assert places["Cologne"].place.country_code == "DE"
    assert places["Europe"].place.country_code is None and places["Europe"].place.lat is not None
    assert "Narnia" not in places
    assert gazetteer.demonym_country("Ukrainians") == "UA"
    assert gazetteer.demonym_country("German") == "DE"
    assert normalise("the  São-Paulo") == "sao paulo"
