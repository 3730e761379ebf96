"""The per-Doc caches of `tasks.nlp.syntax`: the same text and sentences as spaCy's, built once."""

from __future__ import annotations

import gc
import weakref

from tasks.nlp.syntax import (
    doc_ents,
    doc_sents,
    doc_text,
    release,
    remember_text,
    repair_verb_lemmas,
    token_table,
)


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
    """What is computed once per Doc makes no cycle, so a Doc is freed as soon as it is dropped
    (a cycle would keep every parsed Doc of a batch alive until the garbage collector runs):
    once released, or once the next Doc is asked about, nothing holds it."""
    gc.disable()
    try:
        for let_go in (release, lambda _: doc_sents(nlp("A second Doc."))):
            doc = nlp("One sentence here. And another one.")
            assert [s.text for s in doc_sents(doc)] == ["One sentence here.", "And another one."]
            doc_ents(doc)
            ref = weakref.ref(doc)
            let_go(doc)
            del doc
            assert ref() is None
    finally:
        gc.enable()


def test_token_table_reads_what_the_tokens_say(nlp) -> None:  # type: ignore[no-untyped-def]
    """The table's columns are the Tokens' own part of speech, lower form and lower lemma, and
    a lemma repaired after the table was read shows in it ("staged": "stage", not "stag")."""
    doc = nlp("Protesters Staged a sit-in at the Ministry in Rome on Monday.")
    table = token_table(doc)
    assert table.pos == [t.pos for t in doc]
    assert table.lower == [t.lower_ for t in doc]
    assert table.lemma == [t.lemma_.lower() for t in doc]
    staged = next(t for t in doc if t.lower_ == "staged")
    assert table.lemma[staged.i] == "stag"  # the model's lemma, before the repair
    repair_verb_lemmas(doc)
    assert staged.lemma_ == "stage"
    assert token_table(doc).lemma[staged.i] == "stage"
    release(doc)
