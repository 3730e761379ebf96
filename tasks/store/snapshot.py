"""The analysts' copy of the warehouse: published at the end of every run, never locked by it.

DuckDB lets one process hold a file for writing, and a read-only connection from another
process blocks that writer. So analysts do not open the warehouse: each run ends (after its
last commit, still holding the write lock) with a CHECKPOINT, copies the file to a temporary
name beside it and renames that onto `<warehouse stem>.analyst.duckdb` in one atomic step.
Connections already open on the analyst file keep reading the copy they opened (the old
inode); new connections see the new run. The analyst file is as fresh as the last finished run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb


def analyst_path(warehouse: str | Path) -> Path:
    """Where the analysts' copy of a warehouse lives: `data/newsflow.analyst.duckdb`."""
    path = Path(warehouse)
    stem = path.name[: -len(".duckdb")] if path.name.endswith(".duckdb") else path.name
    return path.with_name(f"{stem}.analyst.duckdb")


def publish_snapshot(con: duckdb.DuckDBPyConnection, warehouse: str | Path) -> Path:
    """Checkpoint the warehouse through the writer's connection and publish a copy atomically.

    Call it holding the write connection, after the last commit: no writer can change the file
    while it is copied, so the copy is a consistent database of its own.
    """
    warehouse = Path(warehouse)
    target = analyst_path(warehouse)
    con.execute("CHECKPOINT").fetchall()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(warehouse, tmp)
        shutil.copymode(warehouse, tmp)  # mkstemp made it private; analysts read it
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


@contextmanager
def open_for_analysis(
    warehouse: str | Path, *, lock_timeout: float = 60.0, external_access: bool = True
) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A read-only connection on the analysts' copy (and its path); the warehouse itself,
    read-only, when no run has published a copy of the current schema yet. Without
    `external_access` the connection cannot touch files, extensions or the network (`sql`)."""
    from tasks.store.connection import connect
    from tasks.store.queries import NO_EXTERNAL_ACCESS, read_only, schema_version
    from tasks.store.schema import SCHEMA_VERSION

    config: dict[str, Any] = {} if external_access else dict(NO_EXTERNAL_ACCESS)
    snapshot = analyst_path(warehouse)
    if snapshot.exists():
        con = duckdb.connect(str(snapshot), read_only=True, config=config)
        try:
            if schema_version(con) == SCHEMA_VERSION:
                yield con, snapshot
                return
        finally:
            con.close()
    if external_access:
        with connect(Path(warehouse), read_only=True, lock_timeout=lock_timeout) as con:
            yield con, Path(warehouse)
    else:
        with read_only(Path(warehouse), lock_timeout=lock_timeout) as con:
            yield con, Path(warehouse)
