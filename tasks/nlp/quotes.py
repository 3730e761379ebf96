"""Quotations: direct ("...", a senior diplomat told AFP) and indirect (diplomats have said ...).

Direct quotes are the text between ASCII double quotes (cleaning has normalised typographic
ones), paired within a paragraph; an opening quote left unclosed at the paragraph's end runs to
it, as news style does for quotes that continue. Short quoted phrases ("premature", "business as
normal") are scare quotes, not quotations. The speaker is the subject of a cue verb ("said",
"told", "insisted") in the sentence that holds the quote, outside it, nearest first; a pronoun
speaker is resolved to the last person or organisation named before it. Indirect quotes are the
clausal complements of cue verbs outside any direct quote.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spacy.attrs import LEMMA, POS
from spacy.symbols import VERB

from tasks.nlp.events.lexicon import EventLexicon
from tasks.nlp.syntax import Mentions, doc_sents, doc_text, phrase, resolve_pronoun
from tasks.records import Article, Mention, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

MIN_QUOTE_WORDS = 4  # shorter quoted phrases are scare quotes or titles

_QUOTE_RE = re.compile(r'"([^"\n]+)"|"([^"\n]+)$', re.MULTILINE)


def _quote_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _QUOTE_RE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        start, end = m.start(g), m.end(g)
        inner = text[start:end].strip()
        if len(inner.split()) >= MIN_QUOTE_WORDS:
            spans.append((start, end))
    return spans


def _speaker(verb: Token, index: Mentions) -> tuple[str | None, str | None]:
    subs = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subs and verb.dep_ in ("conj", "advcl") and verb.head != verb:
        subs = [c for c in verb.head.children if c.dep_ == "nsubj"]
    if not subs:
        return None, None
    sub = subs[0]
    if sub.pos_ == "PRON":
        ph = resolve_pronoun(sub, index)
        if ph is None:
            return sub.text, None
    else:
        ph = phrase(sub, index)
    return ph.text, ph.entity_id


def quote_cues(lexicon: EventLexicon) -> frozenset[str]:
    """Speech verbs that introduce a quotation: the lexicon's reporting verbs and the rules'
    other quote cues ("warn", "urge", "deny", ...)."""
    return lexicon.reporting | lexicon.coding.words.quote_cue_verbs


_CUE_KEY = "newsflow_cue_verbs"


def _cue_indices(doc: Doc, cues: frozenset[str]) -> list[int]:
    """Indices of the Doc's verbs whose lemma is a cue, read once per Doc from its arrays."""
    cached = doc.user_data.get(_CUE_KEY)
    if cached is not None and cached[0] is cues:
        return cached[1]  # type: ignore[no-any-return]
    strings = doc.vocab.strings
    lemmas: dict[int, bool] = {}
    found: list[int] = []
    rows = doc.to_array([POS, LEMMA])
    verbs = (rows[:, 0] == VERB).nonzero()[0]  # the verbs' indices, picked by numpy
    for i, lemma in zip(verbs.tolist(), rows[verbs, 1].tolist()):
        cue = lemmas.get(lemma)
        if cue is None:
            cue = lemmas[lemma] = strings[lemma].lower() in cues
        if cue:
            found.append(i)
    doc.user_data[_CUE_KEY] = (cues, found)
    return found


def _cue_verbs(sent: Span, exclude: Sequence[tuple[int, int]], cues: frozenset[str]) -> list[Token]:
    doc = sent.doc
    indices = _cue_indices(doc, cues)
    lo, hi = bisect_left(indices, sent.start), bisect_left(indices, sent.end)
    verbs = [doc[i] for i in indices[lo:hi]]
    return [t for t in verbs if not any(a <= t.idx < b for a, b in exclude)]


def _sent_index(starts: Sequence[int], pos: int) -> int:
    """Index of the sentence holding character `pos` (`starts`: sentence start offsets)."""
    return max(0, bisect_right(starts, pos) - 1)


def _cue_candidates(
    sents: Sequence[Span],
    first: int,
    last: int,
    spans: Sequence[tuple[int, int]],
    cues: frozenset[str],
) -> list[Token]:
    """Cue verbs in the quote's sentences or, for a whole-sentence quote, early in the next."""
    candidates: list[Token] = []
    for si in range(first, min(last + 2, len(sents))):
        found = _cue_verbs(sents[si], spans, cues)
        if si == last + 1 and (candidates or (found and found[0].idx - sents[si].start_char > 40)):
            break
        candidates.extend(found)
    if not candidates:
        # no speech verb: the quoted words belong to the subject of the sentence's main verb
        root = sents[first].root
        if root.pos_ == "VERB" and not any(a <= root.idx < b for a, b in spans):
            candidates = [root]
    return candidates


def _direct_quotes(
    doc: Doc,
    article: Article,
    index: Mentions,
    sents: Sequence[Span],
    used_verbs: set[int],
    cues: frozenset[str],
) -> tuple[list[Quote], list[tuple[int, int]]]:
    starts = [s.start_char for s in sents]
    spans = _quote_spans(doc_text(doc))
    quotes: list[Quote] = []
    for start, end in spans:
        first = _sent_index(starts, start)
        last = _sent_index(starts, max(start, end - 1))
        candidates = _cue_candidates(sents, first, last, spans, cues)
        speaker = cue = entity = None
        if candidates:
            verb = min(candidates, key=lambda t: min(abs(t.idx - end), abs(t.idx - start)))
            speaker, entity = _speaker(verb, index)
            cue = verb.text
            used_verbs.add(verb.i)
        quotes.append(
            Quote(
                article_id=article.id,
                sentence=first,
                quotation=doc_text(doc)[start:end].strip(),
                start=start,
                end=end,
                kind="direct",
                speaker=speaker,
                speaker_entity=entity,
                cue=cue,
            )
        )
    return quotes, spans


def _indirect_quote(
    doc: Doc,
    article: Article,
    index: Mentions,
    si: int,
    verb: Token,
    spans: Sequence[tuple[int, int]],
) -> Quote | None:
    """The clausal complement of a cue verb, outside any direct quote, with a speaker."""
    comps = [c for c in verb.children if c.dep_ == "ccomp"]
    if not comps:
        return None
    toks = [t for t in comps[0].subtree if not t.is_punct or t.text in ("-", "'")]
    if len(toks) < MIN_QUOTE_WORDS:
        return None
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    if any(a < end and start < b for a, b in spans):
        return None
    speaker, entity = _speaker(verb, index)
    if speaker is None:
        return None
    return Quote(
        article_id=article.id,
        sentence=si,
        quotation=doc_text(doc)[start:end].strip(" ,"),
        start=start,
        end=end,
        kind="indirect",
        speaker=speaker,
        speaker_entity=entity,
        cue=verb.text,
    )


def extract_quotes(
    doc: Doc, article: Article, mentions: Sequence[Mention], lexicon: EventLexicon
) -> list[Quote]:
    """Direct and indirect quotations in a spaCy Doc of `article.text` (cue verbs: `quote_cues`)."""
    cues = quote_cues(lexicon)
    index = Mentions(doc, mentions)
    sents = doc_sents(doc)
    used_verbs: set[int] = set()
    quotes, spans = _direct_quotes(doc, article, index, sents, used_verbs, cues)
    for si, sent in enumerate(sents):
        for verb in _cue_verbs(sent, spans, cues):
            if verb.i not in used_verbs:
                quote = _indirect_quote(doc, article, index, si, verb, spans)
                if quote is not None:
                    quotes.append(quote)
    quotes.sort(key=lambda q: q.start)
    return quotes
