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

from flows.cli import EXIT_FAILED, EXIT_ITEM_FAILURES, EXIT_OK, EXIT_USAGE, app
from tests.localserver import LocalServer

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


_ONE_ITEM_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local</title><link>{BASE}/</link>
<item><title>US civil rights leader Jesse Jackson dies aged 84</title>
<link>{BASE}/articles/apnews.html</link><pubDate>Tue, 17 Feb 2026 18:55:33 GMT</pubDate></item>
</channel></rss>"""


def _failed_count_matches_the_list(output: str) -> bool:
    """The summary's "N failed" is the number of "failed:" lines under it."""
    listed = output.count("  failed: ")
    return listed > 0 and f"; {listed} failed" in output


def test_the_failed_count_is_the_failures_listed(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli.output import print_summary

    failures = [{"stage": "feed", "uri": f"http://x/{i}", "message": "404"} for i in range(4)]
    code = print_summary(
        {"flow": "ingest-feeds", "status": "completed_with_failures", "counts": {"failed": 0}}
        | {"failures": failures, "warehouse": "w"}
    )
    out = capsys.readouterr().out
    assert (
        code == EXIT_ITEM_FAILURES and _failed_count_matches_the_list(out) and "; 4 failed" in out
    )
    # A run row reports its total, while only some failures are listed.
    print_summary({"flow": "f", "status": "completed", "failures": failures, "failure_count": 60})
    out = capsys.readouterr().out
    assert "; 60 failed" in out and "... and 56 more" in out


@pytest.mark.usefixtures("prefect_harness")
def test_web_commands_run_their_flows_and_map_exit_status(
    local_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = local_server
    s.add_fixture_site()
    s.add_page(
        "/feed.xml", _ONE_ITEM_FEED.replace("{BASE}", s.base), content_type="application/rss+xml"
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[feeds]]\nname = "local"\nurl = "{s.url("/feed.xml")}"\n'
        f'[[feeds]]\nname = "gone"\nurl = "{s.url("/gone.xml")}"\n'
    )
    for key, value in {
        "NEWSFLOW_SOURCES_FILE": str(sources),
        "NEWSFLOW_FETCH_ALLOW_HOSTS": f"127.0.0.1:{s.port}",
        "NEWSFLOW_FETCH_PER_HOST_RATE": "0",
        "NEWSFLOW_FETCH_MAX_RETRIES": "0",
    }.items():
        monkeypatch.setenv(key, value)
    db = str(tmp_path / "w.duckdb")

    r = runner.invoke(
        app,
        ["ingest", "urls", s.url("/articles/voa.html"), s.url("/articles/gone.html")]
        + ["--source", "picked", "-w", db],
    )
    assert r.exit_code == EXIT_ITEM_FAILURES, r.output
    assert "1 new" in r.output and "gone.html" in r.output
    assert _failed_count_matches_the_list(r.output)

    r = runner.invoke(app, ["ingest", "feeds", "--source", "local", "-w", db])
    assert r.exit_code == EXIT_OK, r.output
    assert "1 new" in r.output

    # Its only feed is gone: every item failed, so the run failed (exit 1), saying why.
    r = runner.invoke(app, ["ingest", "feeds", "--source", "gone", "-w", db])
    assert r.exit_code == EXIT_FAILED, r.output
    assert "gone.xml" in r.output and _failed_count_matches_the_list(r.output)
    assert "every item failed" in r.output

    r = runner.invoke(app, ["reenrich", "--all", "-w", db])
    assert r.exit_code == EXIT_OK, r.output
    assert "newsflow reenrich: completed" in r.output

    # A run that fails as a whole (the configured model is not installed) exits 1.
    monkeypatch.setenv("NEWSFLOW_NLP_MODEL", "no_such_model_installed")
    r = runner.invoke(app, ["reenrich", "--all", "-w", db])
    assert r.exit_code == EXIT_FAILED, r.output
    assert "no_such_model_installed" in r.output

    monkeypatch.delenv("NEWSFLOW_NLP_MODEL")
    r = runner.invoke(app, ["runs", "-w", db])
    assert r.exit_code == EXIT_OK
    for flow in ("ingest-urls", "ingest-feeds", "reenrich"):
        assert flow in r.output
    assert "failed" in r.output


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


def test_init_writes_a_project_and_refuses_to_overwrite(tmp_path: Path) -> None:
    project = tmp_path / "mine"
    r = runner.invoke(app, ["init", str(project)])
    assert r.exit_code == EXIT_OK, r.output
    assert (project / "newsflow.toml").is_file() and (project / "sources.toml").is_file()
    assert (project / "articles").is_dir()
    (project / "sources.toml").write_text("# my feeds\n")
    r = runner.invoke(app, ["init", str(project)])
    assert r.exit_code == EXIT_USAGE and "--force" in r.output
    assert (project / "sources.toml").read_text() == "# my feeds\n"
    r = runner.invoke(app, ["init", str(project), "--force"])
    assert r.exit_code == EXIT_OK and "[[feeds]]" in (project / "sources.toml").read_text()


def test_version() -> None:
    from importlib.metadata import version

    r = runner.invoke(app, ["--version"])
    assert r.exit_code == EXIT_OK and r.output.strip() == f"newsflow {version('newsflow')}"


@pytest.mark.parametrize("wait", ["--wait", "--no-wait"])
def test_trigger_refuses_parameters_the_flow_does_not_take(wait: str) -> None:
    """Checked before any Prefect API is needed, so before any flow run exists."""
    r = runner.invoke(app, ["trigger", "ingest-files/adhoc", "--param", "colour=blue", wait])
    assert r.exit_code == EXIT_USAGE, r.output
    assert "colour" in r.output and "batch_size" in r.output  # names what it takes
    r = runner.invoke(app, ["trigger", "ingest-files/adhoc", "--param", "batch_size=many", wait])
    assert r.exit_code == EXIT_USAGE and "batch_size" in r.output, r.output


@pytest.mark.usefixtures("prefect_harness")
def test_trigger_checks_parameters_before_creating_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    from flows.files import ingest_files_flow

    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    deployment_id = ingest_files_flow.to_deployment(name="cli-test").apply()

    async def runs() -> int:
        async with get_client() as client:
            return len(await client.read_flow_runs())

    before = asyncio.run(runs())
    for name in ("ingest-files/cli-test", "cli-test"):
        for wait in ("--wait", "--no-wait"):
            r = runner.invoke(app, ["trigger", name, "--param", "colour=blue", wait])
            assert r.exit_code == EXIT_USAGE and "colour" in r.output, r.output
    assert asyncio.run(runs()) == before
    r = runner.invoke(app, ["trigger", "cli-test", "--param", "batch_size=4", "--no-wait"])
    assert r.exit_code == EXIT_OK, r.output
    assert asyncio.run(runs()) == before + 1
    assert deployment_id
