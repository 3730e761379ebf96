"""`newsflow export` round trip: every exported file's row count against the warehouse.

    .venv/bin/newsflow export exports/ --warehouse data/newsflow.duckdb
    .venv/bin/python benchmarks/export_roundtrip.py exports/ data/newsflow.duckdb

Each Parquet file (or CSV with --format csv) is read by DuckDB, pyarrow, polars and pandas
(the last two when installed) and its rows are compared with the table or view it came from,
read in the analysts' copy when there is one (what `newsflow export` reads).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from tasks.store.snapshot import analyst_path


def _readers(fmt: str) -> dict[str, Any]:
    """Row counters for one file, by library; libraries not installed are left out."""
    mem = duckdb.connect()
    reader = "read_parquet" if fmt == "parquet" else "read_csv"

    def by_duckdb(path: Path) -> int:
        return int(mem.execute(f"SELECT count(*) FROM {reader}(?)", [str(path)]).fetchall()[0][0])

    out: dict[str, Any] = {"duckdb": by_duckdb}
    if fmt == "parquet":
        out["pyarrow"] = lambda path: pq.read_metadata(path).num_rows
    for name in ("polars", "pandas"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        read = getattr(module, f"read_{fmt}")
        out[name] = lambda path, read=read: len(read(path))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder newsflow export wrote")
    parser.add_argument("warehouse", type=Path, help="the warehouse it exported")
    args = parser.parse_args(argv)
    snapshot = analyst_path(args.warehouse)
    source = snapshot if snapshot.exists() else args.warehouse
    files = sorted(p for p in args.folder.iterdir() if p.suffix in (".parquet", ".csv"))
    if not files:
        print(f"no .parquet or .csv files in {args.folder}", file=sys.stderr)
        return 2
    readers = _readers(files[0].suffix[1:])
    mismatches = 0
    with duckdb.connect(str(source), read_only=True) as con:
        print(f"{'file':<28}{'warehouse':>10}" + "".join(f"{n:>9}" for n in readers))
        for path in files:
            expected = con.execute(f'SELECT count(*) FROM "{path.stem}"').fetchall()[0][0]
            got = [count(path) for count in readers.values()]
            bad = any(g != expected for g in got)
            mismatches += bad
            row = "".join(f"{g:>9,}" for g in got)
            print(f"{path.name:<28}{expected:>10,}{row}{'  MISMATCH' if bad else ''}")
    print(f"{len(files)} files read by {', '.join(readers)}; {mismatches} with a different count")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
