"""The `newsflow` command line.

Exit status: 0 when the run completed, 3 when it completed but some items failed (they are in the
`failures` table), 1 when the run itself failed, 2 for usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

import flows  # noqa: F401  (Prefect environment defaults)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ITEM_FAILURES = 0, 1, 2, 3

app = typer.Typer(
    name="newsflow", no_args_is_help=True, add_completion=False,
    help="News ingestion and enrichment into a DuckDB warehouse (Prefect flows, spaCy).",
)
ingest_app = typer.Typer(no_args_is_help=True, help="Ingest files, feeds or URLs.")
app.add_typer(ingest_app, name="ingest")

WarehouseOpt = Annotated[
    str | None,
    typer.Option("--warehouse", "-w", help="DuckDB file to use (default: config, or NEWSFLOW_WAREHOUSE)."),
]
ConfigOpt = Annotated[
    str | None, typer.Option("--config", help="TOML config file (default: config/newsflow.toml).")
]

SAMPLE_QUERY = (
    "SELECT canonical, label, count(*) AS mentions FROM entity_mentions "
    "GROUP BY ALL ORDER BY mentions DESC LIMIT 10"
)


def _fail(message: str, code: int = EXIT_FAILED) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(config: str | None, warehouse: str | None) -> Any:
    from tasks.settings import ConfigError, load_settings

    try:
        return load_settings(config).with_warehouse(warehouse)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)


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
        typer.echo(f"  ... and {len(summary['failures']) - 20} more: newsflow sql "
                   "\"SELECT * FROM failures WHERE resolved_at IS NULL\"")
    if summary.get("message"):
        typer.secho(f"  {summary['message']}", fg=typer.colors.RED)
    typer.echo(f'  try: newsflow sql "{SAMPLE_QUERY}"')
    if status == "failed":
        return EXIT_FAILED
    return EXIT_ITEM_FAILURES if summary.get("failures") else EXIT_OK


def _run_flow(fn: Any, **kwargs: Any) -> None:
    from tasks.warehouse import WarehouseError

    try:
        summary = fn(**kwargs)
    except WarehouseError as exc:
        _fail(str(exc))
    except Exception as exc:
        from tasks.nlp import ModelError

        if isinstance(exc, ModelError):
            _fail(str(exc))
        raise
    raise typer.Exit(print_summary(summary))


@app.command()
def run(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """The main job: ingest every configured source (the seeds when none is configured)."""
    from flows.ingest import ingest_files_flow

    settings = _settings(config, warehouse)
    _run_flow(ingest_files_flow, paths=[str(p) for p in settings.ingest.default_paths],
              warehouse=str(settings.warehouse.path), config=config)


@ingest_app.command("files")
def ingest_files(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt, .html, .json, .jsonl).")],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    batch_size: Annotated[int | None, typer.Option(help="Articles per batch.")] = None,
) -> None:
    """Ingest local article files and folders."""
    from flows.ingest import ingest_files_flow

    settings = _settings(config, warehouse)
    _run_flow(ingest_files_flow, paths=[str(p) for p in paths],
              warehouse=str(settings.warehouse.path), config=config, batch_size=batch_size)


_WRITE_WORDS = {"insert", "update", "delete", "create", "drop", "alter", "copy", "attach",
                "detach", "install", "load", "pragma", "set", "checkpoint", "vacuum", "import",
                "export", "truncate", "replace", "merge", "call", "use", "begin", "commit"}


def _is_read_only(statement: str) -> bool:
    words = statement.strip().lstrip("(").split(None, 1)
    return bool(words) and words[0].lower() in {"select", "with", "from", "show", "describe",
                                                 "summarize", "explain", "values", "table"}


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse.")],
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write results to a file.")] = None,
    write: Annotated[bool, typer.Option("--write", help="Allow statements that change data.")] = False,
) -> None:
    """Run SQL on the warehouse (read-only unless --write)."""
    from tasks import warehouse as wh

    settings = _settings(config, warehouse)
    if not write and not _is_read_only(query):
        _fail("this statement may change the warehouse; rerun with --write if you mean it",
              EXIT_USAGE)
    try:
        with wh.connect(settings.warehouse.path, read_only=not write,
                        lock_timeout=settings.warehouse.lock_timeout_seconds) as con:
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
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


def _cell(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@app.command()
def status(warehouse: WarehouseOpt = None, config: ConfigOpt = None) -> None:
    """Warehouse size, articles per source, last run, pending failures."""
    from tasks import warehouse as wh

    settings = _settings(config, warehouse)
    path = settings.warehouse.path
    try:
        with wh.connect(path, read_only=True, lock_timeout=settings.warehouse.lock_timeout_seconds) as con:
            counts = wh.table_counts(con)
            per_source = con.execute(
                "SELECT source, count(DISTINCT article_id), max(first_seen_at) FROM article_routes "
                "GROUP BY 1 ORDER BY 2 DESC").fetchall()
            last = con.execute(
                "SELECT flow, status, started_at, ended_at, failures FROM runs "
                "ORDER BY started_at DESC LIMIT 1").fetchone()
            pending = con.execute(
                "SELECT stage, count(*) FROM failures WHERE resolved_at IS NULL GROUP BY 1"
            ).fetchall()
    except wh.WarehouseError as exc:
        _fail(str(exc))
    size = path.stat().st_size / 1e6
    typer.echo(f"warehouse {path} ({size:.1f} MB)")
    typer.echo("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for source, n, seen in per_source:
        typer.echo(f"  source {source}: {n} articles, last new {seen}")
    if last:
        typer.echo(f"  last run: {last[0]} {last[1]} at {last[2]} ({last[4]} failures)")
    typer.echo("  pending failures: " + (", ".join(f"{s} {n}" for s, n in pending) or "none"))


@app.command()
def runs(
    warehouse: WarehouseOpt = None, config: ConfigOpt = None,
    limit: Annotated[int, typer.Option(help="How many runs.")] = 10,
) -> None:
    """Recent runs with their counts and failures."""
    from tasks import warehouse as wh

    settings = _settings(config, warehouse)
    try:
        with wh.connect(settings.warehouse.path, read_only=True,
                        lock_timeout=settings.warehouse.lock_timeout_seconds) as con:
            table = con.sql(
                "SELECT run_id, flow, deployment, status, started_at, "
                "round(epoch(ended_at - started_at), 1) AS seconds, failures, "
                "counts->>'articles' AS new_articles, counts->>'unchanged' AS unchanged "
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
