"""Stories in the warehouse: signatures, band buckets, assignments and story rows, inside a
batch's load.

The LSH buckets live in the warehouse, not in memory: `story_bands` holds one row per article
and band (keyword and shingle signatures cut into bands, `tasks.stories.minhash.band_keys`).
Each batch looks its own bands up there with one join, keeping per bucket the `bucket_cap`
members nearest in time to each new article and per article the `max_candidates` sharing the
most keyword bands (`tasks.stories.cluster` applies the same caps in memory), and loads the
stored features (`article_signatures`) of those candidates only. So a process holds no story
state between batches, a cold process does the same work as a warm one, and the memory and the
Python work of a batch do not grow with the warehouse. The batch's own articles are candidates
of one another in memory. Each batch places its new articles, writes their signatures, bands
and `story_articles` rows, and refreshes the `stories` rows it touched. An article already
placed keeps its story, so re-runs add nothing and story ids never change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tasks.records import Enrichment
from tasks.stories.cluster import Assignment, StoryConfig, StoryState, assign_stories
from tasks.stories.features import (
    STORY_ENTITY_LABELS,
    FeatureConfig,
    StoryFeatures,
    story_features,
)
from tasks.stories.minhash import band_keys, signature_from_list, signature_to_list
from tasks.store.arrow import TS, Provenance, arrow_table, prov_columns, utc

TOP_ENTITIES = 5
KEYWORD, SHINGLE = "keyword", "shingle"
_NO_BANDS = np.empty(0, dtype=np.int16)


def features_of(e: Enrichment, config: FeatureConfig = FeatureConfig()) -> StoryFeatures:
    """Story features of one enriched article."""
    a = e.article
    return story_features(
        a.id,
        a.title,
        a.text,
        outlet=a.site or a.source,
        published_at=utc(a.published_at),
        entities=sorted({m.canonical for m in e.mentions if m.label in STORY_ENTITY_LABELS}),
        config=config,
    )


@dataclass
class WarehouseState(StoryState):
    """A batch's view of the placed articles: the stored candidates found in `story_bands`
    (features loaded, not indexed) and the batch's own articles (indexed in memory)."""

    stored_keyword_hits: dict[str, Counter[str]] = field(default_factory=dict)
    stored_duplicates: dict[str, set[str]] = field(default_factory=dict)

    def keyword_hits(self, f: StoryFeatures) -> Counter[str]:
        hits = super().keyword_hits(f)
        hits.update(self.stored_keyword_hits.get(f.article_id, Counter()))
        return hits

    def duplicate_candidates(self, f: StoryFeatures) -> set[str]:
        return super().duplicate_candidates(f) | self.stored_duplicates.get(f.article_id, set())


def band_table(
    features: Sequence[StoryFeatures], config: StoryConfig, prov: Provenance | None = None
) -> pa.Table:
    """One row per article and band: (article_id, published_at, kind, band, bucket), and the
    provenance columns when `prov` is given (the rows of `story_bands`).

    Built as arrays: each article's id and date, each kind and each provenance value converted
    once and repeated by index, the bands and buckets concatenated from the keys' arrays."""
    keys: list[npt.NDArray[np.int64]] = []
    for f in features:
        keys.append(band_keys(f.keyword_signature, config.keyword_bands, config.keyword_rows))
        keys.append(band_keys(f.shingle_signature, config.duplicate_bands, config.duplicate_rows))
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    n = int(lengths.sum())
    # segment i (article i // 2, kind i % 2) repeated once per band of its signature
    article = pa.array(np.repeat(np.arange(len(keys), dtype=np.int64) // 2, lengths))
    kind = pa.array(np.repeat(np.arange(len(keys), dtype=np.int64) % 2, lengths))
    columns: dict[str, pa.Array] = {
        "article_id": pa.array([f.article_id for f in features], pa.string()).take(article),
        "published_at": pa.array([utc(f.published_at) for f in features], TS).take(article),
        "kind": pa.array([KEYWORD, SHINGLE], pa.string()).take(kind),
        "band": pa.array(
            np.concatenate([np.arange(len(k), dtype=np.int16) for k in keys] or [_NO_BANDS]),
            pa.int16(),
        ),
        "bucket": pa.array(np.concatenate(keys or [np.empty(0, np.int64)]), pa.int64()),
    }
    if prov is not None:
        first = pa.array(np.zeros(n, dtype=np.int64))
        for name, (kind_type, values) in prov_columns(1, prov).items():
            columns[name] = pa.array(values, kind_type).take(first)
    return pa.table(columns)


def stored_candidates(
    con: duckdb.DuckDBPyConnection, bands: pa.Table, config: StoryConfig
) -> tuple[dict[str, Counter[str]], dict[str, set[str]]]:
    """For each article of `bands`: stored articles within `window_days` sharing keyword bands
    (the top `max_candidates`, with the bands shared) and sharing shingle bands (near-duplicate
    candidates). The buckets hold at most `bucket_cap` members each (`prune_buckets`), so the
    join returns at most bands x cap rows per article."""
    keyword: dict[str, Counter[str]] = {}
    duplicates: dict[str, set[str]] = {}
    if bands.num_rows == 0:
        return keyword, duplicates
    con.register("_story_query", bands)
    try:
        rows = con.execute(
            """
            WITH hits AS (
                SELECT q.article_id AS q, q.kind, b.article_id AS c, count(*) AS hits,
                       min(coalesce(abs(epoch_us(b.published_at) - epoch_us(q.published_at)), 0))
                           AS gap
                FROM _story_query q
                JOIN story_bands b
                  ON b.bucket = q.bucket AND b.band = q.band AND b.kind = q.kind
                WHERE b.article_id <> q.article_id
                GROUP BY ALL
            )
            SELECT q, kind, c, hits FROM hits
            WHERE gap <= $window
            QUALIFY kind = 'shingle'
                 OR row_number() OVER (PARTITION BY q, kind ORDER BY hits DESC, gap, c) <= $k
            """,
            {"window": int(config.window_days * 86_400_000_000), "k": config.max_candidates},
        ).fetchall()
    finally:
        con.unregister("_story_query")
    for q, kind, c, hits in rows:
        if kind == KEYWORD:
            keyword.setdefault(q, Counter())[c] = int(hits)
        else:
            duplicates.setdefault(q, set()).add(c)
    return keyword, duplicates


def prune_buckets(con: duckdb.DuckDBPyConnection, bands: pa.Table, config: StoryConfig) -> int:
    """Cut the buckets these band rows fall in to their `bucket_cap` latest-published members
    (undated ones first out, then by id), as `tasks.stories.minhash.LSHIndex` does in memory;
    returns the rows removed. Only the buckets' rows are read, not the whole table."""
    if bands.num_rows == 0:
        return 0
    con.register("_story_touched", bands)
    try:
        (removed,) = con.execute(
            """
            DELETE FROM story_bands WHERE rowid IN (
                SELECT rowid FROM (
                    SELECT b.rowid, row_number() OVER (
                        PARTITION BY b.kind, b.band, b.bucket
                        ORDER BY b.published_at DESC NULLS LAST, b.article_id DESC
                    ) AS r
                    FROM story_bands b
                    SEMI JOIN (SELECT DISTINCT kind, band, bucket FROM _story_touched) t
                      ON b.bucket = t.bucket AND b.band = t.band AND b.kind = t.kind
                )
                WHERE r > $cap
            )
            """,
            {"cap": config.bucket_cap},
        ).fetchall()[0]
    finally:
        con.unregister("_story_touched")
    return int(removed)


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    relation = con.sql(sql)
    if relation is None:
        raise ValueError(f"not a query: {sql}")
    return relation.to_arrow_table()


def load_placed(
    con: duckdb.DuckDBPyConnection,
    article_ids: Iterable[str],
    features: FeatureConfig = FeatureConfig(),
) -> list[tuple[StoryFeatures, str]]:
    """Stored features (what placing needs: terms, date, entities, shingle signature) and story
    of these placed articles, in placement order. Read as Arrow columns: a few thousand
    articles' term lists are converted in one go, not row by row."""
    ids = sorted(set(article_ids))
    if not ids:
        return []
    con.register("_story_wanted", pa.table({"article_id": pa.array(ids, pa.string())}))
    try:
        t = _arrow(
            con,
            "SELECT s.article_id, s.published_at, s.terms, s.weights, s.entities, "
            "s.shingle_minhash, sa.story_id "
            "FROM article_signatures s JOIN story_articles sa USING (article_id) "
            "SEMI JOIN _story_wanted w ON s.article_id = w.article_id "
            "ORDER BY sa.joined_at, s.published_at NULLS LAST, s.article_id",
        )
    finally:
        con.unregister("_story_wanted")
    terms, weights = t.column("terms").to_pylist(), t.column("weights").to_pylist()
    entities, shingles = t.column("entities").to_pylist(), t.column("shingle_minhash").to_pylist()
    empty = signature_from_list(None, features.num_perm)
    return [
        (
            StoryFeatures(
                article_id=aid,
                title="",
                outlet="",
                published_at=published,
                terms=dict(zip(terms[i] or (), weights[i] or ())),
                entities=frozenset(entities[i] or ()),
                keyword_signature=empty,
                shingle_signature=signature_from_list(shingles[i], features.num_perm),
            ),
            story_id,
        )
        for i, (aid, published, story_id) in enumerate(
            zip(
                t.column("article_id").to_pylist(),
                t.column("published_at").to_pylist(),
                t.column("story_id").to_pylist(),
            )
        )
    ]


def backfill_story_bands(con: duckdb.DuckDBPyConnection, chunk: int = 5000) -> int:
    """`story_bands` rows of every stored signature that has none, with its provenance, buckets
    cut to `bucket_cap` (a migration step, for warehouses whose stories were placed before the
    buckets were stored); returns the rows added."""
    config, num_perm = StoryConfig(), FeatureConfig().num_perm
    rows = con.execute(
        "SELECT article_id, published_at, keyword_minhash, shingle_minhash FROM article_signatures "
        "WHERE article_id NOT IN (SELECT article_id FROM story_bands) ORDER BY article_id"
    ).fetchall()
    written = 0
    for start in range(0, len(rows), chunk):
        features = [
            StoryFeatures(
                aid,
                "",
                "",
                published,
                {},
                frozenset(),
                signature_from_list(kw, num_perm),
                signature_from_list(sh, num_perm),
            )
            for aid, published, kw, sh in rows[start : start + chunk]
        ]
        bands = band_table(features, config)
        con.register("_story_backfill", bands)
        try:
            con.execute(
                "INSERT INTO story_bands SELECT b.article_id, b.published_at, b.kind, b.band, "
                "b.bucket, s.run_id, s.model, s.pipeline_version, s.rules_version "
                "FROM _story_backfill b JOIN article_signatures s USING (article_id)"
            ).fetchall()
        finally:
            con.unregister("_story_backfill")
        written += bands.num_rows
    touched = _arrow(con, "SELECT DISTINCT kind, band, bucket FROM story_bands")
    return written - prune_buckets(con, touched, config)


def state_for_batch(
    con: duckdb.DuckDBPyConnection, new: Sequence[StoryFeatures], config: StoryConfig
) -> WarehouseState:
    """What placing `new` needs from the warehouse: its stored candidates, nothing else."""
    keyword, duplicates = stored_candidates(con, band_table(new, config), config)
    state = WarehouseState(config, stored_keyword_hits=keyword, stored_duplicates=duplicates)
    wanted = {c for hits in keyword.values() for c in hits}
    wanted.update(c for found in duplicates.values() for c in found)
    for features, story_id in load_placed(con, wanted):
        state.add(features, story_id, index=False)
    return state


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    if data.num_rows == 0:
        return
    con.register("_stories_batch", data)
    try:
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _stories_batch").fetchall()
    finally:
        con.unregister("_stories_batch")


def store_stories(
    con: duckdb.DuckDBPyConnection,
    enriched: Sequence[Enrichment],
    prov: Provenance,
    now: datetime | None = None,
    config: StoryConfig = StoryConfig(),
) -> list[Assignment]:
    """Place the batch's new articles in stories and write them (inside the caller's
    transaction); returns the assignments made."""
    now = now or datetime.now(UTC)
    ids = [e.article.id for e in enriched]
    if not ids:
        return []
    placed = {
        r[0]
        for r in con.execute(
            "SELECT article_id FROM story_articles WHERE article_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    }
    new_by_id: dict[str, StoryFeatures] = {}
    for e in enriched:
        if e.article.id not in placed and e.article.id not in new_by_id:
            new_by_id[e.article.id] = features_of(e)
    new = list(new_by_id.values())
    if not new:
        return []
    assignments = assign_stories(new, state_for_batch(con, new, config))
    by_id = {f.article_id: f for f in new}
    placed_now = [by_id[a.article_id] for a in assignments]
    n = len(placed_now)
    f32, u32 = pa.list_(pa.float32()), pa.list_(pa.uint32())
    _insert(
        con,
        "article_signatures",
        arrow_table(
            {
                "article_id": (pa.string(), [f.article_id for f in placed_now]),
                "published_at": (TS, [utc(f.published_at) for f in placed_now]),
                "outlet": (pa.string(), [f.outlet for f in placed_now]),
                "title": (pa.string(), [f.title for f in placed_now]),
                "terms": (pa.list_(pa.string()), [list(f.terms) for f in placed_now]),
                "weights": (f32, [list(f.terms.values()) for f in placed_now]),
                "entities": (pa.list_(pa.string()), [sorted(f.entities) for f in placed_now]),
                "keyword_minhash": (
                    u32,
                    [signature_to_list(f.keyword_signature) for f in placed_now],
                ),
                "shingle_minhash": (
                    u32,
                    [signature_to_list(f.shingle_signature) for f in placed_now],
                ),
                **prov_columns(n, prov),
            }
        ),
    )
    written = band_table(placed_now, config, prov)
    _insert(con, "story_bands", written)
    prune_buckets(con, written, config)
    _insert(
        con,
        "story_articles",
        arrow_table(
            {
                "story_id": (pa.string(), [a.story_id for a in assignments]),
                "article_id": (pa.string(), [a.article_id for a in assignments]),
                "similarity": (pa.float64(), [a.similarity for a in assignments]),
                "duplicate_of": (pa.string(), [a.duplicate_of for a in assignments]),
                "joined_at": (TS, [now] * len(assignments)),
                **prov_columns(len(assignments), prov),
            }
        ),
    )
    refresh_stories(con, sorted({a.story_id for a in assignments}), prov.run_id, now)
    return assignments


def refresh_stories(
    con: duckdb.DuckDBPyConnection, story_ids: Sequence[str], run_id: str, now: datetime
) -> None:
    """Recompute the `stories` rows of these stories from their articles."""
    if not story_ids:
        return
    con.execute("DELETE FROM stories WHERE story_id IN (SELECT unnest(?))", [story_ids]).fetchall()
    con.execute(
        f"""
        INSERT INTO stories
        WITH members AS (
            SELECT sa.story_id, sa.article_id, sa.joined_at, s.outlet, s.title,
                   coalesce(s.published_at, a.published_at, a.first_seen_at) AS at
            FROM story_articles sa
            JOIN article_signatures s USING (article_id)
            LEFT JOIN articles a USING (article_id)
            WHERE sa.story_id IN (SELECT unnest($ids))
        ),
        ents AS (
            SELECT story_id,
                   list(canonical ORDER BY n DESC, k DESC, canonical)[:{TOP_ENTITIES}] AS top
            FROM (
                SELECT m.story_id, e.canonical, count(DISTINCT e.article_id) AS n, count(*) AS k
                FROM members m JOIN entity_mentions e USING (article_id)
                WHERE e.label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'EVENT')
                GROUP BY ALL
            )
            GROUP BY story_id
        )
        SELECT m.story_id,
               coalesce(
                   any_value(m.title) FILTER (
                       WHERE substr(sha256('story:' || m.article_id), 1, 16) = m.story_id
                   ),
                   arg_min(m.title, (m.at, m.article_id))
               ) AS title,
               min(m.at), max(m.at),
               count(*)::INTEGER, count(DISTINCT m.outlet)::INTEGER,
               list(DISTINCT m.outlet ORDER BY m.outlet),
               coalesce(any_value(ents.top), []::VARCHAR[]),
               $now, $run
        FROM members m LEFT JOIN ents USING (story_id)
        GROUP BY m.story_id
        """,
        {"ids": list(story_ids), "now": now, "run": run_id},
    ).fetchall()


def run_new_stories(
    con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 20
) -> list[dict[str, object]]:
    """Stories a run founded, biggest first: title, articles, outlets, top entities."""
    cur = con.execute(
        """SELECT s.title, s.article_count AS articles, s.source_count AS outlets,
                  array_to_string(s.top_entities, ', ') AS top_entities, s.story_id
           FROM stories s JOIN story_articles sa USING (story_id)
           WHERE sa.run_id = ? AND sa.duplicate_of IS NULL AND sa.similarity = 1.0
             AND substr(sha256('story:' || sa.article_id), 1, 16) = s.story_id
           ORDER BY s.article_count DESC, s.title LIMIT ?""",
        [run_id, limit],
    )
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def run_top_entities(
    con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 15
) -> list[dict[str, object]]:
    """Entities most mentioned in the articles a run enriched."""
    cur = con.execute(
        """SELECT canonical AS entity, label, count(*) AS mentions,
                  count(DISTINCT article_id) AS articles
           FROM entity_mentions WHERE run_id = ?
           GROUP BY ALL ORDER BY mentions DESC, entity LIMIT ?""",
        [run_id, limit],
    )
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, r)) for r in cur.fetchall()]
