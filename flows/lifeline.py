"""Processes that end cleanly and leave nothing behind.

- `this_process()` / `process_alive()`: a run records its pid, host and process start time, so a
  later run can tell that a `running` row's process is gone (a pid alone may be reused).
- `deferred_signals()`: SIGINT and SIGTERM that arrive while a batch is being written take
  effect once the write has committed, so a batch is either stored whole or not at all.
- `start_temporary_api()` and `watch()`: Prefect's temporary API server (started when no
  PREFECT_API_URL is set) and `newsflow serve`'s local server are child processes that would
  outlive a parent killed with SIGKILL. A small watchdog process (`python -m flows.lifeline`)
  stops such a child as soon as its parent is gone, however the parent ended.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from types import FrameType
from typing import Any

# ----------------------------------------------------------------------------------------------
# Which process is this, and is that one still there?
# ----------------------------------------------------------------------------------------------


def this_process() -> tuple[int, str, datetime]:
    """(pid, hostname, start time) of this process."""
    import psutil

    started = psutil.Process().create_time()
    return os.getpid(), socket.gethostname(), datetime.fromtimestamp(started, UTC)


def process_alive(pid: int | None, started: datetime | None) -> bool:
    """Whether the process `pid` that started at `started` still runs on this host."""
    import psutil

    if pid is None:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        created = proc.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    if started is None:
        return True
    return abs(created - started.timestamp()) < 1.0


# ----------------------------------------------------------------------------------------------
# Signals: never in the middle of a write
# ----------------------------------------------------------------------------------------------


class _Deferral:
    """Holds back SIGINT/SIGTERM while a write is in progress, then delivers them."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending: list[tuple[int, Any]] = []
        self.previous: dict[int, Any] = {}
        self.received: int | None = None

    def handler(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if self.depth > 0:
            self.pending.append((signum, frame))
            return
        self.deliver(signum, frame)

    def deliver(self, signum: int, frame: FrameType | None) -> None:
        previous = self.previous.get(signum)
        if callable(previous):
            previous(signum, frame)  # Prefect's bridge raises TerminationSignal
        elif signum == signal.SIGINT:
            raise KeyboardInterrupt
        else:
            raise SystemExit(128 + signum)


_DEFERRAL = _Deferral()


def interrupted_by() -> str | None:
    """Name of the signal that interrupted the current run, if one did."""
    return signal.Signals(_DEFERRAL.received).name if _DEFERRAL.received else None


@contextlib.contextmanager
def signals_deferred_in_writes() -> Iterator[None]:
    """Install the deferring handlers for SIGINT and SIGTERM (main thread only) for a run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    installed: dict[int, Any] = {}
    _DEFERRAL.received = None
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            installed[signum] = signal.signal(signum, _DEFERRAL.handler)
        except (ValueError, OSError):
            continue
    _DEFERRAL.previous = dict(installed)
    try:
        yield
    finally:
        for num, previous in installed.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(num, previous)


@contextlib.contextmanager
def write_section() -> Iterator[None]:
    """A write that must finish (or roll back) before a SIGINT/SIGTERM takes effect."""
    on_main = threading.current_thread() is threading.main_thread()
    if on_main:
        _DEFERRAL.depth += 1
    try:
        yield
    finally:
        if on_main:
            _DEFERRAL.depth -= 1
            if _DEFERRAL.depth == 0 and _DEFERRAL.pending:
                signum, frame = _DEFERRAL.pending[0]
                _DEFERRAL.pending.clear()
                _DEFERRAL.deliver(signum, frame)


# ----------------------------------------------------------------------------------------------
# Child servers that must not outlive their parent
# ----------------------------------------------------------------------------------------------


def watch(child_pid: int, *, group: bool = False) -> subprocess.Popen[bytes] | None:
    """Start a watchdog that stops `child_pid` (its process group with `group`) once this
    process is gone; it exits by itself when the child ends first."""
    if os.name != "posix":
        return None
    args = [sys.executable, "-m", "flows.lifeline", str(os.getpid()), str(child_pid)]
    if group:
        args.append("--group")
    return subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )


def start_temporary_api() -> str | None:
    """Start Prefect's temporary API server now, with a watchdog; its URL (None when
    PREFECT_API_URL names a server, so none is needed).

    Prefect starts the same server (one per process) on the first flow run when no API is
    configured; starting it here first lets a watchdog stop it if this process is killed.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    proc = server.server_process
    if proc is not None and getattr(server, "_newsflow_watched", None) != proc.pid:
        watch(proc.pid)
        server._newsflow_watched = proc.pid  # type: ignore[attr-defined]
    return server.api_url


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is gone for our purpose
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _stop(pid: int, group: bool, grace: float = 10.0) -> None:
    def send(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)

    send(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid) or group:
        send(signal.SIGKILL)


def _watchdog(parent: int, child: int, group: bool, interval: float = 0.25) -> int:
    # Ctrl-C reaches the whole foreground group: the parent handles it and stops the child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        if not _alive(child):
            return 0
        if os.getppid() != parent or not _alive(parent):
            _stop(child, group)
            return 0
        time.sleep(interval)


if __name__ == "__main__":
    _args = [a for a in sys.argv[1:] if not a.startswith("--")]
    raise SystemExit(_watchdog(int(_args[0]), int(_args[1]), "--group" in sys.argv))
