"""The `newsflow` command line, split by area.

- `app`: the typer app, shared options, exit codes, `main`;
- `ingest`: `run`, `ingest files|feeds|urls`, `reenrich`, `reextract`;
- `query`: `sql`, `status`, `runs`;
- `serve`: `serve`, `trigger`;
- `evaluate`: `eval ...`;
- `project`: `init`, `--version`;
- `analyst`: `report`, `export`, `schema`;
- `output`: run summaries, tables, the progress bar.

Importing this package registers every command; a new command goes in the module of its area.
"""

from flows.cli import (  # noqa: F401  (they register commands)
    analyst,
    evaluate,
    ingest,
    project,
    query,
    serve,
)
from flows.cli.app import EXIT_FAILED, EXIT_ITEM_FAILURES, EXIT_OK, EXIT_USAGE, app, main

__all__ = ["EXIT_FAILED", "EXIT_ITEM_FAILURES", "EXIT_OK", "EXIT_USAGE", "app", "main"]
