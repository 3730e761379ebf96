"""Read-only queries tests use to look into a warehouse file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from tasks import store as wh


@contextmanager
def _open(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield con
    finally:
        con.close()


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """All rows of a query on a warehouse file, opened read-only."""
    with _open(db) as con:
        return con.execute(sql, params or []).fetchall()


def counts(db: Path) -> dict[str, int]:
    """Row count of every warehouse table."""
    with _open(db) as con:
        return wh.table_counts(con)


def integrity(db: Path) -> dict[str, int]:
    """Offending rows per data check (all zero when the warehouse is sound)."""
    with _open(db) as con:
        return wh.check_integrity(con)
