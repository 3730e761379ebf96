"""Export tables and views to Parquet or CSV files with DuckDB's COPY, one file per relation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

FORMATS = ("parquet", "csv")


@dataclass(frozen=True, slots=True)
class Exported:
    """One written file."""

    relation: str
    kind: str  # TABLE or VIEW
    path: Path
    rows: int


def relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every user table and view of the warehouse: name -> TABLE or VIEW."""
    return dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE schema_name = 'main' "
            "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY 1"
        ).fetchall()
    )


def export(
    con: duckdb.DuckDBPyConnection,
    folder: str | Path,
    fmt: str = "parquet",
    names: Sequence[str] = (),
) -> list[Exported]:
    """Write each chosen relation (every one when none is named) to `folder/<name>.<fmt>`.

    Raises ValueError naming an unknown format or relation.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    available = relations(con)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(
            f"no table or view named {', '.join(unknown)}; choose from {', '.join(available)}"
        )
    chosen = list(names) or list(available)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
    out = []
    for name in chosen:
        path = folder / f"{name}.{fmt}"
        target = str(path).replace("'", "''")
        row = con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{target}' ({options})").fetchall()
        rows = int(row[0][0]) if row and row[0] else 0
        out.append(Exported(name, available[name], path, rows))
    return out
