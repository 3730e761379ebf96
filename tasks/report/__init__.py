"""The analyst's report: one self-contained HTML file of charts over the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tasks.report.data import ReportData, ReportFilter, report_data
from tasks.report.html import render_report

__all__ = ["ReportData", "ReportFilter", "build_report", "render_report", "report_data"]


def build_report(
    con: duckdb.DuckDBPyConnection, output: str | Path, flt: ReportFilter, warehouse: str
) -> ReportData:
    """Write the report for the chosen articles to `output`; returns the data it charts."""
    data = report_data(con, flt)
    Path(output).write_text(render_report(data, flt, warehouse), encoding="utf-8")
    return data
