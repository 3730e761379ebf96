"""Events an analyst sees per article, per BBC topic folder (sport, tech, ... should hold no war).

    python benchmarks/events_bbc.py ../shared/corpus/text/bbc [--limit N] [--cache DIR] [--all]

For each topic folder (business, entertainment, politics, sport, tech) the articles are read and
cleaned as the files flow does, parsed with `nlp.pipe` (the configured model and components),
and enriched by the production path (`tasks.nlp.pipeline.enrich_doc`). It prints, per folder:
articles, events per article, FIGHT/ASSAULT per article, and the most frequent FIGHT/ASSAULT
triggers. By default only the events an analyst sees are counted (`coded`, the default of the
views); `--all` counts every event row. `--cache DIR` keeps the parsed documents (spaCy DocBin)
so that a second run codes again without parsing again.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOPICS = ("business", "entertainment", "politics", "sport", "tech")
FORCE = ("FIGHT", "ASSAULT")


def _articles(folder: Path, limit: int) -> list:  # type: ignore[type-arg]
    from tasks.acquire.files import discover_files, read_files
    from tasks.settings import load_settings
    from tasks.text.extract import prepare_articles

    settings = load_settings()
    refs, _ = discover_files([folder], settings.ingest.exclude)
    if limit:
        refs = refs[:limit]
    docs, _ = read_files(refs, settings.ingest.max_file_bytes)
    articles, _ = prepare_articles(docs)
    return articles


def _docs(nlp, texts: list[str], cache: Path | None, key: str) -> list:  # type: ignore[no-untyped-def,type-arg]
    from spacy.tokens import DocBin

    path = cache / f"{key}-{len(texts)}.spacy" if cache else None
    if path is not None and path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if [d.text for d in docs] == texts:
            return docs
    docs = list(nlp.pipe(texts, batch_size=64))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(path)
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the BBC folder (with business/, sport/, ...)")
    parser.add_argument("--limit", type=int, default=0, help="first N articles per folder")
    parser.add_argument("--cache", type=Path, default=None, help="folder for parsed documents")
    parser.add_argument("--all", action="store_true", help="count every event, coded or not")
    parser.add_argument("--top", type=int, default=6, help="FIGHT/ASSAULT triggers listed")
    args = parser.parse_args()

    from tasks.nlp.events.lexicon import load_lexicon
    from tasks.nlp.pipeline import enrich_doc, load_nlp
    from tasks.settings import load_settings

    settings = load_settings()
    nlp = load_nlp(settings.nlp.model, settings.nlp.components)
    lexicon = load_lexicon(settings.enrich.lexicon)
    print(f"rules: {lexicon.version}; counting {'all events' if args.all else 'coded events'}")
    print(f"{'folder':<14}{'articles':>9}{'events/art':>11}{'FIGHT+ASSAULT/art':>19}  top triggers")
    for topic in TOPICS:
        articles = _articles(args.corpus / topic, args.limit)
        docs = _docs(nlp, [a.text for a in articles], args.cache, topic)
        t0 = time.perf_counter()
        events = force = 0
        triggers: Counter[str] = Counter()
        for article, doc in zip(articles, docs):
            for ev in enrich_doc(doc, article, lexicon).events:
                if not args.all and not getattr(ev, "coded", True):
                    continue
                events += 1
                if ev.category in FORCE:
                    force += 1
                    triggers[ev.trigger.lower()] += 1
        took = time.perf_counter() - t0
        n = max(1, len(articles))
        top = ", ".join(f"{t} {c}" for t, c in triggers.most_common(args.top))
        print(
            f"{topic:<14}{len(articles):>9}{events / n:>11.2f}{force / n:>19.2f}  {top}"
            f"  [{took:.1f} s coding]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
