"""The body as shipped: trafilatura's default extraction trimmed to what favor_precision keeps."""

from __future__ import annotations

from tasks.text.html import trim_to_precise


def test_edges_that_precision_drops_go_and_the_inside_stays() -> None:
    full = "Read more: other story\nFirst paragraph.\nA link-rich line.\nLast paragraph.\nFooter"
    precise = "First paragraph.\nLast paragraph."
    assert trim_to_precise(full, precise) == "First paragraph.\nA link-rich line.\nLast paragraph."


def test_a_precision_extraction_that_missed_the_article_is_ignored() -> None:
    full = "\n".join(f"Paragraph {i} of the article, long enough to count." for i in range(20))
    assert trim_to_precise(full, "Paragraph 3 of the article, long enough to count.") == full
    assert trim_to_precise(full, "") == full
    assert trim_to_precise("", "Only precise.") == "Only precise."
    # nothing in common: precision's own text
    assert trim_to_precise("A.\nB.", "Something else entirely.") == "Something else entirely."


def test_the_lead_before_the_first_kept_paragraph_comes_back() -> None:
    lead = (
        "The council voted on Monday to close the old bridge for a year of repairs, officials said."
    )
    body = "The first paragraph of the story goes on.\nThe last paragraph of the story ends it."
    full = f"Bridge closes\n{lead}\n{body}\nFooter"
    # the headline line before the lead is no prose, so it stays out
    assert trim_to_precise(full, body) == f"{lead}\n{body}"


def test_list_items_precision_dropped_inside_go_other_lines_stay() -> None:
    full = (
        "First paragraph.\n- Related: another story\n- More: a third story\n"
        "Short line.\n- A list item precision kept\nLast paragraph."
    )
    precise = "First paragraph.\n- A list item precision kept\nLast paragraph."
    assert trim_to_precise(full, precise) == (
        "First paragraph.\nShort line.\n- A list item precision kept\nLast paragraph."
    )


def test_embedded_social_posts_are_not_the_article() -> None:
    from tasks.text.html import extract_html

    prose = " ".join(
        f"Sentence {i} of the article tells the reader what happened in the town." for i in range(6)
    )
    html = (
        "<html><body><article><h1>Storm hits the coast</h1>"
        f"<p>{prose}</p>"
        '<blockquote class="twitter-tweet"><p>Roof gone on our street! pic.twitter.com/x</p>'
        "&mdash; A Resident (@resident) April 25, 2024</blockquote>"
        f"<p>{prose.replace('Sentence', 'Line')}</p></article></body></html>"
    )
    page = extract_html(html)
    assert page.ok
    assert "Roof gone" not in page.text and "@resident" not in page.text
    assert "Line 5 of the article" in page.text


def test_the_headline_printed_at_the_top_of_the_body_goes() -> None:
    from tasks.text.html import drop_headline

    body = "Premier League: Liverpool lose at Everton\nLiverpool lost 2-0 at Everton on Wednesday."
    assert drop_headline(body, "Liverpool lose at Everton") == (
        "Liverpool lost 2-0 at Everton on Wednesday."
    )
    # a lead that merely opens with the headline's words is longer than a kicker allows
    lead = "Liverpool lose at Everton, and with it their lead: " + "the title race is open. " * 4
    assert drop_headline(lead, "Liverpool lose at Everton") == lead
    assert drop_headline(body, None) == body


def test_a_page_rendered_in_the_browser_gives_the_article_its_scripts_carry() -> None:
    import json

    from tasks.text.html import extract_html

    paragraphs = "".join(
        f"<p>Paragraph {i} of the story says what the council decided and why it matters.</p>"
        for i in range(5)
    )
    state = json.dumps({"article": {"body": paragraphs}}).replace("<", "\\u003c")
    html = (
        "<html><head><title>Council decides</title></head><body><div id='root'></div>"
        f"<script>window.__STATE__ = {state};</script></body></html>"
    )
    page = extract_html(html)
    assert page.ok and "Paragraph 4 of the story" in page.text
