"""The fetcher against a server that misbehaves on purpose: every case ends in a clear failure
(stage, error type, message), within the deadline, with nothing leaked or garbled."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tasks.acquire.http import FetchConfig, Fetcher, FetchResult
from tasks.records import Failure
from tests import chaos_server as chaos
from tests.chaos_server import ChaosServer


def config(server: ChaosServer, **overrides: object) -> FetchConfig:
    base: dict[str, object] = dict(
        user_agent="newsflow-test/1.0",
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=2.0,
        max_bytes=200_000,
        per_host_rate=0.0,
        max_retries=1,
        backoff_base=0.01,
        respect_robots=False,
        allow_hosts=(f"127.0.0.1:{server.port}",),
    )
    base.update(overrides)
    return FetchConfig(**base)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[ChaosServer]:
    with chaos.chaos_server() as s:
        yield s


def failed(result: FetchResult | Failure) -> Failure:
    assert isinstance(result, Failure), result
    assert result.stage == "fetch"
    return result


def _client_sockets(server: ChaosServer) -> list[object]:
    """This process's open TCP connections to the server (the client side of them)."""
    return [
        c
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port == server.port
    ]


def test_dripped_headers_stop_at_the_total_deadline(server: ChaosServer) -> None:
    """Issue 11 item 6: headers at 1 byte every 0.1 s never trip the read timeout, only the total."""
    server.add("/drip-headers", chaos.drip_headers(0.1))  # ~25 s of headers
    threads = threading.active_count()
    with Fetcher(config(server, total_timeout=1.5)) as fetcher:
        started = time.monotonic()
        failure = failed(fetcher.fetch(server.url("/drip-headers"), source="chaos"))
        elapsed = time.monotonic() - started
    assert failure.error_type == "TotalTimeout", failure
    assert "1.5 s" in failure.message
    assert elapsed < 3.0, elapsed
    # Nothing left behind: no socket to the server, no thread of ours.
    assert _client_sockets(server) == []
    assert threading.active_count() <= threads + 1  # the server's own connection thread may linger


def test_dripped_body_stops_at_the_total_deadline(server: ChaosServer) -> None:
    server.add("/drip-body", chaos.drip_body(0.05))
    with Fetcher(config(server, total_timeout=1.0)) as fetcher:
        started = time.monotonic()
        failure = failed(fetcher.fetch(server.url("/drip-body")))
    assert failure.error_type == "TotalTimeout"
    assert time.monotonic() - started < 2.5


def test_reset_mid_body(server: ChaosServer) -> None:
    server.add("/reset", chaos.reset_mid_body)
    with Fetcher(config(server)) as fetcher:
        failure = failed(fetcher.fetch(server.url("/reset")))
    assert failure.error_type in ("ReadError", "RemoteProtocolError"), failure
    assert failure.attempts == 2 and "gave up after 2 attempts" in failure.message
    assert server.hits["/reset"] == 2


def test_content_length_longer_than_the_body(server: ChaosServer) -> None:
    server.add("/long", chaos.length_longer_than_body)
    with Fetcher(config(server)) as fetcher:
        failure = failed(fetcher.fetch(server.url("/long")))
    assert failure.error_type == "RemoteProtocolError"
    assert "complete message body" in failure.message


def test_content_length_shorter_than_the_body_keeps_the_declared_bytes(
    server: ChaosServer,
) -> None:
    """HTTP frames the message by its Content-Length: the rest is junk, and must not leak into
    the next response on the same connection."""
    server.add("/short", chaos.length_shorter_than_body)
    server.add("/after", chaos.ok(b"<p>the next page</p>"))
    with Fetcher(config(server)) as fetcher:
        first = fetcher.fetch(server.url("/short"))
        second = fetcher.fetch(server.url("/after"))
    assert isinstance(first, FetchResult) and first.body == chaos.PAGE[:200]
    assert isinstance(second, FetchResult) and second.body == b"<p>the next page</p>"


def test_redirect_loop(server: ChaosServer) -> None:
    server.add("/a", chaos.redirect("/b"))
    server.add("/b", chaos.redirect("/a"))
    with Fetcher(config(server, max_redirects=4)) as fetcher:
        failure = failed(fetcher.fetch(server.url("/a")))
    assert failure.error_type == "TooManyRedirects" and "more than 4 redirects" in failure.message
    assert server.hits["/a"] + server.hits["/b"] == 5


def test_redirect_to_metadata_is_refused_and_no_setting_is_suggested(server: ChaosServer) -> None:
    server.add("/meta", chaos.redirect("http://169.254.169.254/latest/meta-data/"))
    with Fetcher(config(server, allow_private=True)) as fetcher:
        failure = failed(fetcher.fetch(server.url("/meta")))
    assert failure.error_type == "UnsafeURL"
    assert "metadata" in failure.message and "never fetched" in failure.message
    assert "allow_" not in failure.message


def test_redirect_to_a_private_address_names_the_setting(server: ChaosServer) -> None:
    server.add("/private", chaos.redirect("http://10.1.2.3:8080/admin"))
    with Fetcher(config(server)) as fetcher:
        failure = failed(fetcher.fetch(server.url("/private")))
    assert failure.error_type == "UnsafeURL"
    assert "private" in failure.message and "fetch.allow_hosts" in failure.message
    assert '"10.1.2.3:8080"' in failure.message


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, br", "gzip, gzip"])
def test_content_encodings_not_asked_for(server: ChaosServer, coding: str) -> None:
    server.add("/enc", chaos.encoded(coding))
    with Fetcher(config(server)) as fetcher:
        failure = failed(fetcher.fetch(server.url("/enc")))
    assert failure.error_type == "UnsupportedContentEncoding"
    assert coding.split(",")[0] in failure.message


def test_oversize_bodies_declared_undeclared_and_bombs(server: ChaosServer) -> None:
    server.add("/declared", chaos.oversize(1_000_000, declared=True))
    server.add("/undeclared", chaos.oversize(1_000_000, declared=False))
    server.add("/bomb", chaos.gzip_bomb(20_000_000))
    with Fetcher(config(server, total_timeout=5.0)) as fetcher:
        declared = failed(fetcher.fetch(server.url("/declared")))
        undeclared = failed(fetcher.fetch(server.url("/undeclared")))
        bomb = failed(fetcher.fetch(server.url("/bomb")))
    assert declared.error_type == "BodyTooLarge" and "declares 1,000,000 bytes" in declared.message
    assert undeclared.error_type == "BodyTooLarge" and "200,000 byte cap" in undeclared.message
    assert bomb.error_type == "BodyTooLarge"
    assert declared.attempts == undeclared.attempts == bomb.attempts == 1  # not retried


# --------------------------------------------------------------------------- a real flow run


@pytest.mark.usefixtures("prefect_harness")
def test_chaos_through_an_ingest_urls_run(
    server: ChaosServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.web import ingest_urls_flow
    from tests.warehouse_queries import integrity, rows

    server.add("/good", chaos.ok())
    server.add("/drip-headers", chaos.drip_headers(0.1))
    server.add("/reset", chaos.reset_mid_body)
    server.add("/meta", chaos.redirect("http://169.254.169.254/"))
    server.add("/br", chaos.encoded("br"))
    server.add("/bomb", chaos.gzip_bomb(20_000_000))
    for key, value in {
        "NEWSFLOW_FETCH_ALLOW_HOSTS": f"127.0.0.1:{server.port}",
        "NEWSFLOW_FETCH_RESPECT_ROBOTS": "false",
        "NEWSFLOW_FETCH_READ_TIMEOUT": "1",
        "NEWSFLOW_FETCH_TOTAL_TIMEOUT": "1.5",
        "NEWSFLOW_FETCH_MAX_RETRIES": "1",
        "NEWSFLOW_FETCH_BACKOFF_BASE": "0.01",
        "NEWSFLOW_FETCH_PER_HOST_RATE": "0",
        "NEWSFLOW_FETCH_MAX_BYTES": "200000",
    }.items():
        monkeypatch.setenv(key, value)
    db = tmp_path / "chaos.duckdb"
    paths = ["/good", "/drip-headers", "/reset", "/meta", "/br", "/bomb"]
    started = time.monotonic()
    summary = ingest_urls_flow(urls=[server.url(p) for p in paths], warehouse=str(db))
    assert time.monotonic() - started < 60
    assert summary["status"] == "completed_with_failures"
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]
    found = {
        uri.removeprefix(server.base): (stage, error)
        for uri, stage, error in rows(db, "SELECT uri, stage, error_type FROM failures")
    }
    assert found["/drip-headers"] == ("fetch", "TotalTimeout")
    assert found["/reset"][0] == "fetch" and found["/reset"][1] in (
        "ReadError",
        "RemoteProtocolError",
    )
    assert found["/meta"] == ("fetch", "UnsafeURL")
    assert found["/br"] == ("fetch", "UnsupportedContentEncoding")
    assert found["/bomb"] == ("fetch", "BodyTooLarge")
    assert "/good" not in found
    messages = dict(rows(db, "SELECT uri, message FROM failures"))
    assert all(m and "Traceback" not in m for m in messages.values())
    assert all(v == 0 for v in integrity(db).values())
