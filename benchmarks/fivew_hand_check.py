"""5W1H who/when/where on news the rules were not written on: a hand check.

    python benchmarks/fivew_hand_check.py ../shared/corpus/clusters/news_cluster_dev [-v]

`benchmarks/fivew_hand_check.json` holds hand-judged acceptable who/when/where phrases for the
first article of each news event in the news_cluster set (news-please JSON records). Each
article is cleaned as the pipeline cleans it and goes through `tasks.nlp.analysis.analyse`
with production mentions, as `tasks.evaluate.fivew` does, and an answer matches when it shares
a content word with an accepted phrase (`tasks.evaluate.matching.overlaps`; no credit for a resolved date). It also
counts the articles that get a where although the judge found no place of the event in them.
`-v` prints each miss.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = ("who", "when", "where")


def main(argv: list[str]) -> int:
    from tasks.evaluate.matching import gold_article, overlaps, production_mentions
    from tasks.nlp.analysis import analyse
    from tasks.nlp.events.lexicon import load_lexicon
    from tasks.nlp.pipeline import load_nlp
    from tasks.settings import load_settings
    from tasks.text.extract import clean_article

    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    judged = json.loads((Path(__file__).with_suffix(".json")).read_text(encoding="utf-8"))
    records = []
    for path in sorted(Path(argv[0]).glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        if str(rec.get("dId", ""))[:6] in judged["records"]:
            records.append(rec)
    settings = load_settings()
    nlp = load_nlp(settings.nlp.model, settings.nlp.components)
    lexicon = load_lexicon(settings.enrich.lexicon)
    counted = dict.fromkeys(QUESTIONS, 0)
    hits = dict.fromkeys(QUESTIONS, 0)
    extra = 0
    articles = [
        clean_article(
            gold_article(
                rec["dId"],
                rec.get("text") or "",
                rec.get("title") or "",
                datetime.fromisoformat(str(p).replace(" ", "T"))
                if (p := rec.get("date_publish"))
                else None,
            )
        )
        for rec in records
    ]
    for rec, art, doc in zip(records, articles, nlp.pipe(a.text for a in articles)):
        row = analyse(doc, art, production_mentions(doc, art.id), lexicon, quotes=False).five_w1h
        accepted = judged["records"][rec["dId"][:6]]
        for q in QUESTIONS:
            ours = getattr(row, q)
            if not accepted[q]:
                extra += q == "where" and bool(ours)
                continue
            counted[q] += 1
            ok = any(overlaps(ours, g) for g in accepted[q])
            hits[q] += ok
            if not ok and "-v" in argv:
                print(f"miss {q:<5} {rec['dId'][:6]} ours={ours!r} accepted={accepted[q]}")
    print(f"5W1H hand check: {len(records)} articles")
    for q in QUESTIONS:
        rate = hits[q] / counted[q] if counted[q] else 0.0
        print(f"  {q:<5} {hits[q]}/{counted[q]} = {rate:.3f}")
    print(f"  a where given where none was judged: {extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
