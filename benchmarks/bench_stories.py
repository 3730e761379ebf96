"""Cost of story clustering per new batch as the warehouse grows: the BBC corpus, N times over.

    .venv/bin/python benchmarks/bench_stories.py ../shared/corpus/text/bbc --copies 10

Each copy of the corpus gets its own article ids and is dated a year after the previous one
(all within the default 3,650-day window, so every stored article stays a candidate: the
pessimistic case). Batches of `--batch` articles go through `tasks.store.stories.store_stories`
on a real DuckDB file, as the pipeline's load does (features, candidate look-up in
`story_bands`, loading the candidates' stored features, scoring, writes, bucket pruning, story
refresh), one connection and no state kept between batches, and the script prints the time per
batch at several warehouse sizes (and how much of it the two warehouse look-ups took), then the
peak RSS of the process. No spaCy: entities are left out, which only changes the stories'
top-entity lists. `--keep FILE` keeps the warehouse for a closer look.

By default every copy after the first is a near-duplicate of the first (the 5-gram MinHash
path). With `--rewrite`, each copy after the first drops a different third of its body's sentences
(chosen by a hash of copy and sentence index), so copies are not near-duplicates of one another
and most articles go through keyword candidates and scoring against the earlier copies' stories.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import re
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from tasks.records import Article, Enrichment
from tasks.store.arrow import Provenance
from tasks.store.schema import migrate
import tasks.store.stories as stories
from tasks.store.stories import store_stories

LOOKUP_SECONDS = [0.0]  # time in the warehouse look-ups of the current batch


def _timed(fn: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            LOOKUP_SECONDS[0] += time.perf_counter() - t0

    return wrapper


# the candidate look-up (story_bands join) and the candidates' features, timed apart
stories.stored_candidates = _timed(stories.stored_candidates)  # type: ignore[assignment]
stories.load_placed = _timed(stories.load_placed)  # type: ignore[assignment]


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def read_corpus(root: Path) -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(root.rglob("*.txt")):
        if path.name.upper().startswith("README"):
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        title, _, body = raw.partition("\n")
        out.append((str(path.relative_to(root)), title.strip(), body.strip()))
    return out


def rewritten(body: str, copy: int) -> str:
    """The body without a third of its sentences, a different third in each copy; copy 0 whole."""
    if copy == 0:
        return body
    sentences = re.split(r"(?<=[.!?])\s+", body)
    drop = [
        hashlib.sha256(f"{copy}:{i}".encode()).digest()[0] % 3 == 0 for i in range(len(sentences))
    ]
    return " ".join(s for s, dropped in zip(sentences, drop, strict=True) if not dropped)


def stream(docs: list[tuple[str, str, str]], copies: int, rewrite: bool) -> Iterator[Article]:
    """The corpus `copies` times over, one article at a time (nothing holds the stream)."""
    base = datetime(2004, 1, 1, tzinfo=UTC)
    for k in range(copies):
        for i, (name, title, body) in enumerate(docs):
            aid = hashlib.sha256(f"{k}:{name}".encode()).hexdigest()[:16]
            published = base + timedelta(days=365 * k + (i * 7) % 360, hours=i % 24)
            text = rewritten(body, k) if rewrite else body
            yield Article(aid, "bbc", name, None, title, text, aid, "bench", published_at=published)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument(
        "--rewrite", action="store_true", help="copies are no near-duplicates (see above)"
    )
    parser.add_argument(
        "--keep", type=Path, help="write the warehouse here (a new file) and keep it"
    )
    args = parser.parse_args()
    docs = read_corpus(args.corpus)
    total = len(docs) * args.copies
    articles = stream(docs, args.copies, args.rewrite)
    print(
        f"{len(docs)} articles x {args.copies} copies = {total}; batch {args.batch}"
        + ("; copies rewritten" if args.rewrite else "")
    )
    prov = Provenance("bench", None, "bench", "stories/1")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.duckdb"
        if path.exists():
            parser.error(f"{path} exists: --keep takes a new file")
        con = duckdb.connect(str(path))
        migrate(con)
        report_at = {1, 2, 5, 10, 20, 40, 60, 80}
        total_started = time.perf_counter()
        times: list[float] = []
        cpus: list[float] = []  # CPU seconds of the process (all threads): fair on a busy machine
        for n, start in enumerate(range(0, total, args.batch), start=1):
            batch = [Enrichment(article=a) for a in itertools.islice(articles, args.batch)]
            t0, c0 = time.perf_counter(), time.process_time()
            LOOKUP_SECONDS[0] = 0.0
            con.execute("BEGIN TRANSACTION")
            assignments = store_stories(con, batch, prov)
            con.execute("COMMIT")
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            times.append(dt)
            cpus.append(cpu)
            stored = start + len(batch)
            if n in report_at or stored == total:
                print(
                    f"batch {n:>3}: {stored:>6} articles stored, {dt:6.2f} s ({cpu:5.2f} s CPU) "
                    f"({1000 * dt / len(batch):5.1f} ms/article; look-ups {LOOKUP_SECONDS[0]:5.2f} s), "
                    f"{sum(a.new_story for a in assignments)} new stories, RSS {rss_mb():.0f} MB"
                )
        stories, dupes = con.execute(
            "SELECT count(DISTINCT story_id), count(duplicate_of) FROM story_articles"
        ).fetchall()[0]
        con.execute("CHECKPOINT")
        size = path.stat().st_size
        print(
            f"total {time.perf_counter() - total_started:.1f} s for {total} articles; "
            f"{stories} stories, {dupes} placed as near-duplicates; "
            f"warehouse {size / 1e6:.1f} MB"
        )
        last = times[-5:]
        last_cpu = cpus[-5:]
        print(
            f"mean of the last {len(last)} batches: {sum(last) / len(last):.2f} s per batch, "
            f"{sum(last_cpu) / len(last_cpu):.2f} s CPU"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
