"""Commands that read the warehouse: `sql`, `status`, `runs`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli.app import EXIT_USAGE, ConfigOpt, WarehouseOpt, app, fail, settings_or_exit
from flows.cli.output import FORMATS, format_table, timestamp

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse.")],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write results to a file.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the --output file if it exists.")] = False,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Allow statements that change data, and access to files and network."
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Read the warehouse itself (waits for a running writer), not the "
            "analysts' copy the last run published.",
        ),
    ] = False,
) -> None:
    """Run SQL on the analysts' copy of the warehouse, as of the last finished run (read-only,
    without file or network access). --live reads the warehouse itself; --write changes it."""
    settings = settings_or_exit(config, warehouse)
    _check_request(query, fmt, output, settings.warehouse.path, force=force, write=write)
    table = _run(
        query, settings.warehouse.path, settings.warehouse.lock_timeout_seconds, write, live
    )
    if table is None:
        typer.echo("ok")
        return
    text = None if fmt == "parquet" else format_table(table, fmt)
    if output is None:
        typer.echo(text)
        return
    from tasks.store import user_sql

    try:
        user_sql.save_result(table, output, fmt, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc}", EXIT_USAGE)
    typer.echo(f"wrote {table.num_rows} rows to {output}")


def _check_request(
    query: str, fmt: str, output: Path | None, warehouse: Path, *, force: bool, write: bool
) -> None:
    """Everything `sql` can refuse before opening the warehouse."""
    from tasks.store import user_sql

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; use {', '.join(FORMATS)}", EXIT_USAGE)
    if fmt == "parquet" and output is None:
        fail("--format parquet needs --output FILE", EXIT_USAGE)
    if output is not None:
        try:
            user_sql.check_output(output, warehouse, force=force)
        except user_sql.UnsafeOutput as exc:
            fail(str(exc), EXIT_USAGE)
    if not write and not user_sql.is_read_only(query):
        fail(
            "this statement may change the warehouse; rerun with --write if you mean it", EXIT_USAGE
        )


def _run(query: str, path: Path, lock: float, write: bool, live: bool) -> pa.Table | None:
    """The query's result (None for a statement without one); DuckDB errors exit plainly."""
    from tasks import store as wh

    try:
        opened = (
            wh.connect(path, lock_timeout=lock)
            if write
            else _live(path, lock)
            if live
            else _analysis(path, lock)
        )
        with opened as con:
            rel = con.sql(query)
            return None if rel is None else rel.fetch_arrow_table()
    except wh.WarehouseError as exc:
        fail(str(exc))
    except Exception as exc:  # duckdb errors: show them plainly
        hint = ""
        if type(exc).__name__ == "PermissionException":
            hint = "; read-only SQL cannot use files, extensions or the network (--write allows it)"
        fail(f"{type(exc).__name__}: {exc}{hint}", EXIT_USAGE)


@contextmanager
def _live(path: Path, lock: float) -> Iterator[duckdb.DuckDBPyConnection]:
    from tasks.store import queries

    with queries.read_only(path, lock_timeout=lock) as con:
        yield con


@contextmanager
def _analysis(path: Path, lock: float) -> Iterator[duckdb.DuckDBPyConnection]:
    from tasks.store.snapshot import open_for_analysis

    with open_for_analysis(path, lock_timeout=lock, external_access=False) as (con, _):
        yield con


@app.command()
def status(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """Warehouse size, articles per source, last run per source, pending failures."""
    from tasks import store as wh
    from tasks.store import queries

    settings = settings_or_exit(config, warehouse)
    path = settings.warehouse.path
    try:
        with queries.read_only(path, lock_timeout=settings.warehouse.lock_timeout_seconds) as con:
            counts = wh.table_counts(con)
            per_source = queries.sources_status(con)
            last = queries.last_run(con)
            pending = queries.pending_failures(con)
    except wh.WarehouseError as exc:
        fail(str(exc))
    size = path.stat().st_size / 1e6
    typer.echo(f"warehouse {path} ({size:.1f} MB)")
    typer.echo("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for s in per_source:
        name = s.source if s.kind != "folder" or s.uri == s.source else f"{s.source} ({s.uri})"
        line = f"  source {name}: {s.articles} articles, last new {timestamp(s.last_new)}"
        if s.last_run_flow:
            line += (
                f"; last run {s.last_run_flow} {s.last_run_status} at {timestamp(s.last_run_at)}"
            )
        if s.last_check_status:
            line += f"; last check {s.last_check_status}"
        if s.open_failures:
            line += f"; {s.open_failures} failures pending"
        typer.echo(line)
    if last:
        via = f" ({last.deployment})" if last.deployment else ""
        typer.echo(
            f"  last run: {last.flow}{via} {last.status} at {timestamp(last.started_at)} "
            f"({last.failures} failures)"
        )
    typer.echo("  pending failures: " + (", ".join(f"{s} {n}" for s, n in pending) or "none"))


@app.command()
def runs(
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    limit: Annotated[int, typer.Option(help="How many runs.")] = 10,
) -> None:
    """Recent runs with their counts and failures."""
    from tasks import store as wh
    from tasks.store import queries

    settings = settings_or_exit(config, warehouse)
    try:
        with queries.read_only(
            settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
        ) as con:
            table = queries.recent_runs(con, limit)
    except wh.WarehouseError as exc:
        fail(str(exc))
    typer.echo(format_table(table, "table"))
