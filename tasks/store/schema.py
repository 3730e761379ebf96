"""The warehouse schema: DDL, the `schema_version` table and forward migrations.

This module owns the shape of every table and view; `migrate` brings any older warehouse up to
`SCHEMA_VERSION` in one transaction per migration.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from tasks.store.comments import apply_comments
from tasks.store.connection import WarehouseError, one

_PROVENANCE = """
    run_id VARCHAR NOT NULL,
    model VARCHAR,
    pipeline_version VARCHAR NOT NULL,
    rules_version VARCHAR
"""

# A migration step is a SQL statement or a function of the connection (e.g. `apply_comments`,
# which documents whatever tables and columns exist at that point).
Step = str | Callable[[duckdb.DuckDBPyConnection], None]
MIGRATIONS: list[tuple[int, str, list[Step]]] = [
    (
        1,
        "articles, entities, mentions, events, quotes, 5W1H, sources, routes, raw pages, runs, failures",
        [
            """CREATE TABLE runs (
                run_id VARCHAR NOT NULL,            -- Prefect flow run id when run under Prefect
                flow VARCHAR NOT NULL,
                deployment VARCHAR,
                parameters JSON,
                started_at TIMESTAMPTZ NOT NULL,
                ended_at TIMESTAMPTZ,
                status VARCHAR NOT NULL,            -- running, completed, completed_with_failures, failed
                counts JSON,                        -- per-stage counts
                failures INTEGER DEFAULT 0,
                message VARCHAR,
                model VARCHAR,
                pipeline_version VARCHAR NOT NULL
            )""",
            """CREATE TABLE sources (
                source VARCHAR NOT NULL,            -- name: a folder, a configured feed, 'urls'
                kind VARCHAR NOT NULL,              -- folder, feed, urls
                uri VARCHAR,
                tags VARCHAR[],
                etag VARCHAR,
                last_modified VARCHAR,
                last_checked_at TIMESTAMPTZ,
                last_status VARCHAR,
                last_error VARCHAR,
                first_seen_at TIMESTAMPTZ,
                run_id VARCHAR
            )""",
            f"""CREATE TABLE articles (
                article_id VARCHAR NOT NULL,
                source VARCHAR NOT NULL,            -- the first route's source
                uri VARCHAR NOT NULL,
                url VARCHAR,                        -- canonical URL, when known
                route VARCHAR,                      -- file, feed, url
                external_id VARCHAR,                -- the id a JSON record carried
                title VARCHAR,
                authors VARCHAR[],
                site VARCHAR,
                language VARCHAR,
                published_at TIMESTAMPTZ,
                published_inferred BOOLEAN NOT NULL DEFAULT false,
                captions VARCHAR[],
                text VARCHAR NOT NULL,
                word_count INTEGER,
                content_hash VARCHAR NOT NULL,
                body_origin VARCHAR,
                extractor VARCHAR,
                first_seen_at TIMESTAMPTZ,
                updated_at TIMESTAMPTZ,
                {_PROVENANCE}
            )""",
            """CREATE TABLE article_routes (
                article_id VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                uri VARCHAR NOT NULL,
                route VARCHAR,
                first_seen_at TIMESTAMPTZ,
                run_id VARCHAR NOT NULL
            )""",
            f"""CREATE TABLE entities (
                entity_id VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                label VARCHAR NOT NULL,
                aliases VARCHAR[],
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE entity_mentions (
                article_id VARCHAR NOT NULL,
                entity_id VARCHAR NOT NULL,
                canonical VARCHAR NOT NULL,
                label VARCHAR NOT NULL,
                surface VARCHAR NOT NULL,
                ner_label VARCHAR,
                start_char INTEGER NOT NULL,
                end_char INTEGER NOT NULL,
                sentence INTEGER,
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE date_mentions (
                article_id VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                start_char INTEGER,
                end_char INTEGER,
                value DATE,
                precision VARCHAR,
                relative BOOLEAN,
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE events (
                article_id VARCHAR NOT NULL,
                sentence INTEGER,
                trigger VARCHAR,
                trigger_start INTEGER,
                trigger_end INTEGER,
                category VARCHAR,                   -- PLOVER category
                quad_class VARCHAR,
                mode VARCHAR,                       -- asserted, planned, hypothetical, negated, reported
                confidence DOUBLE,
                actor VARCHAR,
                actor_entity_id VARCHAR,
                target VARCHAR,
                target_entity_id VARCHAR,
                location VARCHAR,
                location_entity_id VARCHAR,
                event_date DATE,
                date_precision VARCHAR,
                date_text VARCHAR,
                cameo_code VARCHAR,
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE quotes (
                article_id VARCHAR NOT NULL,
                sentence INTEGER,
                quotation VARCHAR,
                start_char INTEGER,
                end_char INTEGER,
                kind VARCHAR,                       -- direct, indirect
                speaker VARCHAR,
                speaker_entity_id VARCHAR,
                cue VARCHAR,
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE five_w1h (
                article_id VARCHAR NOT NULL,
                who VARCHAR, what VARCHAR, "when" VARCHAR, when_date DATE,
                "where" VARCHAR, why VARCHAR, how VARCHAR,
                {_PROVENANCE}
            )""",
            """CREATE TABLE raw_pages (
                url VARCHAR NOT NULL,               -- the URL as fetched (after redirects)
                article_id VARCHAR,
                fetched_at TIMESTAMPTZ,
                status INTEGER,
                content_type VARCHAR,
                encoding VARCHAR,
                headers JSON,
                body_gzip BLOB,                     -- the body, gzip-compressed
                body_sha256 VARCHAR,
                run_id VARCHAR
            )""",
            """CREATE TABLE failures (
                failure_id VARCHAR NOT NULL,        -- stable per (stage, source, uri)
                stage VARCHAR NOT NULL,
                source VARCHAR,
                uri VARCHAR,
                error_type VARCHAR,
                message VARCHAR,
                http_status INTEGER,
                attempts INTEGER NOT NULL DEFAULT 1,
                first_seen_at TIMESTAMPTZ,
                last_seen_at TIMESTAMPTZ,
                next_retry_at TIMESTAMPTZ,
                resolved_at TIMESTAMPTZ,
                run_id VARCHAR                      -- the last run that saw it
            )""",
            # Views for common questions.
            """CREATE VIEW entity_mentions_daily AS
                SELECT CAST(a.published_at AS DATE) AS day, m.entity_id, m.canonical AS entity,
                       m.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
                FROM entity_mentions m JOIN articles a USING (article_id)
                GROUP BY ALL""",
            """CREATE VIEW entity_cooccurrence AS
                SELECT a.entity_id AS entity_a, a.canonical AS name_a, b.entity_id AS entity_b,
                       b.canonical AS name_b, count(DISTINCT a.article_id) AS articles
                FROM (SELECT DISTINCT article_id, entity_id, canonical FROM entity_mentions) a
                JOIN (SELECT DISTINCT article_id, entity_id, canonical FROM entity_mentions) b
                  ON a.article_id = b.article_id AND a.entity_id < b.entity_id
                GROUP BY ALL""",
            """CREATE VIEW events_daily AS
                SELECT coalesce(event_date, CAST(a.published_at AS DATE)) AS day, e.category,
                       e.quad_class, e.mode, count(*) AS events
                FROM events e JOIN articles a USING (article_id)
                GROUP BY ALL""",
            """CREATE VIEW source_health AS
                SELECT s.source, s.kind, s.uri, s.last_checked_at, s.last_status, s.last_error,
                       (SELECT count(*) FROM article_routes r WHERE r.source = s.source) AS articles,
                       (SELECT count(*) FROM failures f
                         WHERE f.source = s.source AND f.resolved_at IS NULL) AS open_failures
                FROM sources s""",
        ],
    ),
]

MIGRATIONS.append(
    (
        2,
        "feed entries: every entry a feed listed, fetched or not",
        [
            """CREATE TABLE feed_entries (
            source VARCHAR NOT NULL,                -- the feed's configured name
            url VARCHAR NOT NULL,                   -- canonical article URL
            article_id VARCHAR NOT NULL,            -- id the article has (or will have)
            entry_id VARCHAR,                       -- guid / atom:id as given
            title VARCHAR,
            published_at TIMESTAMPTZ,
            updated_at TIMESTAMPTZ,
            authors VARCHAR[],
            summary VARCHAR,
            status VARCHAR NOT NULL,                -- fetched, failed, feed_body
            first_seen_at TIMESTAMPTZ,
            last_seen_at TIMESTAMPTZ,
            run_id VARCHAR
        )""",
        ],
    )
)

MIGRATIONS.append(
    (
        3,
        "articles: how the text was decoded (charset, replaced bytes, warnings)",
        [
            "ALTER TABLE articles ADD COLUMN encoding VARCHAR",  # charset used to decode
            "ALTER TABLE articles ADD COLUMN decode_errors INTEGER DEFAULT 0",  # bytes -> U+FFFD
            "ALTER TABLE articles ADD COLUMN text_warnings VARCHAR[]",  # doubts about the text
        ],
    )
)

MIGRATIONS.append(
    (
        4,
        "runs: the process that ran them (pid, host, process start) to tell abandoned runs",
        [
            # status also takes: interrupted (SIGINT/SIGTERM), abandoned (its process is gone)
            "ALTER TABLE runs ADD COLUMN pid INTEGER",
            "ALTER TABLE runs ADD COLUMN hostname VARCHAR",
            "ALTER TABLE runs ADD COLUMN process_started_at TIMESTAMPTZ",
        ],
    )
)

MIGRATIONS.append(
    (
        5,
        "events: CAMEO actor and target codes and countries, coded, main event, domain",
        [
            "ALTER TABLE events ADD COLUMN actor_code VARCHAR",  # CAMEO code, e.g. RUSCOP
            "ALTER TABLE events ADD COLUMN actor_country VARCHAR",  # its country, e.g. RUS
            "ALTER TABLE events ADD COLUMN target_code VARCHAR",
            "ALTER TABLE events ADD COLUMN target_country VARCHAR",
            # the actor resolves (and the target, for two-party categories), in a political
            # or security context: what an analyst sees by default
            "ALTER TABLE events ADD COLUMN coded BOOLEAN DEFAULT false",
            "ALTER TABLE events ADD COLUMN is_main BOOLEAN DEFAULT false",  # its sentence's event
            # political, or the domain that demoted it: sport, entertainment, business, tech
            "ALTER TABLE events ADD COLUMN domain VARCHAR",
            """CREATE OR REPLACE VIEW events_daily AS
                SELECT coalesce(event_date, CAST(a.published_at AS DATE)) AS day, e.category,
                       e.quad_class, e.mode, count(*) AS events
                FROM events e JOIN articles a USING (article_id)
                WHERE e.coded
                GROUP BY ALL""",
        ],
    )
)


def _event_id_sql() -> str:
    """SQL of `tasks.store.arrow.event_id`, for the rows stored before event ids existed."""
    return (
        "substr(sha256(concat_ws(':', article_id, trigger_start, trigger_end, coalesce(trigger, ''), "
        "coalesce(actor, ''), coalesce(target, ''))), 1, 16)"
    )


MIGRATIONS.append(
    (
        6,
        "analyst layer: places, tone, stories, event and quote ids, when_text/where_text",
        [
            f"""CREATE TABLE places (
                place_id VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                country_code VARCHAR,
                lat DOUBLE,
                lon DOUBLE,
                kind VARCHAR NOT NULL,
                population BIGINT,
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE article_signatures (
                article_id VARCHAR NOT NULL,
                published_at TIMESTAMPTZ,
                outlet VARCHAR,
                title VARCHAR,
                terms VARCHAR[],
                weights FLOAT[],
                entities VARCHAR[],
                keyword_minhash UINTEGER[],
                shingle_minhash UINTEGER[],
                {_PROVENANCE}
            )""",
            f"""CREATE TABLE story_articles (
                story_id VARCHAR NOT NULL,
                article_id VARCHAR NOT NULL,
                similarity DOUBLE,
                duplicate_of VARCHAR,
                joined_at TIMESTAMPTZ,
                {_PROVENANCE}
            )""",
            """CREATE TABLE stories (
                story_id VARCHAR NOT NULL,
                title VARCHAR,
                first_seen TIMESTAMPTZ,
                last_seen TIMESTAMPTZ,
                article_count INTEGER,
                source_count INTEGER,
                sources VARCHAR[],
                top_entities VARCHAR[],
                updated_at TIMESTAMPTZ,
                run_id VARCHAR
            )""",
            "ALTER TABLE articles ADD COLUMN tone DOUBLE",
            "ALTER TABLE entity_mentions ADD COLUMN place_id VARCHAR",
            "ALTER TABLE events ADD COLUMN event_id VARCHAR",
            "ALTER TABLE events ADD COLUMN tone DOUBLE",
            "ALTER TABLE events ADD COLUMN place_id VARCHAR",
            "ALTER TABLE events ADD COLUMN action_country VARCHAR",
            "ALTER TABLE events ADD COLUMN action_lat DOUBLE",
            "ALTER TABLE events ADD COLUMN action_lon DOUBLE",
            "ALTER TABLE quotes ADD COLUMN quote_id VARCHAR",
            f"UPDATE events SET event_id = {_event_id_sql()}",
            "UPDATE quotes SET quote_id = substr(sha256(concat_ws(':', article_id, start_char, "
            "end_char)), 1, 16)",
            'ALTER TABLE five_w1h RENAME COLUMN "when" TO when_text',
            'ALTER TABLE five_w1h RENAME COLUMN "where" TO where_text',
            apply_comments,
        ],
    )
)


def _backfill_story_bands(con: duckdb.DuckDBPyConnection) -> None:
    from tasks.store.stories import backfill_story_bands  # numpy and the story rules

    backfill_story_bands(con)


MIGRATIONS.append(
    (
        7,
        "story_bands: the LSH buckets of story clustering in the warehouse, not in memory",
        [
            f"""CREATE TABLE story_bands (
                article_id VARCHAR NOT NULL,
                published_at TIMESTAMPTZ,
                kind VARCHAR NOT NULL,
                band SMALLINT NOT NULL,
                bucket BIGINT NOT NULL,
                {_PROVENANCE}
            )""",
            _backfill_story_bands,
            apply_comments,
        ],
    )
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
TABLES = (
    "runs",
    "sources",
    "articles",
    "article_routes",
    "entities",
    "entity_mentions",
    "date_mentions",
    "events",
    "quotes",
    "five_w1h",
    "raw_pages",
    "failures",
    "feed_entries",
    "places",
    "article_signatures",
    "story_articles",
    "stories",
    "story_bands",
)
# Enrichment tables: replaced as a whole when their article changes or is re-enriched.
ENRICHMENT_TABLES = ("entity_mentions", "date_mentions", "events", "quotes", "five_w1h")


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version found before."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL, description VARCHAR)"
    ).fetchall()
    row = one(con.execute("SELECT max(version) FROM schema_version"))
    found = int(row[0]) if row and row[0] is not None else 0
    if found > SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse schema version {found} is newer than this newsflow ({SCHEMA_VERSION}); "
            "upgrade newsflow or point --warehouse at another file"
        )
    for version, description, statements in MIGRATIONS:
        if version <= found:
            continue
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            for statement in statements:
                if callable(statement):
                    statement(con)
                else:
                    con.execute(statement).fetchall()
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [version, datetime.now(UTC), description],
            ).fetchall()
            con.execute("COMMIT").fetchall()
        except Exception:
            con.execute("ROLLBACK").fetchall()
            raise
    return found
