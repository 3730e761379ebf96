"""Prefect flows for the web: configured RSS/Atom feeds and ad-hoc article URLs.

Feeds are fetched conditionally (stored ETag / Last-Modified: an unchanged feed costs one request
and no parsing), parsed with feedparser (a broken feed keeps what parsed and records the
problem), and their new entries' pages fetched politely and extracted with trafilatura; when a
page gives no usable body, the feed's own content or summary is used and marked so. Pages that
fail are recorded in `failures` with a retry time and tried again by later runs; the entry is
kept in `feed_entries` either way. Then the same plan / enrich / load path as files: a batch's
articles, raw pages and feed entries are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import duckdb

import flows  # noqa: F401  (Prefect environment defaults)
from prefect import flow, get_run_logger, task

from flows.pipeline import TASK_OPTS, BatchPipeline, RunSummary, chunks, flow_settings, recorded_run
from tasks import store as wh
from tasks.acquire.feeds import feed_body, parse_feed, select_entries_to_fetch
from tasks.acquire.http import Fetcher, FetchResult
from tasks.records import (
    Article,
    EntrySeen,
    Failure,
    FeedCheck,
    FeedEntry,
    FeedSource,
    PageJob,
    PageRows,
    RawDocument,
    RawPage,
)
from tasks.settings import ConfigError, Settings, load_sources
from tasks.text.extract import clean_article, extract_document, url_article_id

__all__ = [
    "FeedSource",
    "PageJob",
    "article_from_page",
    "ingest_feeds_flow",
    "ingest_urls_flow",
    "load_sources",
]


# ----------------------------------------------------------------------------------------------
# Pure steps
# ----------------------------------------------------------------------------------------------


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


def check_feed(
    source: FeedSource, result: FetchResult | Failure, max_entries: int = 5000
) -> FeedCheck:
    """What one feed's fetch means: failed, not modified, or its entries (and its problems).

    A feed listing more than `max_entries` keeps the first ones and is marked "truncated",
    with a failure that says how many were left and which setting takes them all.
    """
    if isinstance(result, Failure):
        failed = replace(result, stage="feed", source=source.name, uri=source.url)
        return FeedCheck(source, "failed", failures=(failed,))
    if result.not_modified:
        return FeedCheck(
            source, "not_modified", etag=result.etag, last_modified=result.last_modified
        )
    parsed = parse_feed(result.body, result.final_url, result.headers, max_entries)
    status = "ok"
    problems: list[Failure] = []
    if len(parsed.entries) < parsed.listed:
        status = "truncated"
        problems.append(
            Failure(
                "feed-entries",
                source.name,
                source.url,
                "FeedTruncated",
                f"the feed lists {parsed.listed:,} entries; only the first {len(parsed.entries):,} "
                f"were taken (sources.max_feed_entries = {max_entries}); raise "
                "sources.max_feed_entries, or set it to 0, to take them all",
            )
        )
    if parsed.bozo:
        status = "failed" if not parsed.entries else "bozo" if status == "ok" else status
        problems.append(
            Failure(
                "feed",
                source.name,
                source.url,
                parsed.problem_type or "BozoFeed",
                f"feed is malformed ({parsed.problem}); "
                f"kept {len(parsed.entries)} entries that parsed",
            )
        )
    return FeedCheck(
        source,
        status,
        tuple(parsed.entries),
        result.etag,
        result.last_modified,
        tuple(problems),
    )


@dataclass
class FeedPlan:
    """The pages a feed run fetches, and the entries it only records (their page is stored, or
    waits for its retry time)."""

    jobs: list[PageJob] = field(default_factory=list)  # one per URL, other feeds as twins
    settled: list[EntrySeen] = field(default_factory=list)
    retries: int = 0
    waiting: int = 0  # listed pages whose earlier failure waits for its retry time


def plan_feed_pages(
    checks: Sequence[FeedCheck],
    stored: dict[str, datetime | None],
    retry: Sequence[PageJob],
    waiting: Collection[str] = (),
) -> FeedPlan:
    """Pages to fetch: failed pages due again, then new (or updated) entries, each URL once.

    `stored` maps the canonical URLs already stored to their entry date; `waiting` holds URLs
    whose page failed and whose retry time has not come: a feed listing them again does not
    fetch them before it. A URL listed by several feeds is fetched once; the other feeds become
    the job's twins and get their routes with it.
    """
    plan = FeedPlan(retries=len(retry))
    new = [
        PageJob(check.source.name, e.url, "feed", e)
        for check in checks
        for e in select_entries_to_fetch(check.entries, stored)
        if e.url and e.url not in waiting
    ]
    by_url: dict[str, PageJob] = {}
    for job in [*retry, *new]:
        first = by_url.get(job.url)
        if first is None:
            by_url[job.url] = job
        elif job.source != first.source and all(t.source != job.source for t in first.twins):
            by_url[job.url] = replace(first, twins=(*first.twins, job))
    plan.jobs = list(by_url.values())
    seen: set[tuple[str, str]] = set()
    for check in checks:
        for entry in check.entries:
            url = entry.url
            if not url or url in by_url or (check.source.name, url) in seen:
                continue
            if url in stored or url in waiting:
                seen.add((check.source.name, url))
                status = "fetched" if url in stored else "failed"
                plan.settled.append(_seen(check.source.name, url, status, entry))
    plan.waiting = sum(e.status == "failed" for e in plan.settled)
    return plan


def _seen(source: str, url: str, status: str, entry: FeedEntry | None) -> EntrySeen:
    return EntrySeen(source, url, url_article_id(url)[0], status, entry)


def page_outcomes(
    jobs: Sequence[PageJob], results: Sequence[FetchResult | Failure]
) -> tuple[list[Article], list[Failure], PageRows]:
    """Articles, failures and the rows beside them (raw pages, entries, twins) of fetched pages."""
    articles: list[Article] = []
    failures: list[Failure] = []
    pages: list[RawPage] = []
    entries: list[EntrySeen] = []
    twins: list[tuple[str, str, str]] = []
    for job, result in zip(jobs, results):
        status = "failed"
        if isinstance(result, Failure):
            failures.append(replace(result, source=job.source, uri=job.url))
        else:
            pages.append(
                RawPage(
                    result.final_url,
                    url_article_id(job.url)[0],
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
            else:
                articles.append(article)
                status = "feed_body" if article.body_origin != "body" else "fetched"
        for one in (job, *job.twins):
            if one.route == "feed":
                entries.append(_seen(one.source, one.url, status, one.entry))
            if one is not job and status != "failed":
                twins.append((job.source, job.url, one.source))
    return articles, failures, PageRows(tuple(pages), tuple(entries), tuple(twins))


def url_jobs(urls: Iterable[str], source: str) -> tuple[dict[str, PageJob], list[Failure]]:
    """Ad-hoc URLs as page jobs by canonical URL (each once), and the URLs that are not usable."""
    jobs: dict[str, PageJob] = {}
    bad: list[Failure] = []
    for raw in urls:
        try:
            canonical = url_article_id(raw)[1]
        except ValueError as exc:
            bad.append(
                Failure("fetch", source, raw, "InvalidURL", f"{raw!r} is not a usable URL: {exc}")
            )
            continue
        jobs.setdefault(canonical, PageJob(source, canonical, "url"))
    return jobs, bad


# ----------------------------------------------------------------------------------------------
# Tasks
# ----------------------------------------------------------------------------------------------


@task(name="fetch-feeds", **TASK_OPTS)
def fetch_feeds_task(
    sources: Sequence[FeedSource],
    validators: dict[str, tuple[str | None, str | None]],
    settings: Settings,
) -> list[FeedCheck]:
    """Conditional GET of every feed, then parse what changed."""
    logger = get_run_logger()
    with Fetcher(settings.fetch) as fetcher:
        results = fetcher.fetch_many(
            [s.url for s in sources],
            conditional={s.url: validators.get(s.name, (None, None)) for s in sources},
            source="feeds",
        )
    cap = settings.sources.max_feed_entries
    checks = [check_feed(source, result, cap) for source, result in zip(sources, results)]
    for check in checks:
        for problem in check.failures:
            logger.warning("feed %s: %s", check.source.name, problem.message)
        logger.info("feed %s: %s, %d entries", check.source.name, check.status, len(check.entries))
    return checks


@task(name="fetch-pages-batch", **TASK_OPTS)
def fetch_pages_task(
    jobs: Sequence[PageJob], settings: Settings
) -> tuple[list[Article], list[Failure], PageRows]:
    """Fetch and extract a batch of pages: articles, failures, and the rows that go with them."""
    with Fetcher(settings.fetch) as fetcher:
        results = fetcher.fetch_many([j.url for j in jobs], source="pages")
    return page_outcomes(jobs, results)


# ----------------------------------------------------------------------------------------------
# Steps of the flows (each opens the warehouse once, through named queries and writes)
# ----------------------------------------------------------------------------------------------


def _connect(settings: Settings) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    return wh.connect(settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds)


def _choose_feeds(settings: Settings, names: Sequence[str] | None) -> list[FeedSource]:
    configured = load_sources(settings)
    unknown = sorted(set(names or ()) - {s.name for s in configured})
    if unknown:
        raise ConfigError(
            f"no feed named {', '.join(unknown)} in {settings.sources.file}; "
            f"configured: {', '.join(s.name for s in configured) or 'none'}"
        )
    return [s for s in configured if not names or s.name in names]


def _plan_feed_pages(settings: Settings, checks: Sequence[FeedCheck], refresh: bool) -> FeedPlan:
    """Which listed pages to fetch; with `refresh`, all of them, and failed ones whatever their
    retry time."""
    urls = [e.url for c in checks for e in c.entries if e.url]
    names = [c.source.name for c in checks]
    with _connect(settings) as con:
        stored = {} if refresh else wh.stored_url_dates(con, urls)
        waiting = {} if refresh else wh.pages_waiting(con, urls)
        retry = wh.failed_pages_due(con, names, "feed", due_only=not refresh)
    return plan_feed_pages(checks, stored, retry, waiting)


def _run_pages(settings: Settings, pipeline: BatchPipeline, jobs: Sequence[PageJob]) -> None:
    """Fetch pages in batches; each batch is extracted, enriched and loaded in one transaction."""
    total = len(jobs)
    for batch in chunks(list(jobs), settings.ingest.batch_size):
        articles, failures, rows = fetch_pages_task(batch, settings)
        pipeline.process(
            articles, failures, retry=True, total=total, items=len(batch), page_rows=rows
        )


def _record_feed_checks(
    settings: Settings, checks: Sequence[FeedCheck], plan: FeedPlan, summary: RunSummary
) -> None:
    with _connect(settings) as con:
        wh.record_feed_checks(con, checks, plan.settled, summary.run_id)
    problems = [f for c in checks for f in c.failures]
    summary.failures.extend(
        {"stage": f.stage, "uri": f.uri, "error": f.error_type, "message": f.message}
        for f in problems
    )
    summary.counts["failed"] = summary.counts.get("failed", 0) + len(problems)
    summary.counts["feeds"] = len(checks)
    summary.counts["feeds_not_modified"] = sum(c.status == "not_modified" for c in checks)
    summary.counts["pages_fetched"] = len(plan.jobs)
    summary.counts["pages_waiting"] = plan.waiting
    summary.counts["already_stored"] = sum(e.status == "fetched" for e in plan.settled)


# ----------------------------------------------------------------------------------------------
# Flows
# ----------------------------------------------------------------------------------------------


@flow(name="ingest-feeds", log_prints=True)
def ingest_feeds_flow(
    sources: list[str] | None = None,
    warehouse: str | None = None,
    config: str | None = None,
    refresh: bool = False,
) -> dict[str, Any]:
    """Ingest configured feeds (all, or those named): conditional GET, parse, fetch new pages.

    With `refresh`, everything is fetched again now: the feeds unconditionally, their pages even
    when stored, and failed pages whatever their retry time.
    """
    settings = flow_settings(config, warehouse)
    chosen = _choose_feeds(settings, sources)
    parameters = {"sources": [s.name for s in chosen], "refresh": refresh}
    with recorded_run("ingest-feeds", settings, parameters) as summary:
        pipeline = BatchPipeline(settings, summary)
        with _connect(settings) as con:
            validators = {} if refresh else wh.feed_validators(con)
        checks = fetch_feeds_task(chosen, validators, settings)
        plan = _plan_feed_pages(settings, checks, refresh)
        get_run_logger().info(
            "%d feeds checked, %d pages to fetch (%d retries, %d waiting for their retry time)",
            len(checks),
            len(plan.jobs),
            plan.retries,
            plan.waiting,
        )
        _run_pages(settings, pipeline, plan.jobs)
        pipeline.finish()
        _record_feed_checks(settings, checks, plan, summary)
    return summary.result()


@flow(name="ingest-urls", log_prints=True)
def ingest_urls_flow(
    urls: list[str],
    warehouse: str | None = None,
    config: str | None = None,
    source: str = "urls",
    refresh: bool = False,
) -> dict[str, Any]:
    """Ingest an ad-hoc list of article URLs.

    Stored URLs, and URLs whose earlier failure waits for its retry time, are fetched only with
    refresh=True.
    """
    settings = flow_settings(config, warehouse)
    with recorded_run(
        "ingest-urls", settings, {"urls": urls, "source": source, "refresh": refresh}
    ) as summary:
        pipeline = BatchPipeline(settings, summary)
        jobs, bad = url_jobs(urls, source)
        with _connect(settings) as con:
            stored = set() if refresh else set(wh.stored_url_dates(con, list(jobs)))
            waiting = set() if refresh else set(wh.pages_waiting(con, list(jobs)))
            retry = wh.failed_pages_due(con, [source], "url", due_only=not refresh)
            wh.record_stored_urls(
                con, source, [(url_article_id(u)[0], u) for u in sorted(stored)], summary.run_id
            )
        skip = stored | waiting
        todo = {j.url: j for j in [*retry, *(j for u, j in jobs.items() if u not in skip)]}
        pipeline.record_failures(bad)
        _run_pages(settings, pipeline, list(todo.values()))
        pipeline.finish()
        summary.counts["pages_fetched"] = len(todo)
        summary.counts["pages_waiting"] = len(waiting - {j.url for j in retry})
        summary.counts["already_stored"] = len(stored)
    return summary.result()
