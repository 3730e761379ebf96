"""Stories in a real DuckDB warehouse: buckets in `story_bands`, bounded work, incremental."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from tasks.records import Article, Enrichment
from tasks.stories.cluster import StoryConfig, StoryState, cluster, top_candidates
from tasks.stories.features import story_features
from tasks.store.arrow import Provenance
from tasks.store.schema import migrate
from tasks.store.stories import (
    backfill_story_bands,
    features_of,
    state_for_batch,
    store_stories,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "stories" / "news_cluster_sample.json"
PROV = Provenance("run-1", None, "test", "stories/1")


def _enriched() -> list[Enrichment]:
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [
        Enrichment(
            article=Article(
                r["id"],
                "test",
                r["id"],
                None,
                r["title"],
                r["text"],
                r["id"],
                "json/1",
                published_at=datetime.fromisoformat(r["date_publish"]).replace(tzinfo=UTC),
                site=r["source_domain"],
            )
        )
        for r in records
    ]


def _placed(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT article_id, story_id FROM story_articles").fetchall())


def test_warehouse_batches_equal_one_pass_and_reruns_add_nothing(tmp_path: Path) -> None:
    enriched = sorted(_enriched(), key=lambda e: (e.article.published_at, e.article.id))
    expected = cluster([features_of(e) for e in enriched], StoryConfig())
    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        migrate(con)
        for start in range(0, len(enriched), 7):  # a new connection's work per batch: no cache
            store_stories(con, enriched[start : start + 7], PROV)
        assert _placed(con) == expected
        bands = con.execute("SELECT count(*) FROM story_bands").fetchall()[0][0]
        assert bands == len(enriched) * (64 + 16)
    with duckdb.connect(str(db)) as con:  # a cold process: nothing to add, nothing changed
        assert store_stories(con, enriched, PROV) == []
        assert _placed(con) == expected
        assert con.execute("SELECT count(*) FROM story_bands").fetchall()[0][0] == bands


def test_migration_backfills_bands_of_stories_placed_before(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        migrate(con)
        store_stories(con, _enriched()[:5], PROV)
        before = con.execute("SELECT * FROM story_bands ORDER BY ALL").fetchall()
        con.execute("DELETE FROM story_bands").fetchall()
        assert backfill_story_bands(con) == len(before)
        assert con.execute("SELECT * FROM story_bands ORDER BY ALL").fetchall() == before
        assert backfill_story_bands(con) == 0  # idempotent


def test_work_per_article_is_bounded_however_big_a_bucket_grows(tmp_path: Path) -> None:
    config = StoryConfig(bucket_cap=4, max_candidates=3)
    day = datetime(2020, 1, 1, tzinfo=UTC)
    text = "Flooding closes the Danube bridge at Passau as rivers rise across Bavaria."
    batch = [  # forty articles with the same words: they all fall in the same buckets
        Enrichment(
            article=Article(
                f"a{i:02}",
                "test",
                f"a{i:02}",
                None,
                "Danube floods",
                text,
                f"a{i:02}",
                "x",
                published_at=day + timedelta(days=i),
            )
        )
        for i in range(40)
    ]
    state = StoryState(config)
    for e in reversed(batch):  # arrival order does not matter: the latest published stay
        state.add(features_of(e), e.article.id)
    assert max(len(b) for b in state.keyword_index._buckets.values()) == 4
    probe = story_features(
        "new", "Danube floods", text, outlet="y", published_at=day + timedelta(days=30, hours=1)
    )
    hits = state.keyword_hits(probe)
    assert set(hits) == {"a36", "a37", "a38", "a39"}
    assert [a for a, _ in top_candidates(probe, hits, state)] == ["a36", "a37", "a38"]
    assert state.duplicate_candidates(probe) == {"a36", "a37", "a38", "a39"}
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:  # the warehouse keeps the same caps
        migrate(con)
        for start in range(0, 40, 16):
            store_stories(con, batch[start : start + 16], PROV, config=config)
        sizes = con.execute(
            "SELECT max(n), count(DISTINCT article_id) FROM (SELECT kind, band, bucket, "
            "count(*) OVER (PARTITION BY kind, band, bucket) AS n, article_id FROM story_bands)"
        ).fetchall()[0]
        assert sizes == (4, 4)
        assert set(state_for_batch(con, [probe], config).members) == {"a36", "a37", "a38", "a39"}
