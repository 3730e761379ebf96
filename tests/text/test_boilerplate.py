"""Body rules from the page's structure: the standfirst comes back, a trailing list goes."""

from __future__ import annotations

from trafilatura import load_html

from tasks.text.boilerplate import drop_trailing_list, standfirst, with_standfirst
from tasks.text.html import extract_html

DEK = "The council closed the old bridge for a year of repairs after engineers found cracks."
PROSE = " ".join(
    f"Sentence {i} of the story tells the reader what the council decided and why it matters."
    for i in range(6)
)


def _page(dek_markup: str, *, description: str = DEK, after: str = "") -> str:
    return (
        f'<html><head><meta property="og:description" content="{description}"></head><body>'
        '<nav><a href="/">Home</a></nav><article><header><h1>Bridge closes for a year</h1>'
        f"{dek_markup}</header><p>{PROSE}</p><p>{PROSE.replace('Sentence', 'Line')}</p>"
        f"{after}</article></body></html>"
    )


def test_the_description_printed_under_the_headline_is_the_standfirst() -> None:
    tree = load_html(_page(f'<p class="x1">{DEK}</p>'))
    assert standfirst(tree, [PROSE]) == DEK
    assert with_standfirst(tree, PROSE) == f"{DEK}\n{PROSE}"


def test_no_standfirst_when_the_body_has_it_or_the_page_does_not_print_it() -> None:
    printed = load_html(_page(f"<p>{DEK}</p>"))
    assert standfirst(printed, [DEK, PROSE]) is None  # already in the body
    assert standfirst(load_html(_page("")), [PROSE]) is None  # only in the meta tag
    short = load_html(_page("<p>Local news</p>", description="Local news"))
    assert standfirst(short, [PROSE]) is None  # a label, not a summary
    assert with_standfirst(printed, "") == ""


def test_the_description_before_the_headline_or_after_the_article_start_is_no_standfirst() -> None:
    before = load_html(
        f'<html><head><meta name="description" content="{DEK}"></head><body>'
        f"<p>{DEK}</p><h1>Bridge closes</h1><p>{PROSE}</p></body></html>"
    )
    assert standfirst(before, [PROSE]) is None
    after = load_html(
        f'<html><head><meta name="description" content="{DEK}"></head><body>'
        f"<h1>Bridge closes</h1><p>{PROSE}</p><aside><p>{DEK}</p></aside></body></html>"
    )
    assert standfirst(after, [PROSE]) is None


def test_a_link_or_a_script_holding_the_description_is_no_standfirst() -> None:
    linked = load_html(_page(f'<a href="/other"><span>{DEK}</span></a>'))
    assert standfirst(linked, [PROSE]) is None


def test_extract_html_puts_the_standfirst_first() -> None:
    page = extract_html(_page(f'<div class="summary-block">{DEK}</div>'))
    assert page.ok
    assert page.text.split("\n")[0] == DEK
    assert page.text.count(DEK) == 1


def test_a_list_that_ends_the_body_goes() -> None:
    text = "First paragraph.\n- A list inside\n- the article\nLast paragraph.\n- Related one\n- Related two"
    assert drop_trailing_list(text) == (
        "First paragraph.\n- A list inside\n- the article\nLast paragraph."
    )


def test_a_single_trailing_item_or_a_body_that_would_be_too_short_stays() -> None:
    one = "First paragraph.\n- A closing point written as a list item."
    assert drop_trailing_list(one) == one
    short = "Short intro.\n- item one\n- item two"
    assert drop_trailing_list(short, min_chars=200) == short
    only_list = "- item one\n- item two"
    assert drop_trailing_list(only_list) == only_list


def test_extract_html_drops_related_links_after_the_article() -> None:
    related = "".join(
        f'<li><a href="/story/{i}">Another story number {i}</a></li>' for i in range(4)
    )
    page = extract_html(_page("", after=f"<ul>{related}</ul>"))
    assert page.ok
    assert "Another story" not in page.text
    assert "Line 5 of the story" in page.text


def test_newsletter_and_contact_prompts_are_furniture_in_any_language() -> None:
    from tasks.text.boilerplate import is_prompt

    assert is_prompt("Sign up for our weekly politics newsletter to get it every Monday.")
    assert is_prompt("Der Newsletter informiert Sie immer montags bis freitags.")
    assert is_prompt("Got a story? Get in touch with our news team at news@example.com.")
    assert not is_prompt("The council voted on Monday to close the old bridge.")
    long_paragraph = "The newsletter business grew fast this year, " + " ".join(["word"] * 40)
    assert not is_prompt(long_paragraph)  # an article about newsletters


def test_timestamp_lines_are_furniture_but_table_rows_and_headings_are_not() -> None:
    from tasks.text.boilerplate import is_timestamp

    assert is_timestamp("05.08.2024, 20:59 Uhr")
    assert is_timestamp("Uppdaterad 15.59 | Publicerad 14.14")
    assert is_timestamp("17:41 JST, October 13, 2024")
    assert is_timestamp("18.05.2026")
    assert not is_timestamp("| 2010 | Petr Nečas | 45 |")  # a table row
    assert not is_timestamp("Turning point in 2024?")  # a heading with a year
    assert not is_timestamp("Bayern beat Dortmund 2:1")  # a score, no clock
    assert not is_timestamp("Wine of the week 2024 ($19.99, #192961)")  # half figures


def test_drop_furniture_keeps_the_article_lines() -> None:
    from tasks.text.boilerplate import drop_furniture

    text = "05.08.2024, 20:59 Uhr\nFirst paragraph.\nSign up for our newsletter.\nLast one."
    assert drop_furniture(text) == "First paragraph.\nLast one."


def test_text_only_screen_readers_get_is_pruned_before_extraction() -> None:
    card = (
        '<div class="card"><h2 class="title">Other story headline here'
        '<span class="sr-only">Other story headline here</span></h2></div>'
    )
    page = extract_html(
        _page(
            "",
            after='<p>Closing line of the story.<span class="sr-only">'
            "(opens in a new window)</span></p>" + card,
        )
    )
    assert page.ok
    assert "opens in a new window" not in page.text
    assert "Other story headline here Other story headline here" not in page.text
    assert "Line 5 of the story" in page.text


def test_the_author_box_after_the_article_is_pruned() -> None:
    bio = (
        '<div class="author-bio"><p>Jane Doe has covered city hall for twenty years and is the'
        " author of three books about local government and its budgets.</p></div>"
    )
    page = extract_html(_page("", after=bio))
    assert page.ok
    assert "Jane Doe has covered" not in page.text
    assert "Line 5 of the story" in page.text


def test_fact_and_info_boxes_are_pruned_before_extraction() -> None:
    from lxml.html import fromstring

    from tasks.text.boilerplate import FACT_BOXES

    boxes = (
        '<div class="metro-factbox" data-colour="pink"><div class="metro-factbox-content">'
        "<p>'My ministers will seek to raise educational standards and break down barriers"
        " to opportunity.'</p></div></div>"
        '<div class="Infobox" data-module><div class="Infobox-items RichTextBody"><p>What to'
        " know about the 2024 Election: follow live updates from the campaign trail.</p></div>"
        '</div><div type="typeInfoboxSummary" class="sc-92253cc8-0 kGbdVO" data-testid="InfoBox">'
        "<h3>Darum gehts</h3><p>Eine Newsübersicht am Morgen und zum Feierabend.</p></div>"
    )
    page = extract_html(_page("", after=boxes))
    assert page.ok
    assert "My ministers" not in page.text
    assert "What to know" not in page.text
    assert "Newsübersicht" not in page.text
    assert "Line 5 of the story" in page.text
    tree = fromstring(_page("", after=boxes))
    assert len(tree.xpath(FACT_BOXES)) == 5  # every box and its inner box; the article is kept


def test_a_tag_class_never_prunes_the_article_itself() -> None:
    """WordPress puts a post's tags in its classes ("tag-infobox"): the outermost article and
    the page's main stay; a box set as an article inside the article goes."""
    from lxml.html import fromstring

    from tasks.text.boilerplate import FACT_BOXES

    tree = fromstring(
        '<html><body><main class="infobox-layout"><article class="post tag-infobox">'
        '<p>The story.</p><article class="article-body-infobox"><p>Facts.</p></article>'
        "</article></main></body></html>"
    )
    assert [e.get("class") for e in tree.xpath(FACT_BOXES)] == ["article-body-infobox"]
