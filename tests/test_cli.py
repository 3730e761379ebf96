"""The command line: help, ingest with a summary and exit status, SQL that refuses writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import EXIT_ITEM_FAILURES, EXIT_OK, EXIT_USAGE, app

runner = CliRunner()


def test_help_from_the_console_script() -> None:
    exe = Path(sys.executable).parent / "newsflow"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.cli"]
    out = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for word in ("run", "ingest", "sql", "status", "runs"):
        assert word in out.stdout


@pytest.mark.usefixtures("prefect_harness")
def test_ingest_summary_sql_and_exit_status(seed_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    result = runner.invoke(app, ["ingest", "files", str(seed_dir), "--warehouse", str(db)])
    assert result.exit_code == EXIT_OK, result.output
    assert "2 new" in result.output and str(db) in result.output
    assert "newsflow sql" in result.output  # one query to try

    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM articles", "-w", str(db),
                                 "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output) == [{"n": 2}]
    out_csv = tmp_path / "people.csv"
    result = runner.invoke(app, ["sql", "SELECT DISTINCT canonical FROM entity_mentions "
                                 "WHERE label = 'PERSON' ORDER BY 1", "-w", str(db),
                                 "--format", "csv", "--output", str(out_csv)])
    assert result.exit_code == 0 and "Josep Borrell" in out_csv.read_text()

    result = runner.invoke(app, ["sql", "DELETE FROM articles", "-w", str(db)])
    assert result.exit_code == EXIT_USAGE and "--write" in result.output
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM articles", "-w", str(db)])
    assert "2" in result.output

    result = runner.invoke(app, ["status", "-w", str(db)])
    assert result.exit_code == 0 and "articles 2" in result.output

    shutil.copy(seed_dir / "bbc_business_001.txt", seed_dir / "broken.txt")
    (seed_dir / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = runner.invoke(app, ["ingest", "files", str(seed_dir), "--warehouse", str(db)])
    assert result.exit_code == EXIT_ITEM_FAILURES
    assert "broken.txt" in result.output and "binary" in result.output

    result = runner.invoke(app, ["runs", "-w", str(db)])
    assert result.exit_code == 0 and "completed_with_failures" in result.output
