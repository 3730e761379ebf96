"""Deployments and schedules: what `newsflow serve` serves and `newsflow trigger` runs.

Schedules come from the config:

- `[[schedules]]` tables in `config/newsflow.toml`: `name`, `flow` (ingest-files, ingest-feeds,
  ingest-urls, reenrich, reextract), `cron` or `interval_seconds`, optional `parameters`, `tags`,
  `description`, `paused`;
- feeds in `config/sources.toml` with `schedule = "<cron>"` or `interval_seconds = N`: one
  deployment `feed-<name>` each, running the feeds flow on that feed alone.

Every schedule becomes one Prefect deployment served by one long-running `prefect.serve` call.
Next to them, each flow also gets an unscheduled `adhoc` deployment, so that
`prefect deployment run 'ingest-urls/adhoc' --param urls='[...]'` works without a schedule.

Prefect's embedded API (no `PREFECT_API_URL`) runs no scheduler, so `serve` then starts a local
`prefect server start` on `PREFECT_HOME`'s database and records its address for `trigger`; a
watchdog (`flows.lifeline`) stops that server even when `serve` is killed with SIGKILL.

Served runs use the configured task runner like CLI runs: each flow opens the runner its config
asks for when its batch pipeline starts (`flows.runners`), whoever started the run.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import flows  # noqa: F401  (Prefect environment defaults)
from tasks.settings import ConfigError, Settings

# Flow name -> "module:attribute".
FLOWS: dict[str, str] = {
    "ingest-files": "flows.files:ingest_files_flow",
    "ingest-feeds": "flows.web:ingest_feeds_flow",
    "ingest-urls": "flows.web:ingest_urls_flow",
    "reenrich": "flows.reprocess:reenrich_flow",
    "reextract": "flows.reprocess:reextract_flow",
}
ADHOC = "adhoc"
SERVER_STATE = "newsflow-serve.json"  # under PREFECT_HOME: the API a local `serve` started
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class DeployError(RuntimeError):
    """A schedule or deployment cannot be built or reached; the message says what to do."""


@dataclass(frozen=True)
class ScheduleSpec:
    """One configured schedule: a deployment of `flow` with default parameters."""

    name: str
    flow: str
    cron: str | None = None
    interval_seconds: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    description: str | None = None
    paused: bool = False

    @property
    def when(self) -> str:
        """Human-readable schedule."""
        if self.cron:
            return f"cron {self.cron}"
        if self.interval_seconds:
            return f"every {self.interval_seconds:g} s"
        return "ad hoc"


# ----------------------------------------------------------------------------------------------
# Config -> schedules
# ----------------------------------------------------------------------------------------------


def _spec(raw: dict[str, Any], where: str) -> ScheduleSpec:
    name = raw.get("name")
    flow_name = raw.get("flow", "ingest-files")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{where}: schedule needs a `name` of letters, digits, '-', '_' or '.'")
    if flow_name not in FLOWS:
        raise ConfigError(
            f"{where}: schedule {name!r} has flow {flow_name!r}; use one of {', '.join(FLOWS)}"
        )
    cron, interval = raw.get("cron"), raw.get("interval_seconds")
    if bool(cron) == bool(interval):
        raise ConfigError(
            f"{where}: schedule {name!r} needs exactly one of `cron` or `interval_seconds`"
        )
    if cron is not None:
        _check_cron(str(cron), f"{where}: schedule {name!r}")
    if interval is not None and (not isinstance(interval, int | float) or interval <= 0):
        raise ConfigError(f"{where}: schedule {name!r}: interval_seconds must be a positive number")
    params = raw.get("parameters", {})
    if not isinstance(params, dict):
        raise ConfigError(f"{where}: schedule {name!r}: parameters must be a table")
    return ScheduleSpec(
        name=name,
        flow=flow_name,
        cron=str(cron) if cron else None,
        interval_seconds=float(interval) if interval else None,
        parameters=dict(params),
        tags=tuple(raw.get("tags", ())),
        description=raw.get("description"),
        paused=bool(raw.get("paused", False)),
    )


def _check_cron(expr: str, where: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=expr)
    except ValueError as exc:
        raise ConfigError(f"{where}: {expr!r} is not a valid cron expression") from exc


def load_schedules(settings: Settings) -> list[ScheduleSpec]:
    """Every configured schedule: `[[schedules]]` in newsflow.toml, then scheduled feeds."""
    raw = settings.extra.get("schedules", [])
    if isinstance(raw, dict):  # [schedules.<name>] tables
        raw = [{"name": k, **v} for k, v in raw.items()]
    specs = [_spec(item, "[[schedules]]") for item in raw]
    from flows.web import load_sources

    for feed in load_sources(settings):
        name, cron, interval = feed.name, feed.schedule, feed.interval_seconds
        if not (cron or interval):
            continue
        specs.append(
            _spec(
                {
                    "name": f"feed-{name}",
                    "flow": "ingest-feeds",
                    "cron": cron,
                    "interval_seconds": interval,
                    "parameters": {"sources": [name]},
                    "tags": ["feed", *feed.tags],
                    "description": f"feed {name} ({feed.url})",
                },
                f"feed {name!r} in sources.toml",
            )
        )
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"schedule names must be unique; repeated: {', '.join(dupes)}")
    return specs


# ----------------------------------------------------------------------------------------------
# Schedules -> deployments
# ----------------------------------------------------------------------------------------------


def load_flow(name: str) -> Any:
    """The Prefect flow object for a flow name, or DeployError when it is not available."""
    module, _, attr = FLOWS[name].partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise DeployError(
            f"flow {name!r} ({FLOWS[name]}) is not available in this build: {exc}"
        ) from exc


def _parameters(
    spec: ScheduleSpec, settings: Settings, warehouse: str | None, config: str | None
) -> dict[str, Any]:
    params = dict(spec.parameters)
    if spec.flow == "ingest-files" and params.get("paths"):
        # Served runs start in the serve command's folder; config paths mean the project's.
        params["paths"] = [
            str(p if Path(p).is_absolute() else settings.root / p)
            for p in (Path(x).expanduser() for x in params["paths"])
        ]
    if warehouse and "warehouse" not in params:
        params["warehouse"] = warehouse
    if config and "config" not in params:
        params["config"] = config
    return params


def build_deployments(
    settings: Settings,
    specs: list[ScheduleSpec] | None = None,
    *,
    warehouse: str | None = None,
    config: str | None = None,
    adhoc: bool = True,
) -> tuple[list[Any], list[str]]:
    """RunnerDeployments for every schedule (plus one `adhoc` per flow); and notes on skips."""
    from prefect.deployments.runner import EntrypointType

    specs = load_schedules(settings) if specs is None else specs
    deployments: list[Any] = []
    notes: list[str] = []
    for spec in specs:
        try:
            flow_obj = load_flow(spec.flow)
        except DeployError as exc:
            notes.append(f"schedule {spec.name!r} skipped: {exc}")
            continue
        deployments.append(
            flow_obj.to_deployment(
                name=spec.name,
                cron=spec.cron,
                interval=spec.interval_seconds,
                paused=spec.paused or None,
                parameters=_parameters(spec, settings, warehouse, config),
                tags=["newsflow", *spec.tags],
                description=spec.description or f"newsflow {spec.flow}, {spec.when}",
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    if adhoc:
        for flow_name in FLOWS:
            try:
                flow_obj = load_flow(flow_name)
            except DeployError:
                continue
            spec = ScheduleSpec(name=ADHOC, flow=flow_name)
            deployments.append(
                flow_obj.to_deployment(
                    name=ADHOC,
                    parameters=_parameters(spec, settings, warehouse, config),
                    tags=["newsflow", "adhoc"],
                    description=f"newsflow {flow_name}, run on demand",
                    entrypoint_type=EntrypointType.MODULE_PATH,
                )
            )
    return deployments, notes


def deployment_label(deployment: Any) -> str:
    """'<flow>/<deployment>', the name `prefect deployment run` and `newsflow trigger` take."""
    return f"{deployment.flow_name}/{deployment.name}"


def serve(deployments: list[Any], limit: int | None = None) -> None:
    """Serve the deployments until interrupted (blocks)."""
    import signal

    from prefect import serve as prefect_serve

    if not deployments:
        raise DeployError("nothing to serve: no flow could be loaded")

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # SIGTERM shuts down like Ctrl-C: runner, then local server

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        prefect_serve(*deployments, limit=limit, print_starting_message=False)
    finally:
        signal.signal(signal.SIGTERM, previous)


# ----------------------------------------------------------------------------------------------
# A Prefect API to serve against
# ----------------------------------------------------------------------------------------------


def prefect_home() -> Path:
    """PREFECT_HOME as the child processes will see it."""
    return Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    import httpx

    try:
        return httpx.get(api_url.rstrip("/") + "/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextlib.contextmanager
def local_server(port: int | None = None, startup_timeout: float = 120.0) -> Iterator[str]:
    """Start `prefect server start` (scheduler included) on PREFECT_HOME; yields its API URL."""
    if port is None or not _port_free(port):
        port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "newsflow-server.log", "ab")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C stops the runner first; the server is stopped below
    )
    from flows.lifeline import watch

    watchdog = watch(proc.pid, group=True)  # even a `kill -9` of serve stops the server
    state = home / SERVER_STATE
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(api_url):
            if proc.poll() is not None:
                raise DeployError(
                    f"`prefect server start` exited with {proc.returncode}; see "
                    f"{home / 'newsflow-server.log'}"
                )
            if time.monotonic() > deadline:
                raise DeployError(
                    f"the local Prefect server did not answer on {api_url} within "
                    f"{startup_timeout:.0f}s; see {home / 'newsflow-server.log'}"
                )
            time.sleep(0.5)
        state.write_text(json.dumps({"api_url": api_url, "pid": os.getpid()}), encoding="utf-8")
        yield api_url
    finally:
        with contextlib.suppress(OSError):
            if json.loads(state.read_text(encoding="utf-8")).get("pid") == os.getpid():
                state.unlink()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if watchdog is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                watchdog.wait(timeout=5)
        log.close()


def served_api_url() -> str | None:
    """The API to use from another shell: PREFECT_API_URL, or the one a local serve started."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    state = prefect_home() / SERVER_STATE
    try:
        url = json.loads(state.read_text(encoding="utf-8"))["api_url"]
    except (OSError, ValueError, KeyError):
        return None
    return str(url) if _healthy(str(url)) else None


# ----------------------------------------------------------------------------------------------
# Ad-hoc runs of served deployments
# ----------------------------------------------------------------------------------------------


def parse_params(items: list[str]) -> dict[str, Any]:
    """`k=v` pairs; a value that parses as JSON is taken as JSON (lists, numbers, true...)."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--param {item!r} is not key=value")
        try:
            params[key.strip()] = json.loads(value)
        except ValueError:
            params[key.strip()] = value
    return params


async def _resolve_name(name: str) -> str:
    """Accept '<flow>/<deployment>' or a bare deployment name when it is unique."""
    if "/" in name:
        return name
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    async with get_client() as client:
        found = await client.read_deployments(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[name]))
        )
        flows_by_id = {d.flow_id for d in found}
        labels = [f"{(await client.read_flow(fid)).name}/{name}" for fid in flows_by_id]
    if not labels:
        raise DeployError(
            f"no deployment named {name!r}; is `newsflow serve` running? "
            "List them with `prefect deployment ls`"
        )
    if len(labels) > 1:
        raise DeployError(
            f"{name!r} is ambiguous: {', '.join(sorted(labels))}; give '<flow>/<deployment>'"
        )
    return labels[0]


def trigger(
    name: str, parameters: dict[str, Any], *, wait: bool = True, timeout: float | None = None
) -> Any:
    """Start a run of a served deployment; returns the FlowRun (finished when `wait`)."""
    import asyncio

    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    label = asyncio.run(_resolve_name(name))
    try:
        return run_deployment(
            label,
            parameters=parameters,
            timeout=(timeout if wait else 0),
            poll_interval=1,
            as_subflow=False,
        )
    except ObjectNotFound as exc:
        raise DeployError(
            f"no deployment {label!r}; is `newsflow serve` running against this "
            "Prefect API? List them with `prefect deployment ls`"
        ) from exc


def deployment_parameters(flow_run: Any) -> dict[str, Any]:
    """The parameters a flow run got, with its deployment's defaults filled in."""
    import asyncio

    from prefect.client.orchestration import get_client

    async def _read() -> dict[str, Any]:
        async with get_client() as client:
            params: dict[str, Any] = {}
            if flow_run.deployment_id:
                params.update((await client.read_deployment(flow_run.deployment_id)).parameters)
            params.update(flow_run.parameters or {})
            return params

    return asyncio.run(_read())
