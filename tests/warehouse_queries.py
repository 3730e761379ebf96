"""Read-only queries tests use to look into a warehouse file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from tasks import warehouse as wh


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """All rows of a query on a warehouse file, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def counts(db: Path) -> dict[str, int]:
    """Row count of every warehouse table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return wh.table_counts(con)
    finally:
        con.close()


def integrity(db: Path) -> dict[str, int]:
    """Offending rows per data check (all zero when the warehouse is sound)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return wh.check_integrity(con)
    finally:
        con.close()
