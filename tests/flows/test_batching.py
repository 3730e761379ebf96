"""Batch design: Prefect task runs per batch, never per article."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flows.files import ingest_files_flow
from flows.pipeline import progress_listener


@pytest.mark.usefixtures("prefect_harness")
def test_task_runs_per_batch_not_per_article(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(7):
        (folder / f"a{i}.txt").write_text(
            f"Story {i}\n\nPrime Minister Jane Doe visited Oslo on day {i}, officials said.",
            encoding="utf-8",
        )
    seen: list[tuple[int, int | None]] = []
    with progress_listener(lambda done, total, _: seen.append((done, total))):
        summary = ingest_files_flow(
            paths=[str(folder)], warehouse=str(tmp_path / "w.duckdb"), batch_size=3
        )
    assert seen == [(3, 7), (6, 7), (7, 7)]  # progress after every batch, for the CLI's bar
    assert summary["counts"]["batches"] == 3 and summary["counts"]["articles"] == 7

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    # Task run records reach the API asynchronously: poll briefly for all of them.
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[summary["run_id"]]))
            )
            if len(runs) >= 12 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    names = sorted({r.name.rsplit("-", 1)[0] for r in runs})
    assert names == ["enrich-batch", "extract-files-batch", "load-batch", "plan-batch"]
    assert len(runs) == 4 * 3  # four tasks per batch of up to 3 articles, for 7 articles
