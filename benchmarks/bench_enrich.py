"""Enrichment benchmark: what `enrich_doc` (entities, events, quotes, dates, 5W1H, places, tone)
costs over a parse already made, and a digest of the rows it makes.

    python benchmarks/bench_enrich.py ../shared/corpus/text/bbc [--limit 360] [--step 6]
        [--repeat 5] [--instructions]

The articles (every `--step`th file, up to `--limit`) are parsed once; each pass enriches fresh
copies of those Docs (`Doc.from_bytes`, outside the timer), as a run enriches each Doc once.
It prints the thread CPU of each pass, their minimum and median, and the digest of the first
pass's records: two versions of the code that print the same digest make the same rows.

On a shared or virtual machine the CPU time of one pass moves by 10% or more between minutes,
more than most changes to enrichment save. `--instructions` counts the instructions of one pass
instead (valgrind's callgrind, collecting only inside the pass): the same code gives the same
count to within a fraction of a percent whatever else the machine runs. It takes minutes (the
interpreter runs some fifty times slower under valgrind), so keep `--limit` near 60.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WARM = 20  # Docs enriched before timing: the lexicons, dictionaries and caches are loaded


def _load() -> tuple[Any, Any]:
    from tasks.nlp.events.lexicon import load_lexicon
    from tasks.nlp.pipeline import load_nlp
    from tasks.settings import load_settings

    s = load_settings()
    return load_nlp(s.nlp.model, s.nlp.components, s.nlp.entity_patterns), load_lexicon(
        s.enrich.lexicon
    )


def parse(corpus: Path, limit: int, step: int) -> tuple[list[Any], list[bytes]]:
    """The corpus's articles and their parsed Docs as bytes."""
    from tasks.acquire.files import discover_files, read_files
    from tasks.settings import load_settings
    from tasks.text.extract import prepare_articles

    s = load_settings()
    refs, _ = discover_files([corpus], s.ingest.exclude)
    refs = sorted(refs, key=lambda r: r.uri)[::step][: limit + WARM]
    docs, _ = read_files(refs, s.ingest.max_file_bytes)
    articles, _ = prepare_articles(docs)
    nlp, _ = _load()
    parsed = nlp.pipe([a.text for a in articles], batch_size=s.nlp.pipe_batch_size)
    return articles, [d.to_bytes() for d in parsed]


def _fresh(nlp: Any, articles: list[Any], blobs: list[bytes]) -> list[Any]:
    from spacy.tokens import Doc

    from tasks.nlp.syntax import remember_text

    docs = [Doc(nlp.vocab).from_bytes(b) for b in blobs]
    for doc, article in zip(docs, articles):
        remember_text(doc, article.text)
    return docs


def _digest(records: list[Any]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(repr(r).encode())
    return h.hexdigest()[:16]


def _warmed(articles: list[Any], blobs: list[bytes]) -> tuple[Any, Any]:
    """The model and lexicon, after enriching the first WARM articles (not timed or counted)."""
    from tasks.nlp.pipeline import enrich_doc

    nlp, lexicon = _load()
    for doc, article in zip(_fresh(nlp, articles[:WARM], blobs[:WARM]), articles):
        enrich_doc(doc, article, lexicon)
    return nlp, lexicon


def run_passes(articles: list[Any], blobs: list[bytes], repeat: int) -> None:
    from tasks.nlp.pipeline import enrich_doc

    nlp, lexicon = _warmed(articles, blobs)
    articles, blobs = articles[WARM:], blobs[WARM:]
    times = []
    for n in range(repeat):
        docs = _fresh(nlp, articles, blobs)
        t0 = time.thread_time()
        records = [enrich_doc(d, a, lexicon) for d, a in zip(docs, articles)]
        took = time.thread_time() - t0
        times.append(took)
        if n == 0:
            print(f"rows digest {_digest(records)} ({len(records)} articles)")
        print(f"pass {n + 1}: {took:.2f} s cpu, {1000 * took / len(records):.1f} ms per article")
    print(f"cpu per pass: min {min(times):.2f} s, median {statistics.median(times):.2f} s")


def one_counted_pass(data: Path) -> None:
    """Under callgrind: one pass inside `functools.reduce`, the only code collected."""
    from tasks.nlp.pipeline import enrich_doc

    articles, blobs = pickle.loads(data.read_bytes())
    nlp, lexicon = _warmed(articles, blobs)
    articles, blobs = articles[WARM:], blobs[WARM:]
    docs = _fresh(nlp, articles, blobs)
    records = functools.reduce(
        lambda _, __: [enrich_doc(d, a, lexicon) for d, a in zip(docs, articles)], [0], []
    )
    print(f"rows digest {_digest(records)} ({len(records)} articles)")


def count_instructions(articles: list[Any], blobs: list[bytes]) -> int:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("--instructions needs valgrind (apt install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "docs.pickle", Path(tmp) / "callgrind.out"
        data.write_bytes(pickle.dumps((articles, blobs)))
        cmd = [
            valgrind,
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--counted-pass",
            str(data),
        ]
        print("counting instructions under valgrind (minutes) ...", flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True)
        print(done.stdout.strip())
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode or not found:
            print(done.stderr[-2000:], file=sys.stderr)
            return 1
        n = len(articles) - WARM
        count = int(found.group(1))
        print(f"instructions: {count:,} ({count / n / 1e6:.1f} M per article)")
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--counted-pass":
        one_counted_pass(Path(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of articles (e.g. corpus/text/bbc)")
    parser.add_argument("--limit", type=int, default=360, help="articles timed (default 360)")
    parser.add_argument("--step", type=int, default=6, help="every STEPth file (default 6)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes (default 5)")
    parser.add_argument(
        "--instructions", action="store_true", help="count one pass's instructions (valgrind)"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    articles, blobs = parse(args.corpus, args.limit, args.step)
    if len(articles) <= WARM:
        print(f"too few articles under {args.corpus}: give a folder of more", file=sys.stderr)
        return 2
    print(f"parsed {len(articles)} articles in {time.perf_counter() - t0:.1f} s ({WARM} warm-up)")
    if args.instructions:
        return count_instructions(articles, blobs)
    run_passes(articles, blobs, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
