"""The analyst layer end to end: real runs, real DuckDB files, the analysts' copy."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.files import ingest_files_flow
from flows.reprocess import reenrich_flow
from flows.analyst import report_path
from tasks.store.snapshot import analyst_path
from tests.conftest import FIXTURES

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def _artifacts(run_id: str) -> dict[str, str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    return {str(a.key): str(a.data) for a in found}


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def test_places_tone_stories_and_ids_on_the_seed(seed_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    summary = ingest_files_flow(paths=[str(seed_dir)], warehouse=str(db))
    assert summary["status"] == "completed"
    with duckdb.connect(str(db), read_only=True) as con:
        places = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT m.canonical, p.country_code, p.kind, p.lat, p.lon "
                "FROM entity_mentions m JOIN places p USING (place_id)"
            ).fetchall()
        }
        assert places["Moscow"][:2] == ("RU", "city")
        assert places["Moscow"][2] == pytest.approx(55.75, abs=0.1)
        assert places["Moscow"][3] == pytest.approx(37.62, abs=0.1)
        assert places["Brussels"][0] == "BE" and places["Germany"][:2] == ("DE", "country")
        assert _count(con, "SELECT count(*) FROM articles WHERE tone IS NULL") == 0
        assert _count(con, "SELECT count(*) FROM events WHERE tone IS NULL") == 0
        assert _count(con, "SELECT count(*) FROM events WHERE action_country = 'RU'") > 0
        assert _count(con, "SELECT count(*) - count(DISTINCT event_id) FROM events") == 0
        assert _count(con, "SELECT count(*) - count(DISTINCT quote_id) FROM quotes") == 0
        assert _count(con, "SELECT count(*) FROM story_articles") == 2
        assert _count(con, "SELECT sum(article_count) FROM stories") == 2
    # the run left a report beside the analysts' copy and linked it in its artifacts
    assert report_path(analyst_path(db)).exists()
    artifacts = asyncio.run(_artifacts(summary["run_id"]))
    assert "wh.report.html" in artifacts["newsflow-run-summary"]
    assert "new story" in artifacts["newsflow-run-stories"]
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute(
            "SELECT story_id, article_id FROM story_articles ORDER BY ALL"
        ).fetchall()
        events_before = con.execute("SELECT event_id FROM events ORDER BY ALL").fetchall()
    again = ingest_files_flow(paths=[str(seed_dir)], warehouse=str(db))
    assert again["status"] == "completed" and again["counts"]["articles"] == 0
    redone = reenrich_flow(warehouse=str(db), all=True)  # enrichment rows written anew
    assert redone["status"] == "completed"
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.execute("SELECT story_id, article_id FROM story_articles ORDER BY ALL")
        assert after.fetchall() == before  # nothing added, same ids
        assert con.execute("SELECT event_id FROM events ORDER BY ALL").fetchall() == events_before


def test_an_open_analyst_connection_never_blocks_a_run(seed_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    first = ingest_files_flow(paths=[str(seed_dir)], warehouse=str(db))
    assert first["status"] == "completed"
    snapshot = analyst_path(db)
    assert snapshot.name == "wh.analyst.duckdb" and snapshot.exists()
    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(FIXTURES / "files" / "bbc_tech_020.txt", more / "bbc_tech_020.txt")
    # An analyst's notebook: a read-only connection held open across the next run.
    notebook = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert _count(notebook, "SELECT count(*) FROM articles") == 2
        second = ingest_files_flow(paths=[str(more)], warehouse=str(db))
        assert second["status"] == "completed"
        assert second["counts"]["articles"] == 1
        assert _count(notebook, "SELECT count(*) FROM articles") == 2  # its own consistent copy
    finally:
        notebook.close()
    with duckdb.connect(str(snapshot), read_only=True) as fresh:
        assert _count(fresh, "SELECT count(*) FROM articles") == 3
