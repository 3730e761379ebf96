"""`newsflow sql` safety: the warehouse is never an output, existing files need --force, and
read-only SQL cannot reach the file system or the network."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import EXIT_OK, EXIT_USAGE, app
from tasks import store as wh

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with wh.connect(path) as con:
        con.execute("CREATE TABLE notes AS SELECT 'a' AS k, 1 AS v UNION ALL SELECT 'b', 2")
    return path


def _opens(path: Path) -> bool:
    with wh.connect(path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM notes").fetchall() == [(2,)]


@pytest.mark.parametrize("fmt", ["table", "csv", "parquet"])
def test_output_is_never_the_warehouse(db: Path, fmt: str) -> None:
    for target in (db, db.parent / "sub" / ".." / db.name, Path(str(db) + ".wal")):
        r = runner.invoke(
            app, ["sql", "SELECT 1", "-w", str(db), "--format", fmt, "-o", str(target)]
        )
        assert r.exit_code == EXIT_USAGE, r.output
        assert "warehouse" in r.output
        r = runner.invoke(
            app, ["sql", "SELECT 1", "-w", str(db), "--format", fmt, "-o", str(target), "--force"]
        )
        assert r.exit_code == EXIT_USAGE, r.output
    link = db.parent / "link.duckdb"
    link.symlink_to(db)
    r = runner.invoke(app, ["sql", "SELECT 1", "-w", str(db), "-o", str(link), "--force"])
    assert r.exit_code == EXIT_USAGE
    assert _opens(db)


def test_an_existing_output_needs_force(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    r = runner.invoke(app, ["sql", "FROM notes", "-w", str(db), "--format", "csv", "-o", str(out)])
    assert r.exit_code == EXIT_USAGE and "--force" in r.output
    assert out.read_text() == "precious\n"
    r = runner.invoke(
        app, ["sql", "FROM notes", "-w", str(db), "--format", "csv", "-o", str(out), "--force"]
    )
    assert r.exit_code == EXIT_OK, r.output
    assert out.read_text().splitlines() == ["k,v", "a,1", "b,2"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_text('/proc/self/environ')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_blob('{secret}')",
        "SELECT * FROM '{secret}'",
        "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
        "COPY notes TO '{out}'",
        "ATTACH '{out}' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_read_only_sql_cannot_reach_files_or_network(db: Path, tmp_path: Path, query: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("TOPSECRET\n")
    out = tmp_path / "copied.csv"
    r = runner.invoke(app, ["sql", query.format(secret=secret, out=out), "-w", str(db)])
    assert r.exit_code == EXIT_USAGE, r.output
    assert "TOPSECRET" not in r.output and "root:" not in r.output and not out.exists()


def test_write_is_the_explicit_way_out(db: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("TOPSECRET\n")
    query = f"SELECT content FROM read_text('{secret}')"
    r = runner.invoke(app, ["sql", query, "-w", str(db), "--write", "--format", "json"])
    assert r.exit_code == EXIT_OK, r.output
    assert json.loads(r.output) == [{"content": "TOPSECRET\n"}]


def test_pivot_is_a_read(db: Path) -> None:
    r = runner.invoke(
        app, ["sql", "PIVOT notes ON k USING first(v)", "-w", str(db), "--format", "json"]
    )
    assert r.exit_code == EXIT_OK, r.output
    assert json.loads(r.output) == [{"a": 1, "b": 2}]
    r = runner.invoke(
        app, ["sql", "CREATE TABLE p AS PIVOT notes ON k USING first(v)", "-w", str(db)]
    )
    assert r.exit_code == EXIT_USAGE and "--write" in r.output


def test_parquet_output(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.parquet"
    r = runner.invoke(
        app, ["sql", "FROM notes ORDER BY k", "-w", str(db), "--format", "parquet", "-o", str(out)]
    )
    assert r.exit_code == EXIT_OK, r.output
    assert pq.read_table(out).to_pylist() == [{"k": "a", "v": 1}, {"k": "b", "v": 2}]
    r = runner.invoke(app, ["sql", "FROM notes", "-w", str(db), "--format", "parquet"])
    assert r.exit_code == EXIT_USAGE and "--output" in r.output
