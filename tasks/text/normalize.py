"""Normalisation of article text: the characters and white space every cleaning rule sees.

`normalize_text` maps typographic quotes to ASCII ones, drops zero-width characters, applies
NFC and collapses runs of white space, keeping line breaks (at most one blank line in a row);
`split_paragraphs` cuts a normalised body into paragraphs; `key_words` is the casefolded
words of a text, for comparing paragraphs. Pure functions over strings.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTE_MAP = {
    **dict.fromkeys("“”„‟〝〞〟＂«»", '"'),
    **dict.fromkeys("‘’‚‛‹›＇", "'"),
}
# Zero-width characters carry no text. ZWJ/ZWNJ (U+200D/U+200C) are kept on purpose: they
# shape Indic and Persian words and emoji sequences.
_DROP_CHARS = "\u200b\u2060\ufeff\u00ad\u180e"
# (character, replacement): no replacement is itself replaced, so one pass per character does
# what one `str.translate` would. On non-ASCII text `str.translate` looks every character up in
# a dict, some 20 times slower than these searches.
_CHAR_MAP: tuple[tuple[str, str], ...] = (
    *_QUOTE_MAP.items(),
    *((ch, "") for ch in _DROP_CHARS),
)
_LINEBREAK_RE = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_BLANKS_RE = re.compile(r"\n{3,}")
# "\n" and every character `_LINEBREAK_RE` turns into one.
_LINE_BREAKS = ("\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85")


def normalize_text(s: str) -> str:
    """NFC, ASCII quotes, odd and zero-width spaces handled, runs of spaces collapsed, stripped.

    Line breaks survive (as "\\n", at most one blank line in a row) so that a whole body can be
    normalised before it is split into paragraphs.
    """
    # Characters go first, then NFC: dropping a zero-width character between a letter and its
    # combining accent must not leave a decomposed letter behind (cleaning is idempotent).
    # ASCII text has none of the characters mapped and is already NFC.
    if not s.isascii():
        for char, replacement in _CHAR_MAP:
            if char in s:
                s = s.replace(char, replacement)
        s = unicodedata.normalize("NFC", s)
    # `str.split()` splits on exactly the characters `\s` matches (any whitespace, nbsp, thin
    # and ideographic spaces included): runs of them become one space, the ends go.
    if not any(ch in s for ch in _LINE_BREAKS):
        return " ".join(s.split())  # one line (the regexes below would find nothing)
    s = _LINEBREAK_RE.sub("\n", s)
    text = "\n".join(" ".join(line.split()) for line in s.split("\n"))
    if "\n\n\n" in text:
        text = _BLANKS_RE.sub("\n\n", text)
    return text.strip()


def split_paragraphs(text: str) -> list[str]:
    """Each non-empty line is a paragraph: blank lines and single newlines both separate."""
    return [line.strip() for line in text.splitlines() if line.strip()]


_KEY_WORD_RE = re.compile(r"[^\W_]+")
# For ASCII text, `[^\W_]` is a letter or a digit: every other byte becomes a space.
_ASCII_KEY_BYTES = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def key_words(text: str) -> str:
    r"""Casefolded runs of letters and digits (`[^\W_]+`), joined by single spaces."""
    if text.isascii():  # the same by a byte table, several times faster than the regex
        return " ".join(
            text.encode("ascii").translate(_ASCII_KEY_BYTES).decode("ascii").lower().split()
        )
    return " ".join(_KEY_WORD_RE.findall(text.casefold()))
