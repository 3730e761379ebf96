"""Evaluation of 5W1H against Giveme5W1H gold articles, whole and by cross-validation folds.

Run: ``newsflow eval 5w1h FOLDER [--folds 5]`` or ``python -m tasks.evaluate.fivew FOLDER
[--folds 5] [--save FILE] [--baseline FILE] [--show who,when]``.

Each gold record (news-please JSON with `fiveWoneH.{who,...}.annotated[].text`) becomes an
`Article` (no warehouse), cleaned as the pipeline cleans what it stores
(`tasks.text.extract.clean_article`: "READ MORE:" teasers, share prompts and captions out), and
goes through `tasks.nlp.analysis.analyse` with the entity mentions production makes
(`tasks.evaluate.matching.production_mentions`). Per question (who, what, when, where, why, how):
- counted over articles whose gold has at least one phrase with text for that question;
- match when our answer and any gold phrase share a content word (`tasks.evaluate.matching`);
  `strict` when one contains the other or their content-word Jaccard is at least 0.5; for
  "when", our resolved date equal to a gold `parsed` date also counts as a (strict) match;
  `when` is also given without that date credit (`text`), the figure that shows whether the
  answer is worded as annotators word it;
- the rate is matches / counted articles (answers left empty count as misses);
- `who/what/when/where` is the pooled rate over the four questions' counted articles.

Folds (`story_folds`) keep every article of one story (the record's `category`, else its id)
in one fold, so a rule fitted to one story shows up as a gain in one fold only. `--save` writes
the per-fold figures to a JSON file; `--baseline` prints each fold's change against such a file
and whether the change is taken: no fold worse and at least one better on the
who/what/when/where figure.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from spacy.language import Language

from tasks.evaluate.matching import gold_article, overlaps, production_mentions, strict_match
from tasks.nlp.analysis import analyse
from tasks.nlp.events.lexicon import EventLexicon
from tasks.records import FiveW1H
from tasks.text.extract import clean_article

QUESTIONS = ("who", "what", "when", "where", "why", "how")
CORE = ("who", "what", "when", "where")


@dataclass(frozen=True, slots=True)
class GoldRecord:
    """One gold article: its text and the annotated phrases per question."""

    id: str
    story: str
    title: str
    text: str
    published: datetime | None
    gold: dict[str, tuple[dict[str, Any], ...]]


@dataclass(frozen=True, slots=True)
class Score:
    """How one answer fares against the gold phrases of one question."""

    match: bool
    strict: bool
    text: bool  # the match without the "when" date credit


def _published(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace(" ", "T"))
    except ValueError:
        return None


def _parse_date(value: object) -> date | None:
    parsed = _published(value)
    return parsed.date() if parsed else None


def load_records(folder: str | Path) -> list[GoldRecord]:
    """The gold records of a folder, in file-name order."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        fivew = raw.get("fiveWoneH") or {}
        gold = {
            q: tuple(
                a for a in (fivew.get(q) or {}).get("annotated", []) if a.get("text", "").strip()
            )
            for q in QUESTIONS
        }
        rid = str(raw.get("dId") or path.stem)
        out.append(
            GoldRecord(
                id=rid,
                story=str(raw.get("category") or rid),
                title=raw.get("title") or "",
                text=raw.get("text") or "",
                published=_published(raw.get("date_publish")),
                gold=gold,
            )
        )
    return out


def score_answer(question: str, row: FiveW1H, gold: Sequence[dict[str, Any]]) -> Score:
    """Our answer to `question` against the gold phrases (at least one)."""
    ours = getattr(row, question)
    phrases = [a["text"] for a in gold]
    text = any(overlaps(ours, g) for g in phrases)
    strict = any(strict_match(ours, g) for g in phrases)
    match = text
    if question == "when" and row.when_date is not None:
        if row.when_date in {_parse_date(a.get("parsed")) for a in gold}:
            match = strict = True
    return Score(match=match, strict=strict, text=text)


def predict(records: Sequence[GoldRecord], nlp: Language, lexicon: EventLexicon) -> list[FiveW1H]:
    """Our 5W1H row for each record."""
    rows = []
    articles = [clean_article(gold_article(r.id, r.text, r.title, r.published)) for r in records]
    for art, doc in zip(articles, nlp.pipe(a.text for a in articles)):
        result = analyse(doc, art, production_mentions(doc, art.id), lexicon, quotes=False)
        rows.append(result.five_w1h)
    return rows


def score(records: Sequence[GoldRecord], rows: Sequence[FiveW1H]) -> dict[str, Any]:
    """Per-question rates of `rows` against the records' gold."""
    counted: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    strict: Counter[str] = Counter()
    text: Counter[str] = Counter()
    misses: dict[str, list[tuple[str, str | None, list[str]]]] = {q: [] for q in QUESTIONS}
    for rec, row in zip(records, rows):
        for q in QUESTIONS:
            gold = rec.gold[q]
            if not gold:
                continue
            counted[q] += 1
            answered[q] += bool(getattr(row, q))
            s = score_answer(q, row, gold)
            hits[q] += s.match
            strict[q] += s.strict
            text[q] += s.text
            if not s.match:
                misses[q].append((rec.id, getattr(row, q), [a["text"] for a in gold]))

    def rate(c: Counter[str], q: str) -> float:
        return c[q] / counted[q] if counted[q] else 0.0

    return {
        "articles": len(records),
        "questions": {
            q: {
                "counted": counted[q],
                "answered": answered[q],
                "match": rate(hits, q),
                "strict": rate(strict, q),
                "text": rate(text, q),
            }
            for q in QUESTIONS
        },
        "who_what_when_where_match": (
            sum(hits[q] for q in CORE) / max(1, sum(counted[q] for q in CORE))
        ),
        "misses": misses,
    }


def evaluate_5w1h(folder: str | Path, nlp: Language, lexicon: EventLexicon) -> dict[str, Any]:
    """Per-question match rates of our 5W1H against Giveme5W1H gold phrases."""
    records = load_records(folder)
    return score(records, predict(records, nlp, lexicon))


def story_folds(records: Sequence[GoldRecord], k: int) -> list[list[int]]:
    """`k` folds of record indexes, each story whole; the largest stories are placed first,
    each in the fold with the fewest records so far (ties to the lower fold)."""
    stories: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        stories.setdefault(rec.story, []).append(i)
    folds: list[list[int]] = [[] for _ in range(max(1, k))]
    for _, members in sorted(stories.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        min(folds, key=len).extend(members)
    return [sorted(f) for f in folds]


def cross_validate(
    folder: str | Path, nlp: Language, lexicon: EventLexicon, k: int = 5
) -> dict[str, Any]:
    """The figures of each story fold and of all records together."""
    records = load_records(folder)
    rows = predict(records, nlp, lexicon)
    folds = []
    for idx in story_folds(records, k):
        result = score([records[i] for i in idx], [rows[i] for i in idx])
        result["ids"] = [records[i].id for i in idx]
        folds.append(result)
    return {"folds": folds, "all": score(records, rows)}


def _figures(result: dict[str, Any]) -> dict[str, float]:
    out = {q: result["questions"][q]["match"] for q in QUESTIONS}
    out["mean4"] = result["who_what_when_where_match"]
    out["when_text"] = result["questions"]["when"]["text"]
    return out


_COLUMNS = (*QUESTIONS, "mean4", "when_text")


def format_report(result: dict[str, Any]) -> str:
    """A plain-text report of one evaluation."""
    lines = [f"Giveme5W1H: {result['articles']} articles"]
    for q, v in result["questions"].items():
        extra = f"  text {v['text']:.3f}" if q == "when" else ""
        lines.append(
            f"  {q:<5} match {v['match']:.3f}  strict {v['strict']:.3f}{extra}  "
            f"(answered {v['answered']}/{v['counted']})"
        )
    lines.append(f"  who/what/when/where match {result['who_what_when_where_match']:.3f}")
    return "\n".join(lines)


def format_folds(cv: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """A table of per-fold figures; with `baseline` (a saved `fold_figures`), the change per fold
    and whether it is taken."""
    head = f"{'fold':<5}{'n':>4}" + "".join(f"{c:>10}" for c in _COLUMNS)
    lines = [head]
    rows = [(str(i), f) for i, f in enumerate(cv["folds"])] + [("all", cv["all"])]
    for name, result in rows:
        figs = _figures(result)
        lines.append(
            f"{name:<5}{result['articles']:>4}" + "".join(f"{figs[c]:>10.3f}" for c in _COLUMNS)
        )
    if baseline is None:
        return "\n".join(lines)
    lines.append("change against the baseline:")
    lines.append(head)
    now = fold_figures(cv)
    for name in [str(i) for i in range(len(cv["folds"]))] + ["all"]:
        before, after = baseline.get(name, {}), now[name]
        lines.append(
            f"{name:<5}{'':>4}"
            + "".join(f"{after[c] - before.get(c, 0.0):>+10.3f}" for c in _COLUMNS)
        )
    lines.append("verdict per measure (taken: no fold worse, at least one better):")
    for c in _COLUMNS:
        deltas = [
            now[str(i)][c] - baseline.get(str(i), {}).get(c, 0.0) for i in range(len(cv["folds"]))
        ]
        lines.append(f"  {c:<10} {verdict(deltas)}")
    return "\n".join(lines)


def verdict(deltas: Sequence[float], eps: float = 1e-9) -> str:
    """ "taken" when no fold is worse and one is better; "not taken" when one is worse; else
    "no change"."""
    if any(d < -eps for d in deltas):
        return "not taken" + (
            " (helps one fold, hurts another)" if any(d > eps for d in deltas) else ""
        )
    if any(d > eps for d in deltas):
        return "taken"
    return "no change"


def fold_figures(cv: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The per-fold figures of a cross-validation, for `--save` and `--baseline`."""
    out = {str(i): _figures(f) for i, f in enumerate(cv["folds"])}
    out["all"] = _figures(cv["all"])
    return out


def format_misses(result: dict[str, Any], questions: Iterable[str]) -> str:
    """Each missed answer of the given questions, with the gold phrases."""
    lines = []
    for q in questions:
        for rid, ours, gold in result["misses"].get(q, []):
            lines.append(f"{q:<5} {rid[:8]}  ours={ours!r}  gold={gold}")
    return "\n".join(lines)


def main(argv: Iterable[str]) -> int:
    """`python -m tasks.evaluate.fivew FOLDER [--folds K] [--save F] [--baseline F] [--show Q,Q]`."""
    args = list(argv)
    if not args or args[0].startswith("-"):
        print(
            "usage: python -m tasks.evaluate.fivew FOLDER [--folds K] [--save FILE] "
            "[--baseline FILE] [--show who,when]",
            file=sys.stderr,
        )
        return 2

    def opt(name: str) -> str | None:
        return (
            args[args.index(name) + 1]
            if name in args and args.index(name) + 1 < len(args)
            else None
        )

    from tasks.nlp.events.lexicon import load_lexicon
    from tasks.nlp.pipeline import load_nlp
    from tasks.settings import load_settings

    settings = load_settings()
    nlp = load_nlp(settings.nlp.model, settings.nlp.components)
    lexicon = load_lexicon(settings.enrich.lexicon)
    cv = cross_validate(args[0], nlp, lexicon, int(opt("--folds") or 5))
    print(format_report(cv["all"]))
    baseline = None
    if opt("--baseline"):
        baseline = json.loads(Path(str(opt("--baseline"))).read_text(encoding="utf-8"))
    print(format_folds(cv, baseline))
    if opt("--save"):
        Path(str(opt("--save"))).write_text(
            json.dumps(fold_figures(cv), indent=1), encoding="utf-8"
        )
    if opt("--show"):
        print(format_misses(cv["all"], str(opt("--show")).split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
