"""Re-processing stored data without fetching: re-enrich stored texts, re-extract raw pages."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from flows.pipeline import BatchPipeline, chunks, flow_settings, recorded_run
from tasks import store as wh
from flows.web import PageJob, article_from_page
from tasks.acquire.feeds import FeedEntry
from tasks.acquire.http import FetchResult
from tasks.records import Article, Failure


_ARTICLE_COLUMNS = (
    "article_id, source, uri, url, title, text, content_hash, extractor, authors, "
    "CASE WHEN published_inferred THEN NULL ELSE published_at END, published_inferred, "
    "language, site, external_id, captions, body_origin, route"
)


def _stored_article(row: tuple[Any, ...]) -> Article:
    (
        aid,
        source,
        uri,
        url,
        title,
        text,
        chash,
        extractor,
        authors,
        published,
        inferred,
        language,
        site,
        external_id,
        captions,
        origin,
        route,
    ) = row
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
    )


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
            ids = [
                r[0]
                for r in con.execute(
                    "SELECT article_id FROM articles WHERE ? OR model IS DISTINCT FROM ? "
                    "OR pipeline_version IS DISTINCT FROM ? OR rules_version IS DISTINCT FROM ? "
                    "ORDER BY article_id",
                    [all, prov.model, prov.pipeline_version, prov.rules_version],
                ).fetchall()
            ]
        get_run_logger().info(
            "%d stored articles to re-enrich (model %s, rules %s)",
            len(ids),
            prov.model,
            prov.rules_version,
        )
        for batch in chunks(ids, size):
            with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
                rows = con.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles "
                    "WHERE article_id IN (SELECT unnest(?)) ORDER BY article_id",
                    [list(batch)],
                ).fetchall()
            pipeline.process([_stored_article(r) for r in rows], [], total=len(ids), force=True)
        pipeline.finish()
        summary.counts["reenriched"] = summary.counts.get("enriched", 0)
    return summary.as_dict()


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
    import gzip

    settings = flow_settings(config, warehouse)
    size = batch_size or settings.ingest.batch_size
    with recorded_run("reextract", settings, {"batch_size": size}) as summary:
        pipeline = BatchPipeline(settings, summary)
        lock = settings.warehouse.lock_timeout_seconds
        with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
            ids = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT a.article_id FROM articles a JOIN raw_pages p USING (article_id) "
                    "ORDER BY 1"
                ).fetchall()
            ]
        for batch in chunks(ids, size):
            with wh.connect(settings.warehouse.path, lock_timeout=lock) as con:
                rows = con.execute(
                    """SELECT a.source, a.url, a.route, p.url, p.status, p.headers, p.encoding,
                              p.content_type, p.body_gzip, e.title, e.published_at,
                              e.updated_at, e.authors, e.summary, e.entry_id
                       FROM articles a
                       JOIN (SELECT *, row_number() OVER (PARTITION BY article_id
                                                          ORDER BY fetched_at DESC) AS k
                             FROM raw_pages) p ON p.article_id = a.article_id AND p.k = 1
                       LEFT JOIN feed_entries e ON e.url = a.url AND e.source = a.source
                       WHERE a.article_id IN (SELECT unnest(?))""",
                    [list(batch)],
                ).fetchall()
            articles: list[Article] = []
            failures: list[Failure] = []
            for (
                source,
                url,
                route,
                final_url,
                status,
                headers,
                encoding,
                ctype,
                body,
                title,
                published,
                updated,
                authors,
                summary_text,
                entry_id,
            ) in rows:
                entry = (
                    FeedEntry(
                        url=url,
                        title=title,
                        published_at=published,
                        updated_at=updated,
                        authors=tuple(authors or ()),
                        summary=summary_text or "",
                        entry_id=entry_id,
                    )
                    if title is not None
                    else None
                )
                job = PageJob(source, url, route or "url", entry)
                result = FetchResult(
                    url=url,
                    final_url=final_url,
                    status=status,
                    headers=_json_dict(headers),
                    body=gzip.decompress(body),
                    encoding=encoding,
                    etag=None,
                    last_modified=None,
                    not_modified=False,
                    attempts=0,
                    elapsed=0.0,
                    content_type=ctype,
                )
                article, failure = article_from_page(job, result)
                if article is not None:
                    articles.append(article)
                elif failure is not None:
                    failures.append(failure)
            pipeline.process(articles, failures, total=len(ids))
        pipeline.finish()
    return summary.as_dict()


def _json_dict(value: Any) -> dict[str, str]:
    import json

    if isinstance(value, dict):
        return value
    try:
        data = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
