"""Shared fixtures: one Prefect test harness per session, the spaCy model loaded once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "text" / "seed_000_791b397503252e09.txt"

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

try:  # the local HTTP server fixture for web tests
    from tests.conftest_web import *  # noqa: F401,F403
except ImportError:
    pass


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real, temporary Prefect API for the whole session (started once: it takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The configured trained pipeline, loaded once."""
    from tasks.nlp.pipeline import load_nlp
    from tasks.settings import load_settings

    s = load_settings()
    return load_nlp(s.nlp.model, s.nlp.components)


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A folder with the seed article and one more real article, as `seeds/` has."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name.removeprefix("seed_"))
    shutil.copy(FIXTURES / "files" / "bbc_business_001.txt", folder / "bbc_business_001.txt")
    return folder


@pytest.fixture(scope="session")
def seed_parsed(nlp):  # type: ignore[no-untyped-def]
    """The seed article as the pipeline sees it: (clean Article, parsed Doc, entity mentions)."""
    from datetime import UTC, datetime

    from tasks.nlp.entities import resolve_mentions
    from tasks.text.extract import prepare_articles
    from tasks.nlp.pipeline import doc_spans
    from tasks.records import RawDocument

    raw = RawDocument("test", SEED.name, SEED.read_bytes(), "text/plain", datetime.now(UTC))
    (article,), _ = prepare_articles([raw])
    doc = nlp(article.text)
    return article, doc, resolve_mentions(article.id, doc_spans(doc))[0]
