"""The files flow: local article files and folders, read and extracted in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prefect import flow, get_run_logger, task

from flows.pipeline import TASK_OPTS, BatchPipeline, chunks, flow_settings, recorded_run
from tasks.acquire.files import FileRef, discover_files, read_files
from tasks.records import Article, Failure
from tasks.text.extract import dedupe_ids, prepare_articles


@task(name="extract-files-batch", **TASK_OPTS)
def extract_files_batch(
    refs: Sequence[FileRef], max_bytes: int
) -> tuple[list[Article], list[Failure]]:
    """Read, extract and clean a batch of files."""
    docs, failures = read_files(refs, max_bytes)
    articles, more = prepare_articles(docs)
    return dedupe_ids(articles), failures + more


@flow(name="ingest-files", log_prints=True)
def ingest_files_flow(
    paths: list[str] | None = None,
    warehouse: str | None = None,
    config: str | None = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Ingest local article files and folders (.txt, .html, .json, .jsonl) into the warehouse."""
    settings = flow_settings(config, warehouse)
    targets = [str(p) for p in (paths or settings.ingest.default_paths)]
    size = batch_size or settings.ingest.batch_size
    with recorded_run("ingest-files", settings, {"paths": targets, "batch_size": size}) as summary:
        refs, missing = discover_files(targets, settings.ingest.exclude)
        logger = get_run_logger()
        logger.info(
            "ingesting %d files from %s into %s",
            len(refs),
            ", ".join(targets),
            settings.warehouse.path,
        )
        pipeline = BatchPipeline(settings, summary)
        pipeline.record_failures(missing)
        for batch in chunks(refs, size):
            articles, failures = extract_files_batch(batch, settings.ingest.max_file_bytes)
            pipeline.process(articles, failures, total=len(refs), items=len(batch))
        pipeline.finish()
    return summary.as_dict()
