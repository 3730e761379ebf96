"""A person's own SQL on the warehouse (`newsflow sql`).

Read-only SQL runs on a read-only connection with DuckDB's `enable_external_access = false`, so
it cannot read or write files (read_text, read_csv, glob, COPY, ATTACH), load extensions or reach
the network; `--write` opens a normal connection. Results are written by Python, never by
DuckDB, and never onto the warehouse or an existing file unless asked.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

_READ_TYPES = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)
# DuckDB expands PIVOT into several statements (an enum type, then the query): a read when the
# statement as written is a query.
_QUERY_START = re.compile(r"\s*\(*\s*(SELECT|WITH|FROM|PIVOT|UNPIVOT|VALUES|TABLE)\b", re.I)


class UnsafeOutput(ValueError):
    """Writing the result there could destroy the warehouse or a file; the message says why."""


def is_read_only(statement: str) -> bool:
    """True when every statement only reads (SELECT, WITH, FROM, PIVOT, SHOW, DESCRIBE...)."""
    try:
        parsed = duckdb.extract_statements(statement)
    except duckdb.Error:
        return True  # not valid SQL: let the read-only connection report the error
    return bool(parsed) and all(
        s.type in _READ_TYPES
        or (s.type == duckdb.StatementType.MULTI and _QUERY_START.match(s.query) is not None)
        for s in parsed
    )


def check_output(output: Path, warehouse: Path, *, force: bool = False) -> None:
    """Raise UnsafeOutput unless `output` may receive a result.

    Never the warehouse, its write-ahead log or any `<warehouse>.*` file beside it (compared
    after resolving links and `..`, and by inode for hard links); never an existing file without
    `force`; never a folder.
    """
    target = output.expanduser().resolve()
    base = warehouse.expanduser().resolve()
    ours = target == base or (
        target.parent == base.parent and target.name.startswith(base.name + ".")
    )
    if not ours and target.exists() and base.exists():
        ours = os.path.samefile(target, base)
    if ours:
        raise UnsafeOutput(
            f"--output {output} is the warehouse {warehouse} or one of its files; "
            "write the result to another file"
        )
    if target.is_dir():
        raise UnsafeOutput(f"--output {output} is a folder; name a file")
    if (output.exists() or output.is_symlink()) and not force:
        raise UnsafeOutput(f"--output {output} exists; use --force to overwrite it")


def save_result(table: pa.Table, output: Path, fmt: str, text: str | None = None) -> None:
    """Write a result to `output` (parquet from Arrow, else `text`), replacing it in one step."""
    output = output.expanduser()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, tmp)
        else:
            Path(tmp).write_text(text or "", encoding="utf-8")
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
