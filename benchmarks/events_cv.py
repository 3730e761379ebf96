"""Five-fold check of the event coder on PLOVER gold sentences: every rule change, per fold.

    python benchmarks/events_cv.py ../shared/corpus/events/plover_gsr_dev.jsonl \
        [--folds 5] [--save FILE.json] [--compare FILE.json] [--misses]

The rules are written by hand, not fitted, so the folds do not train anything: they split the
development set into five stratified parts (the i-th record of each category goes to fold
i mod 5) and show whether a change helps everywhere or only where it was looked at. Per fold it
prints the PLOVER category accuracy of each sentence's main event (its highest-confidence
event, as `tasks.evaluate.events.evaluate_plover` scores it) and the actor match of that event
(content-word overlap with a gold source actor) and the actor code match (the gold actor's
country, IGO or NGO code leads the event's CAMEO `actor_code`). `--save` keeps the figures; `--compare` prints
the change per fold against saved figures and whether the change may be taken: no fold worse on
either measure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def folds_of(records: list[dict[str, Any]], k: int) -> list[int]:
    """Stratified fold of each record: the i-th record of a category goes to fold i mod k."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for rec in records:
        cat = rec.get("event", "")
        out.append(seen[cat] % k)
        seen[cat] += 1
    return out


def per_fold(rows: list[dict[str, Any]], folds: list[int], k: int) -> list[dict[str, float]]:
    """Category accuracy and actor match per fold (and all folds together as the last row)."""
    table = []
    for f in [*range(k), -1]:
        sel = [r for r, g in zip(rows, folds) if f in (-1, g)]
        with_actor = [r for r in sel if r["actor_gold"]]
        with_code = [r for r in sel if r["code_gold"]]
        table.append(
            {
                "records": len(sel),
                "category": sum(r["gold"] == r["pred"] for r in sel) / max(1, len(sel)),
                "actor": sum(r["actor_hit"] for r in with_actor) / max(1, len(with_actor)),
                "code": sum(r["code_hit"] for r in with_code) / max(1, len(with_code)),
            }
        )
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, help="PLOVER JSONL (plover_gsr_dev.jsonl)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--save", type=Path, help="write the per-fold figures here")
    parser.add_argument("--compare", type=Path, help="saved figures to compare with")
    parser.add_argument("--misses", action="store_true", help="list the records missed")
    args = parser.parse_args()

    from tasks.evaluate.events import evaluate_plover, load_eval_nlp
    from tasks.nlp.events.lexicon import load_lexicon

    records = [
        json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line
    ]
    result = evaluate_plover(args.gold, load_eval_nlp(), load_lexicon())
    rows = result["rows"]
    folds = folds_of(records, args.folds)
    table = per_fold(rows, folds, args.folds)
    before = json.loads(args.compare.read_text()) if args.compare else None
    head = f"{'fold':<6}{'records':>8}{'category':>10}{'actor':>8}{'code':>8}"
    print(head + ("  change" if before else ""))
    worse = better = False
    for i, row in enumerate(table):
        name = "all" if i == len(table) - 1 else str(i)
        line = (
            f"{name:<6}{row['records']:>8}{row['category']:>10.3f}{row['actor']:>8.3f}"
            f"{row['code']:>8.3f}"
        )
        if before:
            changes = [
                row[k] - before[i][k] for k in ("category", "actor", "code") if k in before[i]
            ]
            line += "  " + " ".join(f"{d:+.3f}" for d in changes)
            if name != "all":
                worse |= any(d < -1e-9 for d in changes)
                better |= any(d > 1e-9 for d in changes)
        print(line)
    if before:
        verdict = "not taken (a fold got worse)" if worse else "taken" if better else "no change"
        print(f"verdict: {verdict}")
    if args.misses:
        for row, fold in zip(rows, folds):
            if (
                row["gold"] != row["pred"]
                or (row["actor_gold"] and not row["actor_hit"])
                or (row["code_gold"] and not row["code_hit"])
            ):
                print(
                    f"  [{fold}] {row['id']}: gold {row['gold']} pred {row['pred']} "
                    f"trigger {row['trigger']!r} actors {row['actors']} code {row['actor_code']}"
                )
    if args.save:
        args.save.write_text(json.dumps(table, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
