"""Task runners: where enrichment batches run (threads here, Dask worker processes elsewhere)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from flows import lifeline
from tasks.settings import ConfigError, Settings


def task_runner_for(settings: Settings) -> Any:
    """The task runner the config asks for: threads here, Dask where one machine is not enough.

    `prefect.task_runner = "dask"` needs `pip install 'newsflow[dask]'`; `prefect.dask_address`
    names an existing scheduler, otherwise a local cluster of `prefect.dask_workers` worker
    processes (one thread each: spaCy holds the GIL) is started for the run.
    """
    from prefect.task_runners import ThreadPoolTaskRunner

    kind = settings.prefect.task_runner
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=max(1, settings.prefect.max_workers))
    if kind == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as exc:
            raise ConfigError(
                "prefect.task_runner = 'dask' needs prefect-dask and distributed: "
                "pip install 'newsflow[dask]', or set prefect.task_runner = 'threads'"
            ) from exc
        address = settings.prefect.dask_address
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": max(1, settings.prefect.dask_workers),
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            },
        )
    raise ConfigError(f"prefect.task_runner = {kind!r}: use 'threads' or 'dask'")


def open_task_runner(settings: Settings, stack: ExitStack, logger: Any) -> tuple[Any, int]:
    """Start the configured task runner for a run (closed with `stack`); (runner, workers).

    Dask workers run their task engine in their own processes: when this process uses
    Prefect's temporary API server, they are pointed at it (instead of each starting its own).
    """
    runner = task_runner_for(settings)
    if settings.prefect.task_runner != "dask":
        stack.enter_context(runner)
        return runner, max(1, settings.prefect.max_workers)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if not PREFECT_API_URL.value():
        api = lifeline.start_temporary_api()
        if api:
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: api}))
            if settings.prefect.dask_address:
                logger.warning(
                    "Dask workers at %s report task runs to this process's temporary Prefect "
                    "API (%s): workers on other machines cannot reach it; run a Prefect server "
                    "and set PREFECT_API_URL (README: Running on a cluster)",
                    settings.prefect.dask_address,
                    api,
                )
    stack.enter_context(runner)
    if not settings.prefect.dask_address:
        return runner, max(1, settings.prefect.dask_workers)
    try:
        workers = sum(runner.client.nthreads().values())
    except Exception:  # the scheduler answers later; keep a small window
        workers = 0
    if workers == 0:
        logger.warning("no Dask worker is connected to %s yet", settings.prefect.dask_address)
    return runner, max(1, workers)
