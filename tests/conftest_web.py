"""The `local_server` fixture: a local HTTP server on 127.0.0.1 (random port) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.localserver import LocalServer, start_server

__all__ = ["local_server"]


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh server with no routes (404 everywhere, robots.txt included); stopped afterwards."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
