"""The files flow: local article files and folders, read and extracted in batches."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from flows.pipeline import TASK_OPTS, BatchPipeline, chunks, flow_settings, recorded_run
from tasks import store as wh
from tasks.acquire.files import FileRef, check_source_name, discover, read_files
from tasks.records import Article, Failure
from tasks.settings import ConfigError
from tasks.store import queries
from tasks.text.extract import dedupe_ids, prepare_articles


@task(name="extract-files-batch", **TASK_OPTS)
def extract_files_batch(
    refs: Sequence[FileRef], max_bytes: int
) -> tuple[list[Article], list[Failure]]:
    """Read, extract and clean a batch of files."""
    docs, failures = read_files(refs, max_bytes)
    articles, more = prepare_articles(docs)
    return dedupe_ids(articles), failures + more


def record_folder_sources(
    warehouse: Path, lock_timeout: float, roots: Sequence[tuple[str, str]], run_id: str
) -> int:
    """Record the folders read as `sources` rows; returns how many file articles predate them.

    A source name that already names a feed is refused (ConfigError): one name, one source.
    """
    with wh.connect(warehouse, lock_timeout=lock_timeout) as con:
        kinds = queries.source_kinds(con, [name for name, _ in roots])
        taken = {name: kind for name, kind in kinds.items() if kind != "folder"}
        if taken:
            name, kind = next(iter(taken.items()))
            raise ConfigError(
                f"source name {name!r} already names a {kind} in this warehouse; "
                "give the folder another --source name"
            )
        for name, folder in roots:
            wh.upsert_source(con, name, "folder", folder, run_id, status="ok")
        return queries.legacy_file_articles(con)


@flow(name="ingest-files", log_prints=True)
def ingest_files_flow(
    paths: list[str] | None = None,
    warehouse: str | None = None,
    config: str | None = None,
    batch_size: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Ingest local article files and folders (.txt, .html, .json, .jsonl) into the warehouse.

    Without `source`, a file is known by its resolved path; with it, by (source, path within
    the folder given), so a folder that moves keeps its articles' ids.
    """
    settings = flow_settings(config, warehouse)
    targets = [str(p) for p in (paths or settings.ingest.default_paths)]
    size = batch_size or settings.ingest.batch_size
    if source is not None:
        try:
            check_source_name(source)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    parameters: dict[str, Any] = {"paths": targets, "batch_size": size}
    if source is not None:
        parameters["source"] = source
    with recorded_run("ingest-files", settings, parameters) as summary:
        found = discover(
            targets,
            settings.ingest.exclude,
            source=source,
            follow_symlinks=settings.ingest.follow_symlinks,
        )
        refs = found.refs
        logger = get_run_logger()
        logger.info(
            "ingesting %d files from %s into %s",
            len(refs),
            ", ".join(targets),
            settings.warehouse.path,
        )
        legacy = record_folder_sources(
            settings.warehouse.path,
            settings.warehouse.lock_timeout_seconds,
            found.roots,
            summary.run_id,
        )
        if legacy:
            logger.warning(
                "%d file articles in this warehouse were stored under the old file identity "
                "(folder name + relative path); read again, a file whose text is unchanged "
                "becomes a new route to its stored article, a changed one a new article. "
                "See README, 'What goes in'.",
                legacy,
            )
        pipeline = BatchPipeline(settings, summary)
        pipeline.record_failures(found.failures)
        for batch in chunks(refs, size):
            articles, failures = extract_files_batch(batch, settings.ingest.max_file_bytes)
            pipeline.process(articles, failures, total=len(refs), items=len(batch))
        pipeline.finish()
    return summary.result()
