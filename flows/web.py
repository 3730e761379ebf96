"""Prefect flows for the web: configured RSS/Atom feeds and ad-hoc article URLs.

Feeds are fetched conditionally (stored ETag / Last-Modified: an unchanged feed costs one request
and no parsing), parsed with feedparser (a broken feed keeps what parsed and records the
problem), and their new entries' pages fetched politely and extracted with trafilatura; when a
page gives no usable body, the feed's own content or summary is used and marked so. Pages that
fail are recorded in `failures` with a retry time and tried again by later runs; the entry is
kept in `feed_entries` either way. Then the same plan / enrich / load path as files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import flows  # noqa: F401  (Prefect environment defaults)
from prefect import flow, get_run_logger, task

from flows.pipeline import TASK_OPTS, BatchPipeline, chunks, flow_settings, recorded_run
from tasks import store as wh
from tasks.text.extract import clean_article, extract_document, url_article_id
from tasks.acquire.feeds import FeedEntry, FeedParse, feed_body, parse_feed, select_entries_to_fetch
from tasks.acquire.http import Fetcher, FetchResult
from tasks.records import Article, Failure, RawDocument, RawPage
from tasks.settings import ConfigError, Settings


@dataclass(frozen=True, slots=True)
class FeedSource:
    """A configured feed."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    schedule: str | None = None  # cron expression
    interval_seconds: int | None = None


def load_sources(settings: Settings) -> list[FeedSource]:
    """Feeds from the sources file (`sources.file`); an absent file means no feeds."""
    path = settings.sources.file
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path} is not valid TOML: {exc}") from exc
    feeds: list[FeedSource] = []
    for i, item in enumerate(data.get("feeds", [])):
        if not isinstance(item, dict) or not item.get("name") or not item.get("url"):
            raise ConfigError(f"feed #{i + 1} in {path} needs a name and a url")
        feeds.append(
            FeedSource(
                name=str(item["name"]),
                url=str(item["url"]),
                tags=tuple(item.get("tags", ())),
                schedule=item.get("schedule"),
                interval_seconds=item.get("interval_seconds"),
            )
        )
    names = [f.name for f in feeds]
    if len(names) != len(set(names)):
        raise ConfigError(f"feed names in {path} must be unique; found {sorted(names)}")
    return feeds


# ----------------------------------------------------------------------------------------------
# Pure steps
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageJob:
    """One article page to fetch: the route it came by and what the feed said about it."""

    source: str
    url: str  # canonical URL
    route: str  # "feed" or "url"
    entry: FeedEntry | None = None


def article_from_page(job: PageJob, result: FetchResult) -> tuple[Article | None, Failure | None]:
    """Extract and clean a fetched page; fall back to the feed's own text when it has no body."""
    doc = RawDocument(
        source=job.source,
        uri=job.url,
        content=result.body,
        media_type="text/html",
        fetched_at=datetime.now(UTC),
        headers=result.headers,
        encoding=result.encoding,
        route=job.route,
        hints={"url": result.final_url},
    )
    articles, failures = extract_document(doc)
    if articles:
        article = articles[0]
        if job.entry is not None:  # the feed knows title, date and author when the page does not
            article = replace(
                article,
                title=article.title or job.entry.title or "",
                published_at=article.published_at or job.entry.published_at,
                authors=article.authors or job.entry.authors,
            )
        return clean_article(article), None
    fallback = feed_body(job.entry, min_chars=1) if job.entry is not None else None
    if fallback is None:
        return None, failures[0] if failures else Failure(
            "extract", job.source, job.url, "EmptyOrInvalid", "no article body on the page"
        )
    return article_from_entry(job, fallback[0], fallback[1]), None


def article_from_entry(job: PageJob, text: str, origin: str) -> Article:
    """An article made from the feed's own content or summary, marked as such."""
    entry = job.entry
    assert entry is not None
    article_id, canonical = url_article_id(job.url)
    return clean_article(
        Article(
            id=article_id,
            source=job.source,
            uri=job.url,
            url=canonical,
            title=entry.title or "",
            text=text,
            content_hash="",
            extractor=f"feed/{origin}",
            authors=entry.authors,
            published_at=entry.published_at,
            body_origin=origin,
            route=job.route,
        )
    )


# ----------------------------------------------------------------------------------------------
# Tasks
# ----------------------------------------------------------------------------------------------


@dataclass
class FeedCheck:
    """What checking one feed gave."""

    source: FeedSource
    status: str  # "ok", "not_modified", "bozo", "failed"
    entries: list[FeedEntry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    failure: Failure | None = None


@task(name="fetch-feeds", **TASK_OPTS)
def fetch_feeds_task(
    sources: Sequence[FeedSource],
    state: dict[str, tuple[str | None, str | None]],
    settings: Settings,
) -> list[FeedCheck]:
    """Conditional GET of every feed, then parse what changed."""
    logger = get_run_logger()
    checks: list[FeedCheck] = []
    with Fetcher(settings.fetch) as fetcher:
        results = fetcher.fetch_many(
            [s.url for s in sources],
            conditional={s.url: state.get(s.name, (None, None)) for s in sources},
            source="feeds",
        )
    for source, result in zip(sources, results):
        if isinstance(result, Failure):
            failed = replace(result, stage="feed", source=source.name, uri=source.url)
            logger.warning("feed %s failed: %s", source.name, failed.message)
            checks.append(FeedCheck(source, "failed", failure=failed))
            continue
        if result.not_modified:
            logger.info("feed %s not modified (304)", source.name)
            checks.append(
                FeedCheck(
                    source, "not_modified", etag=result.etag, last_modified=result.last_modified
                )
            )
            continue
        parsed: FeedParse = parse_feed(result.body, result.final_url, result.headers)
        failure: Failure | None = None
        status = "ok"
        if parsed.bozo:
            status = "bozo" if parsed.entries else "failed"
            failure = Failure(
                "feed",
                source.name,
                source.url,
                parsed.problem_type or "BozoFeed",
                f"feed is malformed ({parsed.problem}); "
                f"kept {len(parsed.entries)} entries that parsed",
            )
            logger.warning("feed %s: %s", source.name, failure.message)
        checks.append(
            FeedCheck(source, status, parsed.entries, result.etag, result.last_modified, failure)
        )
        logger.info("feed %s: %d entries", source.name, len(parsed.entries))
    return checks


@task(name="fetch-pages-batch", **TASK_OPTS)
def fetch_pages_task(
    jobs: Sequence[PageJob], settings: Settings
) -> tuple[list[Article], list[Failure], list[RawPage], list[tuple[PageJob, str]]]:
    """Fetch and extract a batch of pages; returns articles, failures, raw pages, entry states."""
    articles: list[Article] = []
    failures: list[Failure] = []
    pages: list[RawPage] = []
    states: list[tuple[PageJob, str]] = []
    with Fetcher(settings.fetch) as fetcher:
        results = fetcher.fetch_many([j.url for j in jobs], source="pages")
    for job, result in zip(jobs, results):
        if isinstance(result, Failure):
            failures.append(replace(result, source=job.source, uri=job.url))
            states.append((job, "failed"))
            continue
        article_id = url_article_id(job.url)[0]
        pages.append(
            RawPage(
                result.final_url,
                article_id,
                datetime.now(UTC),
                result.status,
                result.content_type,
                result.encoding,
                result.headers,
                result.body,
            )
        )
        article, failure = article_from_page(job, result)
        if article is None:
            failures.append(
                failure
                or Failure("extract", job.source, job.url, "EmptyOrInvalid", "no article body")
            )
            states.append((job, "failed"))
        else:
            articles.append(article)
            states.append((job, "feed_body" if article.body_origin != "body" else "fetched"))
    return articles, failures, pages, states


# ----------------------------------------------------------------------------------------------
# Shared web pipeline
# ----------------------------------------------------------------------------------------------


def _entry_row(job: PageJob, status: str) -> dict[str, Any]:
    e = job.entry
    return {
        "source": job.source,
        "url": job.url,
        "article_id": url_article_id(job.url)[0],
        "entry_id": e.entry_id if e else None,
        "title": e.title if e else None,
        "published_at": e.published_at if e else None,
        "updated_at": e.updated_at if e else None,
        "authors": e.authors if e else (),
        "summary": e.summary if e else None,
        "status": status,
    }


def _retry_jobs(con: Any, sources: Sequence[str], route: str) -> list[PageJob]:
    """Pages that failed in earlier runs and are due for another try."""
    rows = con.execute(
        """SELECT f.source, f.uri, e.entry_id, e.title, e.published_at, e.updated_at, e.authors,
                  e.summary
           FROM failures f LEFT JOIN feed_entries e ON e.source = f.source AND e.url = f.uri
           WHERE f.resolved_at IS NULL AND f.stage IN ('fetch', 'extract')
             AND f.source IN (SELECT unnest(?))
             AND (f.next_retry_at IS NULL OR f.next_retry_at <= now())""",
        [list(sources)],
    ).fetchall()
    jobs = []
    for source, url, entry_id, title, published, updated, authors, summary in rows:
        entry = (
            FeedEntry(
                url=url,
                title=title,
                published_at=published,
                updated_at=updated,
                authors=tuple(authors or ()),
                summary=summary or "",
                entry_id=entry_id,
            )
            if title is not None or summary
            else None
        )
        jobs.append(PageJob(source, url, route, entry))
    return jobs


def _run_pages(
    settings: Settings, pipeline: BatchPipeline, jobs: Sequence[PageJob], run_id: str
) -> None:
    total = len(jobs)
    """Fetch pages in batches; each batch is extracted, enriched and loaded like files."""
    size = settings.ingest.batch_size
    for batch in chunks(list(jobs), size):
        articles, failures, pages, states = fetch_pages_task(batch, settings)
        with wh.connect(
            settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
        ) as con:
            wh.store_raw_pages(con, pages, run_id)
            wh.upsert_feed_entries(
                con, [_entry_row(j, s) for j, s in states if j.route == "feed"], run_id
            )
        pipeline.process(articles, failures, retry=True, total=total, items=len(batch))


def _known_urls(con: Any, urls: Sequence[str]) -> dict[str, datetime | None]:
    """Canonical URLs already stored, with the entry date they were fetched for."""
    rows = con.execute(
        """SELECT a.url, max(coalesce(e.updated_at, e.published_at))
           FROM articles a LEFT JOIN feed_entries e ON e.url = a.url
           WHERE a.url IN (SELECT unnest(?)) GROUP BY a.url""",
        [list(urls)],
    ).fetchall()
    return {u: d for u, d in rows}


# ----------------------------------------------------------------------------------------------
# Flows
# ----------------------------------------------------------------------------------------------


@flow(name="ingest-feeds", log_prints=True)
def ingest_feeds_flow(
    sources: list[str] | None = None, warehouse: str | None = None, config: str | None = None
) -> dict[str, Any]:
    """Ingest configured feeds (all, or those named): conditional GET, parse, fetch new pages."""
    settings = flow_settings(config, warehouse)
    configured = load_sources(settings)
    chosen = [s for s in configured if not sources or s.name in sources]
    unknown = sorted(set(sources or ()) - {s.name for s in configured})
    if unknown:
        raise ConfigError(
            f"no feed named {', '.join(unknown)} in {settings.sources.file}; "
            f"configured: {', '.join(s.name for s in configured) or 'none'}"
        )
    with recorded_run("ingest-feeds", settings, {"sources": [s.name for s in chosen]}) as summary:
        logger = get_run_logger()
        pipeline = BatchPipeline(settings, summary)
        lock = settings.warehouse.lock_timeout_seconds
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            state = {
                name: (etag, modified)
                for name, etag, modified in con.execute(
                    "SELECT source, etag, last_modified FROM sources WHERE kind = 'feed'"
                ).fetchall()
            }
        checks = fetch_feeds_task(chosen, state, settings)
        jobs: list[PageJob] = []
        entries_seen: list[PageJob] = []
        for check in checks:
            for entry in check.entries:
                if entry.url:
                    entries_seen.append(PageJob(check.source.name, entry.url, "feed", entry))
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            known = _known_urls(con, [j.url for j in entries_seen])
            retry = _retry_jobs(con, [s.name for s in chosen], "feed")
            for check in checks:
                new = select_entries_to_fetch(check.entries, known)
                jobs.extend(PageJob(check.source.name, e.url, "feed", e) for e in new if e.url)
            # Entries already stored (from this feed or another): record the route, fetch nothing.
            to_fetch = {x.url for x in jobs}
            stored = [j for j in entries_seen if j.url in known and j.url not in to_fetch]
            wh.record_routes(
                con,
                [(url_article_id(j.url)[0], j.source, j.url, "feed") for j in stored],
                summary.run_id,
            )
            wh.upsert_feed_entries(con, [_entry_row(j, "fetched") for j in stored], summary.run_id)
        # One story in two feeds is fetched once; the other feeds get their routes after.
        by_url: dict[str, PageJob] = {}
        twins: list[PageJob] = []
        for job in [*retry, *jobs]:
            if job.url in by_url:
                twins.append(job)
            else:
                by_url[job.url] = job
        logger.info(
            "%d feeds checked, %d pages to fetch (%d retries)", len(checks), len(by_url), len(retry)
        )
        _run_pages(settings, pipeline, list(by_url.values()), summary.run_id)
        pipeline.finish()
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            stored_ids = {
                r[0]
                for r in con.execute(
                    "SELECT url FROM articles WHERE url IN (SELECT unnest(?))",
                    [[t.url for t in twins]],
                ).fetchall()
            }
            wh.record_routes(
                con,
                [
                    (url_article_id(t.url)[0], t.source, t.url, "feed")
                    for t in twins
                    if t.url in stored_ids
                ],
                summary.run_id,
            )
            wh.upsert_feed_entries(
                con,
                [_entry_row(t, "fetched") for t in twins if t.url in stored_ids],
                summary.run_id,
            )
            feed_failures = [c.failure for c in checks if c.failure is not None]
            wh.record_failures(con, feed_failures, summary.run_id)
            for check in checks:
                ok = check.status in ("ok", "not_modified", "bozo")
                if ok and check.status != "bozo":
                    wh.resolve_failures(con, [(check.source.name, check.source.url)])
                wh.upsert_source(
                    con,
                    check.source.name,
                    "feed",
                    check.source.url,
                    summary.run_id,
                    tags=check.source.tags,
                    status=check.status,
                    error=check.failure.message if check.failure else None,
                    etag=check.etag if ok else None,
                    last_modified=check.last_modified if ok else None,
                )
        summary.failures.extend(
            {"stage": f.stage, "uri": f.uri, "error": f.error_type, "message": f.message}
            for f in feed_failures
        )
        summary.counts["feeds"] = len(checks)
        summary.counts["feeds_not_modified"] = sum(c.status == "not_modified" for c in checks)
        summary.counts["pages_fetched"] = len(by_url)
    return summary.as_dict()


@flow(name="ingest-urls", log_prints=True)
def ingest_urls_flow(
    urls: list[str],
    warehouse: str | None = None,
    config: str | None = None,
    source: str = "urls",
    refresh: bool = False,
) -> dict[str, Any]:
    """Ingest an ad-hoc list of article URLs (already stored ones only with refresh=True)."""
    settings = flow_settings(config, warehouse)
    with recorded_run(
        "ingest-urls", settings, {"urls": urls, "source": source, "refresh": refresh}
    ) as summary:
        pipeline = BatchPipeline(settings, summary)
        bad: list[Failure] = []
        jobs: dict[str, PageJob] = {}
        for raw in urls:
            try:
                canonical = url_article_id(raw)[1]
            except ValueError as exc:
                bad.append(
                    Failure(
                        "fetch", source, raw, "InvalidURL", f"{raw!r} is not a usable URL: {exc}"
                    )
                )
                continue
            jobs.setdefault(canonical, PageJob(source, canonical, "url"))
        lock = settings.warehouse.lock_timeout_seconds
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            known = set() if refresh else set(_known_urls(con, list(jobs)))
            retry = _retry_jobs(con, [source], "url")
            wh.upsert_source(con, source, "urls", None, summary.run_id, status="ok")
            wh.record_routes(
                con, [(url_article_id(u)[0], source, u, "url") for u in known], summary.run_id
            )
        todo = {j.url: j for j in [*retry, *(j for u, j in jobs.items() if u not in known)]}
        pipeline.record_failures(bad)
        _run_pages(settings, pipeline, list(todo.values()), summary.run_id)
        pipeline.finish()
        summary.counts["pages_fetched"] = len(todo)
    return summary.as_dict()
