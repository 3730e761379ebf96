"""Served deployments with real Prefect: a schedule that fires by itself, ad-hoc triggers.

One `prefect server start` (the scheduler runs only in a real server) on a free port with a
temporary PREFECT_HOME, one `newsflow serve` child serving an interval schedule of a few seconds
into a temporary DuckDB file; then `newsflow trigger` and `prefect deployment run` with
parameters. Every wait is bounded; both children are killed (with their process groups) at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from flows.deploy import ScheduleSpec, build_deployments, free_port, load_schedules, parse_params
from tasks import store as wh
from tasks.settings import PROJECT_ROOT, ConfigError, load_settings
from tasks.store.snapshot import analyst_path

FIXTURES = Path(__file__).parent.parent / "fixtures"
BIN = Path(sys.executable).parent
INTERVAL = 5  # seconds between scheduled runs


def _config(tmp: Path, schedules: str) -> Path:
    """A config file in tmp/config whose relative paths still point into the project."""
    folder = tmp / "config"
    folder.mkdir(parents=True, exist_ok=True)
    base = (PROJECT_ROOT / "config" / "newsflow.toml").read_text(encoding="utf-8")
    base = base.split("[[schedules]]")[0]
    base = base.replace(
        'lexicon = "config/event_lexicon.toml"',
        f'lexicon = "{PROJECT_ROOT / "config" / "event_lexicon.toml"}"',
    )
    path = folder / "newsflow.toml"
    path.write_text(base + "\n" + schedules, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------
# Config -> deployments (no server)
# ----------------------------------------------------------------------------------------------


def test_schedules_from_config(tmp_path: Path) -> None:
    cfg = _config(
        tmp_path,
        """
[[schedules]]
name = "seeds-often"
flow = "ingest-files"
interval_seconds = 30
parameters = { paths = ["seeds"] }

[[schedules]]
name = "nightly"
flow = "ingest-files"
cron = "0 3 * * *"
""",
    )
    settings = load_settings(cfg)
    specs = load_schedules(settings)
    assert [(s.name, s.cron, s.interval_seconds) for s in specs][:2] == [
        ("seeds-often", None, 30.0),
        ("nightly", "0 3 * * *", None),
    ]
    deps, notes = build_deployments(settings, specs, warehouse="/tmp/w.duckdb")
    by_name = {f"{d.flow_name}/{d.name}": d for d in deps}
    often = by_name["ingest-files/seeds-often"]
    assert often.parameters["paths"] == [str(settings.root / "seeds")]  # resolved, not cwd-relative
    assert often.parameters["warehouse"] == "/tmp/w.duckdb"
    assert often.schedules[0].schedule.interval.total_seconds() == 30
    assert by_name["ingest-files/nightly"].schedules[0].schedule.cron == "0 3 * * *"
    assert "ingest-files/adhoc" in by_name and not by_name["ingest-files/adhoc"].schedules


@pytest.mark.parametrize(
    "bad",
    [
        'name = "x"\nflow = "ingest-files"',  # neither cron nor interval
        'name = "x"\nflow = "nope"\ncron = "* * * * *"',
        'name = "x"\nflow = "ingest-files"\ncron = "61 * * *"',
    ],
)
def test_bad_schedules_are_config_errors(tmp_path: Path, bad: str) -> None:
    settings = load_settings(_config(tmp_path, "[[schedules]]\n" + bad + "\n"))
    with pytest.raises(ConfigError):
        load_schedules(settings)


def test_feed_schedules_become_deployments(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "")
    (tmp_path / "config" / "sources.toml").write_text(
        '[[feeds]]\nname = "w"\nurl = "https://example.org/rss"\nschedule = "*/15 * * * *"\n'
        '[[feeds]]\nname = "n"\nurl = "https://example.org/atom"\ninterval_seconds = 600\n'
        '[[feeds]]\nname = "plain"\nurl = "https://example.org/plain"\n',
        encoding="utf-8",
    )
    specs = {s.name: s for s in load_schedules(load_settings(cfg))}
    assert specs["feed-w"].cron == "*/15 * * * *" and specs["feed-w"].flow == "ingest-feeds"
    assert specs["feed-w"].parameters == {"sources": ["w"]}
    assert specs["feed-n"].interval_seconds == 600
    assert "feed-plain" not in specs


def test_parse_params() -> None:
    assert parse_params(['paths=["a", "b"]', "batch_size=4", "source=x y"]) == {
        "paths": ["a", "b"],
        "batch_size": 4,
        "source": "x y",
    }
    with pytest.raises(ValueError):
        parse_params(["novalue"])


# ----------------------------------------------------------------------------------------------
# Real server, real serve, real DuckDB
# ----------------------------------------------------------------------------------------------


def _wait(
    what: str,
    probe: Callable[[], Any],
    timeout: float,
    proc: list[subprocess.Popen[bytes]],
    logs: list[Path],
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        for p in proc:
            if p.poll() is not None:
                break
        time.sleep(1)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tails}")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    else:  # the group may still hold flow-run children
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _api(method: str, url: str, **kwargs: Any) -> Any:
    """One Prefect API call, retried while the server (SQLite under load) answers 503."""
    for _ in range(30):
        response = httpx.request(method, url, timeout=30, **kwargs)
        if response.status_code != 503:
            return response.raise_for_status().json() if response.content else None
        time.sleep(1)
    response.raise_for_status()


def _stop_schedule(api: str, deployment: str) -> None:
    """Pause a served deployment and drop its queued runs.

    A run takes longer than the test's short interval on a loaded machine, so scheduled runs
    would pile up ahead of the ad-hoc ones; once the schedule has proved itself, stop it.
    """
    dep = _api("GET", f"{api}/deployments/name/{deployment}")
    _api("PATCH", f"{api}/deployments/{dep['id']}", json={"paused": True})
    queued = _api(
        "POST",
        f"{api}/flow_runs/filter",
        json={
            "deployments": {"id": {"any_": [dep["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
        },
    )
    for run in queued:
        _api("DELETE", f"{api}/flow_runs/{run['id']}")


def _runs(db: Path) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    try:
        with wh.connect(db, read_only=True, lock_timeout=0.5) as con:
            rel = con.sql("SELECT run_id, flow, deployment, status, parameters, counts FROM runs")
            return rel.fetch_arrow_table().to_pylist()
    except Exception:  # busy being written, or not created yet
        return []


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A real `prefect server start` on a free port; yields its API URL and the child env."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
            "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1",
            "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
        }
    )
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait("prefect server", healthy, 120, [proc], [log])
        yield api, {**env, "PREFECT_API_URL": api}
    finally:
        _kill(proc)


@pytest.mark.slow
def test_served_schedule_and_adhoc_triggers(
    prefect_server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    api, env = prefect_server
    env = {**env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    db = tmp_path / "served.duckdb"
    scheduled, adhoc_a, adhoc_b = (tmp_path / n for n in ("scheduled", "adhoc_a", "adhoc_b"))
    for folder, name in (
        (scheduled, "seed_000_791b397503252e09.txt"),
        (adhoc_a, "bbc_tech_020.txt"),
        (adhoc_b, "n4k_time_001.txt"),
    ):
        folder.mkdir()
        shutil.copy(FIXTURES / "text" / name, folder / name)
    cfg = _config(
        tmp_path,
        f"""
[[schedules]]
name = "tick"
flow = "ingest-files"
interval_seconds = {INTERVAL}
parameters = {{ paths = ["{scheduled}"] }}
""",
    )
    serve_log = tmp_path / "serve.log"
    logs = [serve_log, tmp_path / "server.log"]
    with serve_log.open("wb") as out:
        serve = subprocess.Popen(
            [
                str(BIN / "newsflow"),
                "serve",
                "--config",
                str(cfg),
                "--warehouse",
                str(db),
                "--limit",
                "2",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=tmp_path,
        )
    try:
        # 1. The schedule fires by itself and lands rows, recorded with the deployment's name.
        def scheduled_run() -> list[dict[str, Any]]:
            return [
                r for r in _runs(db) if r["deployment"] == "tick" and r["status"] == "completed"
            ]

        first = _wait("a scheduled run", scheduled_run, 120, [serve], logs)[0]
        assert json.loads(first["counts"])["extracted"] == 1

        # An analyst's notebook holds a read-only connection on the analysts' copy while the
        # next scheduled run loads a new file: the run succeeds, the notebook keeps its copy,
        # a new connection sees the new article.
        notebook = duckdb.connect(str(analyst_path(db)), read_only=True)
        try:
            assert notebook.execute("SELECT count(*) FROM articles").fetchone() == (1,)
            shutil.copy(FIXTURES / "text" / "bbc_politics_001.txt", scheduled)

            def second_scheduled_run() -> list[dict[str, Any]]:
                return [
                    r
                    for r in scheduled_run()
                    if r["run_id"] != first["run_id"] and json.loads(r["counts"]).get("articles")
                ]

            _wait(
                "a scheduled run with the notebook open", second_scheduled_run, 120, [serve], logs
            )
            assert notebook.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        finally:
            notebook.close()
        _stop_schedule(api, "ingest-files/tick")
        with duckdb.connect(str(analyst_path(db)), read_only=True) as fresh:
            assert fresh.execute("SELECT count(*) FROM articles").fetchone() == (2,)

        # The run's markdown artifact is on the Prefect API with the same counts.
        artifacts = httpx.post(
            f"{api}/artifacts/filter",
            timeout=10,
            json={"artifacts": {"flow_run_id": {"any_": [first["run_id"]]}}},
        ).json()
        by_key = {a["key"]: a for a in artifacts}  # the run also leaves a table artifact
        assert "newsflow-run-summary" in by_key
        assert "| extracted | 1 |" in by_key["newsflow-run-summary"]["data"]

        # 2. newsflow trigger with parameters: waits, prints the summary, exit 0.
        out = subprocess.run(
            [
                str(BIN / "newsflow"),
                "trigger",
                "ingest-files/adhoc",
                "--param",
                f'paths=["{adhoc_a}"]',
                "--timeout",
                "120",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert "1 new" in out.stdout, out.stdout

        # 3. prefect deployment run with parameters (returns at once; the served runner runs it).
        out = subprocess.run(
            [
                str(BIN / "prefect"),
                "deployment",
                "run",
                "ingest-files/adhoc",
                "--param",
                f'paths=["{adhoc_b}"]',
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        run_id = re.search(r"UUID:\s*([0-9a-f-]{36})", out.stdout)
        assert run_id, out.stdout

        def cli_run() -> list[dict[str, Any]]:
            return [
                r
                for r in _runs(db)
                if r["run_id"] == run_id.group(1) and r["status"] == "completed"
            ]

        row = _wait("the prefect deployment run", cli_run, 120, [serve], logs)[0]
        assert row["deployment"] == "adhoc" and str(adhoc_b) in row["parameters"]
    finally:
        _kill(serve)
    with wh.connect(db, read_only=True) as con:
        titles = {r[0] for r in con.execute("SELECT uri FROM articles").fetchall()}
        assert not any(wh.check_integrity(con).values())
    assert titles >= {
        "seed_000_791b397503252e09.txt",
        "bbc_politics_001.txt",
        "bbc_tech_020.txt",
        "n4k_time_001.txt",
    }


def test_trigger_without_an_api_says_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    out = subprocess.run(
        [str(BIN / "newsflow"), "trigger", "ingest-files/adhoc"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "newsflow serve" in out.stderr


def test_unknown_schedule_spec_name_is_rejected() -> None:
    with pytest.raises(ConfigError):
        from flows.deploy import _spec

        _spec({"name": "bad name!", "flow": "ingest-files", "cron": "* * * * *"}, "test")
    assert ScheduleSpec(name="x", flow="ingest-files", interval_seconds=5).when == "every 5 s"
