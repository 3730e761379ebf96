"""Named read queries on the warehouse: counts, integrity checks, status and run listings,
and the selections re-processing works from. The flows and the command line hold no SQL."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tasks.records import Article, FeedEntry, PageJob
from tasks.store.arrow import Provenance
from tasks.store.connection import connect, one
from tasks.store.schema import SCHEMA_VERSION, TABLES


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every warehouse table, and after `events` its `coded_events` (the events
    an analyst sees by default: actor resolved, political domain)."""
    counts: dict[str, int] = {}
    for t in TABLES:
        counts[t] = int(one(con.execute(f"SELECT count(*) FROM {t}"))[0])  # type: ignore[index]
        if t == "events":
            coded = con.execute("SELECT count(*) FROM events WHERE coded").fetchone()
            counts["coded_events"] = int(coded[0]) if coded else 0
    return counts


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
        name: int(one(con.execute(f"SELECT count(*) FROM ({sql})"))[0])  # type: ignore[index]
        for name, sql in INTEGRITY_CHECKS.items()
    }


# ----------------------------------------------------------------------------------------------
# Queries the command line prints as hints
# ----------------------------------------------------------------------------------------------

SAMPLE_QUERY = (
    "SELECT canonical, label, count(*) AS mentions FROM entity_mentions "
    "GROUP BY ALL ORDER BY mentions DESC LIMIT 10"
)
OPEN_FAILURES_QUERY = "SELECT * FROM failures WHERE resolved_at IS NULL"


# ----------------------------------------------------------------------------------------------
# Opening for reads
# ----------------------------------------------------------------------------------------------


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The warehouse's schema version (None for a file without one)."""
    row = one(con.execute("SELECT max(version) FROM schema_version"))
    return None if row is None or row[0] is None else int(row[0])


# Read-only connections for people's queries cannot touch files or the network.
NO_EXTERNAL_ACCESS = {"enable_external_access": False}


@contextmanager
def read_only(path: Path, *, lock_timeout: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, after bringing an older warehouse's schema up to date.

    The connection has DuckDB's external access off: no file, extension or network access
    (read_text, read_csv, glob, COPY, ATTACH, INSTALL/LOAD all fail), only the warehouse.
    """
    if path.exists():
        with connect(path, read_only=True, lock_timeout=lock_timeout) as con:
            version = schema_version(con)
        if version is not None and version < SCHEMA_VERSION:
            with connect(path, lock_timeout=lock_timeout):  # migrates forward, in a transaction
                pass
    with connect(path, read_only=True, lock_timeout=lock_timeout, config=NO_EXTERNAL_ACCESS) as con:
        yield con


# ----------------------------------------------------------------------------------------------
# Runs, sources and failures (`newsflow status`, `runs`, `trigger`)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunReport:
    """A finished run as its `runs` row and open `failures` rows tell it."""

    flow: str
    status: str
    counts: dict[str, Any]
    failure_count: int
    message: str | None
    seconds: float
    failures: list[dict[str, str]]


def run_report(
    con: duckdb.DuckDBPyConnection, run_id: str, max_failures: int = 50
) -> RunReport | None:
    """The `runs` row of one run with its open failures (at most `max_failures`)."""
    row = one(
        con.execute(
            "SELECT flow, status, counts, failures, message, epoch(ended_at - started_at) "
            "FROM runs WHERE run_id = ?",
            [run_id],
        )
    )
    if row is None:
        return None
    failures = con.execute(
        "SELECT stage, uri, error_type, message FROM failures "
        "WHERE run_id = ? AND resolved_at IS NULL LIMIT ?",
        [run_id, max_failures],
    ).fetchall()
    return RunReport(
        flow=row[0],
        status=row[1],
        counts=json.loads(row[2]) if row[2] else {},
        failure_count=int(row[3] or 0),
        message=row[4],
        seconds=round(float(row[5] or 0), 2),
        failures=[
            {"stage": f[0], "uri": f[1], "error": f[2], "message": f[3] or ""} for f in failures
        ],
    )


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source as `newsflow status` shows it."""

    source: str
    articles: int
    last_new: datetime | None
    last_check_status: str | None
    last_run_flow: str | None
    last_run_status: str | None
    last_run_at: datetime | None
    open_failures: int
    kind: str | None = None  # folder, feed, urls (None: known only from its articles' routes)
    uri: str | None = None  # a folder's path, a feed's URL


_SOURCES_SQL = """
WITH routes AS (
    SELECT source, count(DISTINCT article_id) AS articles, max(first_seen_at) AS last_new,
           arg_max(run_id, first_seen_at) AS route_run
    FROM article_routes GROUP BY 1
), names AS (SELECT source FROM routes UNION SELECT source FROM sources)
SELECT n.source, coalesce(r.articles, 0), r.last_new, s.last_status,
       r2.flow, r2.status, r2.started_at,
       (SELECT count(*) FROM failures f WHERE f.source = n.source AND f.resolved_at IS NULL),
       s.kind, s.uri
FROM names n
LEFT JOIN routes r USING (source)
LEFT JOIN sources s USING (source)
LEFT JOIN runs r2 ON r2.run_id = CASE
    WHEN s.last_checked_at IS NOT NULL AND (r.last_new IS NULL OR s.last_checked_at >= r.last_new)
    THEN s.run_id ELSE r.route_run END
ORDER BY 2 DESC, 1
"""


def sources_status(con: duckdb.DuckDBPyConnection) -> list[SourceStatus]:
    """Every source: articles, last new article, last check, the run that last touched it."""
    return [SourceStatus(*row) for row in con.execute(_SOURCES_SQL).fetchall()]


def source_kinds(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> dict[str, str]:
    """The kind (folder, feed, urls) of each of these names already in `sources`."""
    if not names:
        return {}
    rows = con.execute(
        "SELECT source, kind FROM sources WHERE source IN (SELECT unnest(?))", [list(names)]
    ).fetchall()
    return {str(name): str(kind) for name, kind in rows}


def legacy_file_articles(con: duckdb.DuckDBPyConnection) -> int:
    """Articles read from files whose id follows the old rule (folder name + relative path).

    Since file identity became the resolved path (or a named source), a file article's source
    is an absolute path or a `sources` row of kind folder; a bare folder name predates that.
    Articles identified by their own URL or record id are not affected.
    """
    row = one(
        con.execute(
            "SELECT count(*) FROM articles WHERE route = 'file' AND url IS NULL "
            "AND external_id IS NULL AND source NOT LIKE '/%' "
            "AND source NOT IN (SELECT source FROM sources WHERE kind = 'folder')"
        )
    )
    return int(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class LastRun:
    """The newest `runs` row."""

    flow: str
    deployment: str | None
    status: str
    started_at: datetime
    failures: int


def last_run(con: duckdb.DuckDBPyConnection) -> LastRun | None:
    """The newest run, if any."""
    row = one(
        con.execute(
            "SELECT flow, deployment, status, started_at, failures FROM runs "
            "ORDER BY started_at DESC LIMIT 1"
        )
    )
    return None if row is None else LastRun(*row)


def pending_failures(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Open failures per stage, most first."""
    return [
        (str(stage), int(n))
        for stage, n in con.execute(
            "SELECT stage, count(*) FROM failures WHERE resolved_at IS NULL GROUP BY 1 "
            "ORDER BY 2 DESC, 1"
        ).fetchall()
    ]


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pa.Table:
    """The newest runs with their main counts, as `newsflow runs` prints them."""
    return con.sql(
        "SELECT run_id, flow, deployment, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') "
        "AS started, round(epoch(ended_at - started_at), 1) AS seconds, "
        "counts->>'extracted' AS read, counts->>'articles' AS new, "
        "counts->>'replaced' AS changed, counts->>'unchanged' AS unchanged, "
        "counts->>'mentions' AS mentions, counts->>'events' AS events, "
        "failures AS failed, message "
        "FROM runs ORDER BY started_at DESC LIMIT ?",
        params=[max(0, int(limit))],
    ).fetch_arrow_table()


# ----------------------------------------------------------------------------------------------
# Re-processing (`newsflow reenrich`, `newsflow reextract`)
# ----------------------------------------------------------------------------------------------


def articles_to_reenrich(
    con: duckdb.DuckDBPyConnection, prov: Provenance, *, everything: bool = False
) -> list[str]:
    """Ids of stored articles enriched by another model, pipeline or rules version (or all)."""
    return [
        r[0]
        for r in con.execute(
            "SELECT article_id FROM articles WHERE ? OR model IS DISTINCT FROM ? "
            "OR pipeline_version IS DISTINCT FROM ? OR rules_version IS DISTINCT FROM ? "
            "ORDER BY article_id",
            [everything, prov.model, prov.pipeline_version, prov.rules_version],
        ).fetchall()
    ]


_ARTICLE_COLUMNS = (
    "article_id, source, uri, url, title, text, content_hash, extractor, authors, "
    "CASE WHEN published_inferred THEN NULL ELSE published_at END, published_inferred, "
    "language, site, external_id, captions, body_origin, route, encoding, decode_errors, "
    "text_warnings"
)


def stored_articles(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[Article]:
    """Stored articles as records, by id (an inferred publication date is left out)."""
    rows = con.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles "
        "WHERE article_id IN (SELECT unnest(?)) ORDER BY article_id",
        [list(ids)],
    ).fetchall()
    return [_stored_article(r) for r in rows]


def _stored_article(row: tuple[Any, ...]) -> Article:
    (aid, source, uri, url, title, text, chash, extractor, authors) = row[:9]
    (published, inferred, language, site, external_id, captions, origin, route) = row[9:17]
    (encoding, decode_errors, text_warnings) = row[17:]
    return Article(
        id=aid,
        source=source,
        uri=uri,
        url=url,
        title=title or "",
        text=text,
        content_hash=chash,
        extractor=extractor or "",
        authors=tuple(authors or ()),
        published_at=published,
        published_inferred=False if published else bool(inferred),
        language=language,
        site=site,
        external_id=external_id,
        captions=tuple(captions or ()),
        body_origin=origin or "body",
        route=route or "file",
        encoding=encoding,
        decode_errors=decode_errors or 0,
        text_warnings=tuple(text_warnings or ()),
    )


def articles_with_raw_pages(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of stored articles that have at least one raw page."""
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT a.article_id FROM articles a JOIN raw_pages p USING (article_id) "
            "ORDER BY 1"
        ).fetchall()
    ]


@dataclass(frozen=True, slots=True)
class StoredPage:
    """The newest raw page of a web article, with what its feed entry said (if any)."""

    source: str
    url: str  # the article's canonical URL
    route: str
    final_url: str
    status: int
    headers: dict[str, str]
    encoding: str | None
    content_type: str | None
    body: bytes  # decompressed
    entry_title: str | None = None  # None: no feed entry
    entry_published_at: datetime | None = None
    entry_updated_at: datetime | None = None
    entry_authors: tuple[str, ...] = ()
    entry_summary: str = ""
    entry_id: str | None = None


def stored_pages(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[StoredPage]:
    """The newest raw page of each article in `ids`, joined with its feed entry."""
    rows = con.execute(
        """SELECT a.source, a.url, a.route, p.url, p.status, p.headers, p.encoding,
                  p.content_type, p.body_gzip, e.title, e.published_at,
                  e.updated_at, e.authors, e.summary, e.entry_id
           FROM articles a
           JOIN (SELECT *, row_number() OVER (PARTITION BY article_id
                                              ORDER BY fetched_at DESC) AS k
                 FROM raw_pages) p ON p.article_id = a.article_id AND p.k = 1
           LEFT JOIN feed_entries e ON e.url = a.url AND e.source = a.source
           WHERE a.article_id IN (SELECT unnest(?))
           ORDER BY a.article_id""",
        [list(ids)],
    ).fetchall()
    return [
        StoredPage(
            source=r[0],
            url=r[1],
            route=r[2] or "url",
            final_url=r[3],
            status=r[4],
            headers=_json_dict(r[5]),
            encoding=r[6],
            content_type=r[7],
            body=gzip.decompress(r[8]),
            entry_title=r[9],
            entry_published_at=r[10],
            entry_updated_at=r[11],
            entry_authors=tuple(r[12] or ()),
            entry_summary=r[13] or "",
            entry_id=r[14],
        )
        for r in rows
    ]


def _json_dict(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str | bytes):
        return {}
    try:
        data = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# ---------------------------------------------------------------------------------------------
# The web path
# ---------------------------------------------------------------------------------------------


def feed_validators(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    """Each feed's stored conditional-GET state: source name -> (ETag, Last-Modified)."""
    rows = con.execute(
        "SELECT source, etag, last_modified FROM sources WHERE kind = 'feed'"
    ).fetchall()
    return {name: (etag, modified) for name, etag, modified in rows}


def stored_url_dates(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str]
) -> dict[str, datetime | None]:
    """Canonical URLs already stored as articles, with the entry date they were fetched for."""
    if not urls:
        return {}
    rows = con.execute(
        """SELECT a.url, max(coalesce(e.updated_at, e.published_at))
           FROM articles a LEFT JOIN feed_entries e ON e.url = a.url
           WHERE a.url IN (SELECT unnest(?)) GROUP BY a.url""",
        [list(urls)],
    ).fetchall()
    return {url: when for url, when in rows}


def failed_pages_due(
    con: duckdb.DuckDBPyConnection, sources: Sequence[str], route: str, *, due_only: bool = True
) -> list[PageJob]:
    """Pages of these sources that failed in earlier runs and whose retry time has come (or,
    without `due_only`, every one still failing)."""
    rows = con.execute(
        """SELECT f.source, f.uri, e.entry_id, e.title, e.published_at, e.updated_at, e.authors,
                  e.summary
           FROM failures f LEFT JOIN feed_entries e ON e.source = f.source AND e.url = f.uri
           WHERE f.resolved_at IS NULL AND f.stage IN ('fetch', 'extract')
             AND f.source IN (SELECT unnest(?))
             AND (NOT ? OR f.next_retry_at IS NULL OR f.next_retry_at <= now())
           ORDER BY f.first_seen_at, f.uri""",
        [list(sources), due_only],
    ).fetchall()
    jobs = []
    for source, url, entry_id, title, published, updated, authors, summary in rows:
        entry = None
        if title is not None or summary:
            entry = FeedEntry(
                url=url,
                title=title,
                published_at=published,
                updated_at=updated,
                authors=tuple(authors or ()),
                summary=summary or "",
                entry_id=entry_id,
            )
        jobs.append(PageJob(source, url, route, entry))
    return jobs


def pages_waiting(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> dict[str, datetime]:
    """URLs whose page failed and waits for its retry time (any source): url -> next retry."""
    if not urls:
        return {}
    rows = con.execute(
        """SELECT uri, max(next_retry_at) FROM failures
           WHERE resolved_at IS NULL AND stage IN ('fetch', 'extract')
             AND next_retry_at > now() AND uri IN (SELECT unnest(?))
           GROUP BY uri""",
        [list(urls)],
    ).fetchall()
    return {url: when for url, when in rows}
