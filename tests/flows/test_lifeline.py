"""Nothing left behind: a run killed with SIGKILL leaves no Prefect server (or any other child)
running and is marked abandoned by the next run; SIGTERM ends a run cleanly, marked interrupted.
Real `newsflow` processes, each with Prefect's temporary API server."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.warehouse_queries import integrity
from tests.warehouse_queries import rows as _rows

FIXTURES = Path(__file__).parent.parent / "fixtures"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _corpus(tmp: Path) -> Path:
    folder = tmp / "corpus"
    folder.mkdir()
    for src in sorted((FIXTURES / "text").glob("*.txt"))[:3]:
        shutil.copy(src, folder / src.name)
    return folder


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(tmp / "prefect-home"),
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "NEWSFLOW_NO_PROGRESS": "1",
        }
    )
    return env


class _Run:
    """A `newsflow ingest files` process whose output is read line by line."""

    def __init__(self, tmp: Path, folder: Path, db: Path) -> None:
        self.proc = subprocess.Popen(
            [
                str(BIN / "newsflow"),
                "ingest",
                "files",
                str(folder),
                "--warehouse",
                str(db),
                "--batch-size",
                "1",
            ],
            env=_env(tmp),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.output.append(line)
            if text in line:
                return
        self.kill_all()
        pytest.fail(f"never saw {text!r}:\n{''.join(self.output)[-3000:]}")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def kill_all(self) -> None:
        for p in [*self.descendants(), psutil.Process(self.proc.pid)]:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass

    def finish(self, timeout: float = 240) -> tuple[int, str]:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_all()
            pytest.fail("newsflow did not finish:\n" + "".join(self.output)[-3000:])
        time.sleep(0.5)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return self.proc.returncode, "".join(self.output)


def _gone(procs: list[psutil.Process], timeout: float = 30) -> list[str]:
    """Processes of `procs` still running after `timeout` seconds (killed then, and named)."""
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    left = []
    for p in alive:
        try:
            left.append(" ".join(p.cmdline())[:200])
            p.kill()
        except psutil.NoSuchProcess:
            pass
    return left


def test_kill_9_leaves_nothing_and_the_next_run_marks_it_abandoned(tmp_path: Path) -> None:
    folder, db = _corpus(tmp_path), tmp_path / "wh.duckdb"
    run = _Run(tmp_path, folder, db)
    run.wait_for("batch 1:")
    children = run.descendants()
    assert any("uvicorn" in " ".join(p.cmdline()) for p in children), children
    killed_at = time.time()
    os.kill(run.proc.pid, signal.SIGKILL)
    run.proc.wait(timeout=30)
    assert _gone(children) == []  # the temporary server went with its parent

    ((run_id, status, pid, host),) = _rows(db, "SELECT run_id, status, pid, hostname FROM runs")
    assert status == "running" and pid == run.proc.pid and host

    again = _Run(tmp_path, folder, db)
    code, out = again.finish()
    assert code == 0, out[-3000:]
    assert "marked abandoned" in out
    ((status, ended, message),) = _rows(
        db, "SELECT status, epoch(ended_at), message FROM runs WHERE run_id = ?", [run_id]
    )
    assert status == "abandoned" and ended >= killed_at - 1
    assert f"process {pid}" in message
    assert _rows(db, "SELECT count(*) FROM articles") == [(3,)]
    assert all(v == 0 for v in integrity(db).values())


def test_sigterm_ends_the_run_cleanly_and_marks_it_interrupted(tmp_path: Path) -> None:
    folder, db = _corpus(tmp_path), tmp_path / "wh.duckdb"
    run = _Run(tmp_path, folder, db)
    run.wait_for("batch 1:")
    children = run.descendants()
    sent = time.time()
    run.proc.send_signal(signal.SIGTERM)
    code, out = run.finish(timeout=120)
    assert code != 0
    assert _gone(children) == []
    ((status, ended, message),) = _rows(db, "SELECT status, epoch(ended_at), message FROM runs")
    assert status == "interrupted", out[-3000:]
    assert ended >= sent - 1 and "interrupted by SIGTERM" in message
    stored = _rows(db, "SELECT count(*) FROM articles")[0][0]
    assert 1 <= stored <= 3
    assert all(v == 0 for v in integrity(db).values())  # batches stored whole or not at all
    code, out = _Run(tmp_path, folder, db).finish()
    assert code == 0, out[-3000:]
    assert _rows(db, "SELECT count(*) FROM articles") == [(3,)]
