"""Commands for analysts: `report`, `export`, `schema`. They read the analysts' copy of the
warehouse (`tasks.store.snapshot`), so they never wait for a running writer."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import EXIT_USAGE, ConfigOpt, WarehouseOpt, app, fail, settings_or_exit


@app.command()
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    since: Annotated[
        str | None, typer.Option("--since", help="Only articles published on or after DATE.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Only articles that came from this source.")
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write one self-contained HTML report (opens offline): entities, events, actors,
    co-occurrence, places, stories, source health."""
    import duckdb

    from tasks import store as wh
    from tasks.report import ReportFilter, build_report
    from tasks.store.snapshot import open_for_analysis

    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since {since!r} is not a date; write it as YYYY-MM-DD", EXIT_USAGE)
    settings = settings_or_exit(config, warehouse)
    try:
        with open_for_analysis(
            settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
        ) as (con, path):
            data = build_report(con, output, ReportFilter(day, source), str(path))
    except wh.WarehouseError as exc:
        fail(str(exc))
    except (duckdb.Error, OSError) as exc:
        fail(f"could not write the report: {type(exc).__name__}: {exc}")
    t = data.totals
    typer.echo(
        f"wrote {output}: {t['articles']} articles, {t['events']} events, {t['stories']} stories"
        f" (from {path})"
    )
    if not t["articles"]:
        typer.echo("note: no article matches the selection; the charts are empty")


@app.command()
def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write one file per table and view.")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    tables: Annotated[
        list[str] | None,
        typer.Option(
            "--tables", "-t", help="Only these tables or views (repeat or comma-separate)."
        ),
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Export tables and views with DuckDB's COPY (readable by DuckDB, pandas, polars)."""
    import duckdb

    from tasks import store as wh
    from tasks.store.export import export as export_relations
    from tasks.store.snapshot import open_for_analysis

    names = [n.strip() for t in tables or () for n in t.split(",") if n.strip()]
    settings = settings_or_exit(config, warehouse)
    try:
        with open_for_analysis(
            settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
        ) as (con, _):
            written = export_relations(con, folder, fmt, names)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    except wh.WarehouseError as exc:
        fail(str(exc))
    except (duckdb.Error, OSError) as exc:
        fail(f"could not export: {type(exc).__name__}: {exc}")
    for e in written:
        typer.echo(f"{e.rows:>9,}  {e.kind.lower():<5}  {e.path}")
    typer.echo(f"wrote {len(written)} files to {folder}")


@app.command()
def schema(
    table: Annotated[
        str | None, typer.Argument(help="One table or view (default: all of them).")
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print every table and view with its columns, types and what they mean."""
    from tasks import store as wh
    from tasks.store.comments import documented_schema
    from tasks.store.snapshot import open_for_analysis

    settings = settings_or_exit(config, warehouse)
    try:
        with open_for_analysis(
            settings.warehouse.path, lock_timeout=settings.warehouse.lock_timeout_seconds
        ) as (con, _):
            objects = documented_schema(con)
    except wh.WarehouseError as exc:
        fail(str(exc))
    if table is not None:
        objects = [o for o in objects if o[0] == table]
        if not objects:
            fail(
                f"no table or view named {table!r}; run `newsflow schema` for the list", EXIT_USAGE
            )
    for name, kind, comment, columns in objects:
        typer.echo(f"{name} ({kind.lower()}): {comment}")
        width = max(len(c) for c, _, _ in columns)
        for col, kind_, text in columns:
            typer.echo(f"  {col:<{width}}  {kind_:<12}  {text}")
        typer.echo("")
