"""Scale-out benchmark: the files flow on a local Dask cluster with 1 worker process, then 2.

    python benchmarks/bench_scale.py ../shared/corpus/text/bbc [--workers 1,2] [--limit N]
                                     [--batch-size N]
    python benchmarks/bench_scale.py ../shared/corpus/text/bbc --copies 10 [--workers 2]

Each run goes into a fresh warehouse, with events on (the configured `enrich` switches). It
prints, per run, the wall time, throughput and per-stage seconds (the Prefect task runs of
each stage, summed: extraction and planning in the flow, enrichment in the workers, loading in
the flow); then `speedup: X` (the last run's throughput over the first's), `rows identical:
yes|no` (every table's rows but run ids and timestamps, first run against each other run) and
the peak resident memory of every process involved (the flow, each Dask worker, Prefect's
temporary API server), sampled every 0.2 s.

`--copies N` streams the corpus N times under different ids (and titles, so that no copy is a
duplicate of another): batches are read lazily, nothing holds the whole stream in memory.

Prefect's temporary API server is started before any timing (a fixed start-up cost); the Dask
cluster is started by each run, so its start and the workers' model loading are in the times.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flows  # noqa: E402,F401  (Prefect environment defaults)
from prefect import flow  # noqa: E402

from flows.files import extract_files_batch  # noqa: E402
from flows.pipeline import BatchPipeline, flow_settings, recorded_run  # noqa: E402
from tasks.acquire.files import FileRef, discover_files  # noqa: E402
from tasks.records import Article  # noqa: E402
from tasks.text.extract import content_hash  # noqa: E402

MB = 1024 * 1024


# ----------------------------------------------------------------------------------------------
# Memory of every process: this one and its descendants
# ----------------------------------------------------------------------------------------------


def _role(cmdline: str) -> str:
    if "uvicorn" in cmdline or "prefect server" in cmdline:
        return "prefect server"
    if "flows.lifeline" in cmdline:
        return "watchdog"
    if "resource_tracker" in cmdline or "forkserver" in cmdline:
        return "other"
    if "multiprocessing" in cmdline or "spawn_main" in cmdline:
        return "dask worker"
    return "other"


class MemorySampler:
    """Peak RSS per process (by role) and of all processes together, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self.me = psutil.Process()
        self.interval = interval
        self.peak_total = 0
        self.peak: dict[tuple[str, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        roles: dict[int, str] = {}
        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.me, *self.me.children(recursive=True)]
            except psutil.Error:
                procs = [self.me]
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if p.pid not in roles:
                        roles[p.pid] = (
                            "flow" if p.pid == self.me.pid else _role(" ".join(p.cmdline()))
                        )
                except psutil.Error:
                    continue
                total += rss
                key = (roles[p.pid], p.pid)
                self.peak[key] = max(self.peak.get(key, 0), rss)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.interval)

    def report(self) -> str:
        by_role: dict[str, list[int]] = {}
        for (role, _), rss in self.peak.items():
            by_role.setdefault(role, []).append(rss)
        parts = [f"all processes together {self.peak_total / MB:,.0f} MB"]
        for role in ("flow", "dask worker", "prefect server", "watchdog", "other"):
            if role in by_role:
                values = sorted(by_role[role], reverse=True)
                each = ", ".join(f"{v / MB:,.0f}" for v in values[:4])
                parts.append(f"{role} {each} MB" + (" (each)" if len(values) > 1 else ""))
        return "; ".join(parts)


# ----------------------------------------------------------------------------------------------
# Runs
# ----------------------------------------------------------------------------------------------


def _copy(article: Article, k: int) -> Article:
    """The k-th copy of an article: another id, and a title that makes it no duplicate."""
    if k == 0:
        return article
    title = f"{article.title} [copy {k}]"
    return replace(
        article,
        id=f"{article.id}-copy{k}",
        uri=f"copy{k}/{article.uri}",
        title=title,
        content_hash=content_hash(title, article.text),
    )


def _stream(refs: Sequence[FileRef], copies: int, size: int) -> Iterator[tuple[int, list[FileRef]]]:
    """(copy number, batch of files), lazily: the corpus `copies` times over."""
    for k in range(copies):
        for i in range(0, len(refs), size):
            yield k, list(refs[i : i + size])


@flow(name="bench-scale-stream", log_prints=True)
def stream_flow(corpus: str, copies: int, warehouse: str, limit: int = 0) -> dict[str, Any]:
    """The files flow over `copies` copies of a corpus, read lazily batch by batch."""
    settings = flow_settings(None, warehouse)
    size = settings.ingest.batch_size
    with recorded_run("bench-scale-stream", settings, {"copies": copies}) as summary:
        refs, _ = discover_files([corpus], settings.ingest.exclude)
        refs = refs[:limit] if limit else refs
        pipeline = BatchPipeline(settings, summary)
        for k, batch in _stream(refs, copies, size):
            articles, failures = extract_files_batch(batch, settings.ingest.max_file_bytes)
            pipeline.process(
                [_copy(a, k) for a in articles],
                failures,
                total=len(refs) * copies,
                items=len(batch),
            )
        pipeline.finish()
    return summary.result()  # type: ignore[no-any-return]


def stage_seconds(run_id: str, timeout: float = 30.0) -> dict[str, float]:
    """Seconds per task name (summed over batches) of a flow run, from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + timeout
    last = -1
    with get_client(sync_client=True) as client:
        while True:
            runs: list[Any] = []
            while True:  # the API pages at 200
                page = client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(run_id)])),
                    limit=200,
                    offset=len(runs),
                )
                runs.extend(page)
                if len(page) < 200:
                    break
            done = [r for r in runs if r.state is not None and r.state.is_final()]
            if (len(done) == len(runs) and len(runs) == last) or time.monotonic() > deadline:
                break
            last = len(runs)
            time.sleep(1.0)
    out: dict[str, float] = {}
    for r in done:
        name = r.name.rsplit("-", 1)[0]
        out[name] = out.get(name, 0.0) + r.total_run_time.total_seconds()
    return out


def run_once(workers: int, corpus: Path, copies: int, limit: int, tmp: Path) -> dict[str, Any]:
    """One run on a fresh warehouse with a local cluster of `workers` processes."""
    from flows.files import ingest_files_flow

    os.environ["NEWSFLOW_PREFECT_TASK_RUNNER"] = "dask"
    os.environ["NEWSFLOW_PREFECT_DASK_WORKERS"] = str(workers)
    db = tmp / f"scale-{workers}.duckdb"
    with MemorySampler() as memory:
        t0 = time.perf_counter()
        if copies > 1 or limit:
            summary = stream_flow(str(corpus), copies, str(db), limit)
        else:
            summary = ingest_files_flow(paths=[str(corpus)], warehouse=str(db))
        took = time.perf_counter() - t0
    c = summary["counts"]
    stages = stage_seconds(summary["run_id"])
    print(
        f"{workers} worker(s): {took:.1f} s, {c['enriched']} articles enriched "
        f"({c['enriched'] / took:.1f}/s, {c['words'] / took:,.0f} words/s), {c['events']} events, "
        f"{c['quotes']} quotes, {c['failed']} failed, status {summary['status']}"
    )
    print(
        "  stages (task seconds, summed over batches): "
        + ", ".join(f"{name} {secs:.1f}" for name, secs in sorted(stages.items()))
    )
    print(f"  peak RSS: {memory.report()}")
    return {"db": db, "seconds": took, "words": c["words"], "memory": memory}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of articles (e.g. corpus/text/bbc)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, in order")
    parser.add_argument("--copies", type=int, default=1, help="stream the corpus N times")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N files")
    parser.add_argument("--batch-size", type=int, default=0, help="ingest.batch_size to use")
    args = parser.parse_args()
    if args.batch_size:
        os.environ["NEWSFLOW_INGEST_BATCH_SIZE"] = str(args.batch_size)

    import duckdb

    from flows.lifeline import start_temporary_api
    from tasks.settings import load_settings
    from tasks.store.compare import content_rows, differences

    settings = load_settings()
    refs, _ = discover_files([args.corpus], settings.ingest.exclude)
    n = min(len(refs), args.limit) if args.limit else len(refs)
    print(
        f"corpus: {args.corpus} ({n} files x {args.copies}); model {settings.nlp.model}; "
        f"events {settings.enrich.events}, quotes {settings.enrich.quotes}; batch size "
        f"{settings.ingest.batch_size}; {os.cpu_count()} CPUs"
    )
    t0 = time.perf_counter()
    start_temporary_api()
    print(f"start-up: Prefect's temporary API server {time.perf_counter() - t0:.1f} s")

    counts = [int(x) for x in args.workers.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        results = [run_once(w, args.corpus, args.copies, args.limit, Path(tmp)) for w in counts]
        first = results[0]
        if len(results) > 1:
            last = results[-1]
            speedup = (last["words"] / last["seconds"]) / (first["words"] / first["seconds"])
            print(f"speedup: {speedup:.2f}")

        def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
            con = duckdb.connect(str(db), read_only=True)
            try:
                return content_rows(con)
            finally:
                con.close()

        if len(results) > 1:
            base = snapshot(first["db"])
            diffs = {}
            for other in results[1:]:
                diffs.update(differences(base, snapshot(other["db"])))
            print(f"rows identical: {'no' if diffs else 'yes'}")
            for table, (a, b, missing) in diffs.items():
                print(f"  {table}: {a} rows vs {b}; {missing} of the first run's rows missing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
