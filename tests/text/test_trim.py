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
