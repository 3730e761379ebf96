"""The batch pipeline every flow shares: plan, enrich and load, inside a recorded run.

Prefect tasks here are thin wrappers over the pure functions in `tasks/` and work on batches,
never one task per article. While spaCy works on batch N+1, batch N is written to DuckDB in a
worker thread. `recorded_run` keeps a `runs` row and a Prefect artifact around each flow's work;
`task_runner_for` picks the configured task runner.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (sets Prefect's environment defaults before prefect is imported)
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from tasks import PIPELINE_VERSION
from tasks import store as wh
from tasks.nlp.pipeline import enrich_articles, load_nlp, model_version
from tasks.records import Article, Enrichment, Failure, PageRows
from tasks.settings import ConfigError, Settings, load_settings

# Progress listeners (the CLI's progress bar): called after each batch with
# (items done, items in all or None, a short status line).
ProgressHook = Callable[[int, int | None, str], None]
_PROGRESS_HOOKS: list[ProgressHook] = []


@contextmanager
def progress_listener(hook: ProgressHook) -> Iterator[None]:
    """Call `hook` after every batch of the runs made inside the block."""
    _PROGRESS_HOOKS.append(hook)
    try:
        yield
    finally:
        _PROGRESS_HOOKS.remove(hook)


# Batch payloads live in memory only: Prefect must neither hash them for caching nor persist them.
TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


@dataclass
class RunSummary:
    """What a run did, for the CLI summary, the runs table and the Prefect artifact."""

    run_id: str
    flow: str
    warehouse: str
    status: str = "running"
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    message: str | None = None

    @property
    def failed_items(self) -> int:
        """Number of items that failed in this run."""
        return len(self.failures)

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-serialisable)."""
        return asdict(self)


# ----------------------------------------------------------------------------------------------
# Tasks: thin wrappers
# ----------------------------------------------------------------------------------------------


@task(name="plan-batch", **TASK_OPTS)
def plan_batch_task(
    warehouse: Path, lock_timeout: float, articles: Sequence[Article], pending: dict[str, str]
) -> wh.BatchPlan:
    """Split a batch into what must be enriched and what is already stored."""
    with wh.connect(warehouse, lock_timeout=lock_timeout) as con:
        return wh.plan_batch(con, articles, pending)


@task(name="enrich-batch", **TASK_OPTS)
def enrich_batch_task(
    articles: Sequence[Article], settings: Settings
) -> tuple[list[Enrichment], list[Failure]]:
    """Run spaCy over a batch with nlp.pipe and derive entities (and events when enabled)."""
    if not articles:
        return [], []
    n = settings.nlp
    nlp = load_nlp(n.model, n.components)
    return enrich_articles(
        articles,
        nlp,
        lexicon=_lexicon(settings),
        batch_size=n.pipe_batch_size,
        n_process=n.n_process,
        max_chars=n.max_chars,
    )


@task(name="load-batch", **TASK_OPTS)
def load_batch_task(
    warehouse: Path,
    lock_timeout: float,
    enriched: Sequence[Enrichment],
    routes: Sequence[tuple[str, Article]],
    failures: Sequence[Failure],
    prov: wh.Provenance,
    retry: tuple[float, float] | None = None,
    page_rows: PageRows | None = None,
) -> wh.LoadCounts:
    """Write one batch in one transaction (with its raw pages and feed entries, if any)."""
    with wh.connect(warehouse, lock_timeout=lock_timeout) as con:
        return wh.load_batch(
            con, enriched, routes, failures, prov, retry=retry, page_rows=page_rows
        )


def _rules_version(settings: Settings) -> str:
    """Versions of the rules that shaped the rows: cleaning, entities, event lexicon, 5W1H."""
    from tasks.nlp import entities
    from tasks.text import clean

    parts = [clean.RULES_VERSION, entities.RULES_VERSION]
    lexicon = _lexicon(settings)
    if lexicon is not None:
        from tasks.nlp import fivew

        parts += [f"lexicon/{getattr(lexicon, 'version', '?')}", fivew.RULES_VERSION]
    return "+".join(parts)


def _lexicon(settings: Settings) -> Any | None:
    if not (settings.enrich.events or settings.enrich.quotes):
        return None
    try:
        from tasks.nlp.events.lexicon import load_lexicon
    except ImportError:  # event enrichment not installed in this build
        return None
    return load_lexicon(settings.enrich.lexicon)


# ----------------------------------------------------------------------------------------------
# The shared batch pipeline
# ----------------------------------------------------------------------------------------------


def _run_id() -> str:
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return str(run_id) if run_id else str(uuid.uuid4())


class BatchPipeline:
    """Plan, enrich and load batches of articles for one run, overlapping NLP with loading."""

    def __init__(self, settings: Settings, summary: RunSummary) -> None:
        self.settings = settings
        self.summary = summary
        self.logger = get_run_logger()
        self.warehouse = settings.warehouse.path
        self.lock_timeout = settings.warehouse.lock_timeout_seconds
        nlp = load_nlp(settings.nlp.model, settings.nlp.components)
        rules = _rules_version(settings)
        self.prov = wh.Provenance(summary.run_id, model_version(nlp), PIPELINE_VERSION, rules)
        self.loaded = wh.LoadCounts()
        self.pending: dict[str, str] = {}
        self.in_flight: PrefectFuture[wh.LoadCounts] | None = None
        self.stage: dict[str, int] = {
            "batches": 0,
            "extracted": 0,
            "enriched": 0,
            "unchanged": 0,
            "duplicates": 0,
            "words": 0,
        }
        self.failures: list[Failure] = []
        self.items_done = 0
        self.started = time.perf_counter()

    def _drain(self) -> None:
        if self.in_flight is not None:
            self.loaded.add(self.in_flight.result())
            self.in_flight = None

    def process(
        self,
        articles: Sequence[Article],
        failures: Sequence[Failure],
        total: int | None = None,
        retry: bool = False,
        force: bool = False,
        items: int | None = None,
        page_rows: PageRows | None = None,
    ) -> None:
        """Plan, enrich and (asynchronously) load one batch.

        With `retry`, failures get a next retry time that backs off with their attempts (for
        fetched pages, which later runs try again). `items` is how many inputs (files,
        pages) the batch stood for, for progress against `total`. `page_rows` (raw pages,
        feed entries) are written in the batch's own load transaction.
        """
        self.stage["batches"] += 1
        self.stage["extracted"] += len(articles)
        if force:  # re-enrichment: stored articles, enriched again whatever their hash
            plan = wh.BatchPlan(list(articles), {a.id for a in articles}, [])
        else:
            plan = plan_batch_task(self.warehouse, self.lock_timeout, articles, self.pending)
        enriched, enrich_failures = enrich_batch_task(plan.to_enrich, self.settings)
        all_failures = [*failures, *enrich_failures]
        self.stage["enriched"] += len(enriched)
        self.stage["unchanged"] += plan.unchanged
        self.stage["duplicates"] += plan.duplicates
        self.stage["words"] += sum(len(e.article.text.split()) for e in enriched)
        self.failures.extend(all_failures)
        for f in all_failures:
            self.logger.warning("%s failed at %s: %s: %s", f.uri, f.stage, f.error_type, f.message)
        self._drain()  # one writer at a time, batches land in order
        self.in_flight = load_batch_task.submit(
            self.warehouse,
            self.lock_timeout,
            enriched,
            plan.routes,
            all_failures,
            self.prov,
            (self.settings.sources.retry_base_seconds, self.settings.sources.retry_max_seconds)
            if retry
            else None,
            page_rows,
        )
        elapsed = time.perf_counter() - self.started
        self.items_done += items if items is not None else len(articles) + len(failures)
        of = f" of {total}" if total else ""
        rate = self.stage["words"] / elapsed if elapsed else 0.0
        self.logger.info(
            "batch %d: %d%s items, %d articles read, %d enriched, %d unchanged, %d failed "
            "(%.0f words/s)",
            self.stage["batches"],
            self.items_done,
            of,
            self.stage["extracted"],
            self.stage["enriched"],
            self.stage["unchanged"],
            len(self.failures),
            rate,
        )
        status = (
            f"{self.stage['enriched']} new/changed, {len(self.failures)} failed, {rate:,.0f} w/s"
        )
        for hook in list(_PROGRESS_HOOKS):
            hook(self.items_done, total, status)

    def record_failures(self, failures: Sequence[Failure]) -> None:
        """Failures found outside any batch (e.g. missing paths)."""
        if failures:
            self.process([], failures)

    def finish(self) -> None:
        """Wait for the last load and fill in the summary."""
        self._drain()
        loaded = asdict(self.loaded)
        self.summary.counts = {**self.stage, **loaded, "failed": len(self.failures)}
        self.summary.failures = [
            {"stage": f.stage, "uri": f.uri, "error": f.error_type, "message": f.message}
            for f in self.failures
        ]


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]


def _begin(flow_name: str, settings: Settings, parameters: dict[str, Any]) -> RunSummary:
    from prefect.runtime import deployment

    summary = RunSummary(_run_id(), flow_name, str(settings.warehouse.path))
    with wh.connect(
        settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
    ) as con:
        wh.start_run(
            con,
            summary.run_id,
            flow_name,
            parameters,
            deployment=deployment.get_name() if deployment.get_id() else None,
            model=settings.nlp.model,
            pipeline_version=PIPELINE_VERSION,
        )
    return summary


@contextmanager
def recorded_run(
    flow_name: str, settings: Settings, parameters: dict[str, Any]
) -> Iterator[RunSummary]:
    """A `runs` row (and a Prefect artifact) around a flow's work, whatever its outcome."""
    started = time.perf_counter()
    summary = _begin(flow_name, settings, parameters)
    error: BaseException | None = None
    try:
        yield summary
    except BaseException as exc:
        error = exc
        raise
    finally:
        _end(settings, summary, started, error)


def _end(
    settings: Settings, summary: RunSummary, started: float, error: BaseException | None
) -> None:
    summary.seconds = round(time.perf_counter() - started, 2)
    if error is not None:
        summary.status = "failed"
        summary.message = f"{type(error).__name__}: {error}"
    else:
        summary.status = "completed_with_failures" if summary.failures else "completed"
    # After a lock timeout, don't wait the whole timeout again just to record the failure.
    wait = 5.0 if isinstance(error, wh.WarehouseBusy) else settings.warehouse.lock_timeout_seconds
    try:
        with wh.connect(settings.warehouse.path, lock_timeout=wait) as con:
            wh.finish_run(
                con,
                summary.run_id,
                summary.status,
                summary.counts,
                len(summary.failures),
                summary.message,
            )
            summary.totals = wh.table_counts(con)
    except wh.WarehouseError:
        pass  # the original error says more; the run row stays 'running'
    _artifact(summary)


def _artifact(summary: RunSummary) -> None:
    """A markdown artifact so the Prefect UI shows what the run did."""
    try:
        from prefect.artifacts import create_markdown_artifact
    except ImportError:
        return
    rows = "\n".join(f"| {k} | {v} |" for k, v in summary.counts.items())
    failed = "\n".join(
        f"| {f['stage']} | {f['uri']} | {f['error']} | {f['message'][:120]} |"
        for f in summary.failures[:50]
    )
    body = (
        f"## newsflow {summary.flow}: {summary.status}\n\nWarehouse: `{summary.warehouse}`  \n"
        f"Run id: `{summary.run_id}`, {summary.seconds} s\n\n| count | value |\n|---|---|\n{rows}\n"
    )
    if failed:
        body += (
            f"\n### Failures\n\n| stage | item | error | message |\n|---|---|---|---|\n{failed}\n"
        )
    try:
        create_markdown_artifact(
            markdown=body,
            key="newsflow-run-summary",
            description=f"newsflow {summary.flow} run summary",
        )
    except Exception:  # the artifact is a convenience; never fail a run over it
        pass


def task_runner_for(settings: Settings) -> Any:
    """The task runner the config asks for: threads here, Dask where one machine is not enough.

    `prefect.task_runner = "dask"` needs the prefect-dask package; `prefect.dask_address`
    (in the TOML) names an existing cluster, otherwise a local one is started.
    """
    from prefect.task_runners import ThreadPoolTaskRunner

    kind = settings.prefect.task_runner
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=settings.prefect.max_workers)
    if kind == "dask":
        try:
            from prefect_dask import DaskTaskRunner  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ConfigError(
                "prefect.task_runner = 'dask' needs prefect-dask: "
                "pip install prefect-dask, or use 'threads'"
            ) from exc
        address = settings.prefect.dask_address
        return DaskTaskRunner(address=address) if address else DaskTaskRunner()
    raise ConfigError(f"prefect.task_runner = {kind!r}: use 'threads' or 'dask'")


def flow_settings(config: str | None, warehouse: str | None) -> Settings:
    """The settings a flow run uses: the config file, with the warehouse it was given."""
    return load_settings(config).with_warehouse(warehouse)
