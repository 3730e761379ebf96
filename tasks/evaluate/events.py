"""Evaluation of event coding (PLOVER gold sentences).

Run: ``python -m tasks.evaluate.events plover PATH.jsonl``.

Each record becomes an `Article` (no warehouse) and goes through `tasks.nlp.analysis.analyse` with
the entity mentions production makes (`tasks.evaluate.matching.production_mentions`: the
pipeline's `doc_spans` and `resolve_mentions`), parsed by the pipeline production loads
(`tasks.nlp.pipeline.load_nlp` with the configured model and components).

PLOVER (`evaluate_plover`), one gold record = one sentence with one event:
- predicted category: the category of the record's main event (`tasks.nlp.events.salience.main_event`,
  the selector production uses); no event counts as the label "NONE" (always wrong). Two figures are printed: `category` uses the coded
  category as is; `category_intent` applies the CAMEO/PLOVER convention the gold follows for
  promises and plans ("Finland will give Tanzania a grant" is AGREE, an intent to cooperate; a
  planned conflict action is THREATEN): a planned cooperative event is scored as AGREE and a
  planned material-conflict event as THREATEN, and a negated cooperative event ("will not
  accept refugees") as REJECT.
- accuracy and macro-F1 (unweighted mean of per-category F1 over the gold categories).
- actor / target match rate: over records whose gold lists a source (target) actor, the share
  where the main event's own actor (target) overlaps some gold `actorText` (as the held-out
  check scores "the PLOVER actor of that event").
  Overlap = the two strings share at least one content word (lower-cased, punctuation stripped,
  stop words and determiners removed, a trailing plural "s" ignored). `actor_strict` requires
  one string to contain the other (after the same normalisation).

5W1H is scored in `tasks.evaluate.fivew`; both use the matching of `tasks.evaluate.matching`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from spacy.language import Language

from tasks.evaluate.matching import gold_article, overlaps, production_mentions, strict_match
from tasks.nlp.analysis import analyse
from tasks.nlp.events.lexicon import EventLexicon, load_lexicon
from tasks.nlp.events.rules import Categories
from tasks.nlp.events.salience import main_event
from tasks.nlp.pipeline import load_nlp
from tasks.records import Event
from tasks.settings import load_settings


def load_eval_nlp() -> Language:
    """The spaCy pipeline production loads, with the configured model and components."""
    settings = load_settings()
    return load_nlp(settings.nlp.model, settings.nlp.components)


def intent_category(ev: Event, groups: Categories) -> str:
    """CAMEO/PLOVER coding of plans and promises: intent to cooperate / threat / refusal."""
    if ev.mode == "negated" and (ev.category in groups.cooperative or ev.category == "INVESTIGATE"):
        return "REJECT"  # "will not accept refugees"
    if ev.mode == "planned":
        if (
            ev.category in groups.cooperative
            and ev.category != "AGREE"
            or ev.category == "INVESTIGATE"
        ):
            return "AGREE"
        if ev.category in groups.material_conflict:
            return "THREATEN"
    return ev.category


def _gold_actors(value: Any) -> list[str]:
    if isinstance(value, list):
        return [a.get("actorText", "") for a in value if isinstance(a, dict) and a.get("actorText")]
    return []


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = sorted(set(gold))
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def evaluate_plover(path: str | Path, nlp: Language, lexicon: EventLexicon) -> dict[str, Any]:
    """Category accuracy / macro-F1 and actor/target match rates on PLOVER gold sentences."""
    records = [
        json.loads(line)
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts = [r["text"].strip().strip("{}") for r in records]
    gold, pred, pred_intent = [], [], []
    actor_n = actor_hit = actor_strict = target_n = target_hit = target_strict = 0
    rows = []
    for rec, doc in zip(records, nlp.pipe(texts)):
        art = gold_article(rec.get("id", ""), doc.text, published=datetime(2000, 1, 1))
        result = analyse(doc, art, production_mentions(doc, art.id), lexicon, quotes=False)
        main = main_event(list(result.events))
        cat = main.category if main else "NONE"
        gold.append(rec["event"])
        pred.append(cat)
        pred_intent.append(intent_category(main, lexicon.coding.categories) if main else "NONE")
        g_src, g_tar = _gold_actors(rec.get("source")), _gold_actors(rec.get("target"))
        actors = [main.actor] if main and main.actor else []
        targets = [main.target] if main and main.target else []
        hit = any(overlaps(a, g) for a in actors for g in g_src)
        g_codes = [
            a["code"] for a in rec.get("source") or [] if isinstance(a, dict) and a.get("code")
        ]
        code = (main.actor_code if main else None) or ""
        if g_src:
            actor_n += 1
            actor_hit += hit
            actor_strict += any(strict_match(a, g) for a in actors for g in g_src)
        if g_tar:
            target_n += 1
            target_hit += any(overlaps(t, g) for t in targets for g in g_tar)
            target_strict += any(strict_match(t, g) for t in targets for g in g_tar)
        rows.append(
            {
                "id": rec.get("id"),
                "gold": rec["event"],
                "pred": cat,
                "trigger": main.trigger if main else None,
                "actors": actors,
                "targets": targets,
                "actor_gold": bool(g_src),
                "actor_hit": hit,
                "actor_code": code or None,
                # the gold actor's country, IGO or NGO code leads the predicted CAMEO code
                "code_gold": bool(g_codes),
                "code_hit": bool(code) and any(code.startswith(g) for g in g_codes),
            }
        )
    n = len(gold)
    confusion = Counter((g, p) for g, p in zip(gold, pred) if g != p)
    return {
        "records": n,
        "category_accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else 0.0,
        "category_macro_f1": _macro_f1(gold, pred),
        "category_intent_accuracy": sum(g == p for g, p in zip(gold, pred_intent)) / n
        if n
        else 0.0,
        "category_intent_macro_f1": _macro_f1(gold, pred_intent),
        "actor_records": actor_n,
        "actor_match": actor_hit / actor_n if actor_n else 0.0,
        "actor_strict": actor_strict / actor_n if actor_n else 0.0,
        "target_records": target_n,
        "target_match": target_hit / target_n if target_n else 0.0,
        "target_strict": target_strict / target_n if target_n else 0.0,
        "no_event": pred.count("NONE"),
        "top_confusions": confusion.most_common(8),
        "rows": rows,
    }


def format_report(result: dict[str, Any]) -> str:
    """A plain-text report of the PLOVER evaluation."""
    lines: list[str] = []
    if "category_accuracy" in result:
        lines.append(f"PLOVER events: {result['records']} sentences")
        lines.append(f"  category accuracy        {result['category_accuracy']:.3f}")
        lines.append(f"  category macro-F1        {result['category_macro_f1']:.3f}")
        lines.append(
            f"  category accuracy (intent convention) {result['category_intent_accuracy']:.3f}"
        )
        lines.append(
            f"  category macro-F1 (intent convention) {result['category_intent_macro_f1']:.3f}"
        )
        lines.append(
            f"  actor match  {result['actor_match']:.3f} (strict {result['actor_strict']:.3f}) "
            f"over {result['actor_records']}"
        )
        lines.append(
            f"  target match {result['target_match']:.3f} (strict {result['target_strict']:.3f}) "
            f"over {result['target_records']}"
        )
        lines.append(f"  sentences with no event  {result['no_event']}")
        lines.append(
            "  top confusions (gold -> predicted): "
            + ", ".join(f"{g}->{p} x{n}" for (g, p), n in result["top_confusions"])
        )
    return "\n".join(lines)


def main(argv: Iterable[str]) -> int:
    """`python -m tasks.evaluate.events plover PATH [--model NAME]`."""
    args = list(argv)
    if len(args) < 2 or args[0] != "plover":
        print(
            "usage: python -m tasks.evaluate.events plover PATH.jsonl [--model NAME]",
            file=sys.stderr,
        )
        return 2
    if "--model" in args:
        nlp = load_nlp(args[args.index("--model") + 1], load_settings().nlp.components)
    else:
        nlp = load_eval_nlp()
    lexicon = load_lexicon()
    print(format_report(evaluate_plover(args[1], nlp, lexicon)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
