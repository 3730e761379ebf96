"""Publication dates of pages: the publisher's local day, htmldate with the page's own fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from tasks.text.html import extract_html
from tasks.text.pagedate import (
    DateEvidence,
    Stamp,
    byline_date,
    choose_published,
    labelled_date,
    page_offset,
    parse_stamp,
    shown_dates,
    reader_evidence,
    reader_view,
    url_day,
    visible_text,
)

EST = timezone(timedelta(hours=-5))
CET = timezone(timedelta(hours=1))

BODY = "<p>" + " ".join(["The council met again on the matter and voted."] * 12) + "</p>"


def page(head: str, body: str = BODY) -> str:
    return f"<html><head><title>Council votes</title>{head}</head><body><article><h1>Council votes</h1>{body}</article></body></html>"


def test_stamps_keep_the_publishers_day() -> None:
    local = parse_stamp("2023-11-08T21:11:03-05:00")
    assert local == Stamp(date(2023, 11, 8), datetime(2023, 11, 8, 21, 11, 3, tzinfo=EST), "local")
    # a UTC instant is moved into the zone the page's other timestamps use
    moved = parse_stamp("2023-11-09T02:11:03Z", EST)
    assert moved is not None and moved.day == date(2023, 11, 8) and moved.zone == "moved"
    # without such a zone it is only a UTC day
    utc = parse_stamp("2023-11-09T02:11:03+00:00")
    assert utc is not None and utc.day == date(2023, 11, 9) and utc.zone == "utc"
    assert parse_stamp("2020-02-19") == Stamp(date(2020, 2, 19))
    assert parse_stamp("2018-06-22 10:20:00") == Stamp(date(2018, 6, 22), None, "naive")
    rfc = parse_stamp("Sat, 19 Oct 2019 00:04:00 +0200")
    assert rfc is not None and rfc.day == date(2019, 10, 19) and rfc.zone == "local"
    for junk in ("", "1988", "Tue Jan 28 15:28:56 CET 2020", "2020-13-45", "soon"):
        assert parse_stamp(junk) is None


def test_page_offset_is_the_most_common_nonzero_offset() -> None:
    html = (
        '<time datetime="2023-11-08T21:11:03-05:00"></time>'
        '<time datetime="2023-11-08T20:00:00-05:00"></time>'
        '<meta content="2023-11-09T02:11:03+00:00">'
        '<time datetime="2023-11-08T10:00:00+01:00"></time>'
    )
    assert page_offset(html) == EST
    assert page_offset('<meta content="2023-11-09T02:11:03Z">') is None


def test_url_day_needs_a_complete_date() -> None:
    assert url_day("https://x.com/2023/11/08/story/") == date(2023, 11, 8)
    assert url_day("https://x.com/news/2020-02-18-title.html") == date(2020, 2, 18)
    assert url_day("https://blog.x.de/2023/10/3-fragen-an/") is None  # month only
    assert url_day("https://x.com/2023/13/45/story") is None
    assert url_day(None) is None


def test_vote_htmldate_is_overruled_only_by_agreeing_fields() -> None:
    stamp = Stamp(date(2020, 2, 19), datetime(2020, 2, 19, 18, 37, tzinfo=CET), "local")
    agree = DateEvidence(htmldate=date(2020, 2, 18), json_ld=stamp, meta=stamp)
    published, precision, source = choose_published(agree)
    assert published == datetime(2020, 2, 19, 18, 37, tzinfo=CET)
    assert precision == "time" and source == "json_ld+meta"
    alone = DateEvidence(htmldate=date(2020, 2, 18), json_ld=stamp)
    published, precision, source = choose_published(alone)
    assert published == datetime(2020, 2, 18, tzinfo=UTC) and precision == "day"
    assert source == "htmldate"
    # nothing votes: the fallbacks, in order
    utc_only = DateEvidence(json_ld=Stamp(date(2020, 1, 3), None, "utc"), url=date(2020, 1, 6))
    assert choose_published(utc_only)[2] == "json_ld_utc"
    assert choose_published(DateEvidence()) == (None, None, None)


def test_without_structured_dates_htmldates_later_date_wins() -> None:
    later = DateEvidence(htmldate=date(2016, 6, 16), htmldate_latest=date(2021, 10, 16))
    published, precision, source = choose_published(later)
    assert published == datetime(2021, 10, 16, tzinfo=UTC)
    assert (precision, source) == ("day", "htmldate_latest")
    earlier = DateEvidence(htmldate=date(2021, 10, 16), htmldate_latest=date(2021, 10, 1))
    assert choose_published(earlier)[2] == "htmldate"
    # the latest date is sought only on a page with no JSON-LD or meta date
    stamped = page('<meta property="article:published_time" content="2021-10-16T08:00:00+02:00">')
    assert extract_html(stamped).date_evidence.htmldate_latest is None  # type: ignore[union-attr]


def test_extract_html_gives_the_local_day_of_an_evening_article() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council votes",'
        ' "datePublished": "2023-11-09T02:11:03+00:00"}</script>'
        '<meta property="article:published_time" content="2023-11-09T02:11:03+00:00">'
    )
    body = '<time datetime="2023-11-08T21:11:03-05:00">November 8, 2023</time>' + BODY
    result = extract_html(page(head, body), "https://news.example.com/council-votes/")
    assert result.published_at is not None
    assert result.published_at.date() == date(2023, 11, 8)  # the publisher's day, not UTC's
    assert result.published_at.astimezone(UTC) == datetime(2023, 11, 9, 2, 11, 3, tzinfo=UTC)
    assert result.published_precision == "time"
    assert result.date_evidence is not None and result.date_evidence.offset == EST


def test_extract_html_reads_the_url_date_through_htmldate() -> None:
    result = extract_html(page(""), "https://news.example.com/2021/03/08/council-votes/")
    assert result.published_at == datetime(2021, 3, 8, tzinfo=UTC)
    assert result.published_precision == "day"
    assert result.published_source == "htmldate"


def test_dates_a_reader_sees_and_the_first_that_is_no_list() -> None:
    text = (
        "Latest posts: Spring fair 23. Januar 2020 Summer 19.05.2019 Winter 2019-02-24 "
        + "x" * 200
        + " By Anna Berg | 06.11.23 The council met. Then on November 3, 2023 it voted. "
        "Next meeting 2031-01-01."
    )
    shown, first = shown_dates(text, date(2026, 12, 2))
    assert date(2023, 11, 6) in shown and date(2023, 11, 3) in shown
    assert date(2031, 1, 1) not in shown  # no page shows its own date in the future
    assert first == date(2023, 11, 6)  # the sidebar list of three dates is skipped
    assert visible_text(
        "<html><head><title>T</title><script>var d='2020-01-01';</script></head>"
        "<body><p>Posted 4. 2. 2022</p><style>x{}</style></body></html>"
    ) == ("Posted 4. 2. 2022")


def test_htmldate_alone_gives_way_to_the_date_the_page_shows() -> None:
    shown = frozenset({date(2022, 1, 25), date(2021, 5, 1)})
    unseen = DateEvidence(htmldate=date(2022, 1, 15), shown=shown, first_shown=date(2022, 1, 25))
    assert choose_published(unseen)[0] == datetime(2022, 1, 25, tzinfo=UTC)
    assert choose_published(unseen)[2] == "shown"
    # a day the page shows stays, and so does one the URL's month confirms
    seen = DateEvidence(htmldate=date(2021, 5, 1), shown=shown, first_shown=date(2022, 1, 25))
    assert choose_published(seen)[2] == "htmldate"
    in_url = DateEvidence(
        htmldate=date(2022, 1, 15), shown=shown, first_shown=date(2022, 1, 25), url_month=(2022, 1)
    )
    assert choose_published(in_url)[2] == "htmldate"
    # structured fields that agree with htmldate are not overruled by what the page shows
    stamp = Stamp(date(2022, 1, 15), datetime(2022, 1, 15, 9, 0, tzinfo=CET), "local")
    agreed = DateEvidence(
        htmldate=date(2022, 1, 15), meta=stamp, shown=shown, first_shown=date(2022, 1, 25)
    )
    assert choose_published(agreed)[2] == "meta+htmldate"
    # a UTC-only timestamp that agrees with htmldate keeps its day against an older shown date
    # (a related article's), not against a later one (the page's own, say a republication)
    utc = Stamp(date(2022, 1, 15), datetime(2022, 1, 15, 9, 0, tzinfo=UTC), "utc")
    older = DateEvidence(
        htmldate=date(2022, 1, 15), json_ld=utc, shown=shown, first_shown=date(2021, 5, 1)
    )
    assert choose_published(older)[0] == datetime(2022, 1, 15, 9, 0, tzinfo=UTC)
    later = DateEvidence(
        htmldate=date(2022, 1, 15), json_ld=utc, shown=shown, first_shown=date(2022, 1, 25)
    )
    assert choose_published(later)[2] == "shown"


def test_the_one_date_by_the_headline_is_the_pages_date() -> None:
    menu = "Archive 2021-05-31 " + "Home News Sport Culture " * 10  # far from the headline
    text = menu + "Council votes on the budget By Anna Berg | 25.01.2022 The council met."
    assert byline_date(text, "Council votes on the budget", date(2026, 12, 2)) == date(2022, 1, 25)
    # two different dates there: no byline; a date inside the headline is not one
    two = "Council votes on the budget 25.01.2022 and 27.01.2022"
    assert byline_date(two, "Council votes on the budget", date(2026, 12, 2)) is None
    updated = "Council votes on the budget 25.01.2022, updated 27.01.2022"
    assert byline_date(
        updated.replace(", updated", "; Updated:"), "Council votes on the budget", date(2026, 12, 2)
    ) == date(2022, 1, 25)
    cnn = "Council votes on the budget By Anna Berg November 28, 2013 -- Updated 0203 GMT"
    assert byline_date(cnn, "Council votes on the budget", date(2026, 12, 2)) is None
    inside = "Budget of 25.01.2022 passed by the council. The council met."
    assert byline_date(inside, "Budget of 25.01.2022 passed", date(2026, 12, 2)) is None
    stamp = Stamp(date(2022, 1, 21), datetime(2022, 1, 21, 15, 0, tzinfo=CET), "local")
    near = DateEvidence(htmldate=date(2022, 1, 21), meta=stamp, byline=date(2022, 1, 25))
    assert choose_published(near)[0] == datetime(2022, 1, 25, tzinfo=UTC)
    assert choose_published(near)[2] == "byline"
    # a byline date far from every other source is another story's
    far = DateEvidence(htmldate=date(2022, 1, 21), meta=stamp, byline=date(2021, 5, 31))
    assert choose_published(far)[2] == "meta+htmldate"


def test_a_date_a_sentence_cites_is_no_byline() -> None:
    headline = "Council votes on the budget"
    today = date(2026, 12, 2)
    caption = f"{headline} Councillors gather in Bonn, on Feb. 26, 2024. Photo: Anna Berg"
    assert byline_date(caption, headline, today) is None
    began = f"{headline} The hearings began on Monday, 28 April 2025, in The Hague."
    assert byline_date(began, headline, today) is None
    bracket = f"{headline} Das Zentrum (ZaB) wurde am 18. Oktober 2021 eröffnet."
    assert byline_date(bracket, headline, today) is None
    # a byline's own words before "on" keep it one
    for byline in ("Posted in News by jdoe on August 3, 2019", "Veröffentlicht am 3. August 2019"):
        assert byline_date(f"{headline} {byline} The council met.", headline, today) == date(
            2019, 8, 3
        )
    # the byline past the caption is found once the caption's date is set aside
    both = f"{headline} Councillors gather in Bonn, on Feb. 26, 2024. By Anna Berg 28.02.2024"
    assert byline_date(both, headline, today) == date(2024, 2, 28)


def test_extract_html_keeps_the_stamped_day_against_a_caption_date() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council votes",'
        ' "datePublished": "2024-02-28T09:54:09-05:00"}</script>'
        '<meta property="article:published_time" content="2024-02-28T09:54:09-05:00">'
    )
    body = (
        "<figure><img src='a.jpg'><figcaption>Councillors gather outside the hall in Bonn, on"
        " Feb. 26, 2024.</figcaption></figure>" + BODY
    )
    result = extract_html(page(head, body), "https://news.example.com/council-votes/")
    assert result.published_at == datetime(2024, 2, 28, 9, 54, 9, tzinfo=EST)
    assert result.published_source == "json_ld+meta+htmldate"


def test_a_timestamp_in_the_publishers_zone_beats_a_bare_date() -> None:
    # the JSON-LD stamp went out in the evening; the meta tag gives the print issue's day
    timed = Stamp(date(2024, 4, 25), datetime(2024, 4, 25, 19, 30, tzinfo=CET), "local")
    bare = Stamp(date(2024, 4, 26))
    evidence = DateEvidence(htmldate=date(2024, 4, 26), json_ld=timed, meta=bare)
    published, precision, source = choose_published(evidence)
    assert published == datetime(2024, 4, 25, 19, 30, tzinfo=CET)
    assert (precision, source) == ("time", "timed")
    # a UTC-only stamp is no such timestamp
    utc = Stamp(date(2024, 4, 25), datetime(2024, 4, 25, 17, 30, tzinfo=UTC), "utc")
    assert choose_published(DateEvidence(htmldate=date(2024, 4, 26), json_ld=utc, meta=bare))[
        0
    ] == datetime(2024, 4, 26, tzinfo=UTC)


def test_the_one_date_labelled_as_published_stands_in_for_a_byline() -> None:
    today = date(2026, 12, 2)
    text = "Episode 158 Download: mp3 (30 MB) Veröffentlicht am 16.08.2019 Dauer: 1 Stunde"
    assert labelled_date(text, today) == date(2019, 8, 16)
    assert labelled_date("Erschienen am: 01.11.2023 Lesungen: 61", today) == date(2023, 11, 1)
    assert labelled_date("Published April 26, 2023 2:20pm EDT", today) == date(2023, 4, 26)
    # two different labelled days, or a label far from its date: none
    assert labelled_date("Published 01.02.2020. Posted 03.02.2020", today) is None
    assert labelled_date("Published in the spring issue of the journal, 01.02.2020", today) is None
    evidence = DateEvidence(htmldate=date(2019, 8, 24), labelled=date(2019, 8, 16))
    assert choose_published(evidence)[:3:2] == (datetime(2019, 8, 16, tzinfo=UTC), "label")
    # a byline comes first
    bylined = DateEvidence(
        htmldate=date(2019, 8, 24), byline=date(2019, 8, 20), labelled=date(2019, 8, 16)
    )
    assert choose_published(bylined)[2] == "byline"


def test_the_headline_is_an_h1_else_an_h2_and_never_a_date() -> None:
    blog = (
        "<html><body><h1>Blog</h1><h2>Samstag, 9. September 2017</h2>"
        "<h2>A review of a novel</h2><p>Release date: 14.08.2017. The novel is long.</p>"
        "</body></html>"
    )
    # a short h1 and an h2 that is a date are no headline
    assert reader_view(blog)[1] == "A review of a novel"
    news = (
        "<html><body><div class='site'>Meldungen aus dem Verband</div>"
        "<h2>Zuschauer kehren zurück</h2><p>27.01.2022</p><p>Die Clubs dürfen wieder.</p>"
        "</body></html>"
    )
    text, headline = reader_view(news)
    assert headline == "Zuschauer kehren zurück"
    evidence = reader_evidence(DateEvidence(), text, headline, date(2026, 12, 2))
    assert evidence.byline == date(2022, 1, 27)
    with_h1 = news.replace(
        "<div class='site'>Meldungen aus dem Verband</div>", "<h1>Ein Titel hier</h1>"
    )
    assert reader_view(with_h1)[1] == "Ein Titel hier"
