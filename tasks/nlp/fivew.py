"""Per-article 5W1H (who, what, when, where, why, how) from the main event and the entities.

The main event is chosen among the events of the article's first sentences (news puts the main
fact in the lead): earliest sentence, asserted or reported events before planned ones, events
with an actor first, then the most central trigger (`tasks.nlp.events.salience.event_depth`), then the most
confident. Then:
- who: the main event's actor when its head (or apposition) is a name, given as the fullest
  name the article uses ("Trump" -> "Donald Trump"), except that the main clause's named subject
  wins over an actor in a "when/after ..." or relative clause; a people phrase ("Several
  people", "A gunman") unless a person or organisation of the headline is a subject in the lead;
  else the main sentence's subject (pronouns resolved); else the headline's most mentioned name;
  an event past the lead sentences is not trusted for who and where;
- what: the headline (without a " | Site" tail), minus a leading subject that repeats the who
  ("Trump meets with Obama" -> "meets with Obama"); without a headline, the main event's trigger
  with its auxiliaries, particles and object ("detained more than 3,500 people");
- when and where: the main event's own time expression and place, worded as annotators word
  them, before the lead's, the dateline and the publication date (`tasks.nlp.when_where`);
- why: a causal phrase at the trigger ("because ...", "over ...", "after ...", "to protest
  ...", "in response to ..."), else one anywhere in the main sentence (because/since/as clauses,
  over/after/amid/following phrases on a verb, a "to"-purpose clause);
- how: the manner of the main event ("by ...ing", "with/using/through/via ...", an -ly adverb,
  a participle clause ", killing 46 people"), else None.
Scored against Giveme5W1H gold by `tasks.evaluate.fivew` (`newsflow eval 5w1h --folds 5`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from itertools import takewhile


from spacy.tokens import Doc, Span, Token

from tasks.nlp.events.lexicon import EventLexicon
from tasks.nlp.events.salience import event_depth
from tasks.nlp.syntax import (
    Mentions,
    doc_ents,
    doc_sents,
    doc_text,
    phrase,
    resolve_pronoun,
    token_table,
)
from tasks.nlp.when_where import (
    dateline_span,
    event_when,
    event_where,
    lead_sentences,
    label_ids,
    span_text,
    text_head,
    word_table,
)
from tasks.records import Article, DateMention, Event, FiveW1H, Mention

# Version of the 5W1H rules (here and in `tasks.nlp.when_where`); it goes into `rules_version`
# provenance, so bump it whenever they change.
RULES_VERSION = "fivew/6"
LEAD_SENTENCES = 3
_WHY_MARKERS = (
    "because",
    "since",
    "as a result of",
    "due to",
    "in response to",
    "in protest",
    "over",
    "after",
    "amid",
    "following",
    "to protest",
    "in order to",
    "for",
)
_HOW_PREPS = ("by", "with", "using", "through", "via")
# -ly adverbs of stance, focus or time rather than manner ("probably", "only", "recently")
_NOT_MANNER = frozenset(
    """only probably possibly likely reportedly allegedly apparently really actually early
    recently currently finally nearly mostly largely partly certainly clearly simply merely
    especially particularly initially originally previously subsequently eventually already
    unlikely likely supposedly seemingly ultimately immediately newly fully""".split()
)
_MODE_RANK = {"asserted": 0, "reported": 0, "planned": 1, "hypothetical": 2, "negated": 3}


def _main_event(
    events: Sequence[Event], doc: Doc, lexicon: EventLexicon, lead_ids: frozenset[int]
) -> Event | None:
    lead = [e for e in events if e.sentence in lead_ids] or list(events)
    if not lead:
        return None

    def key(e: Event) -> tuple[float, ...]:
        span = doc.char_span(e.trigger_start, e.trigger_end, alignment_mode="expand")
        tok = span[0] if span is not None else None
        depth = event_depth(tok, lexicon) if tok is not None else 9.0
        return (e.sentence, _MODE_RANK.get(e.mode, 2), 0 if e.actor else 1, depth, -e.confidence)

    return min(lead, key=key)


def _token_at(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _what(doc: Doc, ev: Event) -> str:
    """The trigger with its auxiliaries, particles and object ("will visit Moscow")."""
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end)
    if tok is None:
        return ev.trigger
    keep = [c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < tok.i]
    keep.append(tok)
    for c in tok.children:
        if c.i < tok.i:
            continue
        if c.dep_ in (
            "prt",
            "dobj",
            "dative",
            "attr",
            "xcomp",
            "acomp",
            "oprd",
            "prep",
            "npadvmod",
            "advmod",
        ):
            keep.extend(t for t in c.subtree if t.i - tok.i <= 15)
    keep = sorted(set(keep), key=lambda t: t.i)
    # a contiguous stretch from the first kept token to the last one next to the trigger
    run = [keep[0]]
    for t in keep[1:]:
        if t.i != run[-1].i + 1:
            break
        run.append(t)
    if tok not in run:
        run = [t for t in keep if t.i >= tok.i]
    while run and run[-1].dep_ in ("punct", "cc", "prep", "det"):
        run.pop()
    return span_text(doc, run[0].i, run[-1].i + 1) if run else ev.trigger


def _span_text(doc: Doc, first: Token, last: Token, limit: int = 160) -> str:
    return span_text(doc, first.i, last.i + 1)[:limit]


def _why(
    doc: Doc, ev: Event | None, sent: Span, sents: Sequence[Span] = (), headline: str | None = None
) -> str | None:
    """A causal phrase at the trigger; else one in the main sentence; else one in the headline
    ("GP red-flagged after dramatic crash"); else one in another lead sentence (`sents`)."""
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end) if ev else sent.root
    if tok is None:
        return None
    found = _why_near(doc, tok, sent) or _why_in(doc, sent)
    if found:
        return found
    if headline:
        m = _HEADLINE_WHY_RE.search(headline)
        if m and len(m.group(1).split()) >= 2:
            return m.group(0)
    for other in sents:
        if other.start != sent.start:
            found = _why_explicit(doc, other) or _why_in(doc, other)
            if found:
                return found
    return None


_HEADLINE_WHY_RE = re.compile(
    r"\b(?:after|amid|over|following|due to|because of|in protest (?:at|over|against)|in response to)"
    r"\s+(?!\d)([^,;:|]+)",
    re.IGNORECASE,
)


# The words `_why_in` looks at (besides any advcl) and the words `_why_explicit` starts from.
_WHY_IN_WORDS = frozenset({"because", "since", "as", "over", "after", "amid", "following"})
_WHY_EXPLICIT_WORDS = frozenset({"because", "due", "result", "bid", "effort"})


def _why_in(doc: Doc, sent: Span) -> str | None:
    """A causal phrase anywhere in a sentence: because/since/as clauses, over/after/amid/
    following phrases on a verb, a "to"-purpose clause."""
    lower = token_table(doc).lower
    deps = word_table(doc).dep
    advcl = doc.vocab.strings["advcl"]
    for i in range(sent.start, sent.end):
        # only the words a rule below can take are made Tokens
        if lower[i] not in _WHY_IN_WORDS and deps[i] != advcl:
            continue
        t = doc[i]
        low = t.lower_
        if t.dep_ == "mark" and low in ("because", "since", "as") and t.head.dep_ == "advcl":
            return _span_text(doc, t, t.head.right_edge)
        if (
            t.dep_ == "prep"
            and low in ("over", "after", "amid", "following")
            and t.head.pos_ == "VERB"
        ):
            if any(
                g.dep_ in ("pobj", "pcomp") and g.ent_type_ not in ("DATE", "TIME")
                for g in t.children
            ):
                return _span_text(doc, t, t.right_edge)
        if t.dep_ == "advcl" and t.tag_ == "VB" and any(k.lower_ == "to" for k in t.children):
            return _span_text(doc, t.left_edge, t.right_edge)
    return None


def _why_explicit(doc: Doc, sent: Span) -> str | None:
    """An explicit causal connective in a sentence ("because (of)", "due to", "as a result of",
    "in a bid to", "in an effort to")."""
    lower = token_table(doc).lower
    for i in range(sent.start, sent.end):
        if lower[i] not in _WHY_EXPLICIT_WORDS:  # no Token for the words no rule takes
            continue
        t = doc[i]
        low = t.lower_
        prev = t.doc[t.i - 1].lower_ if t.i > 0 else ""
        if low in ("because", "due") or (low == "result" and prev == "a"):
            head = t.head if t.dep_ in ("mark", "amod") else t
            return span_text(doc, t.i, head.right_edge.i + 1)
        if (
            low in ("bid", "effort")
            and prev in ("a", "an")
            and t.i > 1
            and t.doc[t.i - 2].lower_ == "in"
        ):
            return _span_text(doc, t.doc[t.i - 2], t.right_edge)
    return None


def _why_near(doc: Doc, tok: Token, sent: Span) -> str | None:
    """A causal phrase attached to the trigger."""
    # an explicit causal connective anywhere in the main sentence
    found = _why_explicit(doc, sent)
    if found:
        return found
    for c in tok.children:
        low = c.lower_
        if c.dep_ in ("advcl",) and any(
            m.lower_ in ("because", "since", "as") for m in c.children if m.dep_ == "mark"
        ):
            return span_text(doc, c.left_edge.i, c.right_edge.i + 1)
        if c.dep_ == "prep" and low in ("over", "after", "amid", "following", "because", "due"):
            return span_text(doc, c.i, c.right_edge.i + 1)
        if (
            c.dep_ in ("advcl", "xcomp")
            and c.tag_ == "VB"
            and any(a.lower_ == "to" for a in c.children)
        ):
            if c.dep_ == "advcl":
                return span_text(doc, c.left_edge.i, c.right_edge.i + 1)
    return None


def _how(doc: Doc, ev: Event | None, human: frozenset[str]) -> str | None:
    """Manner of the main event: an -ly adverb, "by ...ing", "with/using/through ...", "despite"."""
    if ev is None:
        return None
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end)
    if tok is None:
        return None
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "by" and any(g.tag_ == "VBG" for g in c.children):
            return _span_text(doc, c, c.right_edge)
        if c.dep_ == "prep" and c.lower_ in _HOW_PREPS and c.lower_ != "by":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if c.lower_ == "with" and any(
                _person_like(g, human) or any(k.tag_ == "VBG" for k in g.children) for g in objs
            ):
                continue  # company or circumstance ("with voters", "with Hamilton leading"), not means
            if any(g.ent_type_ not in ("PERSON", "ORG", "GPE", "DATE") for g in objs):
                return _span_text(doc, c, c.right_edge)
        if (
            c.dep_ == "advmod"
            and c.tag_ == "RB"
            and c.lower_.endswith("ly")
            and c.lower_ not in _NOT_MANNER
        ):
            return c.text
        if c.dep_ == "advcl" and c.tag_ == "VBG" and not any(k.dep_ == "mark" for k in c.children):
            return _span_text(doc, c, c.right_edge)  # "..., killing 46 people"
    return None


def _headline(title: str) -> str | None:
    """The title without a trailing " | Site" / " - Site" part."""
    t = re.split(
        r"\s+[|\u2013\u2014]\s+|\s+-\s+(?=[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}$)", title.strip()
    )[0]
    return t[:200] or None


def _predicate(headline: str, who: str | None) -> str:
    """The headline without a leading subject that repeats the who ("Trump meets with Obama"
    -> "meets with Obama")."""
    if who:
        for name in (who, who.split()[-1]):
            if headline.lower().startswith(name.lower() + " ") and len(headline) > len(name) + 8:
                return headline[len(name) :].strip()
    return headline


def _span_of(doc: Doc, ev: Event) -> tuple[int, int]:
    """Character span of the event's actor in the text (its first occurrence near the trigger)."""
    actor = ev.actor or ""
    trigger = _token_at(doc, ev.trigger_start, ev.trigger_end)
    before = span_text(doc, 0, trigger.i) if trigger is not None else ""
    pos = before.rfind(actor) if actor else -1
    if pos < 0:
        pos = doc_text(doc).find(actor) if actor else -1
    return (pos, pos + len(actor)) if pos >= 0 else (0, 0)


def _title_actor(
    index: Mentions,
    title: str,
    labels: Sequence[str] = ("PERSON", "ORG", "GPE", "NORP"),
    subjects: Sequence[tuple[int, int]] | None = None,
) -> str | None:
    """The most mentioned person, organisation or country of the text that the title names
    (with `subjects`, only names that are the subject of a verb there)."""
    counts: dict[str, int] = {}
    acting: set[str] = set()
    for m in index.items:
        if m[3] in labels and m[4] and _acts_in_title(m[4], title, m[3] in _PLACE_LABELS):
            counts[m[4]] = counts.get(m[4], 0) + 1
            if subjects is not None and any(a < m[1] and m[0] < b for a, b in subjects):
                acting.add(m[4])
    if subjects is not None:
        counts = {k: v for k, v in counts.items() if k in acting}
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], title.find(k) == 0, -title.find(k)))


# A headline's kicker ("Germany: ...", "Croydon tram crash: ..."): a place there labels the
# topic, while a person there is the speaker of a quote ("Comey to country: ...").
_KICKER_RE = re.compile(r"^[^:]{1,60}:\s")
_POSSESSIVE_RE = re.compile(r"^['\u2019]s?\b")
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _acts_in_title(name: str, title: str, place: bool = False) -> bool:
    """Whether the title names `name` as a word (not "Hawaii" in "Hawaiian"), not as a
    possessive modifier ("Chicago's Apple Store", "Angola's satellite") and, for a `place`,
    not in the kicker."""
    if name.endswith(("'s", "\u2019s")):  # a mention that took the possessive along
        name = name[:-2]
    elif name.endswith(("'", "\u2019")):
        name = name[:-1]
    if not name or name not in title:  # most names: no regex needed
        return False
    kicker = _KICKER_RE.match(title) if place else None
    body = title[kicker.end() :] if kicker else title
    for hit in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", body):
        if not _POSSESSIVE_RE.match(body[hit.end() :]):
            return True
    return False


_HUMAN_HEADS = frozenset(
    """people person man men woman women boy girl child children gunman gunmen driver drivers
    passenger passengers victim victims police officer officers officials official soldiers
    troops protesters protester demonstrators fans team rescuers players player residents
    voters suspect suspects attacker attackers fighters militants rebels workers students
    family families doctors lawmakers leaders leader minister president spokesman
    spokeswoman""".split()
)
_NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP")


def _canonical(text: str, label: str | None, index: Mentions, canon: dict[str, str]) -> str:
    """The fullest name the article gives an entity ("Trump" -> "Donald Trump"); a short form
    that two full names end with ("Obama": Barack, Michelle) stays as it is."""
    if label not in ("PERSON", "ORG"):
        return text
    tail = text.split()[-1].lower() if text.split() else ""
    longer: dict[str, str] = {}
    for m in index.items:
        if m[3] != label:
            continue
        name = canon.get(m[2] or "", m[4])
        words = name.split()
        if len(text.split()) < len(words) <= 4 and words[-1].lower() == tail:
            longer.setdefault(" ".join(words[:-1]).lower(), name)
    if not longer:
        return text
    names = sorted(longer.values(), key=lambda n: -len(n.split()))
    # one person: every longer form extends the longest one ("Trump", "J Trump", "Donald J Trump")
    if all(names[0].lower().endswith(n.lower()) for n in names):
        return names[0]
    return text


def _head_token(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand") if end > start else None
    return span.root if span is not None and len(span) else None


def _named_head(tok: Token, index: Mentions) -> tuple[int, int, str] | None:
    """The PERSON/ORG/GPE/NORP mention on a phrase's head, or on its apposition
    ("Williams' veteran driver Felipe Massa")."""
    for t in [tok] + [c for c in tok.children if c.dep_ == "appos"]:
        for m in index.overlapping(t.idx, t.idx + len(t.text)):
            if m[3] in _NAME_LABELS:
                return m[0], m[1], m[3]
    return None


def _person_like(tok: Token, human: frozenset[str]) -> bool:
    """A noun phrase about people ("Several people", "A gunman", "At least seven people");
    `human`: the coding rules' person and group nouns."""
    for words in (_HUMAN_HEADS, human):
        if tok.lemma_.lower() in words or tok.lower_ in words:
            return True
    return tok.pos_ == "NUM" and tok.dep_ in ("nsubj", "nsubjpass")


def _noun_phrase_text(doc: Doc, tok: Token) -> str:
    """The subject phrase without relative clauses, appositions or trailing punctuation."""
    keep = [tok] + [
        t
        for c in tok.children
        if c.i < tok.i and c.dep_ not in ("punct", "cc", "relcl")
        for t in c.subtree
    ]
    lo = min(t.i for t in keep)
    while lo < tok.i and doc[lo].dep_ in ("det", "punct"):
        lo += 1
    return span_text(doc, lo, tok.i + 1)


def _who(
    doc: Doc,
    ev: Event | None,
    sent: Span,
    index: Mentions,
    title: str,
    lead_end: int,
    canon: dict[str, str],
    human: frozenset[str],
) -> str | None:
    """The main event's actor as a name; else a people phrase; else the main sentence's
    subject; else the most mentioned name of the headline; else the first name of the lead."""

    def named(tok: Token) -> str | None:
        hit = _named_head(tok, index)
        if hit is None:
            if (
                tok.pos_ == "PROPN"
                and tok.is_title
                and not tok.ent_type_
                and re.search(rf"\b{re.escape(tok.text)}\b", title)
            ):
                # a name the tagger missed that the title uses ("Israel indicts ..."): its
                # proper-noun words
                words = [c for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
                return span_text(doc, (words[0] if words else tok).i, tok.i + 1)
            return None
        m = next(m for m in index.items if m[0] == hit[0] and m[1] == hit[1])
        return _canonical(canon.get(m[2] or "", m[4]), hit[2], index, canon)

    head = text_head(doc)
    line = dateline_span(head)
    words = word_table(doc)
    subject_ids = label_ids(doc, ("nsubj", "nsubjpass"))
    subj = [
        t
        for t in (doc[i] for i in range(sent.start, sent.end) if words.dep[i] in subject_ids)
        if t.head.dep_ == "ROOT"
        and not (line and t.idx < line[1])  # "LONDON -- ...": a dateline is no subject
    ]
    root_name = named(subj[0]) if subj and subj[0].pos_ != "PRON" else None
    people: str | None = None
    if ev and ev.actor and line and _span_of(doc, ev)[0] < line[1]:
        # "KUNDUZ, Afghanistan -- Taliban insurgents struck": the dateline is no actor
        tok = _token_at(doc, ev.trigger_start, ev.trigger_end)
        others = [
            c
            for c in (tok.children if tok is not None else [])
            if c.dep_ in ("nsubj", "nsubjpass") and c.idx >= line[1]
        ]
        ev = replace(ev, actor=_noun_phrase_text(doc, others[0]) if others else None)
    if ev and ev.actor:
        start, end = _span_of(doc, ev)
        actor_tok = _head_token(doc, start, end)
        if actor_tok is not None:
            name = named(actor_tok)
            if name and root_name and _background(doc, ev.trigger_start, ev.trigger_end, True):
                return root_name  # "The Cubs ended ... when Zobrist hit": the main clause's subject
            if name:
                return name
            if _person_like(actor_tok, human) or any(
                m[3] in _NAME_LABELS for m in index.overlapping(start, end)
            ):
                people = ev.actor  # "Several people", "A Taliban suicide bomber"
        elif ev.actor_entity:
            return ev.actor
    if subj:
        s0 = subj[0]
        if s0.pos_ == "PRON":
            ph = resolve_pronoun(s0, index)
            if ph is not None:
                return _canonical(ph.text, ph.label, index, canon)
        elif root_name:
            return root_name
        elif people is None and _person_like(s0, human):
            people = _noun_phrase_text(doc, s0)
    lead_subjects = [
        (start, start + len(doc[i].text))
        # the lead's tokens, not the doc's
        for i, start in enumerate(takewhile(lambda start: start < lead_end, words.idx))
        if words.dep[i] in subject_ids
    ]
    in_title = _title_actor(index, title, ("PERSON", "ORG"), lead_subjects)
    if in_title:
        return in_title  # a person or organisation of the headline that acts in the lead
    if people:
        return people
    in_title = _title_actor(index, title)
    if in_title:
        return in_title
    if ev and ev.actor:
        return ev.actor
    if subj and subj[0].pos_ != "PRON":
        return phrase(subj[0], index).text
    named_lead = [
        m for m in index.items if m[0] < lead_end and m[3] in ("PERSON", "ORG", "NORP", "GPE")
    ]
    return named_lead[0][4] if named_lead else None


_BACKGROUND_DEPS = frozenset({"relcl"})
_WH_ADVERBS = frozenset(
    {"when", "while", "whenever", "where", "as", "after", "before", "once", "until"}
)


def _background(doc: Doc, start: int, end: int, subordinate: bool = False) -> bool:
    """Whether a span sits in a relative clause ("who won on Wednesday"), or with
    `subordinate`, also in an adverbial clause opened by "when/after/because ..."."""
    tok = _head_token(doc, start, end)
    for _ in range(12):
        if tok is None or tok.head == tok:
            return False
        if (
            tok.dep_ in _BACKGROUND_DEPS
            or subordinate
            and tok.dep_ == "advcl"
            and any(
                k.dep_ == "mark" or k.dep_ == "advmod" and k.lower_ in _WH_ADVERBS
                for k in tok.children
            )
        ):
            return True
        tok = tok.head
    return False


def five_w1h(
    doc: Doc,
    article: Article,
    events: Sequence[Event],
    mentions: Sequence[Mention],
    dates: Sequence[DateMention],
    lexicon: EventLexicon,
) -> FiveW1H:
    """One 5W1H row for an article (`lexicon`: the event lexicon and its coding rules)."""
    index = Mentions(doc, mentions)
    sents = doc_sents(doc)
    if not sents:
        return FiveW1H(article_id=article.id)
    lead = lead_sentences(doc, LEAD_SENTENCES)
    starts = {s.start for s in lead}
    lead_ids = frozenset(i for i, s in enumerate(sents) if s.start in starts)
    ev = _main_event(events, doc, lexicon, lead_ids)
    sent = sents[ev.sentence] if ev and ev.sentence < len(sents) else lead[0]
    lead_end = lead[-1].end_char

    canon = {m.entity_id: m.canonical for m in mentions}
    # an event past the lead is a weak guess at what the article is about: who and where then
    # come from the lead's own structure
    lead_ev = ev if ev and ev.sentence in lead_ids else None
    who = _who(
        doc,
        lead_ev,
        sent if lead_ev else lead[0],
        index,
        article.title or "",
        lead_end,
        canon,
        lexicon.coding.words.human_nouns,
    )

    what = _what(doc, ev) if ev else None
    headline = _headline(article.title or "")
    if headline:
        # the headline states the main fact (as Giveme5W1H weighs the title and early position);
        # its subject, when it is the who, is left out
        what = _predicate(headline, who)
    if what is None:
        root = sent.root
        what = span_text(doc, root.i, root.right_edge.i + 1)[:200]

    when, when_date = _when(doc, ev, dates, article, lead)
    where = event_where(
        doc,
        _token_at(doc, lead_ev.trigger_start, lead_ev.trigger_end) if lead_ev else None,
        lead,
        mentions or _entity_mentions(doc, article.id),
        article.title or "",
    )

    return FiveW1H(
        article_id=article.id,
        who=who,
        what=what,
        when=when,
        when_date=when_date,
        where=where,
        why=_why(doc, ev, sent, lead, headline),
        how=_how(doc, ev, lexicon.coding.words.human_nouns) or _action(doc, ev, what, lead_ids),
    )


def _when(
    doc: Doc, ev: Event | None, dates: Sequence[DateMention], article: Article, lead: list[Span]
) -> tuple[str | None, date | None]:
    """The main event's when (`tasks.nlp.when_where.event_when`), with the date expression the
    event coder attached to its trigger."""
    trigger = _token_at(doc, ev.trigger_start, ev.trigger_end) if ev else None
    own = None
    if ev is not None and ev.date_text and trigger is not None:
        sent = trigger.sent
        own = next(
            (
                d
                for d in dates
                if d.text == ev.date_text and sent.start_char <= d.start < sent.end_char
            ),
            None,
        )
    published = article.published_at.date() if article.published_at else None
    return event_when(
        doc,
        trigger,
        own,
        dates,
        lead,
        published,
        _headline(article.title or "") or "",
    )


def _entity_mentions(doc: Doc, article_id: str) -> list[Mention]:
    """spaCy's entities as mentions, when the caller gave none."""
    return [
        Mention(article_id, "", e.text, e.label_, e.text, e.label_, e.start_char, e.end_char, 0)
        for e in doc_ents(doc)
    ]


def _action(
    doc: Doc, ev: Event | None, headline_what: str | None, lead_ids: frozenset[int]
) -> str | None:
    """Without an explicit manner, Giveme5W1H annotators take the action itself as the how
    ("derailed and overturned", "found no evidence"): the main verb of the lead with its
    object, else the headline's predicate (a noun trigger, "bombing", says no manner)."""
    tok = _token_at(doc, ev.trigger_start, ev.trigger_end) if ev else None
    if ev is not None and tok is not None and tok.pos_ == "VERB" and ev.sentence in lead_ids:
        return _what(doc, ev)
    return headline_what
