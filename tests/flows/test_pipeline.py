"""The batch pipeline's switches and run states: events and quotes each off by their own flag,
a run in which every item failed is a failed run (in the warehouse, in Prefect, at the CLI)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.cli import EXIT_FAILED, app
from flows.files import ingest_files_flow
from flows.pipeline import EveryItemFailed, enrich_batch
from tasks.settings import load_settings
from tests.warehouse_queries import rows as _rows


def _enrich(article: Any, **switches: bool) -> tuple[int, int, int]:
    settings = load_settings()
    settings = replace(settings, enrich=replace(settings.enrich, **switches))
    (enriched,), failures = enrich_batch([article], settings)
    assert failures == []
    return len(enriched.events), len(enriched.quotes), len(enriched.mentions)


def test_events_and_quotes_switch_off_separately(seed_parsed: Any) -> None:
    article = seed_parsed[0]
    events, quotes, mentions = _enrich(article)
    assert events > 0 and quotes > 0 and mentions > 0
    # enrich.events = false: no events, quotes still found.
    events, quotes, mentions_off = _enrich(article, events=False)
    assert events == 0 and quotes > 0 and mentions_off == mentions
    # enrich.quotes = false: no quotes, events still coded.
    events, quotes, _ = _enrich(article, quotes=False)
    assert events > 0 and quotes == 0
    # Both off: entities only.
    assert _enrich(article, events=False, quotes=False) == (0, 0, mentions)


@pytest.fixture
def all_bad(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    return folder


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_where_every_item_failed_is_a_failed_run(all_bad: Path, tmp_path: Path) -> None:
    db = tmp_path / "bad.duckdb"
    state = ingest_files_flow(paths=[str(all_bad)], warehouse=str(db), return_state=True)
    assert state.is_failed()
    assert state.message is not None and state.message.startswith("every item failed (2")
    with pytest.raises(EveryItemFailed) as raised:
        ingest_files_flow(paths=[str(all_bad)], warehouse=str(db))
    assert raised.value.summary["status"] == "failed"
    assert len(raised.value.summary["failures"]) == 2
    statuses = _rows(db, "SELECT status, message FROM runs ORDER BY started_at")
    assert [s for s, _ in statuses] == ["failed", "failed"]
    assert all(m.startswith("every item failed") for _, m in statuses)
    # The command line: exit 1 (the run failed), the failures listed, the reason said.
    result = CliRunner().invoke(app, ["ingest", "files", str(all_bad), "-w", str(db)])
    assert result.exit_code == EXIT_FAILED, result.output
    assert "every item failed" in result.output and "binary.txt" in result.output
    assert "Traceback" not in result.output
