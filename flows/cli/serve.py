"""`newsflow serve` (deployments on their schedules) and `newsflow trigger` (a run of one)."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer

from flows.cli.app import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigOpt,
    WarehouseOpt,
    app,
    fail,
    settings_or_exit,
)
from flows.cli.output import print_summary, schedule_text


@app.command()
def serve(
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    limit: Annotated[int | None, typer.Option(help="At most this many runs at once.")] = 1,
    port: Annotated[
        int,
        typer.Option(
            help="Port of the local Prefect server started when PREFECT_API_URL is not set."
        ),
    ] = 4200,
    adhoc: Annotated[
        bool, typer.Option(help="Also serve an unscheduled 'adhoc' deployment of each flow.")
    ] = True,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the deployments that would be served and exit.")
    ] = False,
) -> None:
    """Serve one Prefect deployment per configured schedule (runs until interrupted)."""
    from flows import deploy
    from tasks.settings import ConfigError

    settings = settings_or_exit(config, warehouse)
    try:
        deployments, notes = deploy.build_deployments(
            settings,
            warehouse=str(settings.warehouse.path) if warehouse else None,
            config=config,
            adhoc=adhoc,
        )
    except (ConfigError, deploy.DeployError) as exc:
        fail(str(exc), EXIT_USAGE)
    for note in notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)
    for d in deployments:
        when = ", ".join(schedule_text(s.schedule) for s in d.schedules) or "on demand"
        typer.echo(f"  {deploy.deployment_label(d)}  ({when})  {json.dumps(d.parameters)}")
    if list_only:
        return
    if not deployments:
        fail("nothing to serve", EXIT_USAGE)
    try:
        _serve_until_stopped(deployments, limit, port)
    except deploy.DeployError as exc:
        fail(str(exc))


def _serve_until_stopped(deployments: list[Any], limit: int | None, port: int) -> None:
    """Serve against PREFECT_API_URL, or a local Prefect server started for the purpose."""
    from flows import deploy

    api = os.environ.get("PREFECT_API_URL")
    if api:
        typer.echo(f"serving {len(deployments)} deployments against {api}; Ctrl-C stops")
        deploy.serve(deployments, limit=limit)
        return
    with deploy.local_server(port) as url:
        os.environ["PREFECT_API_URL"] = url  # the flow-run subprocesses read it too
        from prefect.settings import PREFECT_API_URL, temporary_settings

        typer.echo(f"started a local Prefect server: UI {url.removesuffix('/api')}, API {url}")
        typer.echo(
            f"  from another shell: export PREFECT_API_URL={url}  (newsflow trigger "
            "finds it by itself)"
        )
        typer.echo(f"serving {len(deployments)} deployments; Ctrl-C stops")
        with temporary_settings(updates={PREFECT_API_URL: url}):
            deploy.serve(deployments, limit=limit)


@app.command()
def trigger(
    name: Annotated[str, typer.Argument(help="Deployment: '<flow>/<deployment>' or its name.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="k=v parameter (JSON values allowed); repeatable."),
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait for the run to finish.")] = True,
    timeout: Annotated[
        float | None, typer.Option(help="Stop waiting after this many seconds.")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Start a run of a served deployment (`newsflow serve`) with parameters."""
    from flows import deploy

    try:
        params = deploy.parse_params(param or [])
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    if "/" in name:  # the flow is known: check before looking for any API
        check_parameters(name, params)
    api = deploy.served_api_url()
    if api is None:
        fail(
            "no Prefect API to trigger on: start `newsflow serve` (it starts a local server), "
            "or set PREFECT_API_URL to the server it serves against",
            EXIT_USAGE,
        )
    os.environ["PREFECT_API_URL"] = api
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}):
        if "/" not in name:
            import asyncio

            try:
                name = asyncio.run(deploy._resolve_name(name))  # '<flow>/<deployment>'
            except deploy.DeployError as exc:
                fail(str(exc), EXIT_USAGE)
            check_parameters(name, params)
        try:
            flow_run = deploy.trigger(name, params, wait=wait, timeout=timeout)
        except deploy.DeployError as exc:
            fail(str(exc), EXIT_USAGE)
        except Exception as exc:  # e.g. parameters the flow does not take
            fail(f"could not start {name}: {type(exc).__name__}: {exc}", EXIT_USAGE)
        state = flow_run.state
        typer.echo(
            f"flow run {flow_run.name} ({flow_run.id}): "
            f"{state.name if state else 'unknown'} on {api}"
        )
        if not wait:
            raise typer.Exit(EXIT_OK)
        if state is None or not state.is_final():
            fail(
                f"run {flow_run.id} is still {state.name if state else 'pending'} after "
                f"{timeout}s; see `newsflow runs` or the Prefect UI"
            )
        full = deploy.deployment_parameters(flow_run)
    raise typer.Exit(report_run(str(flow_run.id), full, config, failed=not state.is_completed()))


def check_parameters(label: str, params: dict[str, Any]) -> None:
    """Exit 2 unless every parameter is one the deployment's flow takes, with a value that fits.

    Runs before any flow run is created (the Prefect API would accept the run and the flow
    would then crash on the parameter).
    """
    import difflib
    import inspect
    import logging

    from flows import deploy

    flow_name = label.partition("/")[0]
    if flow_name not in deploy.FLOWS:
        return  # not a newsflow flow: the Prefect API checks what it can
    try:
        flow_obj = deploy.load_flow(flow_name)
    except deploy.DeployError:
        return
    accepted = list(inspect.signature(flow_obj.fn).parameters)
    for key in params:
        if key not in accepted:
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            fail(
                f"{flow_name} takes no parameter {key!r}{hint}; it takes {', '.join(accepted)}",
                EXIT_USAGE,
            )
    logger = logging.getLogger("prefect.flows")  # it logs the same error with a traceback
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        flow_obj.validate_parameters(params)
    except Exception as exc:  # ParameterTypeError and the like: say which value
        fail(f"--param values do not fit {flow_name}: {exc}", EXIT_USAGE)
    finally:
        logger.setLevel(level)


def report_run(run_id: str, parameters: dict[str, Any], config: str | None, failed: bool) -> int:
    """Print a finished run's summary from its `runs` row; the exit status it calls for."""
    from tasks import store as wh
    from tasks.store import queries

    settings = settings_or_exit(parameters.get("config") or config, parameters.get("warehouse"))
    report, totals = None, {}
    try:
        with queries.read_only(
            settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
        ) as con:
            report = queries.run_report(con, run_id)
            totals = wh.table_counts(con) if report else {}
    except wh.WarehouseError as exc:
        typer.secho(f"  (cannot read the warehouse: {exc})", fg=typer.colors.YELLOW)
    if report is None:
        typer.echo(f"  no runs row for {run_id} in {settings.warehouse.path}")
        return EXIT_FAILED if failed else EXIT_OK
    return print_summary(
        {
            "flow": report.flow,
            "status": "failed" if failed else report.status,
            "counts": report.counts,
            "totals": totals,
            "seconds": report.seconds,
            "message": report.message,
            "warehouse": str(settings.warehouse.path),
            "failures": report.failures,
            "failure_count": report.failure_count,
        }
    )
