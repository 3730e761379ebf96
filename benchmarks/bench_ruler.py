"""What the entity ruler costs: `nlp.pipe` with and without it, on the same texts, same run.

    python benchmarks/bench_ruler.py ../shared/corpus/text/bbc [--limit 400] [--rounds 2]

Prints the ruler's load time (adding its patterns) and words/s of the configured components
without and with `newsflow_entity_ruler`, alternating the two over `--rounds` rounds (the best
round of each counts, so a busy moment on a shared machine weighs less), their ratio, and the
time of the ruler's own steps (span ruler and merge) over the same texts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of .txt articles (e.g. corpus/text/bbc)")
    parser.add_argument("--limit", type=int, default=400, help="articles to use")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per variant")
    args = parser.parse_args()

    from tasks.nlp.pipeline import ENTITY_RULER, load_nlp
    from tasks.settings import load_settings

    settings = load_settings()
    files = sorted(args.corpus.rglob("*.txt"))[: args.limit]
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    words = sum(len(t.split()) for t in texts)
    bare_components = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    started = time.perf_counter()
    bare = load_nlp(settings.nlp.model, bare_components)
    bare_load = time.perf_counter() - started
    started = time.perf_counter()
    ruled = load_nlp(settings.nlp.model, (*bare_components, ENTITY_RULER))
    ruled_load = time.perf_counter() - started
    print(f"{len(texts)} articles, {words} words; model load {bare_load:.1f} s")
    print(f"model + ruler load {ruled_load:.1f} s (the patterns: {ruled_load - bare_load:.1f} s)")
    best = {"bare": float("inf"), "ruler": float("inf")}
    batch = settings.nlp.pipe_batch_size
    for _ in range(args.rounds):
        for name, nlp in (("bare", bare), ("ruler", ruled)):
            started = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=batch):
                pass
            best[name] = min(best[name], time.perf_counter() - started)
    for name, seconds in best.items():
        print(f"{name:>5}: {seconds:.1f} s, {words / seconds:.0f} words/s")
    print(f"ratio (with ruler / without): {best['bare'] / best['ruler']:.3f}")
    # The ruler's own work, apart from the noise of a whole-pipeline timing on a busy machine:
    # its span ruler and merge step over the same (tokenized) texts.
    docs = [ruled.make_doc(t) for t in texts]
    steps = [ruled.get_pipe(n) for n in ruled.pipe_names[ruled.pipe_names.index(ENTITY_RULER) :]]
    steps = steps[:2]  # the span ruler and its merge step
    started = time.perf_counter()
    for doc in docs:
        for step in steps:
            doc = step(doc)
    alone = time.perf_counter() - started
    print(
        f"ruler alone: {alone:.2f} s ({alone / best['bare'] * 100:.1f}% of the pipeline's time "
        "without it)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
