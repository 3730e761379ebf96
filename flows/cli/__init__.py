"""The `newsflow` command line.

Exit status: 0 when the run completed, 3 when it completed but some items failed (they are in the
`failures` table), 1 when the run itself failed, 2 for usage errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

import flows  # noqa: F401  (Prefect environment defaults)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ITEM_FAILURES = 0, 1, 2, 3

app = typer.Typer(
    name="newsflow",
    no_args_is_help=True,
    add_completion=False,
    help="News ingestion and enrichment into a DuckDB warehouse (Prefect flows, spaCy).",
)
ingest_app = typer.Typer(no_args_is_help=True, help="Ingest files, feeds or URLs.")
app.add_typer(ingest_app, name="ingest")

WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse", "-w", help="DuckDB file to use (default: config, or NEWSFLOW_WAREHOUSE)."
    ),
]
ConfigOpt = Annotated[
    str | None, typer.Option("--config", help="TOML config file (default: config/newsflow.toml).")
]

SAMPLE_QUERY = (
    "SELECT canonical, label, count(*) AS mentions FROM entity_mentions "
    "GROUP BY ALL ORDER BY mentions DESC LIMIT 10"
)


def _fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(config: str | None, warehouse: str | None) -> Any:
    from tasks.settings import ConfigError, load_settings

    try:
        return load_settings(config).with_warehouse(warehouse)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)


def _read_only(settings: Any) -> Any:
    """A read-only connection, after bringing an older warehouse's schema up to date."""
    from tasks import store as wh

    path, timeout = settings.warehouse.path, settings.warehouse.lock_timeout_seconds
    if path.exists():
        with wh.connect(path, read_only=True, lock_timeout=timeout) as con:
            row = con.execute("SELECT max(version) FROM schema_version").fetchall()
        if row and row[0][0] is not None and row[0][0] < wh.SCHEMA_VERSION:
            with wh.connect(path, lock_timeout=timeout):  # migrates forward, in a transaction
                pass
    return wh.connect(path, read_only=True, lock_timeout=timeout)


def print_summary(summary: dict[str, Any]) -> int:
    """Print a run summary and return the exit status it calls for."""
    c = summary.get("counts", {})
    t = summary.get("totals", {})
    status = summary.get("status", "?")
    typer.echo(f"\nnewsflow {summary.get('flow')}: {status} in {summary.get('seconds', 0)} s")
    typer.echo(
        f"  this run: {c.get('extracted', 0)} articles read, {c.get('articles', 0)} new, "
        f"{c.get('replaced', 0)} changed, {c.get('unchanged', 0)} unchanged, "
        f"{c.get('duplicates', 0)} duplicates; {c.get('entities', 0)} new entities, "
        f"{c.get('mentions', 0)} mentions, {c.get('events', 0)} events, {c.get('quotes', 0)} quotes; "
        f"{c.get('failed', 0)} failed"
    )
    if t:
        typer.echo(
            f"  warehouse: {t.get('articles', 0)} articles, {t.get('entities', 0)} entities, "
            f"{t.get('entity_mentions', 0)} mentions, {t.get('events', 0)} events, "
            f"{t.get('quotes', 0)} quotes, {t.get('failures', 0)} failures recorded"
        )
    typer.echo(f"  warehouse file: {summary.get('warehouse')}")
    for f in summary.get("failures", [])[:20]:
        typer.secho(f"  failed: {f['uri']} ({f['stage']}): {f['message']}", fg=typer.colors.YELLOW)
    if len(summary.get("failures", [])) > 20:
        typer.echo(
            f"  ... and {len(summary['failures']) - 20} more: newsflow sql "
            '"SELECT * FROM failures WHERE resolved_at IS NULL"'
        )
    if summary.get("message"):
        typer.secho(f"  {summary['message']}", fg=typer.colors.RED)
    typer.echo(f'  try: newsflow sql "{SAMPLE_QUERY}"')
    if status == "failed":
        return EXIT_FAILED
    return EXIT_ITEM_FAILURES if summary.get("failures") else EXIT_OK


@contextlib.contextmanager
def _progress_bar() -> Iterator[None]:
    """A progress bar on a terminal; plain per-batch log lines otherwise.

    While the bar shows, Prefect's console handler prints warnings only (its INFO lines would
    tear the bar); the Prefect API still receives every log line.
    """
    if not sys.stdout.isatty() or os.environ.get("NEWSFLOW_NO_PROGRESS"):
        yield
        return
    import logging

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.pipeline import progress_listener

    consoles = [
        h for h in logging.getLogger().handlers if type(h).__name__ == "PrefectConsoleHandler"
    ]
    levels = [h.level for h in consoles]
    with Progress(
        TextColumn("newsflow"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("run", total=None, status="starting")

        def update(done: int, total: int | None, status: str) -> None:
            bar.update(task, completed=done, total=total, status=status)

        for handler in consoles:
            handler.setLevel(max(handler.level, logging.WARNING))
        try:
            with progress_listener(update):
                yield
        finally:
            for handler, level in zip(consoles, levels):
                handler.setLevel(level)


def _run_flow(fn: Any, **kwargs: Any) -> None:
    from tasks.nlp.pipeline import ModelError
    from tasks.settings import ConfigError
    from tasks.store import WarehouseError

    try:
        if hasattr(fn, "with_options"):  # the task runner the config asks for
            from flows.pipeline import task_runner_for

            fn = fn.with_options(task_runner=task_runner_for(_settings(kwargs.get("config"), None)))
        with _progress_bar():
            summary = fn(**kwargs)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (WarehouseError, ModelError) as exc:
        _fail(str(exc))
    raise typer.Exit(print_summary(summary))


@app.command()
def run(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """The main job: ingest every configured source (the seeds when none is configured)."""
    settings = _settings(config, warehouse)
    from flows.web import ingest_feeds_flow, load_sources
    from tasks.settings import ConfigError

    try:
        feeds = load_sources(settings)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    if feeds:
        _run_flow(ingest_feeds_flow, warehouse=str(settings.warehouse.path), config=config)
        return  # not reached: _run_flow exits
    from flows.files import ingest_files_flow

    _run_flow(
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
    batch_size: Annotated[int | None, typer.Option(help="Articles per batch.")] = None,
) -> None:
    """Ingest local article files and folders."""
    from flows.files import ingest_files_flow

    settings = _settings(config, warehouse)
    _run_flow(
        ingest_files_flow,
        paths=[str(p) for p in paths],
        warehouse=str(settings.warehouse.path),
        config=config,
        batch_size=batch_size,
    )


@ingest_app.command("feeds")
def ingest_feeds(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", "-s", help="Only this configured feed (repeatable); default: all feeds."
        ),
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Ingest the RSS/Atom feeds configured in config/sources.toml."""
    settings = _settings(config, warehouse)
    from flows.web import ingest_feeds_flow as flow_fn

    _run_flow(
        flow_fn, sources=source or None, warehouse=str(settings.warehouse.path), config=config
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
    settings = _settings(config, warehouse)
    from flows.web import ingest_urls_flow as flow_fn

    kwargs: dict[str, Any] = {"refresh": True} if refresh else {}
    _run_flow(
        flow_fn,
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
    settings = _settings(config, warehouse)
    from flows.reprocess import reenrich_flow as flow_fn

    _run_flow(flow_fn, warehouse=str(settings.warehouse.path), config=config, all=all_articles)


@app.command()
def reextract(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """Extract and clean stored raw pages again (after an extractor or cleaning change)."""
    settings = _settings(config, warehouse)
    from flows.reprocess import reextract_flow as flow_fn

    _run_flow(flow_fn, warehouse=str(settings.warehouse.path), config=config)


eval_app = typer.Typer(
    no_args_is_help=True,
    help="Measure extraction, event coding, 5W1H and feed parsing on gold data.",
)
app.add_typer(eval_app, name="eval")
CorpusArg = Annotated[Path, typer.Argument(help="Folder or file of gold data.", exists=True)]


@eval_app.command("extraction")
def eval_extraction(corpus: CorpusArg) -> None:
    """Body text (ScrapingHub shingle F1), titles, dates and authors vs gold (fundus, newspaper4k)."""
    from tasks.evaluate.extraction import evaluate_extraction, format_report

    report = evaluate_extraction(corpus)
    typer.echo(format_report(report))
    raise typer.Exit(EXIT_OK if report["gate_ok"] else EXIT_FAILED)


def _eval_nlp() -> tuple[Any, Any]:
    from tasks.nlp.events.lexicon import load_lexicon
    from tasks.nlp.pipeline import load_nlp

    settings = _settings(None, None)
    return (
        load_nlp(settings.nlp.model, settings.nlp.components),
        load_lexicon(settings.enrich.lexicon),
    )


@eval_app.command("events")
def eval_events(corpus: CorpusArg) -> None:
    """PLOVER category accuracy, macro-F1, actor and target match (plover_gsr JSONL)."""
    from tasks.evaluate.events import evaluate_plover, format_report

    nlp, lexicon = _eval_nlp()
    typer.echo(format_report(evaluate_plover(corpus, nlp, lexicon)))


@eval_app.command("5w1h")
def eval_5w1h(corpus: CorpusArg) -> None:
    """Per-question match rates of 5W1H against Giveme5W1H gold phrases."""
    from tasks.evaluate.events import evaluate_5w1h, format_report

    nlp, lexicon = _eval_nlp()
    typer.echo(format_report(evaluate_5w1h(corpus, nlp, lexicon)))


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

    settings = _settings(config, warehouse)
    try:
        deployments, notes = deploy.build_deployments(
            settings,
            warehouse=str(settings.warehouse.path) if warehouse else None,
            config=config,
            adhoc=adhoc,
        )
    except (ConfigError, deploy.DeployError) as exc:
        _fail(str(exc), EXIT_USAGE)
    for note in notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)
    for d in deployments:
        when = ", ".join(_schedule_text(s.schedule) for s in d.schedules) or "on demand"
        typer.echo(f"  {deploy.deployment_label(d)}  ({when})  {json.dumps(d.parameters)}")
    if list_only:
        return
    if not deployments:
        _fail("nothing to serve", EXIT_USAGE)
    api = os.environ.get("PREFECT_API_URL")
    try:
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
    except deploy.DeployError as exc:
        _fail(str(exc))


def _schedule_text(schedule: Any) -> str:
    if getattr(schedule, "cron", None):
        return f"cron {schedule.cron}"
    if getattr(schedule, "interval", None):
        return f"every {schedule.interval.total_seconds():g} s"
    return str(schedule)


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
        _fail(str(exc), EXIT_USAGE)
    api = deploy.served_api_url()
    if api is None:
        _fail(
            "no Prefect API to trigger on: start `newsflow serve` (it starts a local server), "
            "or set PREFECT_API_URL to the server it serves against",
            EXIT_USAGE,
        )
    os.environ["PREFECT_API_URL"] = api
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}):
        try:
            flow_run = deploy.trigger(name, params, wait=wait, timeout=timeout)
        except deploy.DeployError as exc:
            _fail(str(exc), EXIT_USAGE)
        except Exception as exc:  # e.g. parameters the flow does not take
            _fail(f"could not start {name}: {type(exc).__name__}: {exc}", EXIT_USAGE)
        state = flow_run.state
        typer.echo(
            f"flow run {flow_run.name} ({flow_run.id}): "
            f"{state.name if state else 'unknown'} on {api}"
        )
        if not wait:
            raise typer.Exit(EXIT_OK)
        if state is None or not state.is_final():
            _fail(
                f"run {flow_run.id} is still {state.name if state else 'pending'} after "
                f"{timeout}s; see `newsflow runs` or the Prefect UI"
            )
        full = deploy.deployment_parameters(flow_run)
    raise typer.Exit(_report_run(str(flow_run.id), full, config, failed=not state.is_completed()))


def _report_run(run_id: str, parameters: dict[str, Any], config: str | None, failed: bool) -> int:
    """Print a finished run's summary from its `runs` row; the exit status it calls for."""
    from tasks import store as wh

    settings = _settings(parameters.get("config") or config, parameters.get("warehouse"))
    row = None
    try:
        with _read_only(settings) as con:
            found = con.execute(
                "SELECT flow, status, counts, failures, message, "
                "epoch(ended_at - started_at) FROM runs WHERE run_id = ?",
                [run_id],
            ).fetchall()
            row = found[0] if found else None
            totals = wh.table_counts(con) if row else {}
            failures = con.execute(
                "SELECT stage, uri, error_type, message FROM failures WHERE run_id = ? "
                "AND resolved_at IS NULL LIMIT 50",
                [run_id],
            ).fetchall()
    except wh.WarehouseError as exc:
        typer.secho(f"  (cannot read the warehouse: {exc})", fg=typer.colors.YELLOW)
    if row is None:
        typer.echo(f"  no runs row for {run_id} in {settings.warehouse.path}")
        return EXIT_FAILED if failed else EXIT_OK
    summary = {
        "flow": row[0],
        "status": "failed" if failed else row[1],
        "counts": json.loads(row[2]) if row[2] else {},
        "totals": totals,
        "seconds": round(row[5] or 0, 2),
        "message": row[4],
        "warehouse": str(settings.warehouse.path),
        "failures": [
            {"stage": f[0], "uri": f[1], "error": f[2], "message": f[3] or ""} for f in failures
        ],
    }
    if row[3] and not summary["failures"]:
        summary["failures"] = [{"stage": "?", "uri": "?", "error": "?", "message": "see failures"}]
    return print_summary(summary)


def _is_read_only(statement: str) -> bool:
    """True when every statement only reads (SELECT, WITH, FROM, SHOW, DESCRIBE, EXPLAIN...)."""
    import duckdb

    try:
        parsed = duckdb.extract_statements(statement)
    except duckdb.Error:
        return True  # not valid SQL: let the read-only connection report the error
    return bool(parsed) and all(
        s.type in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN) for s in parsed
    )


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse.")],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write results to a file.")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Allow statements that change data.")
    ] = False,
) -> None:
    """Run SQL on the warehouse (read-only unless --write)."""
    from tasks import store as wh

    settings = _settings(config, warehouse)
    if not write and not _is_read_only(query):
        _fail(
            "this statement may change the warehouse; rerun with --write if you mean it", EXIT_USAGE
        )
    try:
        opened = (
            wh.connect(
                settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
            )
            if write
            else _read_only(settings)
        )
        with opened as con:
            rel = con.sql(query)
            if rel is None:
                typer.echo("ok")
                return
            if fmt == "parquet":
                if output is None:
                    _fail("--format parquet needs --output FILE", EXIT_USAGE)
                rel.write_parquet(str(output))
                typer.echo(f"wrote {output}")
                return
            table = rel.fetch_arrow_table()
    except typer.Exit:
        raise
    except wh.WarehouseError as exc:
        _fail(str(exc))
    except Exception as exc:  # duckdb errors: show them plainly
        _fail(f"{type(exc).__name__}: {exc}", EXIT_USAGE)
    text = _format_table(table, fmt)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {table.num_rows} rows to {output}")
    else:
        typer.echo(text)


def _format_table(table: Any, fmt: str) -> str:
    rows = table.to_pylist()
    if fmt == "json":
        return json.dumps(rows, default=str, ensure_ascii=False, indent=1)
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=table.column_names)
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    if fmt != "table":
        _fail(f"unknown --format {fmt!r}; use table, csv, json or parquet", EXIT_USAGE)
    cols = table.column_names
    cells = [[_cell(r[c]) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


def _cell(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SOURCES_SQL = """
WITH routes AS (
    SELECT source, count(DISTINCT article_id) AS articles, max(first_seen_at) AS last_new,
           arg_max(run_id, first_seen_at) AS route_run
    FROM article_routes GROUP BY 1
), names AS (SELECT source FROM routes UNION SELECT source FROM sources)
SELECT n.source, coalesce(r.articles, 0), r.last_new, s.last_status,
       r2.flow, r2.status, r2.started_at,
       (SELECT count(*) FROM failures f WHERE f.source = n.source AND f.resolved_at IS NULL)
FROM names n
LEFT JOIN routes r USING (source)
LEFT JOIN sources s USING (source)
LEFT JOIN runs r2 ON r2.run_id = CASE
    WHEN s.last_checked_at IS NOT NULL AND (r.last_new IS NULL OR s.last_checked_at >= r.last_new)
    THEN s.run_id ELSE r.route_run END
ORDER BY 2 DESC, 1
"""


@app.command()
def status(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """Warehouse size, articles per source, last run per source, pending failures."""
    from tasks import store as wh

    settings = _settings(config, warehouse)
    path = settings.warehouse.path
    try:
        with _read_only(settings) as con:
            counts = wh.table_counts(con)
            per_source = con.execute(_SOURCES_SQL).fetchall()
            last = con.execute(
                "SELECT flow, deployment, status, started_at, failures FROM runs "
                "ORDER BY started_at DESC LIMIT 1"
            ).fetchall()
            pending = con.execute(
                "SELECT stage, count(*) FROM failures WHERE resolved_at IS NULL GROUP BY 1 "
                "ORDER BY 2 DESC"
            ).fetchall()
    except wh.WarehouseError as exc:
        _fail(str(exc))
    size = path.stat().st_size / 1e6
    typer.echo(f"warehouse {path} ({size:.1f} MB)")
    typer.echo("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for source, n, seen, checked, flow, run_status, run_at, open_f in per_source:
        line = f"  source {source}: {n} articles, last new {_ts(seen)}"
        if flow:
            line += f"; last run {flow} {run_status} at {_ts(run_at)}"
        if checked:
            line += f"; last check {checked}"
        if open_f:
            line += f"; {open_f} failures pending"
        typer.echo(line)
    if last:
        flow, dep, st, at, nfail = last[0]
        via = f" ({dep})" if dep else ""
        typer.echo(f"  last run: {flow}{via} {st} at {_ts(at)} ({nfail} failures)")
    typer.echo("  pending failures: " + (", ".join(f"{s} {n}" for s, n in pending) or "none"))


def _ts(value: Any) -> str:
    return "-" if value is None else str(value)[:19]


@app.command()
def runs(
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    limit: Annotated[int, typer.Option(help="How many runs.")] = 10,
) -> None:
    """Recent runs with their counts and failures."""
    from tasks import store as wh

    settings = _settings(config, warehouse)
    try:
        with _read_only(settings) as con:
            table = con.sql(
                "SELECT run_id, flow, deployment, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') "
                "AS started, round(epoch(ended_at - started_at), 1) AS seconds, "
                "counts->>'extracted' AS read, counts->>'articles' AS new, "
                "counts->>'replaced' AS changed, counts->>'unchanged' AS unchanged, "
                "counts->>'mentions' AS mentions, counts->>'events' AS events, "
                "failures AS failed, message "
                f"FROM runs ORDER BY started_at DESC LIMIT {int(limit)}"
            ).fetch_arrow_table()
    except wh.WarehouseError as exc:
        _fail(str(exc))
    typer.echo(_format_table(table, "table"))


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
