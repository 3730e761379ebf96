"""Incremental story clustering: each new article joins the best candidate story or starts one.

For each new article, in publication order:

1. near-duplicate: an article already placed whose body shingles agree on at least
   `duplicate_threshold` of the MinHash positions (wire copy republished) gives its story;
2. otherwise the keyword LSH index names candidate articles, and through them candidate
   stories; the article is scored against its candidates published within `window_days`
   (cosine of the weighted terms, times a date factor when the gap exceeds `date_scale_days`,
   plus an optional share of common named entities); the best story at or above `threshold` is
   joined (a story is scored by the mean of its two best candidates);
3. otherwise the article founds a new story, whose id derives from the founder's article id,
   so ids are stable across runs and machines.

The work per article is bounded whatever the size of the collection: a band bucket keeps only
its `bucket_cap` latest-published members (the bucket of a common word would otherwise grow with
the collection; the story's rarer words keep older members within reach), and only the
`max_candidates` articles sharing the most bands are scored. How the buckets are held is the
state's business: all in memory here (`StoryState`), or in the warehouse's `story_bands` table
(`tasks.store.stories`), which keeps the same caps.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tasks.stories.features import StoryFeatures, cosine
from tasks.stories.minhash import LSHIndex, Signature, jaccard

RULES_VERSION = "stories/2"  # 2: capped buckets, bounded candidates


@dataclass(frozen=True, slots=True)
class StoryConfig:
    """Thresholds of story assignment.

    `threshold` and `date_penalty` are fitted on the news_cluster dev set (5-fold CV in
    `tasks.evaluate.stories`; the defaults are the fit on all of it). `window_days` bounds how
    far apart in time two articles of one story may be, and so how many stored signatures a run
    loads: outlets re-run old stories months later, so it is wide, and the date penalty (not the
    window) keeps older articles apart unless their words agree strongly.
    """

    threshold: float = 0.09
    window_days: float = 3650.0
    date_scale_days: float = 7.0
    date_penalty: float = 0.3
    entity_penalty: float = 1.0
    entity_weight: float = 0.0
    min_entities: int = 3
    duplicate_threshold: float = 0.8
    keyword_bands: int = 64
    keyword_rows: int = 1
    duplicate_bands: int = 16
    duplicate_rows: int = 4
    # A candidate shares at least `min_hits` keyword bands (with one row per band, about
    # min_hits / bands of Jaccard similarity); 2 and 3 were tried and lost recall on the dev set.
    min_hits: int = 1
    members_scored: int = 0  # most recent members of a candidate story scored besides the hits
    linkage: str = "top2"  # top2 (mean of the two best members), max (best member), mean
    # Bounds on the work per article (see the module's docstring).
    bucket_cap: int = 16
    max_candidates: int = 16


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went."""

    article_id: str
    story_id: str
    similarity: float  # score with which it joined; 1.0 for a story's founder
    duplicate_of: str | None = None  # the article it nearly copies, if any
    new_story: bool = False


def story_id_for(founder_article_id: str) -> str:
    """A story's id: stable, derived from the article that founded it."""
    return hashlib.sha256(f"story:{founder_article_id}".encode()).hexdigest()[:16]


def _days_apart(a: datetime | None, b: datetime | None) -> float:
    if a is None or b is None:
        return 0.0
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return abs((a - b).total_seconds()) / 86400.0


@dataclass
class StoryState:
    """Articles already placed, and how candidates are found among them (all in memory)."""

    config: StoryConfig = field(default_factory=StoryConfig)
    members: dict[str, StoryFeatures] = field(default_factory=dict)
    story_of: dict[str, str] = field(default_factory=dict)
    story_members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    keyword_index: LSHIndex = field(init=False)
    duplicate_index: LSHIndex = field(init=False)

    def __post_init__(self) -> None:
        c = self.config
        self.keyword_index = LSHIndex(c.keyword_bands, c.keyword_rows, c.bucket_cap)
        self.duplicate_index = LSHIndex(c.duplicate_bands, c.duplicate_rows, c.bucket_cap)

    def add(self, features: StoryFeatures, story_id: str, index: bool = True) -> None:
        """Place an article in a story (and index it, unless its buckets live elsewhere)."""
        aid = features.article_id
        if aid in self.members:
            return
        self.members[aid] = features
        self.story_of[aid] = story_id
        self.story_members[story_id].append(aid)
        if index:
            order = bucket_order(features)
            self.keyword_index.insert(aid, features.keyword_signature, order)
            self.duplicate_index.insert(aid, features.shingle_signature, order)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.members

    def _hits(self, index: LSHIndex, signature: Signature, f: StoryFeatures) -> Counter[str]:
        """Per indexed article within `window_days` of `f`: the buckets it shares with `f`."""
        hits: Counter[str] = Counter()
        for bucket in index.buckets(signature):
            hits.update(map(str, bucket))
        hits.pop(f.article_id, None)
        window, published, members = self.config.window_days, f.published_at, self.members
        for other in list(hits):
            if _days_apart(published, members[other].published_at) > window:
                del hits[other]
        return hits

    def keyword_hits(self, f: StoryFeatures) -> Counter[str]:
        """Placed articles sharing keyword bands with `f`, with the number of bands shared."""
        return self._hits(self.keyword_index, f.keyword_signature, f)

    def duplicate_candidates(self, f: StoryFeatures) -> set[str]:
        """Placed articles sharing a shingle band with `f` (near-duplicate candidates)."""
        return set(self._hits(self.duplicate_index, f.shingle_signature, f))


def bucket_order(f: StoryFeatures) -> tuple[float, str]:
    """Rank in a capped bucket: publication time (undated first), then id; the greatest stay."""
    ts = f.published_at.timestamp() if f.published_at is not None else float("-inf")
    return ts, f.article_id


def top_candidates(
    f: StoryFeatures, hits: Counter[str], state: StoryState
) -> list[tuple[str, int]]:
    """The `max_candidates` articles sharing the most keyword bands with `f` (at least
    `min_hits`), nearer in time first among equals, then by id."""
    c = state.config
    ranked = sorted(
        (-n, _days_apart(f.published_at, state.members[a].published_at), a)
        for a, n in hits.items()
        if n >= c.min_hits
    )
    return [(a, -n) for n, _, a in ranked[: c.max_candidates]]


def pair_score(a: StoryFeatures, b: StoryFeatures, config: StoryConfig) -> float:
    """How strongly two articles look like the same news event (0 when too far apart in time)."""
    gap = _days_apart(a.published_at, b.published_at)
    if gap > config.window_days:
        return 0.0
    score = cosine(a.terms, b.terms)
    if gap > config.date_scale_days:
        score *= config.date_penalty
    if config.entity_weight and a.entities and b.entities:
        shared = len(a.entities & b.entities) / len(a.entities | b.entities)
        score += config.entity_weight * shared
    return score


def _order(f: StoryFeatures) -> tuple[float, str]:
    ts = f.published_at.timestamp() if f.published_at is not None else float("inf")
    return ts, f.article_id


def _near_duplicate(features: StoryFeatures, state: StoryState) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for other_id in state.duplicate_candidates(features):
        member = state.members[other_id]
        sim = jaccard(features.shingle_signature, member.shingle_signature)
        if sim >= state.config.duplicate_threshold and (
            best is None or (sim, other_id) > (best[1], best[0])
        ):
            best = (other_id, sim)
    return best


def _best_story(features: StoryFeatures, state: StoryState) -> tuple[str, float] | None:
    config = state.config
    stories: dict[str, set[str]] = defaultdict(set)
    for other_id, _ in top_candidates(features, state.keyword_hits(features), state):
        stories[state.story_of[other_id]].add(other_id)
    best: tuple[str, float] | None = None
    for story_id, colliding in stories.items():
        recent = (
            state.story_members[story_id][-config.members_scored :] if config.members_scored else []
        )
        scores = sorted(
            (pair_score(features, state.members[m], config) for m in colliding.union(recent)),
            reverse=True,
        )
        if config.linkage == "mean":
            score = sum(scores) / len(scores)
        elif config.linkage == "top2":
            score = sum(scores[:2]) / min(2, len(scores))
        else:
            score = scores[0]
        if score >= config.threshold and (best is None or (score, story_id) > (best[1], best[0])):
            best = (story_id, score)
    return best


def assign_stories(batch: Iterable[StoryFeatures], state: StoryState) -> list[Assignment]:
    """Place each new article of a batch (in publication order); updates `state`."""
    out: list[Assignment] = []
    for features in sorted(batch, key=_order):
        if features.article_id in state:
            continue
        duplicate = _near_duplicate(features, state)
        if duplicate is not None:
            other_id, sim = duplicate
            assignment = Assignment(
                features.article_id, state.story_of[other_id], round(sim, 4), other_id
            )
        else:
            best = _best_story(features, state)
            if best is not None:
                assignment = Assignment(features.article_id, best[0], round(best[1], 4))
            else:
                assignment = Assignment(
                    features.article_id, story_id_for(features.article_id), 1.0, new_story=True
                )
        state.add(features, assignment.story_id)
        out.append(assignment)
    return out


def cluster(features: Sequence[StoryFeatures], config: StoryConfig) -> dict[str, str]:
    """Article id -> story id for a whole collection from scratch (evaluation, tests)."""
    state = StoryState(config)
    return {a.article_id: a.story_id for a in assign_stories(features, state)}
