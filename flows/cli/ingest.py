"""Commands that run the ingestion flows: `run`, `ingest files|feeds|urls`, `reenrich`,
`reextract`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.app import (
    EXIT_USAGE,
    ConfigOpt,
    WarehouseOpt,
    app,
    fail,
    ingest_app,
    settings_or_exit,
)
from flows.cli.checks import (
    check_feeds,
    check_file_source,
    check_paths,
    check_urls,
    check_warehouse,
)
from flows.cli.output import print_summary, progress_bar


def run_flow(fn: Callable[..., dict[str, Any]], **kwargs: object) -> None:
    """Run a flow, print its summary, exit with its status.

    The flow submits enrichment to the task runner the config asks for (flows.runners), so
    CLI, direct and scheduled runs use the same one.
    """
    from flows.lifeline import start_temporary_api
    from flows.pipeline import EveryItemFailed
    from tasks.nlp.pipeline import ModelError
    from tasks.settings import ConfigError
    from tasks.store import WarehouseError

    try:
        start_temporary_api()  # with a watchdog: it never outlives this process
        with progress_bar():
            summary = fn(**kwargs)
    except EveryItemFailed as exc:  # the run is Failed in Prefect; its summary says why
        summary = exc.summary
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    except (WarehouseError, ModelError) as exc:
        fail(str(exc))
    finally:
        flush_prefect_logs()
    raise typer.Exit(print_summary(summary))


def flush_prefect_logs() -> None:
    """Send the run's last log lines to Prefect's API now, while the temporary server still
    runs: left to the exit hooks, they could race its shutdown and print a ConnectError."""
    from prefect.logging.handlers import APILogWorker

    with contextlib.suppress(Exception):
        APILogWorker.drain_all(timeout=5)  # what Prefect's own handler flush does


@app.command()
def run(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """The main job: ingest every configured source (the seeds when none is configured)."""
    settings = settings_or_exit(config, warehouse)
    from tasks.settings import ConfigError, load_sources

    try:
        feeds = load_sources(settings)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    if feeds:
        from flows.web import ingest_feeds_flow

        run_flow(ingest_feeds_flow, warehouse=str(settings.warehouse.path), config=config)
        return  # not reached: run_flow exits
    check_paths(settings.ingest.default_paths, "ingest.default_paths:")
    from flows.files import ingest_files_flow

    run_flow(
        ingest_files_flow,
        paths=[str(p) for p in settings.ingest.default_paths],
        warehouse=str(settings.warehouse.path),
        config=config,
    )


@ingest_app.command("files")
def ingest_files(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (.txt, .html, .json, .jsonl).")
    ],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    batch_size: Annotated[int | None, typer.Option(help="Articles per batch.", min=1)] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            help="Name the source: ids then come from (NAME, path within the folder), so a "
            "moved folder keeps them. Default: the folder's resolved path.",
        ),
    ] = None,
) -> None:
    """Ingest local article files and folders."""
    settings = settings_or_exit(config, warehouse)
    check_paths(paths)
    if source is not None:
        check_file_source(settings, source)
    from flows.files import ingest_files_flow

    run_flow(
        ingest_files_flow,
        paths=[str(p) for p in paths],
        warehouse=str(settings.warehouse.path),
        config=config,
        batch_size=batch_size,
        source=source,
    )


@ingest_app.command("feeds")
def ingest_feeds(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", "-s", help="Only this configured feed (repeatable); default: all feeds."
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            help="Fetch everything again now: feeds unconditionally, stored pages, and failed "
            "pages before their retry time."
        ),
    ] = False,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Ingest the RSS/Atom feeds configured in config/sources.toml."""
    settings = settings_or_exit(config, warehouse)
    check_feeds(settings, source)
    from flows.web import ingest_feeds_flow

    kwargs: dict[str, Any] = {"refresh": True} if refresh else {}
    run_flow(
        ingest_feeds_flow,
        sources=source or None,
        warehouse=str(settings.warehouse.path),
        config=config,
        **kwargs,
    )


@ingest_app.command("urls")
def ingest_urls(
    urls: Annotated[list[str], typer.Argument(help="Article page URLs (http or https).")],
    source: Annotated[str, typer.Option(help="Source name to record them under.")] = "urls",
    refresh: Annotated[bool, typer.Option(help="Fetch URLs already stored again.")] = False,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Fetch article pages and ingest them."""
    settings = settings_or_exit(config, warehouse)
    check_urls(urls)
    from flows.web import ingest_urls_flow

    kwargs: dict[str, Any] = {"refresh": True} if refresh else {}
    run_flow(
        ingest_urls_flow,
        urls=list(urls),
        warehouse=str(settings.warehouse.path),
        config=config,
        source=source,
        **kwargs,
    )


@app.command()
def reenrich(
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    all_articles: Annotated[
        bool,
        typer.Option(
            "--all", help="Re-enrich every article, not only those from another model or rules."
        ),
    ] = False,
) -> None:
    """Re-enrich stored articles whose model, pipeline or rules version changed."""
    settings = settings_or_exit(config, warehouse)
    check_warehouse(settings)
    from flows.reprocess import reenrich_flow

    run_flow(reenrich_flow, warehouse=str(settings.warehouse.path), config=config, all=all_articles)


@app.command()
def reextract(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """Extract and clean stored raw pages again (after an extractor or cleaning change)."""
    settings = settings_or_exit(config, warehouse)
    check_warehouse(settings)
    from flows.reprocess import reextract_flow

    run_flow(reextract_flow, warehouse=str(settings.warehouse.path), config=config)
