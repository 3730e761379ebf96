"""The files flow on a real Dask cluster: a `distributed.LocalCluster` with two worker
processes on loopback stores exactly the rows the thread runner stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("prefect_dask")

from flows.files import ingest_files_flow  # noqa: E402
from tasks.store.compare import content_rows, differences  # noqa: E402

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return content_rows(con)
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_dask_cluster_rows_identical_to_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for src in sorted((FIXTURES / "text").glob("*.txt")):
        shutil.copy(src, folder / src.name)
    shutil.copy(FIXTURES / "files" / "bbc_business_001.txt", folder / "bbc_business_001.txt")
    shutil.copy(FIXTURES / "files" / "bbc_business_001.txt", folder / "same_text_again.txt")
    (folder / "empty.txt").write_bytes(b"")  # a failure row too

    threads_db, dask_db = tmp_path / "threads.duckdb", tmp_path / "dask.duckdb"
    monkeypatch.setenv("NEWSFLOW_PREFECT_TASK_RUNNER", "threads")
    by_threads = ingest_files_flow(paths=[str(folder)], warehouse=str(threads_db), batch_size=2)

    monkeypatch.setenv("NEWSFLOW_PREFECT_TASK_RUNNER", "dask")
    monkeypatch.setenv("NEWSFLOW_PREFECT_DASK_WORKERS", "2")
    by_dask = ingest_files_flow(paths=[str(folder)], warehouse=str(dask_db), batch_size=2)

    assert by_dask["status"] == by_threads["status"] == "completed_with_failures"
    items = len(list(folder.iterdir()))
    assert by_dask["counts"]["batches"] == -(-items // 2)  # batch_size 2, however many fixtures
    assert by_dask["counts"]["duplicates"] == 1
    a, b = _snapshot(threads_db), _snapshot(dask_db)
    assert a["articles"] and a["entity_mentions"] and a["events"] and a["failures"]
    assert differences(a, b) == {}
