"""Score named-entity labels (PER, LOC, ORG) against CoNLL-style gold news.

The gold is a CoNLL file: one token a line with its tag last (IOB1 or IOB2, `PER`, `LOC`,
`ORG`, `MISC`), a blank line between sentences, `-DOCSTART-` lines between documents (the
CoNLL-2003 English shared-task layout). Each document becomes an article text: tokens joined
with spaces (no space before closing punctuation and clitics), sentences as paragraphs.
A file without `-DOCSTART-` lines (copies that dropped them) is split into its stories where a
sentence is followed by a dateline sentence ("LONDON 1996-08-30": that sentence is a Reuters
headline), else into runs of 10 sentences, so no article spans a whole file.

spaCy's labels are mapped to CoNLL's: PERSON -> PER; GPE, LOC, FAC -> LOC; ORG -> ORG; the
rest (NORP, EVENT, PRODUCT, ... : CoNLL's MISC and non-entities) are not scored, nor is gold
MISC. A prediction is right when its span and label equal a gold entity's. F1 is micro over
PER, LOC and ORG together; per-label figures are printed too.

Variants run on the same documents in the same run:
- `bare`: the model's own NER (the configured components, no entity ruler), `doc.ents`;
- `settled`: the bare NER through `resolve_mentions` (labels settled per canonical entity);
- `ruler`: the NER with the entity ruler (`newsflow_entity_ruler`), `doc.ents`;
- `ours`: the ruler and the settled labels: what the pipeline stores.
Documents are split into 5 folds (in file order, round robin) and every variant is reported
per fold, so a change is taken only when it helps on each fold.

    python -m tasks.evaluate.ner GOLD.conll [--model NAME] [--json out.json]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasks.evaluate.gate import finish

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "GoldDoc",
    "LABEL_MAP",
    "evaluate_ner",
    "format_report",
    "read_conll",
    "score_spans",
    "story_starts",
]

SCORED = ("PER", "LOC", "ORG")
LABEL_MAP = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"}
FOLDS = 5

_NO_SPACE_BEFORE = frozenset(
    {".", ",", ";", ":", "!", "?", ")", "]", "}", "'s", "'S", "n't", "'re", "'ve", "'ll", "'d", "%"}
)
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$"})

Entity = tuple[int, int, str]  # start, end (characters), CoNLL label


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """One gold document as article text with its entities (character offsets)."""

    text: str
    entities: tuple[Entity, ...]


def _chunks(tokens: Sequence[tuple[str, str]]) -> Iterator[tuple[int, int, str]]:
    """(first token, last token + 1, type) of the entities in IOB1 or IOB2 tags."""
    start: int | None = None
    kind = ""
    for i, (_, tag) in enumerate([*tokens, ("", "O")]):
        prefix, _, label = tag.partition("-")
        begins = prefix == "B" or (prefix == "I" and (start is None or label != kind))
        if start is not None and (tag == "O" or begins):
            yield start, i, kind
            start = None
        if begins or (prefix in ("B", "I") and start is None):
            start, kind = i, label


def _document(sentences: list[list[tuple[str, str]]]) -> GoldDoc:
    parts: list[str] = []
    entities: list[Entity] = []
    offset = 0
    for n, sentence in enumerate(sentences):
        if n:
            parts.append("\n\n")
            offset += 2
        starts: list[int] = []
        ends: list[int] = []
        previous = ""
        for i, (word, _) in enumerate(sentence):
            if i and word not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER:
                parts.append(" ")
                offset += 1
            starts.append(offset)
            parts.append(word)
            offset += len(word)
            ends.append(offset)
            previous = word
        for first, last, kind in _chunks(sentence):
            if kind in SCORED:
                entities.append((starts[first], ends[last - 1], kind))
    return GoldDoc("".join(parts), tuple(entities))


Sentence = list[tuple[str, str]]  # (word, tag) pairs
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
CHUNK_SENTENCES = 10


def _is_dateline(sentence: Sentence) -> bool:
    return len(sentence) >= 2 and _DAY.fullmatch(sentence[-1][0]) is not None


def story_starts(sentences: Sequence[Sentence]) -> list[int]:
    """Where the stories of a run of sentences without document marks begin: at each sentence
    followed by a dateline sentence (a headline), else every `CHUNK_SENTENCES` sentences."""
    starts = [i for i in range(1, len(sentences) - 1) if _is_dateline(sentences[i + 1])]
    if not starts and not (sentences and len(sentences) > 1 and _is_dateline(sentences[1])):
        starts = list(range(CHUNK_SENTENCES, len(sentences), CHUNK_SENTENCES))
    return [0, *starts] if sentences else []


def read_conll(path: str | Path) -> list[GoldDoc]:
    """Documents of a CoNLL NER file (token first, tag last on each line)."""
    groups: list[list[Sentence]] = []
    sentences: list[Sentence] = []
    sentence: Sentence = []
    marked = False
    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        fields = line.split()
        if fields and fields[0] == "-DOCSTART-":
            marked = True
            if sentence:
                sentences.append(sentence)
                sentence = []
            if sentences:
                groups.append(sentences)
            sentences = []
            continue
        if not fields:
            if sentence:
                sentences.append(sentence)
                sentence = []
            continue
        sentence.append((fields[0], fields[-1]))
    if sentences:
        groups.append(sentences)
    if not marked and groups:
        run = groups[0]
        bounds = [*story_starts(run), len(run)]
        groups = [run[a:b] for a, b in zip(bounds, bounds[1:])]
    return [_document(group) for group in groups]


def score_spans(gold: Iterable[Entity], predicted: Iterable[Entity]) -> Counter[str]:
    """Counts `tp:LABEL`, `fp:LABEL`, `fn:LABEL` of exact span-and-label matches."""
    gold_set = set(gold)
    pred_set = {p for p in predicted if p[2] in SCORED}
    counts: Counter[str] = Counter()
    for _, _, label in gold_set & pred_set:
        counts[f"tp:{label}"] += 1
    for _, _, label in pred_set - gold_set:
        counts[f"fp:{label}"] += 1
    for _, _, label in gold_set - pred_set:
        counts[f"fn:{label}"] += 1
    return counts


def _prf(counts: Counter[str], labels: Sequence[str] = SCORED) -> dict[str, float]:
    tp = sum(counts[f"tp:{label}"] for label in labels)
    fp = sum(counts[f"fp:{label}"] for label in labels)
    fn = sum(counts[f"fn:{label}"] for label in labels)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold": tp + fn}


def _mapped(label: str) -> str | None:
    return LABEL_MAP.get(label)


def _doc_entities(doc: Doc) -> list[Entity]:
    out = []
    for ent in doc.ents:
        label = _mapped(ent.label_)
        if label:
            out.append((ent.start_char, ent.end_char, label))
    return out


def _settled_entities(doc: Doc) -> list[Entity]:
    from tasks.nlp.entities import resolve_mentions
    from tasks.nlp.pipeline import doc_spans

    mentions, _ = resolve_mentions("gold", doc_spans(doc))
    out = []
    for mention in mentions:
        label = _mapped(mention.label)
        if label:
            out.append((mention.start, mention.end, label))
    return out


def evaluate_ner(
    gold_path: str | Path,
    model: str | None = None,
    components: Sequence[str] | None = None,
    folds: int = FOLDS,
) -> dict[str, Any]:
    """Score the four variants on every document; per-fold and per-label figures."""
    from tasks.nlp.pipeline import ENTITY_RULER as RULER
    from tasks.nlp.pipeline import load_nlp
    from tasks.settings import load_settings

    settings = load_settings()
    model = model or settings.nlp.model
    configured = tuple(components or settings.nlp.components)
    with_ruler = configured if RULER in configured else (*configured, RULER)
    bare = tuple(c for c in configured if c != RULER)
    docs = read_conll(gold_path)
    texts = [d.text for d in docs]
    variants: dict[str, list[list[Entity]]] = {}
    seconds: dict[str, float] = {}
    for name, names in (("bare", bare), ("ruler", with_ruler)):
        nlp: Language = load_nlp(model, names)
        started = time.perf_counter()
        parsed = list(nlp.pipe(texts, batch_size=32))
        seconds[name] = time.perf_counter() - started
        variants[name] = [_doc_entities(doc) for doc in parsed]
        settled = "settled" if name == "bare" else "ours"
        variants[settled] = [_settled_entities(doc) for doc in parsed]
    per_fold: dict[str, list[dict[str, float]]] = {}
    overall: dict[str, dict[str, Any]] = {}
    for name, predicted in variants.items():
        totals: Counter[str] = Counter()
        fold_counts = [Counter[str]() for _ in range(folds)]
        for index, (doc, entities) in enumerate(zip(docs, predicted)):
            counts = score_spans(doc.entities, entities)
            totals.update(counts)
            fold_counts[index % folds].update(counts)
        per_fold[name] = [_prf(c) for c in fold_counts]
        overall[name] = {
            "all": _prf(totals),
            **{label: _prf(totals, (label,)) for label in SCORED},
        }
    return {
        "gold": str(gold_path),
        "model": model,
        "documents": len(docs),
        "entities": sum(len(d.entities) for d in docs),
        "seconds": seconds,
        "overall": overall,
        "folds": per_fold,
        "gate_ok": all(
            ours["f1"] > bare["f1"] for ours, bare in zip(per_fold["ours"], per_fold["bare"])
        ),
    }


def format_report(report: dict[str, Any]) -> str:
    """Plain-text tables of the figures in `report`."""
    names = list(report["overall"])
    lines = [
        f"NER on {report['gold']}: {report['documents']} documents, {report['entities']} "
        f"PER/LOC/ORG entities, model {report['model']}",
        "",
        f"{'variant':<9} {'P':>6} {'R':>6} {'F1':>6}   "
        + "  ".join(f"{label} F1" for label in SCORED),
    ]
    for name in names:
        figures = report["overall"][name]
        lines.append(
            f"{name:<9} {figures['all']['precision']:>6.3f} {figures['all']['recall']:>6.3f} "
            f"{figures['all']['f1']:>6.3f}   "
            + "  ".join(f"{figures[label]['f1']:>6.3f}" for label in SCORED)
        )
    lines += [
        "",
        "F1 per fold (documents round robin)",
        f"{'fold':>4} " + "".join(f"{n:>9}" for n in names),
    ]
    for fold in range(len(report["folds"][names[0]])):
        lines.append(
            f"{fold:>4} " + "".join(f"{report['folds'][n][fold]['f1']:>9.3f}" for n in names)
        )
    verdict = "ok" if report["gate_ok"] else "FAIL: not above the bare model on every fold"
    lines += ["", f"gate: ours above the bare model on every fold: {verdict}"]
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report["seconds"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="a CoNLL NER file (e.g. CoNLL-2003 English)")
    parser.add_argument("--model", help="spaCy pipeline (default: nlp.model from the settings)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if not Path(args.gold).is_file():
        print(f"error: {args.gold} is not a file; pass a CoNLL NER file", file=sys.stderr)
        return 2
    return finish(evaluate_ner(args.gold, args.model), format_report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
