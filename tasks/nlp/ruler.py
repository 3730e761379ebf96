"""The entity ruler: names from the actor dictionaries, merged with the statistical NER.

Patterns (`LABEL<TAB>name` lines, built by `tasks.nlp.build_entity_patterns`) are matched by
spaCy's span ruler after the NER. A dictionary match replaces the NER entities it overlaps
(the NER called "Belarus" an ORG, or missed "BELGRADE" in a dateline), except where an NER
entity strictly contains it: "Jordan" in PERSON "Michael Jordan" stays part of the person.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

__all__ = ["add_entity_ruler", "merge_entities", "read_entity_patterns"]

MERGE = "newsflow_entity_merge"
SPANS_KEY = "newsflow_ruler"


def read_entity_patterns(path: Path) -> list[dict[str, str]]:
    """Ruler patterns from `LABEL<TAB>name` lines (`#` comments): each name as written and,
    unless it is in capitals already, in UPPER CASE (headlines, datelines)."""
    patterns = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            label, _, name = line.rstrip("\n").partition("\t")
            if not name:
                continue
            patterns.append({"label": label, "pattern": name})
            if name.upper() != name:
                patterns.append({"label": label, "pattern": name.upper()})
    return patterns


def merge_entities(doc: Doc, matches: list[Span]) -> list[Span]:
    """The NER's entities with the dictionary matches merged in (see the module docstring)."""
    ents = list(doc.ents)
    for match in filter_spans(matches):
        overlapping = [e for e in ents if e.start < match.end and match.start < e.end]
        if any(
            e.start <= match.start
            and match.end <= e.end
            and (e.start, e.end) != (match.start, match.end)
            for e in overlapping
        ):
            continue  # part of a longer name the NER found
        ents = [e for e in ents if e not in overlapping]
        ents.append(match)
    return sorted(ents, key=lambda e: e.start)


@Language.component(MERGE)
def _merge_component(doc: Doc) -> Doc:
    matches = list(doc.spans.get(SPANS_KEY, []))
    if matches:
        doc.ents = merge_entities(doc, matches)
        del doc.spans[SPANS_KEY]
    return doc


def add_entity_ruler(nlp: Language, patterns_path: Path, name: str) -> str:
    """Add the ruler `name` (and its merge step) after the NER; returns the patterns' digest."""
    after = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe(
        "span_ruler",
        name=name,
        after=after,
        config={"spans_key": SPANS_KEY, "annotate_ents": False, "overwrite": True},
    )
    with nlp.select_pipes(enable=[]):  # patterns need the tokenizer only
        ruler.add_patterns(read_entity_patterns(patterns_path))  # type: ignore[attr-defined]
    nlp.add_pipe(MERGE, after=name)
    return hashlib.sha256(patterns_path.read_bytes()).hexdigest()[:8]
