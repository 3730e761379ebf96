"""Opening the DuckDB warehouse: one writer at a time, a bounded wait, clear errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb


class WarehouseError(RuntimeError):
    """The warehouse cannot be used; the message says why and what to do."""


class WarehouseBusy(WarehouseError):
    """Another process holds the write lock on the warehouse file for too long."""


def one(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """First row of a result, consuming it (DuckDB 2 refuses new work while a result is open)."""
    rows = result.fetchall()
    return rows[0] if rows else None


# DuckDB 2.0 can lose its Arrow scan function when connections to one file are opened and
# closed at the same moment from several threads of a process; opening and closing one at a
# time avoids it (both are quick; the work in between runs concurrently).
_OPEN_CLOSE = threading.Lock()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


@contextmanager
def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    lock_timeout: float = 60.0,
    config: dict[str, Any] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating and migrating it when writable), waiting for another writer.

    DuckDB lets one process write a file at a time; a second writer waits here up to
    `lock_timeout` seconds, then fails with WarehouseBusy instead of corrupting anything.
    `config` is DuckDB's connect configuration (e.g. `{"enable_external_access": False}`).
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `newsflow run` or `make run` first")
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            with _OPEN_CLOSE:
                con = duckdb.connect(str(path), read_only=read_only, config=config or {})
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"warehouse {path} is locked by another newsflow process (a run or an open "
                    f"`newsflow sql`) and stayed locked for {lock_timeout:.0f}s; wait for it to "
                    "finish, or raise warehouse.lock_timeout_seconds. DuckDB said: "
                    + str(exc).splitlines()[0]
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        if not read_only:
            from tasks.store.schema import migrate

            migrate(con)
        yield con
    finally:
        with _OPEN_CLOSE:
            con.close()
