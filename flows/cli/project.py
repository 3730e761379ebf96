"""`newsflow init` (a project folder of one's own) and `newsflow --version`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import EXIT_USAGE, app, fail


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Project folder to create or fill (default: here).")
    ] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite files that exist.")] = False,
) -> None:
    """Write an editable newsflow.toml and sources.toml for a project of your own."""
    from tasks.settings import LOCAL_CONFIG, starter_files

    files = starter_files()
    targets = [folder / name for name in files]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        fail(f"{', '.join(existing)} already exist; use --force to overwrite", EXIT_USAGE)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "articles").mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write the project in {folder}: {exc}", EXIT_USAGE)
    for path in targets:
        typer.echo(f"wrote {path}")
    typer.echo(
        f"next: cd {folder}; put articles in articles/ or feeds in sources.toml; newsflow run\n"
        f"  (newsflow reads ./{LOCAL_CONFIG} when run in that folder; elsewhere pass "
        f"--config {folder / LOCAL_CONFIG})"
    )


def version_callback(value: bool) -> None:
    """Print the installed version and exit (`newsflow --version`)."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        typer.echo(f"newsflow {version('newsflow')}")
    except PackageNotFoundError:
        from tasks import __version__

        typer.echo(f"newsflow {__version__} (not installed)")
    raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """News ingestion and enrichment into a DuckDB warehouse (Prefect flows, spaCy)."""
