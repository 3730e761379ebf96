"""Re-processing stored data without fetching: re-enrich stored texts, re-extract raw pages."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from flows.pipeline import BatchPipeline, chunks, flow_settings, recorded_run
from flows.web import PageJob, article_from_page
from tasks import store as wh
from tasks.acquire.feeds import FeedEntry
from tasks.acquire.http import FetchResult
from tasks.records import Article, Failure
from tasks.store import queries


@flow(name="reenrich", log_prints=True)
def reenrich_flow(
    warehouse: str | None = None,
    config: str | None = None,
    all: bool = False,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Re-enrich stored articles whose model, pipeline or rules version differs (or all).

    Works from the stored clean text: nothing is fetched or read again. An inferred publication
    date is inferred again; a date read from the source is kept.
    """
    settings = flow_settings(config, warehouse)
    size = batch_size or settings.ingest.batch_size
    with recorded_run("reenrich", settings, {"all": all, "batch_size": size}) as summary:
        pipeline = BatchPipeline(settings, summary)
        prov = pipeline.prov
        lock = settings.warehouse.lock_timeout_seconds
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            ids = queries.articles_to_reenrich(con, prov, everything=all)
        get_run_logger().info(
            "%d stored articles to re-enrich (model %s, rules %s)",
            len(ids),
            prov.model,
            prov.rules_version,
        )
        for batch in chunks(ids, size):
            with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
                articles = queries.stored_articles(con, batch)
            pipeline.process(articles, [], total=len(ids), force=True)
        pipeline.finish()
        summary.counts["reenriched"] = summary.counts.get("enriched", 0)
    return summary.result()


@flow(name="reextract", log_prints=True)
def reextract_flow(
    warehouse: str | None = None,
    config: str | None = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Extract and clean stored raw pages again (after an extractor or cleaning change).

    Nothing is fetched: the newest raw page of each web article is read from `raw_pages`.
    Articles whose text comes out the same are left alone; changed ones are re-enriched and
    replaced, as in any run.
    """
    settings = flow_settings(config, warehouse)
    size = batch_size or settings.ingest.batch_size
    with recorded_run("reextract", settings, {"batch_size": size}) as summary:
        pipeline = BatchPipeline(settings, summary)
        lock = settings.warehouse.lock_timeout_seconds
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            ids = queries.articles_with_raw_pages(con)
        for batch in chunks(ids, size):
            with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
                pages = queries.stored_pages(con, batch)
            articles: list[Article] = []
            failures: list[Failure] = []
            for page in pages:
                article, failure = article_from_page(*_page_job(page))
                if article is not None:
                    articles.append(article)
                elif failure is not None:
                    failures.append(failure)
            pipeline.process(articles, failures, total=len(ids))
        pipeline.finish()
    return summary.result()


def _page_job(page: queries.StoredPage) -> tuple[PageJob, FetchResult]:
    """The fetch job and response a stored page stands for, as if it had just been fetched."""
    entry = (
        FeedEntry(
            url=page.url,
            title=page.entry_title,
            published_at=page.entry_published_at,
            updated_at=page.entry_updated_at,
            authors=page.entry_authors,
            summary=page.entry_summary,
            entry_id=page.entry_id,
        )
        if page.entry_title is not None
        else None
    )
    result = FetchResult(
        url=page.url,
        final_url=page.final_url,
        status=page.status,
        headers=page.headers,
        body=page.body,
        encoding=page.encoding,
        etag=None,
        last_modified=None,
        not_modified=False,
        attempts=0,
        elapsed=0.0,
        content_type=page.content_type,
    )
    return PageJob(page.source, page.url, page.route, entry), result
