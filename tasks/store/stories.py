"""Stories in the warehouse: signatures, assignments and story rows, inside a batch's load.

The LSH index lives in memory, built from `article_signatures` of the articles published within
`StoryConfig.window_days` of the batch (features are stored, never recomputed). A process keeps
the index it built for a warehouse file and reuses it for the next batch while the
`story_articles` count shows nobody else wrote in between (another process, or a rolled-back
load) and the batch's dates fall inside the loaded window; otherwise it loads again. Each batch
places its new articles (`tasks.stories.cluster`), writes their signatures and
`story_articles` rows, and refreshes the `stories` rows it touched. An article already placed
keeps its story, so re-runs add nothing and story ids never change.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa

from tasks.records import Enrichment
from tasks.stories.cluster import Assignment, StoryConfig, StoryState, assign_stories
from tasks.stories.features import (
    STORY_ENTITY_LABELS,
    FeatureConfig,
    StoryFeatures,
    story_features,
)
from tasks.stories.minhash import signature_from_list, signature_to_list
from tasks.store.arrow import TS, Provenance, arrow_table, prov_columns, utc

TOP_ENTITIES = 5


@dataclass
class _Cached:
    placed: int  # story_articles rows the state reflects
    lo: datetime | None  # window the state was loaded for (None: unbounded)
    hi: datetime | None
    state: StoryState


_CACHE: dict[str, _Cached] = {}
_CACHE_LOCK = threading.Lock()


def _database_file(con: duckdb.DuckDBPyConnection) -> str:
    """The warehouse file and its inode ("" in memory): a file made anew is another key."""
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    path = str(rows[0][0]) if rows and rows[0][0] else ""
    try:
        return f"{path}#{os.stat(path).st_ino}" if path else ""
    except OSError:
        return ""


def _window(
    dates: Sequence[datetime | None], config: StoryConfig
) -> tuple[datetime | None, datetime | None]:
    dated = [d for d in dates if d is not None]
    if not dated or len(dated) < len(dates):
        return None, None  # undated articles: every stored article is a candidate
    span = timedelta(days=config.window_days)
    return min(dated) - span, max(dated) + span


def _covers(c: _Cached, lo: datetime | None, hi: datetime | None) -> bool:
    if c.lo is None or c.hi is None:
        return True
    return lo is not None and hi is not None and c.lo <= lo and hi <= c.hi


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


def load_state(
    con: duckdb.DuckDBPyConnection,
    lo: datetime | None,
    hi: datetime | None,
    config: StoryConfig,
    features: FeatureConfig = FeatureConfig(),
) -> StoryState:
    """Placed articles published between lo and hi (all when unbounded), and undated ones."""
    state = StoryState(config)
    if lo is not None and hi is not None:
        where, params = "s.published_at IS NULL OR s.published_at BETWEEN ? AND ?", [lo, hi]
    else:
        where, params = "true", []
    rows = con.execute(
        "SELECT s.article_id, s.title, s.outlet, s.published_at, s.terms, s.weights, s.entities, "
        "s.keyword_minhash, s.shingle_minhash, sa.story_id "
        "FROM article_signatures s JOIN story_articles sa USING (article_id) "
        f"WHERE {where} ORDER BY sa.joined_at, s.published_at NULLS LAST, s.article_id",
        params,
    ).fetchall()
    for aid, title, outlet, published, terms, weights, ents, kw, sh, story_id in rows:
        state.add(
            StoryFeatures(
                article_id=aid,
                title=title or "",
                outlet=outlet or "",
                published_at=published,
                terms=dict(zip(terms or (), weights or ())),
                entities=frozenset(ents or ()),
                keyword_signature=signature_from_list(kw, features.num_perm),
                shingle_signature=signature_from_list(sh, features.num_perm),
            ),
            story_id,
        )
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
    new = [features_of(e) for e in enriched if e.article.id not in placed]
    if not new:
        return []
    state = _state_for(con, [f.published_at for f in new], config)
    assignments = assign_stories(new, state.state)
    state.placed += len(assignments)
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


def _state_for(
    con: duckdb.DuckDBPyConnection, dates: Sequence[datetime | None], config: StoryConfig
) -> _Cached:
    """The cached state for this warehouse file when still true, else a freshly loaded one."""
    key = _database_file(con)
    lo, hi = _window(dates, config)
    (placed,) = con.execute("SELECT count(*) FROM story_articles").fetchall()[0]
    with _CACHE_LOCK:
        cached = _CACHE.get(key) if key else None
        if (
            cached is not None
            and cached.placed == placed
            and cached.state.config == config
            and _covers(cached, lo, hi)
        ):
            return cached
    if lo is not None and hi is not None:  # load a wider window: later batches reuse it
        lo, hi = lo - timedelta(days=config.window_days), hi + timedelta(days=config.window_days)
    fresh = _Cached(int(placed), lo, hi, load_state(con, lo, hi, config))
    if key:
        with _CACHE_LOCK:
            _CACHE[key] = fresh
    return fresh


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
