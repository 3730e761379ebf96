"""The DuckDB warehouse: the one module that owns the schema, its migrations and all writes.

Records become rows here and nowhere else: each batch is turned into Arrow tables and loaded with
`INSERT ... SELECT` in one transaction. Loads are idempotent: an article's rows are replaced as a
whole, entities and routes are inserted only when missing, failures are counted, not repeated.
Uniqueness is kept by the loader (anti-joins, delete-then-insert per article) rather than by
index constraints, which slow DuckDB's bulk inserts; `check_integrity` verifies it with plain SQL.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tasks.records import Article, Enrichment, Failure

# ---------------------------------------------------------------------------------------------
# Schema and migrations
# ---------------------------------------------------------------------------------------------

_PROVENANCE = """
    run_id VARCHAR NOT NULL,
    model VARCHAR,
    pipeline_version VARCHAR NOT NULL,
    rules_version VARCHAR
"""

MIGRATIONS: list[tuple[int, str, list[str]]] = [
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

MIGRATIONS.append((
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
))

SCHEMA_VERSION = MIGRATIONS[-1][0]
TABLES = (
    "runs", "sources", "articles", "article_routes", "entities", "entity_mentions",
    "date_mentions", "events", "quotes", "five_w1h", "raw_pages", "failures", "feed_entries",
)
# Enrichment tables: replaced as a whole when their article changes or is re-enriched.
ENRICHMENT_TABLES = ("entity_mentions", "date_mentions", "events", "quotes", "five_w1h")


class WarehouseError(RuntimeError):
    """The warehouse cannot be used; the message says why and what to do."""


class WarehouseBusy(WarehouseError):
    """Another process holds the write lock on the warehouse file for too long."""


def _one(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """First row of a result, consuming it (DuckDB 2 refuses new work while a result is open)."""
    rows = result.fetchall()
    return rows[0] if rows else None


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version found before."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL, description VARCHAR)"
    ).fetchall()
    row = _one(con.execute("SELECT max(version) FROM schema_version"))
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


# DuckDB 2.0 can lose its Arrow scan function when connections to one file are opened and
# closed at the same moment from several threads of a process; opening and closing one at a
# time avoids it (both are quick; the work in between runs concurrently).
_OPEN_CLOSE = threading.Lock()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


@contextmanager
def connect(
    path: str | Path, *, read_only: bool = False, lock_timeout: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating and migrating it when writable), waiting for another writer.

    DuckDB lets one process write a file at a time; a second writer waits here up to
    `lock_timeout` seconds, then fails with WarehouseBusy instead of corrupting anything.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `newsflow run` or `make run` first")
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            with _OPEN_CLOSE:
                con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"warehouse {path} is locked by another newsflow process (a run or an open "
                    f"`newsflow sql`) and stayed locked for {lock_timeout:.0f}s; wait for it to "
                    "finish, or raise warehouse.lock_timeout_seconds. DuckDB said: "
                    + str(exc).splitlines()[0]
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        with _OPEN_CLOSE:
            con.close()


# ---------------------------------------------------------------------------------------------
# Records -> Arrow
# ---------------------------------------------------------------------------------------------

_TS = pa.timestamp("us", tz="UTC")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _table(columns: dict[str, tuple[pa.DataType, list[Any]]]) -> pa.Table:
    return pa.table({name: pa.array(values, type=kind) for name, (kind, values) in columns.items()})


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who wrote a row: the run and the versions of what produced it."""

    run_id: str
    model: str | None
    pipeline_version: str
    rules_version: str | None = None


def _prov(n: int, prov: Provenance) -> dict[str, tuple[pa.DataType, list[Any]]]:
    return {
        "run_id": (pa.string(), [prov.run_id] * n),
        "model": (pa.string(), [prov.model] * n),
        "pipeline_version": (pa.string(), [prov.pipeline_version] * n),
        "rules_version": (pa.string(), [prov.rules_version] * n),
    }


def articles_table(articles: Sequence[Article], prov: Provenance, now: datetime) -> pa.Table:
    """Articles as an Arrow table in the column order of `articles`."""
    a = articles
    return _table({
        "article_id": (pa.string(), [x.id for x in a]),
        "source": (pa.string(), [x.source for x in a]),
        "uri": (pa.string(), [x.uri for x in a]),
        "url": (pa.string(), [x.url for x in a]),
        "route": (pa.string(), [x.route for x in a]),
        "external_id": (pa.string(), [x.external_id for x in a]),
        "title": (pa.string(), [x.title for x in a]),
        "authors": (pa.list_(pa.string()), [list(x.authors) for x in a]),
        "site": (pa.string(), [x.site for x in a]),
        "language": (pa.string(), [x.language for x in a]),
        "published_at": (_TS, [_utc(x.published_at) for x in a]),
        "published_inferred": (pa.bool_(), [x.published_inferred for x in a]),
        "captions": (pa.list_(pa.string()), [list(x.captions) for x in a]),
        "text": (pa.string(), [x.text for x in a]),
        "word_count": (pa.int32(), [len(x.text.split()) for x in a]),
        "content_hash": (pa.string(), [x.content_hash for x in a]),
        "body_origin": (pa.string(), [x.body_origin for x in a]),
        "extractor": (pa.string(), [x.extractor for x in a]),
        "first_seen_at": (_TS, [now] * len(a)),
        "updated_at": (_TS, [now] * len(a)),
        **_prov(len(a), prov),
    })


def _enrichment_tables(items: Sequence[Enrichment], prov: Provenance) -> dict[str, pa.Table]:
    mentions = [m for e in items for m in e.mentions]
    entities = {ent.id: ent for e in items for ent in e.entities}
    dates = [(e.article.id, d) for e in items for d in e.dates]
    events = [ev for e in items for ev in e.events]
    quotes = [q for e in items for q in e.quotes]
    fives = [e.five_w1h for e in items if e.five_w1h is not None]
    ents = list(entities.values())
    s, i32, d32 = pa.string(), pa.int32(), pa.date32()
    return {
        "entities": _table({
            "entity_id": (s, [x.id for x in ents]),
            "name": (s, [x.name for x in ents]),
            "label": (s, [x.label for x in ents]),
            "aliases": (pa.list_(s), [list(x.aliases) for x in ents]),
            **_prov(len(ents), prov),
        }),
        "entity_mentions": _table({
            "article_id": (s, [m.article_id for m in mentions]),
            "entity_id": (s, [m.entity_id for m in mentions]),
            "canonical": (s, [m.canonical for m in mentions]),
            "label": (s, [m.label for m in mentions]),
            "surface": (s, [m.text for m in mentions]),
            "ner_label": (s, [m.ner_label for m in mentions]),
            "start_char": (i32, [m.start for m in mentions]),
            "end_char": (i32, [m.end for m in mentions]),
            "sentence": (i32, [m.sentence for m in mentions]),
            **_prov(len(mentions), prov),
        }),
        "date_mentions": _table({
            "article_id": (s, [a for a, _ in dates]),
            "text": (s, [d.text for _, d in dates]),
            "start_char": (i32, [d.start for _, d in dates]),
            "end_char": (i32, [d.end for _, d in dates]),
            "value": (d32, [d.value for _, d in dates]),
            "precision": (s, [d.precision for _, d in dates]),
            "relative": (pa.bool_(), [d.relative for _, d in dates]),
            **_prov(len(dates), prov),
        }),
        "events": _table({
            "article_id": (s, [x.article_id for x in events]),
            "sentence": (i32, [x.sentence for x in events]),
            "trigger": (s, [x.trigger for x in events]),
            "trigger_start": (i32, [x.trigger_start for x in events]),
            "trigger_end": (i32, [x.trigger_end for x in events]),
            "category": (s, [x.category for x in events]),
            "quad_class": (s, [x.quad_class for x in events]),
            "mode": (s, [x.mode for x in events]),
            "confidence": (pa.float64(), [x.confidence for x in events]),
            "actor": (s, [x.actor for x in events]),
            "actor_entity_id": (s, [x.actor_entity for x in events]),
            "target": (s, [x.target for x in events]),
            "target_entity_id": (s, [x.target_entity for x in events]),
            "location": (s, [x.location for x in events]),
            "location_entity_id": (s, [x.location_entity for x in events]),
            "event_date": (d32, [x.event_date for x in events]),
            "date_precision": (s, [x.date_precision for x in events]),
            "date_text": (s, [x.date_text for x in events]),
            "cameo_code": (s, [x.cameo_code for x in events]),
            **_prov(len(events), prov),
        }),
        "quotes": _table({
            "article_id": (s, [q.article_id for q in quotes]),
            "sentence": (i32, [q.sentence for q in quotes]),
            "quotation": (s, [q.quotation for q in quotes]),
            "start_char": (i32, [q.start for q in quotes]),
            "end_char": (i32, [q.end for q in quotes]),
            "kind": (s, [q.kind for q in quotes]),
            "speaker": (s, [q.speaker for q in quotes]),
            "speaker_entity_id": (s, [q.speaker_entity for q in quotes]),
            "cue": (s, [q.cue for q in quotes]),
            **_prov(len(quotes), prov),
        }),
        "five_w1h": _table({
            "article_id": (s, [f.article_id for f in fives]),
            "who": (s, [f.who for f in fives]),
            "what": (s, [f.what for f in fives]),
            "when": (s, [f.when for f in fives]),
            "when_date": (d32, [f.when_date for f in fives]),
            "where": (s, [f.where for f in fives]),
            "why": (s, [f.why for f in fives]),
            "how": (s, [f.how for f in fives]),
            **_prov(len(fives), prov),
        }),
    }


# ---------------------------------------------------------------------------------------------
# Reads that plan a batch
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What a batch of extracted articles means against the warehouse."""

    to_enrich: list[Article]  # new or changed: run NLP on these
    changed_ids: set[str]  # subset of to_enrich already stored with another content hash
    routes: list[tuple[str, Article]]  # (stored article id, arriving article): every route seen
    unchanged: int = 0
    duplicates: int = 0  # same content as an article stored under another id


def plan_batch(
    con: duckdb.DuckDBPyConnection,
    articles: Sequence[Article],
    pending: dict[str, str] | None = None,
) -> BatchPlan:
    """Split a batch into new, changed, unchanged and duplicate-content articles.

    `pending` maps content hashes to article ids of earlier batches of the same run that are not
    loaded yet, so duplicates across batches are caught too; it is updated in place.
    """
    if not articles:
        return BatchPlan([], set(), [])
    ids = [a.id for a in articles]
    hashes = [a.content_hash for a in articles]
    stored = dict(con.execute(
        "SELECT article_id, content_hash FROM articles WHERE article_id IN (SELECT unnest(?))",
        [ids],
    ).fetchall())
    by_hash = dict(con.execute(
        "SELECT content_hash, min(article_id) FROM articles "
        "WHERE content_hash IN (SELECT unnest(?)) GROUP BY content_hash",
        [hashes],
    ).fetchall())
    to_enrich: list[Article] = []
    changed: set[str] = set()
    routes: list[tuple[str, Article]] = []
    seen_hash: dict[str, str] = pending if pending is not None else {}
    enrich_ids: set[str] = set()
    unchanged = duplicates = 0
    for a in articles:
        if a.id in stored:
            if stored[a.id] == a.content_hash:
                unchanged += 1
            elif a.id not in enrich_ids:
                changed.add(a.id)
                enrich_ids.add(a.id)
                to_enrich.append(a)
                seen_hash[a.content_hash] = a.id
            routes.append((a.id, a))
            continue
        owner = by_hash.get(a.content_hash) or seen_hash.get(a.content_hash)
        if owner is not None:
            duplicates += 1
            routes.append((owner, a))
            continue
        seen_hash[a.content_hash] = a.id
        enrich_ids.add(a.id)
        to_enrich.append(a)
        routes.append((a.id, a))
    return BatchPlan(to_enrich, changed, routes, unchanged, duplicates)


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------


def failure_id(stage: str, source: str, uri: str) -> str:
    """Stable id of a failure, so the same problem seen again is counted, not repeated."""
    return hashlib.sha256(f"{stage}\x1f{source}\x1f{uri}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class LoadCounts:
    """What one load wrote."""

    articles: int = 0
    replaced: int = 0
    routes: int = 0
    entities: int = 0
    mentions: int = 0
    events: int = 0
    quotes: int = 0
    failures: int = 0
    resolved: int = 0

    def add(self, other: LoadCounts) -> None:
        """Accumulate another load's counts into this one."""
        for name in ("articles", "replaced", "routes", "entities", "mentions", "events",
                     "quotes", "failures", "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, where: str = "") -> int:
    if data.num_rows == 0:
        return 0
    con.register("_batch", data)
    try:
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        row = _one(con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch {where}"))
        return int(row[0]) if row else 0
    finally:
        con.unregister("_batch")


def _settle_duplicates(
    con: duckdb.DuckDBPyConnection,
    enriched: Sequence[Enrichment],
    routes: Sequence[tuple[str, Article]],
) -> tuple[list[Enrichment], list[tuple[str, Article]]]:
    """Inside the load transaction, re-check content hashes against what is stored now.

    Another process may have stored the same text under another id since this batch was
    planned; such an article becomes a route to the stored one instead of a second copy.
    """
    items = list(enriched)
    if not items:
        return items, list(routes)
    owners = dict(_rows(con.execute(
        "SELECT content_hash, min(article_id) FROM articles "
        "WHERE content_hash IN (SELECT unnest(?)) AND article_id NOT IN (SELECT unnest(?)) "
        "GROUP BY content_hash",
        [[e.article.content_hash for e in items], [e.article.id for e in items]],
    )))
    if not owners:
        return items, list(routes)
    moved = {e.article.id: owners[e.article.content_hash] for e in items
             if e.article.content_hash in owners}
    kept = [e for e in items if e.article.id not in moved]
    rerouted = [(moved.get(aid, aid), a) for aid, a in routes]
    return kept, rerouted


def _rows(result: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return result.fetchall()


def load_batch(
    con: duckdb.DuckDBPyConnection,
    enriched: Sequence[Enrichment],
    routes: Sequence[tuple[str, Article]],
    failures: Sequence[Failure],
    prov: Provenance,
    *,
    resolved_uris: Iterable[tuple[str, str]] = (),
    retry: tuple[float, float] | None = None,
) -> LoadCounts:
    """Write one batch in one transaction: articles with their enrichment, routes, failures."""
    now = datetime.now(UTC)
    counts = LoadCounts()
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        enriched, routes = _settle_duplicates(con, enriched, routes)
        ids = [e.article.id for e in enriched]
        if ids:
            existing = con.execute(
                "SELECT article_id, first_seen_at FROM articles "
                "WHERE article_id IN (SELECT unnest(?))", [ids]
            ).fetchall()
            first_seen = {aid: ts for aid, ts in existing}
            counts.replaced = len(first_seen)
            for table in (*ENRICHMENT_TABLES, "articles"):
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [ids]).fetchall()
            arts = articles_table([e.article for e in enriched], prov, now)
            if first_seen:
                # A replaced article keeps the time it was first seen.
                col = [first_seen.get(a, now) for a in arts.column("article_id").to_pylist()]
                arts = arts.set_column(
                    arts.schema.get_field_index("first_seen_at"), "first_seen_at",
                    pa.array([_utc(t) for t in col], _TS),
                )
            counts.articles = _insert(con, "articles", arts) - counts.replaced
            tables = _enrichment_tables(enriched, prov)
            counts.entities = _insert(
                con, "entities", tables.pop("entities"),
                "WHERE entity_id NOT IN (SELECT entity_id FROM entities)",
            )
            counts.mentions = _insert(con, "entity_mentions", tables.pop("entity_mentions"))
            counts.events = _insert(con, "events", tables.pop("events"))
            counts.quotes = _insert(con, "quotes", tables.pop("quotes"))
            for table, data in tables.items():
                _insert(con, table, data)
        if routes:
            seen: set[tuple[str, str, str]] = set()
            rows = []
            for article_id, a in routes:
                key = (article_id, a.source, a.uri)
                if key not in seen:
                    seen.add(key)
                    rows.append((article_id, a.source, a.uri, a.route))
            counts.routes = _insert(con, "article_routes", _table({
                "article_id": (pa.string(), [r[0] for r in rows]),
                "source": (pa.string(), [r[1] for r in rows]),
                "uri": (pa.string(), [r[2] for r in rows]),
                "route": (pa.string(), [r[3] for r in rows]),
                "first_seen_at": (_TS, [now] * len(rows)),
                "run_id": (pa.string(), [prov.run_id] * len(rows)),
            }), "WHERE (article_id, source, uri) NOT IN "
                "(SELECT (article_id, source, uri) FROM article_routes)")
            resolved_uris = [*resolved_uris, *((a.source, a.uri) for _, a in routes)]
        failing = {(f.source, f.uri) for f in failures}
        resolved_uris = [pair for pair in resolved_uris if pair not in failing]
        counts.failures = record_failures(
            con, failures, prov.run_id, now, in_transaction=True,
            retry_base_seconds=retry[0] if retry else None,
            retry_max_seconds=retry[1] if retry else 86400.0,
        )
        counts.resolved = resolve_failures(con, resolved_uris, now)
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise
    return counts


def record_failures(
    con: duckdb.DuckDBPyConnection,
    failures: Sequence[Failure],
    run_id: str,
    now: datetime | None = None,
    *,
    in_transaction: bool = False,
    next_retry_at: datetime | None = None,
    retry_base_seconds: float | None = None,
    retry_max_seconds: float = 86400.0,
) -> int:
    """Insert new failures; a failure seen before gets its attempts counted up instead.

    With `retry_base_seconds`, each failure's `next_retry_at` backs off exponentially with its
    attempts: base * 2^(attempts - 1), at most `retry_max_seconds`.
    """
    if not failures:
        return 0
    now = now or datetime.now(UTC)
    unique = {failure_id(f.stage, f.source, f.uri): f for f in failures}
    data = _table({
        "failure_id": (pa.string(), list(unique)),
        "stage": (pa.string(), [f.stage for f in unique.values()]),
        "source": (pa.string(), [f.source for f in unique.values()]),
        "uri": (pa.string(), [f.uri for f in unique.values()]),
        "error_type": (pa.string(), [f.error_type for f in unique.values()]),
        "message": (pa.string(), [f.message for f in unique.values()]),
        "http_status": (pa.int32(), [f.http_status for f in unique.values()]),
        "attempts": (pa.int32(), [f.attempts for f in unique.values()]),
        "first_seen_at": (_TS, [now] * len(unique)),
        "last_seen_at": (_TS, [now] * len(unique)),
        "next_retry_at": (_TS, [next_retry_at] * len(unique)),
        "run_id": (pa.string(), [run_id] * len(unique)),
    })
    if not in_transaction:
        con.execute("BEGIN TRANSACTION").fetchall()
    try:
        con.register("_failures", data)
        con.execute(
            """UPDATE failures SET attempts = failures.attempts + f.attempts,
                   message = f.message, error_type = f.error_type, http_status = f.http_status,
                   last_seen_at = f.last_seen_at, next_retry_at = f.next_retry_at,
                   run_id = f.run_id, resolved_at = NULL
               FROM _failures f WHERE failures.failure_id = f.failure_id"""
        ).fetchall()
        added = _insert(con, "failures", data,
                        "WHERE failure_id NOT IN (SELECT failure_id FROM failures)")
        if retry_base_seconds is not None:
            con.execute(
                """UPDATE failures SET next_retry_at = last_seen_at + to_seconds(
                       least(? * pow(2, attempts - 1), ?)::BIGINT)
                   WHERE failure_id IN (SELECT failure_id FROM _failures)""",
                [retry_base_seconds, retry_max_seconds],
            ).fetchall()
        con.unregister("_failures")
        if not in_transaction:
            con.execute("COMMIT").fetchall()
    except Exception:
        if not in_transaction:
            con.execute("ROLLBACK").fetchall()
        raise
    return added


def resolve_failures(
    con: duckdb.DuckDBPyConnection, items: Iterable[tuple[str, str]], now: datetime | None = None
) -> int:
    """Mark open failures of (source, uri) pairs that have now succeeded as resolved."""
    pairs = list(dict.fromkeys(items))
    if not pairs:
        return 0
    data = _table({
        "source": (pa.string(), [p[0] for p in pairs]),
        "uri": (pa.string(), [p[1] for p in pairs]),
    })
    con.register("_ok", data)
    try:
        row = _one(con.execute(
            """UPDATE failures SET resolved_at = ? FROM _ok
               WHERE failures.source = _ok.source AND failures.uri = _ok.uri
                 AND failures.resolved_at IS NULL""",
            [now or datetime.now(UTC)],
        ))
    finally:
        con.unregister("_ok")
    return int(row[0]) if row else 0


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    flow: str,
    parameters: dict[str, Any],
    *,
    deployment: str | None = None,
    model: str | None = None,
    pipeline_version: str,
) -> None:
    """Record that a run started (replacing an earlier record of the same run id)."""
    con.execute("DELETE FROM runs WHERE run_id = ?", [run_id]).fetchall()
    con.execute(
        "INSERT INTO runs (run_id, flow, deployment, parameters, started_at, status, model, "
        "pipeline_version) VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
        [run_id, flow, deployment, json.dumps(parameters, default=str), datetime.now(UTC),
         model, pipeline_version],
    ).fetchall()


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: dict[str, Any],
    failures: int,
    message: str | None = None,
) -> None:
    """Record how a run ended."""
    con.execute(
        "UPDATE runs SET ended_at = ?, status = ?, counts = ?, failures = ?, message = ? "
        "WHERE run_id = ?",
        [datetime.now(UTC), status, json.dumps(counts, default=str), failures, message, run_id],
    ).fetchall()


def upsert_source(
    con: duckdb.DuckDBPyConnection,
    source: str,
    kind: str,
    uri: str | None,
    run_id: str,
    *,
    tags: Sequence[str] = (),
    status: str | None = None,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    keep_validators: bool = True,
) -> None:
    """Create or update a source row with its last check and conditional-GET state."""
    now = datetime.now(UTC)
    exists = _one(con.execute("SELECT 1 FROM sources WHERE source = ?", [source]))
    if exists:
        con.execute(
            """UPDATE sources SET kind = ?, uri = ?, tags = ?, last_checked_at = ?,
                   last_status = ?, last_error = ?,
                   etag = CASE WHEN ? THEN coalesce(?, etag) ELSE ? END,
                   last_modified = CASE WHEN ? THEN coalesce(?, last_modified) ELSE ? END,
                   run_id = ?
               WHERE source = ?""",
            [kind, uri, list(tags), now, status, error, keep_validators, etag, etag,
             keep_validators, last_modified, last_modified, run_id, source],
        ).fetchall()
    else:
        con.execute(
            "INSERT INTO sources (source, kind, uri, tags, etag, last_modified, last_checked_at, "
            "last_status, last_error, first_seen_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [source, kind, uri, list(tags), etag, last_modified, now, status, error, now, run_id],
        ).fetchall()


def record_routes(
    con: duckdb.DuckDBPyConnection, routes: Sequence[tuple[str, str, str, str]], run_id: str
) -> int:
    """Record (article_id, source, uri, route) rows not seen before."""
    if not routes:
        return 0
    rows = list(dict.fromkeys(routes))
    return _insert(con, "article_routes", _table({
        "article_id": (pa.string(), [r[0] for r in rows]),
        "source": (pa.string(), [r[1] for r in rows]),
        "uri": (pa.string(), [r[2] for r in rows]),
        "route": (pa.string(), [r[3] for r in rows]),
        "first_seen_at": (_TS, [datetime.now(UTC)] * len(rows)),
        "run_id": (pa.string(), [run_id] * len(rows)),
    }), "WHERE (article_id, source, uri) NOT IN "
        "(SELECT (article_id, source, uri) FROM article_routes)")


@dataclass(frozen=True, slots=True)
class RawPage:
    """A fetched page body, kept so a new extractor can re-extract without fetching."""

    url: str
    article_id: str | None
    fetched_at: datetime
    status: int
    content_type: str | None
    encoding: str | None
    headers: dict[str, str]
    body: bytes


def store_raw_pages(con: duckdb.DuckDBPyConnection, pages: Sequence[RawPage], run_id: str) -> int:
    """Keep fetched bodies gzip-compressed; the same body at the same URL is stored once."""
    if not pages:
        return 0
    import gzip

    unique = {(p.url, hashlib.sha256(p.body).hexdigest()): p for p in pages}
    return _insert(con, "raw_pages", _table({
        "url": (pa.string(), [k[0] for k in unique]),
        "article_id": (pa.string(), [p.article_id for p in unique.values()]),
        "fetched_at": (_TS, [_utc(p.fetched_at) for p in unique.values()]),
        "status": (pa.int32(), [p.status for p in unique.values()]),
        "content_type": (pa.string(), [p.content_type for p in unique.values()]),
        "encoding": (pa.string(), [p.encoding for p in unique.values()]),
        "headers": (pa.string(), [json.dumps(p.headers) for p in unique.values()]),
        "body_gzip": (pa.binary(), [gzip.compress(p.body, 6) for p in unique.values()]),
        "body_sha256": (pa.string(), [k[1] for k in unique]),
        "run_id": (pa.string(), [run_id] * len(unique)),
    }), "WHERE (url, body_sha256) NOT IN (SELECT (url, body_sha256) FROM raw_pages)")


def upsert_feed_entries(
    con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]], run_id: str
) -> int:
    """Insert feed entries not seen before; update status and last-seen time of known ones."""
    if not rows:
        return 0
    now = datetime.now(UTC)
    unique = {(r["source"], r["url"]): r for r in rows}
    vals = list(unique.values())
    data = _table({
        "source": (pa.string(), [r["source"] for r in vals]),
        "url": (pa.string(), [r["url"] for r in vals]),
        "article_id": (pa.string(), [r["article_id"] for r in vals]),
        "entry_id": (pa.string(), [r.get("entry_id") for r in vals]),
        "title": (pa.string(), [r.get("title") for r in vals]),
        "published_at": (_TS, [_utc(r.get("published_at")) for r in vals]),
        "updated_at": (_TS, [_utc(r.get("updated_at")) for r in vals]),
        "authors": (pa.list_(pa.string()), [list(r.get("authors") or ()) for r in vals]),
        "summary": (pa.string(), [r.get("summary") for r in vals]),
        "status": (pa.string(), [r["status"] for r in vals]),
        "first_seen_at": (_TS, [now] * len(vals)),
        "last_seen_at": (_TS, [now] * len(vals)),
        "run_id": (pa.string(), [run_id] * len(vals)),
    })
    con.register("_entries", data)
    try:
        con.execute(
            """UPDATE feed_entries SET status = e.status, last_seen_at = e.last_seen_at,
                   updated_at = coalesce(e.updated_at, feed_entries.updated_at),
                   title = coalesce(e.title, feed_entries.title), run_id = e.run_id
               FROM _entries e
               WHERE feed_entries.source = e.source AND feed_entries.url = e.url
                 AND (feed_entries.status <> e.status
                      OR e.updated_at IS DISTINCT FROM feed_entries.updated_at)"""
        ).fetchall()
    finally:
        con.unregister("_entries")
    return _insert(con, "feed_entries", data,
                   "WHERE (source, url) NOT IN (SELECT (source, url) FROM feed_entries)")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every warehouse table."""
    return {
        t: int(_one(con.execute(f"SELECT count(*) FROM {t}"))[0])  # type: ignore[index]
        for t in TABLES
    }


INTEGRITY_CHECKS: dict[str, str] = {
    "duplicate article ids": "SELECT article_id FROM articles GROUP BY 1 HAVING count(*) > 1",
    "duplicate entities": "SELECT entity_id FROM entities GROUP BY 1 HAVING count(*) > 1",
    "duplicate routes": "SELECT article_id, source, uri FROM article_routes GROUP BY ALL "
                        "HAVING count(*) > 1",
    "duplicate failures": "SELECT failure_id FROM failures GROUP BY 1 HAVING count(*) > 1",
    "duplicate feed entries": "SELECT source, url FROM feed_entries GROUP BY ALL "
                              "HAVING count(*) > 1",
    "duplicate raw pages": "SELECT url, body_sha256 FROM raw_pages GROUP BY ALL "
                           "HAVING count(*) > 1",
    "mentions without article": "SELECT m.article_id FROM entity_mentions m "
                                "ANTI JOIN articles a USING (article_id)",
    "mentions without entity": "SELECT m.entity_id FROM entity_mentions m "
                               "ANTI JOIN entities e USING (entity_id)",
    "mention offsets outside text": "SELECT m.article_id FROM entity_mentions m JOIN articles a "
                                    "USING (article_id) WHERE substr(a.text, m.start_char + 1, "
                                    "m.end_char - m.start_char) <> m.surface",
}


def check_integrity(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Run the data checks; returns the number of offending rows per check (all 0 when sound)."""
    return {
        name: int(_one(con.execute(f"SELECT count(*) FROM ({sql})"))[0])  # type: ignore[index]
        for name, sql in INTEGRITY_CHECKS.items()
    }
