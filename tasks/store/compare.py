"""Comparing two warehouses by content: every table's rows, without run ids and timestamps."""

from __future__ import annotations

from typing import Any

import duckdb

from tasks.store.schema import TABLES

# Columns that say which run wrote a row and when: they differ between two runs of one input.
VOLATILE_COLUMNS = frozenset(
    {
        "run_id",
        "first_seen_at",
        "last_seen_at",
        "updated_at",
        "fetched_at",
        "last_checked_at",
        "next_retry_at",
        "resolved_at",
        "joined_at",  # when an article was placed in its story
        # a story's span falls back to when its undated articles were first seen
        "first_seen",
        "last_seen",
    }
)


def content_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Sorted rows of every table but `runs`, without the volatile columns."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in TABLES:
        if table == "runs":
            continue
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if r[0] not in VOLATILE_COLUMNS
        ]
        listed = ", ".join(f'"{c}"' for c in cols)
        rows = con.execute(f"SELECT {listed} FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def differences(
    a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]
) -> dict[str, tuple[int, int, int]]:
    """Tables whose rows differ: (rows in a, rows in b, rows of a not in b)."""
    out: dict[str, tuple[int, int, int]] = {}
    for table in sorted(set(a) | set(b)):
        ra, rb = a.get(table, []), b.get(table, [])
        if ra != rb:
            missing = len(set(map(repr, ra)) - set(map(repr, rb)))
            out[table] = (len(ra), len(rb), missing)
    return out
