"""Tests for tasks.text.clean: the seed article, real texts kept whole, one case per rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.text.clean import (
    CleanConfig,
    CleanResult,
    clean_paragraphs,
    clean_text,
    is_photo_credit,
    is_teaser,
    normalize_text,
    split_paragraphs,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "text"
SEED = FIXTURES / "seed_000_791b397503252e09.txt"
CAPTION = (
    "European Union foreign policy chief Josep Borrell rings a bell to signal the start of a EU "
    "Foreign Affairs Minister meeting at the European Council building in Brussels, "
    "January 25, 2021."
)

OUT = CleanConfig(caption_in_body=False)  # captions out of the body entirely


def read_body(path: Path, titled: bool = True) -> str:
    """The body of a fixture: after the title line and blank line when the file has a title."""
    text = path.read_text(encoding="utf-8")
    return text.split("\n\n", 1)[1] if titled else text


def rules(result: CleanResult) -> list[str]:
    """Rule names of the removed paragraphs, in order."""
    return [rule for rule, _ in result.removed]


# --- the seed article ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[list[str], CleanResult]:
    """The seed body split into paragraphs, and its cleaning."""
    body = read_body(SEED)
    return split_paragraphs(body), clean_text(body)


def test_seed_caption_kept_once(seed: tuple[list[str], CleanResult]) -> None:
    paragraphs, result = seed
    assert result.captions == (CAPTION,)
    # By default the first copy stays in the body, where it was; the second copy goes.
    assert [p for p in result.paragraphs if "rings a bell" in p] == [CAPTION]
    assert result.paragraphs.index(CAPTION) == 1
    assert rules(result).count("caption") == 1


def test_seed_caption_taken_out_when_configured(seed: tuple[list[str], CleanResult]) -> None:
    paragraphs, _ = seed
    result = clean_paragraphs(paragraphs, OUT)
    assert result.captions == (CAPTION,)
    assert all("rings a bell" not in p for p in result.paragraphs)
    assert rules(result).count("caption") == 2


def test_seed_credit_teasers_and_trailing_junk_gone(seed: tuple[list[str], CleanResult]) -> None:
    _, result = seed
    assert "AP" not in result.paragraphs
    assert not any(p.upper().startswith("READ MORE") for p in result.paragraphs)
    assert result.paragraphs[-1].startswith("The EU has called for the immediate release")
    assert ("photo_credit", "AP") in result.removed
    assert ("trailing_junk", "Route 6") in result.removed
    assert rules(result).count("teaser") == 2


def test_seed_every_other_paragraph_kept_in_order(seed: tuple[list[str], CleanResult]) -> None:
    raw, result = seed
    junk = {"AP", "Route 6"}
    expected = [normalize_text(p) for p in raw if p not in junk and not p.startswith("READ MORE")]
    expected.pop(len(expected) - 1 - expected[::-1].index(CAPTION))  # the caption's 2nd copy
    assert list(result.paragraphs) == expected
    # Mid-article subheadings are short and unpunctuated, yet content.
    assert "Extended prison term?" in result.paragraphs
    assert "Anti-Kremlin rallies" in result.paragraphs
    assert len(result.paragraphs) + len(result.removed) == len(raw)


def test_seed_text_joins_paragraphs(seed: tuple[list[str], CleanResult]) -> None:
    _, result = seed
    assert result.text == "\n\n".join(result.paragraphs)
    assert "\u00a0" not in result.text  # the nbsp after "READ MORE:" and friends


# --- real texts: no false positives --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "titled"),
    [
        ("bbc_politics_001.txt", True),
        ("bbc_tech_020.txt", True),
        ("n4k_fox13now_001.txt", False),
    ],
)
def test_real_articles_keep_every_paragraph(name: str, titled: bool) -> None:
    body = read_body(FIXTURES / name, titled)
    raw = split_paragraphs(body)
    result = clean_text(body)
    assert result.removed == ()
    assert result.captions == ()
    assert list(result.paragraphs) == [normalize_text(p) for p in raw]


def test_subheadings_in_real_article_stay() -> None:
    result = clean_text(read_body(FIXTURES / "n4k_fox13now_001.txt", titled=False))
    for heading in ("Illinois and drones", "Gender and voting identity", "Social media and pot"):
        assert heading in result.paragraphs
    assert result.paragraphs[-1].startswith("(Sourcing:")


def test_real_article_with_read_more_teasers() -> None:
    body = read_body(FIXTURES / "n4k_time_001.txt", titled=False)
    raw = split_paragraphs(body)
    result = clean_text(body)
    assert rules(result) == ["teaser", "teaser"]
    assert all(text.startswith("Read more:") for _, text in result.removed)
    assert list(result.paragraphs) == [
        normalize_text(p) for p in raw if not p.startswith("Read more:")
    ]
    # Curly quotes in the source come out ASCII.
    assert any(p.startswith('"Humanity made a Faustian bargain') for p in result.paragraphs)


# --- normalisation and splitting -----------------------------------------------------------


def test_normalize_text_quotes_spaces_and_nfc() -> None:
    raw = "  \u201cIt\u2019s\u00a0done,\u201d  she\u2009said\u200b.\u00a0 "
    assert normalize_text(raw) == '"It\'s done," she said.'
    assert normalize_text("Cafe\u0301") == "Caf\u00e9"  # NFC
    assert normalize_text("a\r\n\r\n\r\n\r\nb") == "a\n\nb"


def test_normalize_text_keeps_joiners_of_complex_scripts() -> None:
    assert normalize_text("\u0915\u094d\u200d\u0937") == "\u0915\u094d\u200d\u0937"


def test_split_paragraphs_on_single_and_blank_lines() -> None:
    assert split_paragraphs("One.\nTwo.\n\n\n  Three.  \n") == ["One.", "Two.", "Three."]
    assert split_paragraphs("") == []


# --- rule by rule --------------------------------------------------------------------------

BODY = [
    "The minister announced the plan on Monday, officials said.",
    "Critics said the move came too late to help most families.",
]


@pytest.mark.parametrize(
    "credit",
    [
        "AP",
        "AFP",
        "Reuters",
        "Getty Images",
        "AFP via Getty Images",
        "EPA-EFE",
        "PA Media",
        "Reuters.",
        "Photo: Jane Doe/Reuters",
        "Image: Handout",
        "Credit: Courtesy of the family",
        "(Photo by Mikhail Svetlov/Getty Images)",
        "Alexander Zemlianichenko/AP",
        "(AP Photo/Virginia Mayo)",
        "\u00a9 2021 The Associated Press",
        "File photo",
        "Reuters file photo",
    ],
)
def test_photo_credit_variants(credit: str) -> None:
    assert is_photo_credit(normalize_text(credit))
    result = clean_paragraphs([BODY[0], credit, BODY[1]])
    assert result.paragraphs == tuple(BODY)
    assert rules(result) == ["photo_credit"]


@pytest.mark.parametrize(
    "text",
    [
        "Anti-Kremlin rallies",
        "Extended prison term?",
        "AP reported the figures on Monday.",
        "Reuters and AFP both reported the raid, citing police sources.",
        "Photo finish decides the Derby",
        "Getty Museum reopens",
    ],
)
def test_not_photo_credits(text: str) -> None:
    assert not is_photo_credit(text)


@pytest.mark.parametrize(
    "teaser",
    [
        "READ MORE: France, Germany seek Russia sanctions",
        "Read more: Inside a risky startup",
        "read more - the full report",
        "ALSO READ: Ten things to know",
        "RELATED: Kremlin warns against protests",
        "Related: Kremlin warns against protests",
        "WATCH: The moment the bell rang",
        "LISTEN: Our weekly podcast",
        "Sign up for our morning newsletter",
        "Click here to read the full story",
        "Subscribe to our channel",
        "Follow us on Twitter",
        "Advertisement",
        "ADVERTISEMENT",
        "Related Stories",
        "Lesen Sie auch: Die Bahn streikt wieder",
        "Les også: Regjeringen legger fram budsjettet",
        "Czytaj więcej",
        "Lire aussi - Le gouvernement tombe",
        "Copyright 2026 Media Group. All Rights Reserved",
        "Wie hat Ihnen dieser Artikel gefallen?",
    ],
)
def test_teaser_variants(teaser: str) -> None:
    assert is_teaser(teaser)
    result = clean_paragraphs([BODY[0], teaser, BODY[1]])
    assert result.paragraphs == tuple(BODY)
    assert rules(result) == ["teaser"]


@pytest.mark.parametrize(
    "text",
    [
        "Watchdogs said the rules were clear.",
        "Related parties must declare their interests, the regulator said.",
        "Readers wrote in to complain.",
    ],
)
def test_not_teasers(text: str) -> None:
    assert not is_teaser(text)


def test_teaser_prefixes_are_configurable() -> None:
    config = CleanConfig(teaser_prefixes=("LIRE AUSSI:",), teaser_lines=())
    result = clean_paragraphs([BODY[0], "Lire aussi : La suite", BODY[1]], config)
    assert rules(result) == ["teaser"]
    assert not is_teaser("READ MORE: x", config)


@pytest.mark.parametrize("junk", ["Route 6", "Share this", "Comments", "Topics"])
def test_trailing_junk_dropped(junk: str) -> None:
    result = clean_paragraphs([*BODY, junk])
    assert result.paragraphs == tuple(BODY)
    assert result.removed[-1][0] in {"trailing_junk", "teaser"}


def test_trailing_run_of_fragments_after_prose() -> None:
    # By default only one fragment goes (two may be a small table); the limit is configurable.
    assert clean_paragraphs([*BODY, "Route 6", "Topics"]).removed == ()
    result = clean_paragraphs([*BODY, "Route 6", "Topics"], CleanConfig(trailing_max_paragraphs=2))
    assert result.paragraphs == tuple(BODY)
    assert rules(result) == ["trailing_junk", "trailing_junk"]


def test_subheading_mid_article_is_kept() -> None:
    paragraphs = [BODY[0], "Extended prison term", BODY[1], "Anti-Kremlin rallies", BODY[0] + " X"]
    result = clean_paragraphs(paragraphs)
    assert result.paragraphs == tuple(paragraphs)
    assert result.removed == ()


def test_trailing_question_and_list_stay() -> None:
    question = clean_paragraphs([*BODY, "What next?"])
    assert question.removed == ()
    # A run of short lines after a list line is a table (fixtures, line-ups), not junk.
    table = [BODY[0], "Seychelles v South Africa", "Mauritius v Madagascar"]
    assert clean_paragraphs(table).removed == ()
    lineup = [
        BODY[0],
        "F Sheahan, M Horan, D O'Callaghan, E Miller, G Easterby, K Maggs.",
        "Joel Jutge (France)",
    ]
    assert clean_paragraphs(lineup).removed == ()


def test_exact_duplicate_keeps_first_copy() -> None:
    repeated = "The council will vote on the budget again next week, the mayor said."
    result = clean_paragraphs([repeated, BODY[0], repeated, BODY[1]])
    assert result.paragraphs == (repeated, BODY[0], BODY[1])
    assert result.removed == (("duplicate", repeated),)
    assert result.captions == ()


def test_short_repeated_lines_are_not_duplicates() -> None:
    row = "Winners meet in final match"
    paragraphs = [BODY[0], row, BODY[1], row, BODY[0] + " Y"]
    assert clean_paragraphs(paragraphs).removed == ()


def test_caption_next_to_credit_goes_to_captions() -> None:
    caption = "Firefighters battle a blaze near the town hall in the city centre"
    result = clean_paragraphs([caption, "Reuters", BODY[0], caption, BODY[1]], OUT)
    assert result.captions == (caption,)
    assert result.paragraphs == tuple(BODY)
    assert rules(result) == ["caption", "photo_credit", "caption"]


def test_near_duplicate_caption_with_credit_suffix() -> None:
    caption = "Protesters gather outside parliament in Vilnius, Lithuania, on January 23, 2021."
    result = clean_paragraphs(
        [BODY[0], caption + " (AP Photo/Mindaugas Kulbis)", caption, BODY[1]], OUT
    )
    assert result.captions == (caption + " (AP Photo/Mindaugas Kulbis)",)
    assert result.paragraphs == tuple(BODY)


def test_caption_read_from_wording_without_credit() -> None:
    caption = "Josep Borrell speaks to the press in Brussels, January 25, 2021."
    result = clean_paragraphs([caption, BODY[0], caption, BODY[1]], OUT)
    assert result.captions == (caption,)
    assert result.paragraphs == tuple(BODY)


def test_empty_and_invisible_paragraphs_dropped() -> None:
    result = clean_paragraphs([BODY[0], "\u200b", "   ", BODY[1]])
    assert result.paragraphs == tuple(BODY)
    assert rules(result) == ["empty", "empty"]


def test_clean_text_of_nothing() -> None:
    assert clean_text("") == CleanResult(paragraphs=(), captions=(), removed=())


def test_comment_section_goes_to_the_end() -> None:
    article = [f"{p} ({i})" for i in range(3) for p in BODY]
    body = article + [
        "Comentar",
        "- El contenido de los comentarios es la opinión de los usuarios.",
        "Hace 28 minutos",
        "Vaya comportamiento tan poco ejemplar.",
    ]
    result = clean_paragraphs(body)
    assert result.paragraphs == tuple(article)
    assert rules(result) == ["comments"] * 4


def test_comments_heading_early_is_left_alone() -> None:
    # A "Comments" line before most of the text is not a comments section.
    body = ["Comments", *BODY, *BODY[:1]]
    assert "comments" not in rules(clean_paragraphs(body))
