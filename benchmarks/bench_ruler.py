"""What the entity ruler costs: `nlp.pipe` with and without it, on the same texts, same run.

    python benchmarks/bench_ruler.py ../shared/corpus/text/bbc [--limit 400] [--rounds 2]

Prints what the ruler adds to `load_nlp` (each variant loaded in a fresh process, alternated,
best of `--rounds`, so a cached model in this process does not hide the cost) and words/s of the configured components
without and with `newsflow_entity_ruler`, alternating the two over `--rounds` rounds (the best
round of each counts, so a busy moment on a shared machine weighs less), their ratio, and the
time of the ruler's own component over the same texts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Run in a fresh interpreter: the seconds load_nlp takes, with the ruler or without.
_LOAD = """
import sys, time
from tasks.nlp.pipeline import ENTITY_RULER, load_nlp
from tasks.settings import load_settings
n = load_settings().nlp
names = tuple(c for c in n.components if c != ENTITY_RULER)
if sys.argv[1] == "ruler":
    names = (*names, ENTITY_RULER)
started = time.perf_counter()
load_nlp(n.model, names, n.entity_patterns)
print(time.perf_counter() - started)
"""


def _load_seconds(variant: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, variant], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


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
    loads = {"bare": float("inf"), "ruler": float("inf")}
    for _ in range(args.rounds):
        for name in loads:
            loads[name] = min(loads[name], _load_seconds(name))
    print(f"{len(texts)} articles, {words} words")
    print(
        f"load_nlp in a fresh process (best of {args.rounds}): without the ruler "
        f"{loads['bare']:.2f} s, with it {loads['ruler']:.2f} s "
        f"(the ruler adds {loads['ruler'] - loads['bare']:.2f} s)"
    )
    bare_components = tuple(c for c in settings.nlp.components if c != ENTITY_RULER)
    bare = load_nlp(settings.nlp.model, bare_components)
    ruled = load_nlp(
        settings.nlp.model, (*bare_components, ENTITY_RULER), settings.nlp.entity_patterns
    )
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
    # its component over the same texts, parsed once without it.
    docs = list(bare.pipe(texts, batch_size=batch))
    ruler = ruled.get_pipe(ENTITY_RULER)
    started = time.perf_counter()
    for doc in docs:
        ruler(doc)
    alone = time.perf_counter() - started
    print(
        f"ruler alone: {alone:.2f} s ({alone / best['bare'] * 100:.1f}% of the pipeline's time "
        "without it)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
