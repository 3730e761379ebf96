"""What the command line prints: run summaries, result tables, the progress bar."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import typer

from flows.cli.app import EXIT_FAILED, EXIT_ITEM_FAILURES, EXIT_OK, EXIT_USAGE, fail

if TYPE_CHECKING:
    import pyarrow as pa

SHOWN_FAILURES = 20


def failure_total(summary: dict[str, Any]) -> int:
    """How many items failed: the run row's total when given, else the failures listed.

    The summary's own list is the one source of truth; `counts["failed"]` is not read.
    """
    total = summary.get("failure_count")
    return int(total) if total is not None else len(summary.get("failures", []))


def print_summary(summary: dict[str, Any]) -> int:
    """Print a run summary and return the exit status it calls for."""
    from tasks.store.queries import OPEN_FAILURES_QUERY, SAMPLE_QUERY

    c = summary.get("counts", {})
    t = summary.get("totals", {})
    status = summary.get("status", "?")
    failures = summary.get("failures", [])
    failed = failure_total(summary)
    typer.echo(f"\nnewsflow {summary.get('flow')}: {status} in {summary.get('seconds', 0)} s")
    typer.echo(
        f"  this run: {c.get('extracted', 0)} articles read, {c.get('articles', 0)} new, "
        f"{c.get('replaced', 0)} changed, {c.get('unchanged', 0)} unchanged, "
        f"{c.get('duplicates', 0)} duplicates; {c.get('entities', 0)} new entities, "
        f"{c.get('mentions', 0)} mentions, {c.get('events', 0)} events, {c.get('quotes', 0)} quotes; "
        f"{failed} failed"
    )
    if t:
        typer.echo(
            f"  warehouse: {t.get('articles', 0)} articles, {t.get('entities', 0)} entities, "
            f"{t.get('entity_mentions', 0)} mentions, {t.get('events', 0)} events "
            f"({t.get('coded_events', 0)} coded), "
            f"{t.get('quotes', 0)} quotes, {t.get('failures', 0)} failures recorded"
        )
    typer.echo(f"  warehouse file: {summary.get('warehouse')}")
    shown = failures[:SHOWN_FAILURES]
    for f in shown:
        typer.secho(f"  failed: {f['uri']} ({f['stage']}): {f['message']}", fg=typer.colors.YELLOW)
    if failed > len(shown):
        typer.echo(f'  ... and {failed - len(shown)} more: newsflow sql "{OPEN_FAILURES_QUERY}"')
    if summary.get("message"):
        typer.secho(f"  {summary['message']}", fg=typer.colors.RED)
    typer.echo(f'  try: newsflow sql "{SAMPLE_QUERY}"')
    if status == "failed":
        return EXIT_FAILED
    return EXIT_ITEM_FAILURES if failed else EXIT_OK


@contextlib.contextmanager
def progress_bar() -> Iterator[None]:
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


FORMATS = ("table", "csv", "json", "parquet")


def format_table(table: pa.Table, fmt: str) -> str:
    """A result as text: an aligned table, CSV or JSON."""
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
        fail(f"unknown --format {fmt!r}; use {', '.join(FORMATS)}", EXIT_USAGE)
    cols = table.column_names
    cells = [[cell(r[c]) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


def cell(value: object, limit: int = 60) -> str:
    """One table cell: text on one line, cut at `limit` characters."""
    text = "" if value is None else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timestamp(value: object) -> str:
    """A timestamp to the second, or '-'."""
    return "-" if value is None else str(value)[:19]


def schedule_text(schedule: object) -> str:
    """A Prefect schedule in words."""
    cron = getattr(schedule, "cron", None)
    if cron:
        return f"cron {cron}"
    interval = getattr(schedule, "interval", None)
    if interval:
        return f"every {interval.total_seconds():g} s"
    return str(schedule)
