"""Body rules from the page's structure, beside trafilatura's extraction. Pure: no I/O.

- `standfirst`: the summary printed under the headline (the dek, standfirst or lead), which
  trafilatura leaves out when the page styles it apart from the article's paragraphs. It is
  found as the page's own description (og:description, meta description, twitter:description)
  printed as a visible block between the headline (<h1>) and the body's first paragraph.
- `drop_trailing_list`: a list of two or more items that ends the body is what pages put after
  the article (related links, sources, tags, key points, newsletter offers), not its text.
- `drop_furniture`: lines of the page around the article, by their shape in any language: a
  short prompt naming a newsletter or giving an e-mail address to write to ("Sign up for our
  newsletter", "Got a story? Email ...@..."), and a timestamp line (mostly figures, with a
  clock time or a year: "05.08.2024, 20:59 Uhr", "Updated 15.59 | Published 14.14").
- `SCREEN_READER_ONLY`: elements that the common CSS utility classes hide from the eye and
  keep for screen readers (`sr-only`, `visually-hidden`, `screen-reader-text`): a teaser
  card's repeated title, "opens in a new window"; pruned before extraction.
- `AUTHOR_BOXES`: an element whose class names an author's bio, info, box or description
  (`author-bio`, `author__bio`, `authorbio`, `author-info`, `author-box`,
  `author-description`): the writer's profile, not the article; pruned before extraction.
- `FACT_BOXES`: an element whose class (in any case) names a fact box or an info box
  (`factbox`, `fact-box`, `infobox`, `info-box`), or whose `data-testid` names an info box:
  the box of background facts, key points, "what to know" or a disclaimer set beside the
  article, which the gold bodies leave out; pruned before extraction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from lxml.html import HtmlElement

__all__ = [
    "AUTHOR_BOXES",
    "FACT_BOXES",
    "SCREEN_READER_ONLY",
    "drop_furniture",
    "drop_trailing_list",
    "is_prompt",
    "is_timestamp",
    "standfirst",
    "with_standfirst",
]

_WORD_RE = re.compile(r"\w+")
_SPACE_RE = re.compile(r"\s+")
# a description this short is a label or a site slogan, not a summary
STANDFIRST_MIN_WORDS = 6
STANDFIRST_MIN_CHARS = 30
_DESCRIPTIONS = (
    "//meta[@property='og:description']/@content",
    "//meta[@name='description']/@content",
    "//meta[@name='twitter:description']/@content",
)
_HIDING_CLASSES = ("sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text")
SCREEN_READER_ONLY = (
    "//*["
    + " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
        for name in _HIDING_CLASSES
    )
    + "]"
)
_AUTHOR_CLASSES = (
    "author-bio",
    "author__bio",
    "authorbio",
    "author-info",
    "author-box",
    "author-description",
)
AUTHOR_BOXES = "//*[" + " or ".join(f"contains(@class, '{name}')" for name in _AUTHOR_CLASSES) + "]"
_FACT_BOX_CLASSES = ("factbox", "fact-box", "infobox", "info-box")
_LOWER_CLASS = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
# never the page's main or outermost article, whatever a tag class on it says ("tag-infobox")
FACT_BOXES = (
    "//*[not(self::main or self::body or self::article[not(ancestor::article)]) and ("
    + " or ".join(f"contains({_LOWER_CLASS}, '{name}')" for name in _FACT_BOX_CLASSES)
    + " or contains(translate(@data-testid, 'INFOBX', 'infobx'), 'infobox'))]"
)
_NOT_SHOWN = frozenset({"script", "style", "noscript", "template", "head", "title", "a", "button"})


def _words(text: str) -> str:
    return " ".join(_WORD_RE.findall(unicodedata.normalize("NFC", text).casefold()))


def _xpath(tree: HtmlElement, expression: str) -> list[object]:
    try:
        found = tree.xpath(expression)
    except Exception:  # noqa: BLE001 - odd markup must not stop extraction
        return []
    return list(found) if isinstance(found, list) else []


def _descriptions(tree: HtmlElement) -> list[str]:
    found: list[str] = []
    for expression in _DESCRIPTIONS:
        for value in _xpath(tree, expression)[:1]:
            key = _words(str(value))
            if (
                len(key.split()) >= STANDFIRST_MIN_WORDS or len(key) >= STANDFIRST_MIN_CHARS
            ) and key not in found:
                found.append(key)
    return found


def _shown(element: HtmlElement) -> bool:
    return not any(
        isinstance(node.tag, str) and node.tag in _NOT_SHOWN
        for node in (element, *element.iterancestors())
    )


def _in_order(tree: HtmlElement) -> Iterable[HtmlElement]:
    body = _xpath(tree, "//body")
    root = body[0] if body and isinstance(body[0], HtmlElement) else tree
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


def standfirst(tree: HtmlElement, body_lines: Sequence[str]) -> str | None:
    """The page's standfirst as printed, when the body lacks it, or None.

    It is a visible element whose text is the page's description, after the first <h1> and
    before any element that holds just the body's first line (in document order). The body
    holding the description's words already, or no headline, gives None.
    """
    descriptions = _descriptions(tree)
    body_key = _words(" ".join(body_lines))
    descriptions = [d for d in descriptions if d not in body_key]
    if not descriptions or not body_lines:
        return None
    first = _words(body_lines[0])
    longest = 2 * max(len(first), *(len(d) for d in descriptions)) + 100
    after_headline = False
    for element in _in_order(tree):
        raw = element.text_content()
        if len(raw) > longest:  # a container of more than either: skip the word split
            if element.tag == "h1":
                after_headline = True
            continue
        key = _words(raw)
        if key == first:
            return None  # the article starts before any standfirst
        if after_headline and key in descriptions and _shown(element):
            return _SPACE_RE.sub(" ", raw).strip() or None
        if element.tag == "h1":
            after_headline = True
    return None


def with_standfirst(tree: HtmlElement, text: str) -> str:
    """`text` (lines separated by "\\n") with the page's standfirst as its first line when the
    page prints one that the text lacks (see `standfirst`)."""
    if not text:
        return text
    lines = text.split("\n")
    found = standfirst(tree, lines)
    return f"{found}\n{text}" if found else text


LIST_ITEM = "- "  # how trafilatura writes a list item in its text
TRAILING_LIST_MIN_ITEMS = 2


def drop_trailing_list(text: str, min_chars: int = 0) -> str:
    """`text` (lines separated by "\n") without the run of `TRAILING_LIST_MIN_ITEMS` or more
    list items that ends it, unless less than `min_chars` characters would be left."""
    lines = text.split("\n")
    end = len(lines)
    while end > 0 and lines[end - 1].startswith(LIST_ITEM):
        end -= 1
    if len(lines) - end < TRAILING_LIST_MIN_ITEMS:
        return text
    kept = "\n".join(lines[:end])
    return kept if kept and len(kept) >= min_chars else text


PROMPT_MAX_WORDS = 40  # a longer paragraph naming a newsletter is about one
TIMESTAMP_MAX_TOKENS = 10
_NEWSLETTER_RE = re.compile(r"newsletter", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CLOCK_OR_YEAR_RE = re.compile(r"\b\d{1,2}[:.][0-5]\d\b|\b(?:19|20)\d\d\b")


def is_prompt(line: str) -> bool:
    """A short paragraph that names a newsletter or gives an e-mail address: a sign-up or
    "send us your story" prompt, not the article."""
    return len(line.split()) <= PROMPT_MAX_WORDS and bool(
        _NEWSLETTER_RE.search(line) or _EMAIL_RE.search(line)
    )


def is_timestamp(line: str) -> bool:
    """A line of at most `TIMESTAMP_MAX_TOKENS` words, most of them figures, with a clock time
    or a year: the page's date and time printed over the article. A table row is no
    timestamp."""
    tokens = _WORD_RE.findall(line)
    if not tokens or len(tokens) > TIMESTAMP_MAX_TOKENS or line.lstrip().startswith("|"):
        return False
    figures = sum(token.isdigit() for token in tokens)
    return figures * 2 > len(tokens) and bool(_CLOCK_OR_YEAR_RE.search(line))


def drop_furniture(text: str) -> str:
    """`text` (lines separated by "\n") without prompts and timestamp lines."""
    return "\n".join(
        line for line in text.split("\n") if not is_prompt(line) and not is_timestamp(line)
    )
