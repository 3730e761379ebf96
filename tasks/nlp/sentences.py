"""Sentence boundaries at paragraph breaks, set before the parser runs.

spaCy's parser joins a heading to the paragraph after it ("Anti-Kremlin rallies\\n\\nA senior
aide ..."). The `newsflow_paragraphs` component marks the first token after any whitespace token
that holds a line break as a sentence start and leaves every other token unset (`None`), so the
parser still decides the rest; the parser keeps boundaries that are already set. It is one pass
over the tokens with no model, so it costs nothing measurable next to the parser.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language


@Language.component("newsflow_paragraphs")
def paragraph_boundaries(doc: Any) -> Any:
    """Start a sentence at the first token after a line break (the parser decides the rest)."""
    after_break = False
    for tok in doc:
        if tok.is_space:
            if "\n" in tok.text:
                after_break = True
            continue
        if after_break and tok.i > 0:
            tok.is_sent_start = True
        after_break = False
        # a line break held in the trailing whitespace of a token ("heading\n" + "Text")
        if "\n" in tok.whitespace_:
            after_break = True
    return doc
