"""Loading batches into the warehouse: planning, idempotent bulk writes, failures, runs.

Records become rows (Arrow tables, `tasks.store.arrow`) and are loaded with `INSERT ... SELECT`
in one transaction per batch. Loads are idempotent: an article's rows are replaced as a whole,
entities and routes are inserted only when missing, failures are counted, not repeated.
Uniqueness is kept by the loader (anti-joins, delete-then-insert per article) rather than by
index constraints, which slow DuckDB's bulk inserts; `check_integrity` verifies it with plain SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from tasks.records import Article, Enrichment, EntrySeen, Failure, FeedCheck, PageRows, RawPage
from tasks.store.arrow import TS, Provenance, arrow_table, articles_table, enrichment_tables, utc
from tasks.store.connection import one
from tasks.store.schema import ENRICHMENT_TABLES
from tasks.store.stories import store_stories


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
    stored = dict(
        con.execute(
            "SELECT article_id, content_hash FROM articles WHERE article_id IN (SELECT unnest(?))",
            [ids],
        ).fetchall()
    )
    by_hash = dict(
        con.execute(
            "SELECT content_hash, min(article_id) FROM articles "
            "WHERE content_hash IN (SELECT unnest(?)) GROUP BY content_hash",
            [hashes],
        ).fetchall()
    )
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
    stories: int = 0  # stories founded by this load's articles

    def add(self, other: LoadCounts) -> None:
        """Accumulate another load's counts into this one."""
        for f in fields(self):  # every count is an int
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, where: str = "") -> int:
    if data.num_rows == 0:
        return 0
    con.register("_batch", data)
    try:
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        row = one(con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch {where}"))
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
    owners = dict(
        _rows(
            con.execute(
                "SELECT content_hash, min(article_id) FROM articles "
                "WHERE content_hash IN (SELECT unnest(?)) AND article_id NOT IN (SELECT unnest(?)) "
                "GROUP BY content_hash",
                [[e.article.content_hash for e in items], [e.article.id for e in items]],
            )
        )
    )
    if not owners:
        return items, list(routes)
    moved = {
        e.article.id: owners[e.article.content_hash]
        for e in items
        if e.article.content_hash in owners
    }
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
    page_rows: PageRows | None = None,
) -> LoadCounts:
    """Write one batch in one transaction: articles with their enrichment, routes, failures.

    `page_rows` (the web path) adds the batch's raw pages, feed entries and the routes of pages
    that several feeds listed, in the same transaction.
    """
    now = datetime.now(UTC)
    counts = LoadCounts()
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        enriched, routes = _settle_duplicates(con, enriched, routes)
        ids = [e.article.id for e in enriched]
        if ids:
            existing = con.execute(
                "SELECT article_id, first_seen_at FROM articles "
                "WHERE article_id IN (SELECT unnest(?))",
                [ids],
            ).fetchall()
            first_seen = {aid: ts for aid, ts in existing}
            counts.replaced = len(first_seen)
            for table in (*ENRICHMENT_TABLES, "articles"):
                con.execute(
                    f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [ids]
                ).fetchall()
            arts = articles_table(
                [e.article for e in enriched], prov, now, [e.tone for e in enriched]
            )
            if first_seen:
                # A replaced article keeps the time it was first seen.
                col = [first_seen.get(a, now) for a in arts.column("article_id").to_pylist()]
                arts = arts.set_column(
                    arts.schema.get_field_index("first_seen_at"),
                    "first_seen_at",
                    pa.array([utc(t) for t in col], TS),
                )
            counts.articles = _insert(con, "articles", arts) - counts.replaced
            tables = enrichment_tables(enriched, prov)
            counts.entities = _insert(
                con,
                "entities",
                tables.pop("entities"),
                "WHERE entity_id NOT IN (SELECT entity_id FROM entities)",
            )
            counts.mentions = _insert(con, "entity_mentions", tables.pop("entity_mentions"))
            counts.events = _insert(con, "events", tables.pop("events"))
            counts.quotes = _insert(con, "quotes", tables.pop("quotes"))
            places = tables.pop("places")
            _insert(con, "places", places, "WHERE place_id NOT IN (SELECT place_id FROM places)")
            for table, data in tables.items():
                _insert(con, table, data)
            assignments = store_stories(con, enriched, prov, now)
            counts.stories = sum(a.new_story for a in assignments)
        if routes:
            seen: set[tuple[str, str, str]] = set()
            rows = []
            for article_id, a in routes:
                key = (article_id, a.source, a.uri)
                if key not in seen:
                    seen.add(key)
                    rows.append((article_id, a.source, a.uri, a.route))
            counts.routes = _insert(
                con,
                "article_routes",
                arrow_table(
                    {
                        "article_id": (pa.string(), [r[0] for r in rows]),
                        "source": (pa.string(), [r[1] for r in rows]),
                        "uri": (pa.string(), [r[2] for r in rows]),
                        "route": (pa.string(), [r[3] for r in rows]),
                        "first_seen_at": (TS, [now] * len(rows)),
                        "run_id": (pa.string(), [prov.run_id] * len(rows)),
                    }
                ),
                "WHERE (article_id, source, uri) NOT IN "
                "(SELECT (article_id, source, uri) FROM article_routes)",
            )
            resolved_uris = [*resolved_uris, *((a.source, a.uri) for _, a in routes)]
        if page_rows is not None:
            store_raw_pages(con, page_rows.pages, prov.run_id)
            upsert_feed_entries(con, page_rows.entries, prov.run_id)
            counts.routes += _copy_routes(con, page_rows.twins, prov.run_id, now)
            arrived = {(a.source, a.uri) for _, a in routes}
            resolved_uris = [
                *resolved_uris,
                *((other, uri) for src, uri, other in page_rows.twins if (src, uri) in arrived),
            ]
        failing = {(f.source, f.uri) for f in failures}
        resolved_uris = [pair for pair in resolved_uris if pair not in failing]
        counts.failures = record_failures(
            con,
            failures,
            prov.run_id,
            now,
            in_transaction=True,
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
    data = arrow_table(
        {
            "failure_id": (pa.string(), list(unique)),
            "stage": (pa.string(), [f.stage for f in unique.values()]),
            "source": (pa.string(), [f.source for f in unique.values()]),
            "uri": (pa.string(), [f.uri for f in unique.values()]),
            "error_type": (pa.string(), [f.error_type for f in unique.values()]),
            "message": (pa.string(), [f.message for f in unique.values()]),
            "http_status": (pa.int32(), [f.http_status for f in unique.values()]),
            "attempts": (pa.int32(), [f.attempts for f in unique.values()]),
            "first_seen_at": (TS, [now] * len(unique)),
            "last_seen_at": (TS, [now] * len(unique)),
            "next_retry_at": (TS, [next_retry_at] * len(unique)),
            "run_id": (pa.string(), [run_id] * len(unique)),
        }
    )
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
        added = _insert(
            con, "failures", data, "WHERE failure_id NOT IN (SELECT failure_id FROM failures)"
        )
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
    data = arrow_table(
        {
            "source": (pa.string(), [p[0] for p in pairs]),
            "uri": (pa.string(), [p[1] for p in pairs]),
        }
    )
    con.register("_ok", data)
    try:
        row = one(
            con.execute(
                """UPDATE failures SET resolved_at = ? FROM _ok
               WHERE failures.source = _ok.source AND failures.uri = _ok.uri
                 AND failures.resolved_at IS NULL""",
                [now or datetime.now(UTC)],
            )
        )
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
    process: tuple[int, str, datetime] | None = None,
) -> None:
    """Record that a run started (replacing an earlier record of the same run id).

    `process` is (pid, hostname, process start time) of the process doing the run, so that a
    later run can tell a run whose process is gone.
    """
    pid, host, proc_started = process if process is not None else (None, None, None)
    con.execute("DELETE FROM runs WHERE run_id = ?", [run_id]).fetchall()
    con.execute(
        "INSERT INTO runs (run_id, flow, deployment, parameters, started_at, status, model, "
        "pipeline_version, pid, hostname, process_started_at) "
        "VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)",
        [
            run_id,
            flow,
            deployment,
            json.dumps(parameters, default=str),
            datetime.now(UTC),
            model,
            pipeline_version,
            pid,
            host,
            proc_started,
        ],
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
    exists = one(con.execute("SELECT 1 FROM sources WHERE source = ?", [source]))
    if exists:
        con.execute(
            """UPDATE sources SET kind = ?, uri = ?, tags = ?, last_checked_at = ?,
                   last_status = ?, last_error = ?,
                   etag = CASE WHEN ? THEN coalesce(?, etag) ELSE ? END,
                   last_modified = CASE WHEN ? THEN coalesce(?, last_modified) ELSE ? END,
                   run_id = ?
               WHERE source = ?""",
            [
                kind,
                uri,
                list(tags),
                now,
                status,
                error,
                keep_validators,
                etag,
                etag,
                keep_validators,
                last_modified,
                last_modified,
                run_id,
                source,
            ],
        ).fetchall()
    else:
        con.execute(
            "INSERT INTO sources (source, kind, uri, tags, etag, last_modified, last_checked_at, "
            "last_status, last_error, first_seen_at, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [source, kind, uri, list(tags), etag, last_modified, now, status, error, now, run_id],
        ).fetchall()


def _copy_routes(
    con: duckdb.DuckDBPyConnection,
    twins: Sequence[tuple[str, str, str]],
    run_id: str,
    now: datetime,
) -> int:
    """Give each (source, uri, other source) a route to the article `source` reached `uri` by."""
    if not twins:
        return 0
    rows = list(dict.fromkeys(twins))
    data = arrow_table(
        {
            "source": (pa.string(), [r[0] for r in rows]),
            "uri": (pa.string(), [r[1] for r in rows]),
            "other": (pa.string(), [r[2] for r in rows]),
        }
    )
    con.register("_twins", data)
    try:
        row = one(
            con.execute(
                """INSERT INTO article_routes (article_id, source, uri, route, first_seen_at, run_id)
                   SELECT DISTINCT r.article_id, t.other, t.uri, r.route, ?, ?
                   FROM article_routes r JOIN _twins t ON r.source = t.source AND r.uri = t.uri
                   WHERE (r.article_id, t.other, t.uri) NOT IN
                         (SELECT (article_id, source, uri) FROM article_routes)""",
                [now, run_id],
            )
        )
    finally:
        con.unregister("_twins")
    return int(row[0]) if row else 0


def record_routes(
    con: duckdb.DuckDBPyConnection, routes: Sequence[tuple[str, str, str, str]], run_id: str
) -> int:
    """Record (article_id, source, uri, route) rows not seen before."""
    if not routes:
        return 0
    rows = list(dict.fromkeys(routes))
    return _insert(
        con,
        "article_routes",
        arrow_table(
            {
                "article_id": (pa.string(), [r[0] for r in rows]),
                "source": (pa.string(), [r[1] for r in rows]),
                "uri": (pa.string(), [r[2] for r in rows]),
                "route": (pa.string(), [r[3] for r in rows]),
                "first_seen_at": (TS, [datetime.now(UTC)] * len(rows)),
                "run_id": (pa.string(), [run_id] * len(rows)),
            }
        ),
        "WHERE (article_id, source, uri) NOT IN "
        "(SELECT (article_id, source, uri) FROM article_routes)",
    )


def store_raw_pages(con: duckdb.DuckDBPyConnection, pages: Sequence[RawPage], run_id: str) -> int:
    """Keep fetched bodies gzip-compressed; the same body at the same URL is stored once."""
    if not pages:
        return 0
    import gzip

    unique = {(p.url, hashlib.sha256(p.body).hexdigest()): p for p in pages}
    return _insert(
        con,
        "raw_pages",
        arrow_table(
            {
                "url": (pa.string(), [k[0] for k in unique]),
                "article_id": (pa.string(), [p.article_id for p in unique.values()]),
                "fetched_at": (TS, [utc(p.fetched_at) for p in unique.values()]),
                "status": (pa.int32(), [p.status for p in unique.values()]),
                "content_type": (pa.string(), [p.content_type for p in unique.values()]),
                "encoding": (pa.string(), [p.encoding for p in unique.values()]),
                "headers": (pa.string(), [json.dumps(p.headers) for p in unique.values()]),
                "body_gzip": (pa.binary(), [gzip.compress(p.body, 6) for p in unique.values()]),
                "body_sha256": (pa.string(), [k[1] for k in unique]),
                "run_id": (pa.string(), [run_id] * len(unique)),
            }
        ),
        "WHERE (url, body_sha256) NOT IN (SELECT (url, body_sha256) FROM raw_pages)",
    )


def upsert_feed_entries(
    con: duckdb.DuckDBPyConnection, entries: Sequence[EntrySeen], run_id: str
) -> int:
    """Insert feed entries not seen before; update status and last-seen time of known ones."""
    if not entries:
        return 0
    now = datetime.now(UTC)
    vals = list({(e.source, e.url): e for e in entries}.values())
    data = arrow_table(
        {
            "source": (pa.string(), [e.source for e in vals]),
            "url": (pa.string(), [e.url for e in vals]),
            "article_id": (pa.string(), [e.article_id for e in vals]),
            "entry_id": (pa.string(), [e.entry.entry_id if e.entry else None for e in vals]),
            "title": (pa.string(), [e.entry.title if e.entry else None for e in vals]),
            "published_at": (TS, [utc(e.entry.published_at) if e.entry else None for e in vals]),
            "updated_at": (TS, [utc(e.entry.updated_at) if e.entry else None for e in vals]),
            "authors": (
                pa.list_(pa.string()),
                [list(e.entry.authors) if e.entry else [] for e in vals],
            ),
            "summary": (pa.string(), [e.entry.summary if e.entry else None for e in vals]),
            "status": (pa.string(), [e.status for e in vals]),
            "first_seen_at": (TS, [now] * len(vals)),
            "last_seen_at": (TS, [now] * len(vals)),
            "run_id": (pa.string(), [run_id] * len(vals)),
        }
    )
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
    return _insert(
        con,
        "feed_entries",
        data,
        "WHERE (source, url) NOT IN (SELECT (source, url) FROM feed_entries)",
    )


def record_feed_checks(
    con: duckdb.DuckDBPyConnection,
    checks: Sequence[FeedCheck],
    settled: Sequence[EntrySeen],
    run_id: str,
) -> None:
    """After a feed run, in one transaction: each feed's state and problems, and the entries
    whose page was already stored (a route and a `feed_entries` row each, nothing fetched).

    A feed's validators (ETag, Last-Modified) are stored only here, after its pages were
    loaded: a run that dies half-way fetches the feed again next time instead of losing entries.
    """
    now = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        record_routes(con, [(e.article_id, e.source, e.url, "feed") for e in settled], run_id)
        upsert_feed_entries(con, settled, run_id)
        record_failures(
            con, [f for c in checks for f in c.failures], run_id, now, in_transaction=True
        )
        for check in checks:
            ok = check.status != "failed"
            _resolve_feed(con, check, now)
            upsert_source(
                con,
                check.source.name,
                "feed",
                check.source.url,
                run_id,
                tags=check.source.tags,
                status=check.status,
                error="; ".join(f.message for f in check.failures) or None,
                etag=check.etag if ok else None,
                last_modified=check.last_modified if ok else None,
            )
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise


def _resolve_feed(con: duckdb.DuckDBPyConnection, check: FeedCheck, now: datetime) -> None:
    """Resolve a feed's open problems this check no longer shows.

    A failed check resolves nothing; a 304 says the feed answers again ("feed" stage) but not
    that its content changed; a parsed feed resolves every stage it has no failure for.
    """
    if check.status == "failed":
        return
    current = [f.stage for f in check.failures]
    stages = ["feed"] if check.status == "not_modified" else None
    con.execute(
        """UPDATE failures SET resolved_at = ?
           WHERE source = ? AND uri = ? AND resolved_at IS NULL
             AND stage NOT IN (SELECT unnest(?::VARCHAR[]))
             AND (?::VARCHAR[] IS NULL OR stage IN (SELECT unnest(?::VARCHAR[])))""",
        [now, check.source.name, check.source.url, current, stages, stages],
    ).fetchall()


def record_stored_urls(
    con: duckdb.DuckDBPyConnection, source: str, urls: Sequence[tuple[str, str]], run_id: str
) -> None:
    """An ad-hoc URL source and the routes of its URLs already stored ((article id, url) pairs)."""
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        upsert_source(con, source, "urls", None, run_id, status="ok")
        record_routes(con, [(aid, source, url, "url") for aid, url in urls], run_id)
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise
