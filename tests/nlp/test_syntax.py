"""The per-Doc caches of `tasks.nlp.syntax`: the same text and sentences as spaCy's, built once."""

from __future__ import annotations

import gc
import weakref

from tasks.nlp.syntax import doc_sents, doc_text, remember_text


def test_doc_text_and_sentences_match_spacy(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Police arrested two men in Leeds. They were released on bail.\n\nA court heard it."
    doc = nlp(text)
    assert doc_text(doc) == doc.text == text
    assert [(s.start, s.end) for s in doc_sents(doc)] == [(s.start, s.end) for s in doc.sents]
    assert [s.text for s in doc_sents(doc)] == [s.text for s in doc.sents]  # second call: cached
    other = nlp(text)
    remember_text(other, text)
    assert doc_text(other) == text


def test_cached_sentences_keep_no_cycle(nlp) -> None:  # type: ignore[no-untyped-def]
    """The cache holds offsets, not Spans, so a Doc is freed as soon as it is dropped (a cycle
    would keep every parsed Doc of a batch alive until the garbage collector runs)."""
    doc = nlp("One sentence here. And another one.")
    doc_sents(doc)
    ref = weakref.ref(doc)
    gc.disable()
    try:
        del doc
        assert ref() is None
    finally:
        gc.enable()
