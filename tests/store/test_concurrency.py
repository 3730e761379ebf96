"""Two runs on one warehouse: real processes interleave batches without corrupting or losing
anything; a writer held too long makes the other fail with exit 1 and a clear message."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import EXIT_FAILED, app
from tasks import store as wh

FIXTURES = Path(__file__).parent.parent / "fixtures"
BIN = Path(sys.executable).parent


def _env(tmp: Path, name: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # Each process starts its own embedded Prefect API; separate homes keep their SQLite apart.
    env.update(
        {
            "PREFECT_HOME": str(tmp / f"prefect-{name}"),
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            **extra,
        }
    )
    return env


def _ingest(tmp: Path, name: str, db: Path, *paths: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            str(BIN / "newsflow"),
            "ingest",
            "files",
            *map(str, paths),
            "--warehouse",
            str(db),
            "--batch-size",
            "1",
        ],
        env=_env(tmp, name, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
        pytest.fail(f"newsflow did not finish within {timeout}s:\n{out[-3000:]}")
    return proc.returncode, out


@pytest.mark.slow
def test_two_writers_interleave_and_lose_nothing(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    texts = sorted((FIXTURES / "text").glob("*.txt"))
    for src in texts:
        shutil.copy(src, first / src.name)
    # The second run overlaps: two of the same articles (same content, another path) and its own.
    for src in texts[:2]:
        shutil.copy(src, second / ("copy_" + src.name))
    shutil.copy(FIXTURES / "files" / "bbc_business_001.txt", second / "bbc_business_001.txt")
    db = tmp_path / "shared.duckdb"

    a = _ingest(tmp_path, "a", db, first)
    b = _ingest(tmp_path, "b", db, second)
    (code_a, out_a), (code_b, out_b) = _finish(a), _finish(b)
    # (DuckDB 2.0 can lose its Arrow scan when connections are opened and closed at once from
    # several threads of a process; tasks.store.connect serialises open and close.)
    assert "python_arrow_scan does not exist" not in out_a + out_b
    assert code_a == 0, out_a[-3000:]
    assert code_b == 0, out_b[-3000:]

    with wh.connect(db, read_only=True) as con:
        assert wh.check_integrity(con) == dict.fromkeys(wh.INTEGRITY_CHECKS, 0)
        articles = con.execute(
            "SELECT count(*), count(DISTINCT content_hash) FROM articles"
        ).fetchall()[0]
        routes = con.execute("SELECT count(*) FROM article_routes").fetchall()[0][0]
        runs = con.execute("SELECT status, count(*) FROM runs GROUP BY 1").fetchall()
        overlap = con.execute("SELECT epoch(min(ended_at) - max(started_at)) FROM runs").fetchall()
        mentions = con.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM entity_mentions m WHERE m.article_id = a.article_id)"
        ).fetchall()[0][0]
    # Every path a route; both runs recorded as completed; no article without its enrichment.
    assert routes == len(texts) + 3
    assert runs == [("completed", 2)]
    assert mentions == 0
    print(f"the two runs overlapped for {overlap[0][0]:.1f} s")
    # Every distinct text once, even when both runs planned the same new text before either
    # loaded it: load_batch re-checks content hashes inside its transaction.
    assert articles == (len(texts) + 1, len(texts) + 1)


def _this_run(out: str) -> dict[str, int]:
    """The CLI summary's counts: `N articles read, N new, N changed, N unchanged, N duplicates`."""
    line = next(x for x in out.splitlines() if "this run:" in x).split(";")[0]
    found = re.findall(r"(\d+) (articles read|new|changed|unchanged|duplicates)", line)
    return {name: int(n) for n, name in found}


@pytest.mark.slow
def test_the_second_writer_plans_against_what_the_first_stored(tmp_path: Path) -> None:
    folder = tmp_path / "same"
    folder.mkdir()
    texts = sorted((FIXTURES / "text").glob("*.txt"))
    for src in texts:
        shutil.copy(src, folder / src.name)
    db = tmp_path / "same.duckdb"
    # Both runs take the same folder at once: one writes, the other waits for it, then finds
    # everything stored and enriches nothing again.
    a = _ingest(tmp_path, "a", db, folder)
    b = _ingest(tmp_path, "b", db, folder)
    (code_a, out_a), (code_b, out_b) = _finish(a), _finish(b)
    assert code_a == 0, out_a[-3000:]
    assert code_b == 0, out_b[-3000:]
    first, second = sorted([_this_run(out_a), _this_run(out_b)], key=lambda c: -c["new"])
    assert first["new"] == len(texts) and first["changed"] == 0
    assert second == {
        "articles read": len(texts),
        "new": 0,
        "changed": 0,
        "unchanged": len(texts),
        "duplicates": 0,
    }
    assert "being written by run" in out_a + out_b  # the one that waited said why
    with wh.connect(db, read_only=True) as con:
        assert wh.check_integrity(con) == dict.fromkeys(wh.INTEGRITY_CHECKS, 0)
        runs = con.execute("SELECT status, count(*) FROM runs GROUP BY 1").fetchall()
    assert runs == [("completed", 2)]


@pytest.mark.slow
def test_a_writer_held_too_long_fails_the_other_clearly(tmp_path: Path) -> None:
    db = tmp_path / "held.duckdb"
    with wh.connect(db):  # create it
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(300)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        shutil.copy(FIXTURES / "files" / "bbc_business_001.txt", seeds)
        started = time.monotonic()
        proc = _ingest(tmp_path, "c", db, seeds, NEWSFLOW_WAREHOUSE_LOCK_TIMEOUT_SECONDS="2")
        code, out = _finish(proc, timeout=180)
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    assert code == EXIT_FAILED, out[-3000:]
    assert "is locked by another newsflow process" in out and "stayed locked for 2s" in out
    assert "Traceback" not in out.split("error:")[-1]
    assert time.monotonic() - started < 170
    with wh.connect(db, read_only=True) as con:  # nothing half-written
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 0


@pytest.mark.usefixtures("prefect_harness")
def test_busy_inside_a_task_is_a_clean_cli_error(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise wh.WarehouseBusy("warehouse x is locked by another newsflow process (test)")

    monkeypatch.setattr(wh, "load_batch", busy)
    result = CliRunner().invoke(
        app, ["ingest", "files", str(seed_dir), "-w", str(tmp_path / "t.duckdb")]
    )
    assert result.exit_code == EXIT_FAILED, result.output
    assert "error: warehouse x is locked by another newsflow process (test)" in result.output
    with wh.connect(tmp_path / "t.duckdb", read_only=True) as con:
        status = con.execute("SELECT status, message FROM runs").fetchall()
    assert status[0][0] == "failed" and "WarehouseBusy" in status[0][1]
