"""Report, export and schema on a real warehouse (one run of the seed files)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.files import ingest_files_flow
from tasks.report import ReportFilter, build_report
from tasks.store.comments import COLUMN_COMMENTS, TABLE_COMMENTS
from tasks.store.export import export, relations
from tasks.store.snapshot import analyst_path
from tests.conftest import FIXTURES, SEED

pytestmark = pytest.mark.usefixtures("prefect_harness")
CHARTS = {"mentions", "events", "pairs", "network", "places", "countries", "stories", "sources"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    request.getfixturevalue("prefect_harness")
    folder = tmp_path_factory.mktemp("seeds")
    shutil.copy(SEED, folder / SEED.name.removeprefix("seed_"))
    for name in ("bbc_business_001.txt", "bbc_tech_020.txt"):
        shutil.copy(FIXTURES / "files" / name, folder / name)
    db = tmp_path_factory.mktemp("wh") / "wh.duckdb"
    assert ingest_files_flow(paths=[str(folder)], warehouse=str(db))["status"] == "completed"
    return db


class _Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, int] = {}
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("data-chart"):
            self.charts[str(a["data-chart"])] = int(a.get("data-points") or 0)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.external.append(str(a["src"]))
        if tag in ("link", "img", "iframe") and (a.get("href") or a.get("src")):
            self.external.append(str(a.get("href") or a.get("src")))


def test_report_is_self_contained_and_every_chart_has_data(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["report", "--output", str(out), "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    parser = _Charts()
    parser.feed(text)
    assert set(parser.charts) == CHARTS
    assert all(points > 0 for points in parser.charts.values()), parser.charts
    assert parser.external == []  # nothing loaded from anywhere: opens offline
    assert "Plotly" in text and not re.search(r"<script[^>]+src=", text)
    for name in CHARTS - {"stories", "sources"}:
        assert f'id="chart-{name}"' in text
    # a selection that matches nothing still writes a report, with empty charts said so
    with duckdb.connect(str(analyst_path(warehouse)), read_only=True) as con:
        data = build_report(con, tmp_path / "none.html", ReportFilter(source="nope"), "wh")
    assert data.totals["articles"] == 0
    assert "nothing to show" in (tmp_path / "none.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trips_every_count(warehouse: Path, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["export", str(folder), "--format", fmt, "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(analyst_path(warehouse)), read_only=True) as con:
        names = relations(con)
        expected = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
    assert {"stories", "story_articles", "places", "events", "raw_pages"} <= set(names)
    files = {p.stem: p for p in folder.iterdir()}
    assert set(files) == set(expected)
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    options = (
        "" if fmt == "parquet" else ", header = true, delim = ',', quote = '\"', escape = '\"'"
    )
    with duckdb.connect() as con:
        for name, path in files.items():
            got = con.execute(f"SELECT count(*) FROM {reader}('{path}'{options})").fetchall()[0][0]
            assert got == expected[name], name
    if fmt == "parquet":
        assert pq.read_table(files["articles"]).num_rows == expected["articles"]
        polars = pytest.importorskip("polars")
        assert polars.read_parquet(files["stories"]).height == expected["stories"]
    else:
        polars = pytest.importorskip("polars")
        assert polars.read_csv(files["places"]).height == expected["places"]


def test_export_refuses_unknown_tables_and_formats(warehouse: Path, tmp_path: Path) -> None:
    bad = CliRunner().invoke(app, ["export", str(tmp_path), "-t", "nope", "-w", str(warehouse)])
    assert bad.exit_code == 2 and "no table or view named nope" in bad.output
    with duckdb.connect(str(warehouse), read_only=True) as con, pytest.raises(ValueError):
        export(con, tmp_path, "xlsx")


def test_every_table_and_column_is_documented(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        missing = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal AND (comment IS NULL OR comment = '')"
        ).fetchall()
        undocumented = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND comment IS NULL "
            "UNION ALL SELECT view_name FROM duckdb_views() "
            "WHERE schema_name = 'main' AND NOT internal AND comment IS NULL"
        ).fetchall()
    assert missing == [] and undocumented == []
    assert set(COLUMN_COMMENTS) <= set(TABLE_COMMENTS)
    out = CliRunner().invoke(app, ["schema", "events", "--warehouse", str(warehouse)]).output
    assert "event_id" in out and "GDELT's ActionGeo" in out


def test_readme_table_reference_is_generated_from_the_comments() -> None:
    from tasks.store.reference import README, readme_section, replace_section

    section = readme_section()
    text = README.read_text(encoding="utf-8")
    assert replace_section(text, section) == text, (
        "README's table reference is out of date: run python -m tasks.store.reference --readme"
    )
