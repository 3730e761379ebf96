"""The typer app, its sub-commands' groups, shared options, exit codes and `main`.

Exit status: 0 when the run completed, 3 when it completed but some items failed (they are in the
`failures` table), 1 when the run itself failed, 2 for usage errors.

Nothing here imports Prefect or spaCy: commands import them when they run, so that `--help` and
the checks on the command line answer at once.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

import flows  # noqa: F401  (Prefect environment defaults)

if TYPE_CHECKING:
    from tasks.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ITEM_FAILURES = 0, 1, 2, 3

app = typer.Typer(
    name="newsflow",
    no_args_is_help=True,
    add_completion=False,
    help="News ingestion and enrichment into a DuckDB warehouse (Prefect flows, spaCy).",
)
ingest_app = typer.Typer(no_args_is_help=True, help="Ingest files, feeds or URLs.")
app.add_typer(ingest_app, name="ingest")
eval_app = typer.Typer(
    no_args_is_help=True,
    help="Measure extraction, event coding, 5W1H and feed parsing on gold data.",
)
app.add_typer(eval_app, name="eval")

WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse", "-w", help="DuckDB file to use (default: config, or NEWSFLOW_WAREHOUSE)."
    ),
]
ConfigOpt = Annotated[
    str | None, typer.Option("--config", help="TOML config file (default: config/newsflow.toml).")
]


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print `error: message` on stderr and exit with `code`."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def settings_or_exit(config: str | None, warehouse: str | None) -> Settings:
    """The settings for a command; a configuration mistake exits 2 with the message."""
    from tasks.settings import ConfigError, load_settings
    from tasks.store.connection import set_connect_defaults

    try:
        settings = load_settings(config).with_warehouse(warehouse)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    set_connect_defaults(settings.warehouse.duckdb_config())
    return settings


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
