"""Opening the DuckDB warehouse: one writer at a time, a bounded wait, clear errors.

`connect` waits for DuckDB's own file lock (held for one transaction's connection); `run_lock`
keeps a whole writing run to itself, so a second run plans against what the first stored.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
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


# DuckDB settings every connection of this process applies once open (the warehouse's memory
# limit), set from the settings by `set_connect_defaults`. They are SET after connecting, not
# passed as connect configuration: DuckDB refuses a second connection to a file whose
# configuration differs from one already open in the process.
_CONNECT_DEFAULTS: dict[str, str] = {}


def set_connect_defaults(config: dict[str, str]) -> None:
    """DuckDB settings for every later `connect` in this process (e.g. memory_limit)."""
    _CONNECT_DEFAULTS.clear()
    _CONNECT_DEFAULTS.update(config)


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
    `config` is DuckDB's connect configuration (e.g. `{"enable_external_access": False}`),
    and the process defaults are SET on it (`set_connect_defaults`: the warehouse's memory limit).
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
        for name, value in _CONNECT_DEFAULTS.items():
            con.execute(f"SET {name} = '{value.replace(chr(39), '')}'")
        if not read_only:
            from tasks.store.schema import migrate

            migrate(con)
        yield con
    finally:
        with _OPEN_CLOSE:
            con.close()


# ----------------------------------------------------------------------------------------------
# One writing run at a time
# ----------------------------------------------------------------------------------------------

_RUN_LOCKS: dict[str, tuple[threading.Thread, int]] = {}  # path -> (holding thread, depth)
_RUN_LOCKS_GUARD = threading.Lock()


def run_lock_path(path: str | Path) -> Path:
    """The file beside the warehouse that the writing run holds locked."""
    path = Path(path)
    return path.with_name(path.name + ".run.lock")


def _holder(lock_file: Path) -> str:
    try:
        text = lock_file.read_text(encoding="utf-8").strip()
    except OSError:
        return "another run"
    return text or "another run"


@contextmanager
def run_lock(
    path: str | Path,
    *,
    timeout: float,
    holder: str = "",
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse for one writing run; another run waits up to `timeout` seconds.

    A run plans against what is stored, so two runs planning at once would both enrich the
    same new articles: the second waits here and then plans against what the first stored.
    The lock is an advisory lock (flock) on `<warehouse>.run.lock`; the operating system
    drops it when the process ends, however it ends. Re-entrant within one thread.
    """
    path = Path(path)
    key = str(path.resolve())
    me = threading.current_thread()
    with _RUN_LOCKS_GUARD:
        held = _RUN_LOCKS.get(key)
        if held is not None and held[0] is me:
            _RUN_LOCKS[key] = (me, held[1] + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _RUN_LOCKS_GUARD:
                thread, depth = _RUN_LOCKS[key]
                _RUN_LOCKS[key] = (thread, depth - 1)
        return
    try:
        import fcntl
    except ImportError:  # no flock on this platform: DuckDB's own lock still keeps writes safe
        yield
        return
    lock_file = run_lock_path(path)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(_holder(lock_file))
                    told = True
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"warehouse {path} is being written by {_holder(lock_file)} and stayed "
                        f"so for {timeout:.0f}s; wait for that run to finish, or raise "
                        "warehouse.run_wait_seconds"
                    ) from None
                time.sleep(0.25)
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        with _RUN_LOCKS_GUARD:
            _RUN_LOCKS[key] = (me, 1)
        try:
            yield
        finally:
            with _RUN_LOCKS_GUARD:
                _RUN_LOCKS.pop(key, None)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
