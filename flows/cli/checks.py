"""Answers before start-up: what the command line can check without Prefect or spaCy.

Each check exits 2 with a message that names the path, feed or URL and says what to do, before
any flow (and so any Prefect server) starts.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from flows.cli.app import EXIT_USAGE, fail
from tasks.settings import ConfigError, Settings, load_sources


def check_paths(paths: Sequence[Path], what: str = "") -> None:
    """Every path exists and can be read (a folder: listed and entered)."""
    for path in paths:
        label = f"{what} {path}" if what else str(path)
        if not path.exists():
            broken = " (a broken link)" if path.is_symlink() else ""
            fail(f"no such file or folder: {label}{broken}; check the path", EXIT_USAGE)
        mode = os.R_OK | os.X_OK if path.is_dir() else os.R_OK
        if not os.access(path, mode):
            fail(f"cannot read {label}: permission denied; check its permissions", EXIT_USAGE)


def check_feeds(settings: Settings, names: Sequence[str] | None) -> None:
    """Feeds are configured, and every name asked for is one of them."""
    try:
        feeds = [f.name for f in load_sources(settings)]
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    where = settings.sources.file
    if not feeds:
        asked = f"unknown feed {names[0]!r}: " if names else ""
        fail(
            f"{asked}no feeds are configured in {where}; add [[feeds]] tables with a name and "
            "a url (see config/sources.toml), or set sources.file",
            EXIT_USAGE,
        )
    for name in names or ():
        if name not in feeds:
            close = difflib.get_close_matches(name, feeds, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            fail(
                f"unknown feed {name!r}{hint}; the feeds in {where} are {', '.join(feeds)}",
                EXIT_USAGE,
            )


def check_urls(urls: Sequence[str]) -> None:
    """Every URL is an absolute http(s) URL with a host."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            fail(f"{url!r} is not an http(s) URL; give it as https://host/path", EXIT_USAGE)


def check_warehouse(settings: Settings) -> None:
    """The warehouse exists (re-processing works on what is stored)."""
    path = settings.warehouse.path
    if not path.is_file():
        fail(
            f"no warehouse at {path}; ingest something first (newsflow run), or give --warehouse",
            EXIT_USAGE,
        )


def check_file_source(settings: Settings, source: str) -> None:
    """Refuse (exit 2) a source name that is malformed or already names a feed."""
    from tasks.acquire.files import check_source_name
    from tasks.store import WarehouseError, queries

    try:
        check_source_name(source)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    path = settings.warehouse.path
    if not path.exists():
        return
    try:
        with queries.read_only(path, lock_timeout=settings.warehouse.lock_timeout_seconds) as con:
            kind = queries.source_kinds(con, [source]).get(source)
    except WarehouseError:
        return  # the flow checks again once it holds the warehouse
    if kind not in (None, "folder"):
        fail(
            f"source name {source!r} already names a {kind} in {path}; "
            "give the folder another --source name",
            EXIT_USAGE,
        )
