"""Date finding and resolution, and publication-date inference, on the seed and small cases."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tasks.text.clean import clean_text
from tasks.nlp.dates import find_dates, infer_published_at, resolve_expression

SEED = Path(__file__).parent.parent / "fixtures" / "text" / "seed_000_791b397503252e09.txt"
MONDAY = date(2021, 1, 25)


@pytest.fixture(scope="module")
def seed_clean():  # type: ignore[no-untyped-def]
    _title, _, body = SEED.read_text(encoding="utf-8").partition("\n\n")
    return clean_text(body)


@pytest.fixture(scope="module")
def seed_dates(nlp, seed_clean):  # type: ignore[no-untyped-def]
    return find_dates(
        nlp(seed_clean.text), infer_published_at(seed_clean.text, seed_clean.captions)
    )


def test_infers_seed_publication_date_from_caption(seed_clean) -> None:  # type: ignore[no-untyped-def]
    assert infer_published_at(seed_clean.text, seed_clean.captions) == datetime(2021, 1, 25)
    # the caption alone is enough, and the date is a Monday as "Monday's meeting" says
    got = infer_published_at("He entered Monday's meeting.", ["Brussels, January 25, 2021."])
    assert got == datetime(2021, 1, 25) and got.weekday() == 0


def test_no_date_to_infer() -> None:
    assert infer_published_at("Nothing dated here.", []) is None


@pytest.mark.parametrize(
    ("text", "direction", "expected", "precision"),
    [
        ("Saturday", "past", date(2021, 1, 23), "day"),
        ("on Sunday", "future", date(2021, 1, 31), "day"),
        ("Monday", "past", date(2021, 1, 25), "day"),
        ("Monday", "future", date(2021, 2, 1), "day"),
        ("early next month", None, date(2021, 2, 1), "month"),
        ("in October", "past", date(2020, 10, 1), "month"),
        ("in October", "future", date(2021, 10, 1), "month"),
        ("February 2", "future", date(2021, 2, 2), "day"),
        ("February 2", None, date(2021, 2, 2), "day"),
        ("January 25, 2021", None, date(2021, 1, 25), "day"),
        ("yesterday", None, date(2021, 1, 24), "day"),
        ("last week", None, date(2021, 1, 18), "week"),
        ("this weekend", None, date(2021, 1, 30), "day"),
        ("2014", None, date(2014, 1, 1), "year"),
    ],
)
def test_resolve_expression(
    text: str, direction: str | None, expected: date, precision: str
) -> None:
    got = resolve_expression(text, MONDAY, direction)
    assert got is not None
    assert got[0] == expected and got[1] == precision


@pytest.mark.parametrize(
    "text",
    [
        "three-and-a-half years",
        "a single day",
        "days",
        "the past few weeks",
        # lengths and ages as adjectives ("a five-year deal", "a 25-year-old striker"), which
        # dateparser reads as a month or a day
        "five-year",
        "10-year",
        "25-year-old",
        "17-year-olds",
        "one-day",
    ],
)
def test_durations_are_not_dates(text: str) -> None:
    assert resolve_expression(text, MONDAY, None) is None


def test_seed_dates_resolved_by_tense(seed_dates) -> None:  # type: ignore[no-untyped-def]
    by_text: dict[str, list] = {}
    for d in seed_dates:
        by_text.setdefault(d.text, []).append(d)
    assert by_text["Saturday"][0].value == date(2021, 1, 23)  # "police on Saturday detained"
    assert by_text["Sunday"][0].value == date(2021, 1, 31)  # "to take to the streets on Sunday"
    assert by_text["early next month"][0].value == date(2021, 2, 1)
    assert by_text["early next month"][0].precision == "month"
    assert by_text["October"][0].value == date(2020, 10, 1)
    assert all(d.value == date(2021, 2, 2) for d in by_text["February 2"])
    assert all(d.value == MONDAY for d in by_text["Monday"])
    assert not any("years" in d.text or d.text == "days" for d in seed_dates)
    for d in seed_dates:  # offsets point at the words
        assert d.text and d.start < d.end


def test_dates_without_reference_keep_absolute_ones(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The treaty was signed on March 3, 2019. They met again on Friday.")
    found = {d.text: d for d in find_dates(doc, None)}
    assert found["March 3, 2019"].value == date(2019, 3, 3)
    assert found["Friday"].value is None


def test_fixed_day_holidays_resolve_by_tense(nlp) -> None:  # type: ignore[no-untyped-def]
    ref = date(2016, 1, 22)
    assert resolve_expression("New Year's Eve", ref, "past") == (date(2015, 12, 31), "day", True)
    assert resolve_expression("Christmas Day", ref, "future") == (date(2016, 12, 25), "day", True)
    assert resolve_expression("last Christmas", ref) == (date(2015, 12, 25), "day", True)
    doc = nlp(
        "A mob went on the rampage on New Year's Eve. The Christmas tree stays up. "
        "Shops will close on Christmas."
    )
    found = {d.text: d.value for d in find_dates(doc, ref)}
    assert found["New Year's Eve"] == date(2015, 12, 31)
    assert found["Christmas"] == date(2016, 12, 25)
    assert len(found) == 2  # "The Christmas tree" is no date
