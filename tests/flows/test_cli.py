"""The command line: help, ingest with a summary and exit status, SQL that refuses writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Import Prefect before the first CliRunner.invoke: Prefect's console log handler binds to the
# stderr it sees at set-up, and a runner's captured stream is closed after its invoke.
import flows.reprocess  # noqa: F401,E402

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

    result = runner.invoke(
        app, ["sql", "SELECT count(*) AS n FROM articles", "-w", str(db), "--format", "json"]
    )
    assert result.exit_code == 0 and json.loads(result.output) == [{"n": 2}]
    out_csv = tmp_path / "people.csv"
    result = runner.invoke(
        app,
        [
            "sql",
            "SELECT DISTINCT canonical FROM entity_mentions WHERE label = 'PERSON' ORDER BY 1",
            "-w",
            str(db),
            "--format",
            "csv",
            "--output",
            str(out_csv),
        ],
    )
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


def _summary(status: str = "completed", failures: int = 0) -> dict[str, object]:
    return {
        "flow": "fake",
        "status": status,
        "counts": {"extracted": 1},
        "warehouse": "w",
        "failures": [
            {"stage": "fetch", "uri": f"u{i}", "error": "E", "message": "m"}
            for i in range(failures)
        ],
    }


def test_web_commands_call_their_flows_and_map_exit_status(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import flows.web

    calls: list[tuple[str, dict[str, object]]] = []

    def fake(name: str, result: dict[str, object]):  # type: ignore[no-untyped-def]
        def flow(**kwargs: object) -> dict[str, object]:
            calls.append((name, kwargs))
            return result

        return flow

    db = str(tmp_path / "w.duckdb")
    monkeypatch.setattr(flows.web, "ingest_urls_flow", fake("urls", _summary(failures=2)))
    monkeypatch.setattr(flows.web, "ingest_feeds_flow", fake("feeds", _summary()))
    monkeypatch.setattr(
        flows.reprocess, "reenrich_flow", fake("reenrich", _summary("failed")), raising=False
    )
    r = runner.invoke(app, ["ingest", "urls", "http://a.example/x", "--source", "s", "-w", db])
    assert r.exit_code == EXIT_ITEM_FAILURES and "u1" in r.output
    r = runner.invoke(app, ["ingest", "feeds", "--source", "bbc", "-w", db])
    assert r.exit_code == EXIT_OK
    r = runner.invoke(app, ["reenrich", "--all", "-w", db])
    assert r.exit_code == 1
    assert calls == [
        ("urls", {"urls": ["http://a.example/x"], "warehouse": db, "config": None, "source": "s"}),
        ("feeds", {"sources": ["bbc"], "warehouse": db, "config": None}),
        ("reenrich", {"warehouse": db, "config": None, "all": True}),
    ]


def test_sql_refuses_any_writing_statement(tmp_path: Path) -> None:
    from tasks import store as wh

    db = tmp_path / "ro.duckdb"
    with wh.connect(db):
        pass
    for statement in (
        "SELECT 1; DROP TABLE runs",
        "COPY runs TO 'x.csv'",
        "ATTACH 'y.db'",
        "INSERT INTO runs SELECT * FROM runs",
        "SET threads = 1",
    ):
        r = runner.invoke(app, ["sql", statement, "-w", str(db)])
        assert r.exit_code == EXIT_USAGE and "--write" in r.output, statement
    r = runner.invoke(app, ["sql", "WITH x AS (SELECT 1 AS n) SELECT n FROM x", "-w", str(db)])
    assert r.exit_code == EXIT_OK and "(1 rows)" in r.output
    r = runner.invoke(app, ["sql", "CREATE TABLE notes (t VARCHAR)", "-w", str(db), "--write"])
    assert r.exit_code == EXIT_OK


def test_serve_list_and_trigger_usage_errors(tmp_path: Path) -> None:
    r = runner.invoke(app, ["serve", "--list", "-w", str(tmp_path / "w.duckdb")])
    assert r.exit_code == EXIT_OK and "ingest-files/adhoc" in r.output
    r = runner.invoke(app, ["trigger", "ingest-files/adhoc", "--param", "novalue"])
    assert r.exit_code == EXIT_USAGE and "key=value" in r.output
