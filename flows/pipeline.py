"""The batch pipeline every flow shares: plan, enrich and load, inside a recorded run.

Prefect tasks here are thin wrappers over the pure functions in `tasks/` and work on batches,
never one task per article. The flow plans each batch against the warehouse and submits its
enrichment to the configured task runner (threads here, Dask worker processes where one machine
is not enough), keeping a few batches in flight; it stays the one writer and loads each batch,
in the order the batches were made, in one transaction. `recorded_run` keeps a `runs` row (and a
Prefect artifact) around each flow's work, holds the warehouse for the run, and marks the run
when it is interrupted or when earlier runs' processes are gone.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import flows  # noqa: F401  (sets Prefect's environment defaults before prefect is imported)
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from flows import lifeline
from flows.analyst import analyst_outputs, report_link
from flows.runners import open_task_runner, task_runner_for  # noqa: F401  (re-exported)
from tasks import PIPELINE_VERSION
from tasks import store as wh
from tasks.nlp.pipeline import enrich_articles, installed_model_version, load_nlp
from tasks.records import Article, Enrichment, Failure, PageRows
from tasks.settings import Settings, load_settings
from tasks.store.snapshot import publish_snapshot

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
T = TypeVar("T")
TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def unvisited(value: T) -> T:
    """A task argument Prefect passes through as it is, without walking into it.

    Prefect visits every element of a task's arguments, looking for futures; over a batch of
    articles or enrichments (every mention, event, quote) that walk cost about 5% of a run.
    `quote` tells it not to (the argument holds no future); the task receives the value itself.
    """
    return cast(T, quote(value))


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
    snapshot: str | None = None  # the analysts' copy this run published

    @property
    def failed_items(self) -> int:
        """Number of items that failed in this run."""
        return len(self.failures)

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-serialisable)."""
        return asdict(self)

    def result(self) -> Any:
        """What a flow returns: the summary as a dict, or, when every item failed, a Failed
        state (the run shows as failed in Prefect; calling the flow raises EveryItemFailed)."""
        data = self.as_dict()
        if self.status == "failed" and self.message and self.message.startswith(ALL_FAILED):
            from prefect.states import Failed

            return Failed(message=self.message, data=EveryItemFailed(self.message, data))
        return data


ALL_FAILED = "every item failed"


class EveryItemFailed(RuntimeError):
    """A run in which every item failed; `summary` is the run summary (as a dict)."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message, summary)
        self.summary = summary

    def __str__(self) -> str:
        return str(self.args[0])


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


# One spaCy pipeline per process, used by one batch at a time: the model is loaded once per
# process (cached by load_nlp) and never shipped with a task.
_NLP_LOCK = threading.Lock()
_ABANDONED: set[str] = set()  # runs interrupted in this process: their queued batches skip


def enrich_batch(
    articles: Sequence[Article], settings: Settings, run_id: str = ""
) -> tuple[list[Enrichment], list[Failure]]:
    """Run spaCy over a batch with nlp.pipe and derive entities (events, quotes when enabled).

    Runs wherever the task runner puts it (a thread, a Dask worker process): plain records in,
    plain records out; the model and the lexicon are loaded once per process.
    """
    if not articles:
        return [], []
    n = settings.nlp
    with _NLP_LOCK:
        if run_id in _ABANDONED:
            return [], []
        nlp = load_nlp(n.model, n.components, n.entity_patterns)
        return enrich_articles(
            articles,
            nlp,
            lexicon=_lexicon(settings),
            events=settings.enrich.events,
            quotes=settings.enrich.quotes,
            batch_size=n.pipe_batch_size,
            n_process=n.n_process,
            max_chars=n.max_chars,
        )


@task(name="enrich-batch", **TASK_OPTS)
def enrich_batch_task(
    articles: Sequence[Article], settings: Settings, run_id: str = ""
) -> tuple[list[Enrichment], list[Failure]]:
    """Enrich one batch (submitted to the task runner)."""
    return enrich_batch(articles, settings, run_id)


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
    """Write one batch in one transaction (with its raw pages and feed entries, if any);
    run by the flow, the one writer."""
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


@dataclass
class _RunContext:
    """What one recorded run holds open: task runners (closed when the run ends), pipelines."""

    summary: RunSummary
    stack: ExitStack = field(default_factory=ExitStack)
    pipelines: list[BatchPipeline] = field(default_factory=list)


_RUN: ContextVar[_RunContext | None] = ContextVar("newsflow_run", default=None)


@dataclass
class _InFlight:
    """A planned batch whose enrichment was submitted and is not loaded yet."""

    number: int
    plan: wh.BatchPlan
    future: PrefectFuture[tuple[list[Enrichment], list[Failure]]]
    failures: list[Failure]
    retry: bool
    items: int
    total: int | None
    page_rows: PageRows | None = None


class BatchPipeline:
    """Plan, enrich and load batches of articles for one run, several batches in flight.

    `process` plans a batch against the warehouse and submits its enrichment; once more than
    `workers + 1` batches are in flight the oldest is waited for and loaded, so memory stays
    bounded and batches land in the order they were made (the same rows whatever the runner).
    """

    def __init__(self, settings: Settings, summary: RunSummary) -> None:
        self.settings = settings
        self.summary = summary
        self.logger = get_run_logger()
        self.warehouse = settings.warehouse.path
        self.lock_timeout = settings.warehouse.lock_timeout_seconds
        rules = _rules_version(settings)
        n = settings.nlp
        model = installed_model_version(n.model, n.components, n.entity_patterns)
        self.prov = wh.Provenance(summary.run_id, model, PIPELINE_VERSION, rules)
        self.loaded = wh.LoadCounts()
        self.pending: dict[str, str] = {}
        self.queue: deque[_InFlight] = deque()
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
        self.batches_loaded = 0
        self.started = time.perf_counter()
        run = _RUN.get()
        self._own_stack: ExitStack | None = None
        if run is None:  # outside recorded_run: this pipeline closes its runner in finish()
            self._own_stack = stack = ExitStack()
        else:
            stack = run.stack
            run.pipelines.append(self)
        self.runner, self.workers = open_task_runner(settings, stack, self.logger)
        self.ahead = self.workers + 1

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
        """Plan one batch and submit its enrichment; load the oldest batches beyond the limit.

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
            plan = plan_batch_task(
                self.warehouse, self.lock_timeout, unvisited(articles), unvisited(self.pending)
            )
        self.stage["unchanged"] += plan.unchanged
        self.stage["duplicates"] += plan.duplicates
        future = self.runner.submit(
            enrich_batch_task,
            parameters={
                "articles": plan.to_enrich,  # not quoted: a Dask worker would not unquote it
                "settings": self.settings,
                "run_id": self.summary.run_id,
            },
        )
        self.queue.append(
            _InFlight(
                self.stage["batches"],
                plan,
                future,
                list(failures),
                retry,
                items if items is not None else len(articles) + len(failures),
                total,
                page_rows,
            )
        )
        while len(self.queue) > self.ahead:
            self._land(self.queue.popleft())

    def _land(self, batch: _InFlight) -> None:
        """Wait for a batch's enrichment and load it (one transaction, in the flow)."""
        enriched, enrich_failures = batch.future.result()
        all_failures = [*batch.failures, *enrich_failures]
        self.stage["enriched"] += len(enriched)
        self.stage["words"] += sum(len(e.article.text.split()) for e in enriched)
        self.failures.extend(all_failures)
        for f in all_failures:
            self.logger.warning("%s failed at %s: %s: %s", f.uri, f.stage, f.error_type, f.message)
        retry = (
            (self.settings.sources.retry_base_seconds, self.settings.sources.retry_max_seconds)
            if batch.retry
            else None
        )
        with lifeline.write_section():  # a signal waits until this batch is stored whole
            counts = load_batch_task(
                self.warehouse,
                self.lock_timeout,
                unvisited(enriched),
                unvisited(batch.plan.routes),
                unvisited(all_failures),
                self.prov,
                retry,
                unvisited(batch.page_rows),
            )
        self.loaded.add(counts)
        self.batches_loaded += 1
        for a in batch.plan.to_enrich:  # stored now: later plans find them in the warehouse
            if self.pending.get(a.content_hash) == a.id:
                del self.pending[a.content_hash]
        self._report(batch)

    def _report(self, batch: _InFlight) -> None:
        elapsed = time.perf_counter() - self.started
        self.items_done += batch.items
        of = f" of {batch.total}" if batch.total else ""
        rate = self.stage["words"] / elapsed if elapsed else 0.0
        self.logger.info(
            "batch %d: %d%s items, %d articles read, %d enriched, %d unchanged, %d failed "
            "(%.0f words/s)",
            batch.number,
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
            hook(self.items_done, batch.total, status)

    def record_failures(self, failures: Sequence[Failure]) -> None:
        """Failures found outside any batch (e.g. missing paths)."""
        if failures:
            self.process([], failures)

    def finish(self) -> None:
        """Load every batch still in flight and fill in the summary."""
        while self.queue:
            self._land(self.queue.popleft())
        self.summarise()
        if self._own_stack is not None:
            self._own_stack.close()

    def abandon(self) -> int:
        """Give up the batches in flight (the run was interrupted); how many there were."""
        n = len(self.queue)
        for batch in self.queue:  # not started yet: never start (threads; Dask futures)
            wrapped = getattr(batch.future, "wrapped_future", None)
            with suppress(Exception):
                wrapped.cancel()  # type: ignore[union-attr]
        self.queue.clear()
        self.summarise()
        return n

    def summarise(self) -> None:
        """Counts and failures so far into the run summary."""
        self.summary.counts = {
            **self.stage,
            **asdict(self.loaded),
            "failed": len(self.failures),
            "batches_loaded": self.batches_loaded,
        }
        self.summary.failures = [
            {"stage": f.stage, "uri": f.uri, "error": f.error_type, "message": f.message}
            for f in self.failures
        ]


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]


# ----------------------------------------------------------------------------------------------
# A recorded run
# ----------------------------------------------------------------------------------------------


def _begin(
    flow_name: str, settings: Settings, parameters: dict[str, Any], run_id: str
) -> RunSummary:
    from prefect.runtime import deployment

    summary = RunSummary(run_id, flow_name, str(settings.warehouse.path))
    me = lifeline.this_process()
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
            process=me,
        )
        _abandon_dead_runs(con, summary.run_id, me)
    return summary


def _abandon_dead_runs(con: Any, run_id: str, me: tuple[int, str, datetime]) -> None:
    """Mark `running` rows of this host whose process is gone as abandoned, with when."""
    pid, host, started = me
    dead = [
        r
        for r in wh.open_runs(con, exclude=run_id)
        if r.hostname == host
        and (
            not lifeline.process_alive(r.pid, r.process_started_at)
            # this very process holds the run lock: its earlier rows are not running any more
            or (r.pid == pid and lifeline.process_alive(pid, r.process_started_at))
        )
    ]
    if not dead:
        return
    now = datetime.now(UTC)
    for r in dead:
        wh.mark_runs(
            con,
            [r.run_id],
            "abandoned",
            f"process {r.pid} on {r.hostname} ended without finishing the run "
            f"(found at {now:%Y-%m-%d %H:%M:%S} UTC by run {run_id}); run it again to finish",
            now,
        )
    get_run_logger().warning(
        "%d earlier run(s) whose process is gone marked abandoned: %s",
        len(dead),
        ", ".join(f"{r.flow} {r.run_id}" for r in dead),
    )


@contextmanager
def recorded_run(
    flow_name: str, settings: Settings, parameters: dict[str, Any]
) -> Iterator[RunSummary]:
    """A `runs` row (and a Prefect artifact) around a flow's work, whatever its outcome.

    The run holds the warehouse while it works (another run waits, then plans against what
    this one stored). SIGINT and SIGTERM wait for the batch being written, then end the run,
    which is marked `interrupted`; batches in flight are abandoned (a re-run does them).
    """
    started = time.perf_counter()
    run_id = _run_id()
    logger = get_run_logger()
    pid, host, _ = lifeline.this_process()
    summary: RunSummary | None = None
    try:
        with ExitStack() as outer:
            outer.enter_context(lifeline.signals_deferred_in_writes())
            outer.enter_context(
                wh.run_lock(
                    settings.warehouse.path,
                    timeout=settings.warehouse.run_wait_seconds,
                    holder=f"run {run_id} ({flow_name}, pid {pid} on {host}, started "
                    f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)",
                    on_wait=lambda holder: logger.info(
                        "warehouse %s is being written by %s; waiting (up to %.0f s)",
                        settings.warehouse.path,
                        holder,
                        settings.warehouse.run_wait_seconds,
                    ),
                )
            )
            summary = _begin(flow_name, settings, parameters, run_id)
            run = _RunContext(summary)
            token = _RUN.set(run)
            error: BaseException | None = None
            try:
                yield summary
            except BaseException as exc:
                error = exc
                raise
            finally:
                _RUN.reset(token)
                try:
                    if error is not None:
                        _ABANDONED.add(run_id)  # queued batches of this run skip their work
                        abandoned = sum(p.abandon() for p in run.pipelines)
                        if abandoned:
                            summary.counts["batches_abandoned"] = abandoned
                    _end(settings, summary, started, error)
                finally:
                    try:
                        run.stack.close()  # task runners: a local Dask cluster stops here
                    except Exception:
                        if error is None:
                            raise
                    finally:
                        _ABANDONED.discard(run_id)
    finally:
        if summary is not None:
            _artifact(summary)  # after the warehouse is free for the next run
            analyst_outputs(summary.snapshot, summary.run_id, summary.counts)  # report, table


def _interruption(error: BaseException) -> str | None:
    """The signal's name when `error` is how SIGINT/SIGTERM ended the run."""
    from prefect.exceptions import TerminationSignal

    if isinstance(error, TerminationSignal):
        return signal_name(error.signal)
    if isinstance(error, KeyboardInterrupt):
        return "SIGINT"
    if isinstance(error, SystemExit) and lifeline.interrupted_by():
        return lifeline.interrupted_by()
    return None


def signal_name(signum: int) -> str:
    """SIGTERM for 15, and so on."""
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _succeeded(summary: RunSummary) -> int:
    """Items that went through: articles stored, unchanged, routed or already stored (pages a
    flow did not fetch again), feeds checked."""
    c = summary.counts
    stored = sum(
        c.get(k, 0) for k in ("articles", "replaced", "unchanged", "duplicates", "already_stored")
    )
    feeds = c.get("feeds", 0) - sum(1 for f in summary.failures if f.get("stage") == "feed")
    return stored + max(0, feeds)


def _end(
    settings: Settings, summary: RunSummary, started: float, error: BaseException | None
) -> None:
    summary.seconds = round(time.perf_counter() - started, 2)
    c = summary.counts
    if error is not None:
        sig = _interruption(error)
        if sig is not None:
            summary.status = "interrupted"
            summary.message = (
                f"interrupted by {sig} at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: "
                f"{c.get('batches_loaded', 0)} batch(es) stored, "
                f"{c.get('batches_abandoned', 0)} in flight abandoned; run it again to finish"
            )
        else:
            summary.status = "failed"
            summary.message = f"{type(error).__name__}: {error}"
    elif summary.failures and _succeeded(summary) == 0:
        summary.status = "failed"
        summary.message = (
            f"{ALL_FAILED} ({len(summary.failures)} failures); they are in the `failures` "
            "table (`newsflow status` counts what is pending)"
        )
    else:
        summary.status = "completed_with_failures" if summary.failures else "completed"
    # After a lock timeout, don't wait the whole timeout again just to record the failure.
    wait = 5.0 if isinstance(error, wh.WarehouseBusy) else settings.warehouse.lock_timeout_seconds
    try:
        with (
            lifeline.write_section(),
            wh.connect(settings.warehouse.path, lock_timeout=wait) as con,
        ):
            wh.finish_run(
                con,
                summary.run_id,
                summary.status,
                summary.counts,
                len(summary.failures),
                summary.message,
            )
            summary.totals = wh.table_counts(con)
            summary.snapshot = str(publish_snapshot(con, settings.warehouse.path))
    except wh.WarehouseError:
        pass  # the original error says more; the next run marks this one abandoned


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
    body += report_link(summary.snapshot)
    try:
        create_markdown_artifact(
            markdown=body,
            key="newsflow-run-summary",
            description=f"newsflow {summary.flow} run summary",
        )
    except Exception:  # the artifact is a convenience; never fail a run over it
        pass


def flow_settings(config: str | None, warehouse: str | None) -> Settings:
    """The settings a flow run uses: the config file, with the warehouse it was given.

    The warehouse's DuckDB limits (memory) apply to this process's connections from here on.
    """
    settings = load_settings(config).with_warehouse(warehouse)
    wh.set_connect_defaults(settings.warehouse.duckdb_config())
    return settings
