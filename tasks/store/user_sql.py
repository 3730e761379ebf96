"""A person's own SQL on the warehouse (`newsflow sql`): what counts as read-only."""

from __future__ import annotations

import duckdb

_READ_TYPES = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)


def is_read_only(statement: str) -> bool:
    """True when every statement only reads (SELECT, WITH, FROM, SHOW, DESCRIBE, EXPLAIN...)."""
    try:
        parsed = duckdb.extract_statements(statement)
    except duckdb.Error:
        return True  # not valid SQL: let the read-only connection report the error
    return bool(parsed) and all(s.type in _READ_TYPES for s in parsed)
