"""The run log: runs still marked `running`, and marking those whose process is gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True, slots=True)
class OpenRun:
    """A `runs` row still marked running, with the process that ran it."""

    run_id: str
    flow: str
    pid: int | None
    hostname: str | None
    process_started_at: datetime | None
    started_at: datetime


def open_runs(con: duckdb.DuckDBPyConnection, *, exclude: str | None = None) -> list[OpenRun]:
    """Runs still marked `running` (but `exclude`, the caller's own)."""
    rows = con.execute(
        "SELECT run_id, flow, pid, hostname, process_started_at, started_at FROM runs "
        "WHERE status = 'running' AND run_id IS DISTINCT FROM ? ORDER BY started_at",
        [exclude],
    ).fetchall()
    return [OpenRun(*r) for r in rows]


def mark_runs(
    con: duckdb.DuckDBPyConnection,
    run_ids: list[str],
    status: str,
    message: str,
    when: datetime,
) -> int:
    """Close runs that are still marked running with `status` (e.g. abandoned) and a message."""
    if not run_ids:
        return 0
    rows = con.execute(
        "UPDATE runs SET status = ?, ended_at = ?, message = ? "
        "WHERE status = 'running' AND run_id IN (SELECT unnest(?))",
        [status, when, message, run_ids],
    ).fetchall()
    return int(rows[0][0]) if rows else 0
