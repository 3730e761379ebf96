"""Score publication dates of HTML pages against gold: our extraction vs htmldate alone.

The gold set is htmldate's own evaluation layout: `gold.json` maps a URL to `{"file", "date"}`
(the original publication day, YYYY-MM-DD) and the pages sit gzipped in `pages/`.

Both run on the same pages in the same run:
- `htmldate`: `htmldate.find_date(html, url=url, original_date=True, extensive_search=True)`;
- `ours`: `extract_html(html, url)` (htmldate with the page's own structured fields, see
  `tasks.text.pagedate`), then, only for a page still without a date, the text inference the
  NLP stage uses (`tasks.nlp.dates.infer_published_at` over the cleaned text and captions).

A page is right when the day equals the gold day; our day is the publisher's local day
(`published_at.date()` in the offset the page gave). The pages are split into 5 folds (a
fixed shuffle); per fold the report gives both figures, and the cross-validation of the one
choice this code makes, the evidence weights: on each fold the best of a grid of weightings
on the other four folds is scored on that fold, next to the shipped `DEFAULT_WEIGHTS`.

    python -m tasks.evaluate.dates /work/shared/corpus/dates/htmldate [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tasks.evaluate.gate import finish
from tasks.text.pagedate import DEFAULT_WEIGHTS, DateEvidence, choose_published

__all__ = [
    "DatedPage",
    "evaluate_dates",
    "format_report",
    "iter_gold",
    "weight_grid",
]

FOLDS = 5
SEED = 13


@dataclass(frozen=True, slots=True)
class DatedPage:
    """One gold page and what each method found."""

    url: str
    gold: date
    htmldate: date | None
    ours: date | None
    source: str | None  # which evidence gave our date ("text" for the text inference)
    evidence: DateEvidence | None
    text_date: date | None  # the text inference's day (used only when nothing else dates it)


def iter_gold(root: Path) -> Iterator[tuple[str, bytes, date]]:
    """(url, raw HTML bytes, gold day) for each page of `gold.json` whose file exists."""
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    for url, item in gold.items():
        path = root / "pages" / item["file"]
        if not path.exists():
            path = root / item["file"]
        if not path.exists():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        yield url, raw, date.fromisoformat(item["date"][:10])


def _text_date(text: str) -> date | None:
    from tasks.nlp.dates import infer_published_at
    from tasks.text.clean import clean_text

    cleaned = clean_text("\n\n".join(text.split("\n")))
    inferred = infer_published_at(cleaned.text, cleaned.captions)
    return inferred.date() if inferred is not None else None


def score_page(url: str, raw: bytes, gold: date) -> DatedPage:
    """Run htmldate alone and our extraction on one page."""
    from htmldate import find_date

    from tasks.text.charset import decode_html
    from tasks.text.html import extract_html

    html = decode_html(raw, None)
    try:
        found = find_date(html, url=url, original_date=True, extensive_search=True)
        alone = date.fromisoformat(found[:10]) if found else None
    except Exception:  # noqa: BLE001 - a failing baseline is a page it got wrong
        alone = None
    page = extract_html(raw, url)
    ours = page.published_at.date() if page.published_at is not None else None
    source = page.published_source
    text_day = _text_date(page.text) if page.text and ours is None else None
    if ours is None and text_day is not None:
        ours, source = text_day, "text"
    return DatedPage(url, gold, alone, ours, source, page.date_evidence, text_day)


def weight_grid() -> list[dict[str, float]]:
    """The weightings cross-validated: htmldate 3; JSON-LD, meta, UTC-only days, URL, trafilatura."""
    grid = []
    for jl, meta, utc, url, traf in itertools.product(
        (0, 1, 2, 3), (0, 1, 2, 3), (0, 1), (0, 1, 2), (0, 1)
    ):
        grid.append(
            {
                "htmldate": 3.0,
                "json_ld": float(jl),
                "meta": float(meta),
                "json_ld_utc": float(jl * utc),
                "meta_utc": float(meta * utc),
                "url": float(url),
                "trafilatura": float(traf),
            }
        )
    return grid


def _decide(page: DatedPage, weights: Mapping[str, float]) -> date | None:
    if page.evidence is None:
        return page.text_date
    published, _, _ = choose_published(page.evidence, weights)
    return published.date() if published is not None else page.text_date


def _accuracy(pages: list[DatedPage], pick: Callable[[DatedPage], date | None]) -> float:
    return sum(pick(p) == p.gold for p in pages) / len(pages) if pages else 0.0


def _weighted_accuracy(pages: list[DatedPage], weights: Mapping[str, float]) -> float:
    return _accuracy(pages, lambda p: _decide(p, weights))


def _describe(weights: Mapping[str, float]) -> str:
    return " ".join(f"{k}={v:g}" for k, v in weights.items() if v)


def evaluate_dates(corpus_dir: str | Path, folds: int = FOLDS) -> dict[str, Any]:
    """Score every page; per-fold figures and the cross-validation of the evidence weights."""
    root = Path(corpus_dir)
    started = time.perf_counter()
    pages = [score_page(url, raw, gold) for url, raw, gold in iter_gold(root)]
    seconds = time.perf_counter() - started
    order = sorted(range(len(pages)), key=lambda i: pages[i].url)
    random.Random(SEED).shuffle(order)
    fold_of = {index: n % folds for n, index in enumerate(order)}
    grid = weight_grid()
    default = dict(DEFAULT_WEIGHTS)

    fold_rows: list[dict[str, Any]] = []
    for fold in range(folds):
        test = [p for i, p in enumerate(pages) if fold_of[i] == fold]
        train = [p for i, p in enumerate(pages) if fold_of[i] != fold]
        scored = [(_weighted_accuracy(train, w), w) for w in grid]
        best_train = max(s for s, _ in scored)
        # among equally good weightings, the shipped one if it is one of them, else the first
        ties = [w for s, w in scored if s >= best_train - 1e-12]
        chosen = next(
            (w for w in ties if all(w.get(k, 0) == v for k, v in default.items())), ties[0]
        )
        fold_rows.append(
            {
                "fold": fold,
                "pages": len(test),
                "htmldate": _accuracy(test, lambda p: p.htmldate),
                "ours": _accuracy(test, lambda p: p.ours),
                "chosen_on_train": _describe(chosen),
                "chosen_train": best_train,
                "chosen_test": _weighted_accuracy(test, chosen),
            }
        )
    both = Counter(
        ("ours" if p.ours == p.gold else "-") + "/" + ("htmldate" if p.htmldate == p.gold else "-")
        for p in pages
    )
    by_source: dict[str, list[int]] = {}
    for p in pages:
        tally = by_source.setdefault(p.source or "none", [0, 0])
        tally[0] += 1
        tally[1] += p.ours == p.gold
    return {
        "corpus": str(root),
        "pages": len(pages),
        "seconds": seconds,
        "htmldate": _accuracy(pages, lambda p: p.htmldate),
        "ours": _accuracy(pages, lambda p: p.ours),
        "default_weights": _describe(default),
        "folds": fold_rows,
        "agreement": dict(both),
        "by_source": {k: {"pages": v[0], "right": v[1]} for k, v in sorted(by_source.items())},
        "differences": [
            {"url": p.url, "gold": str(p.gold), "ours": str(p.ours), "htmldate": str(p.htmldate)}
            for p in pages
            if p.ours != p.htmldate
        ],
        "gate_ok": all(row["ours"] >= row["htmldate"] for row in fold_rows),
    }


def format_report(report: dict[str, Any]) -> str:
    """Plain-text table of the figures in `report`."""
    lines = [
        f"Publication dates on {report['corpus']}: {report['pages']} pages, same day as gold "
        f"({report['seconds']:.0f} s)",
        "",
        f"{'fold':>4} {'pages':>5} {'htmldate':>9} {'ours':>6}   cross-validated weights "
        "(chosen on the other folds -> this fold)",
    ]
    for row in report["folds"]:
        lines.append(
            f"{row['fold']:>4} {row['pages']:>5} {row['htmldate']:>9.3f} {row['ours']:>6.3f}   "
            f"{row['chosen_on_train']}: train {row['chosen_train']:.3f} -> "
            f"test {row['chosen_test']:.3f}"
        )
    lines.append(
        f"{'all':>4} {report['pages']:>5} {report['htmldate']:>9.3f} {report['ours']:>6.3f}   "
        f"shipped weights: {report['default_weights']}"
    )
    lines.append("")
    agreement = report["agreement"]
    lines.append(
        "both right {}, only ours {}, only htmldate {}, neither {}".format(
            agreement.get("ours/htmldate", 0),
            agreement.get("ours/-", 0),
            agreement.get("-/htmldate", 0),
            agreement.get("-/-", 0),
        )
    )
    sources = ", ".join(
        f"{name} {v['right']}/{v['pages']}" for name, v in report["by_source"].items()
    )
    lines.append(f"our date by source (right/pages): {sources}")
    verdict = "ok" if report["gate_ok"] else "FAIL: below htmldate alone on a fold"
    lines.append(f"gate: ours >= htmldate alone on every fold: {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", help="folder holding gold.json and pages/")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    root = Path(args.corpus_dir)
    if not (root / "gold.json").is_file():
        print(
            f"error: {root} has no gold.json; pass the folder holding gold.json and pages/",
            file=sys.stderr,
        )
        return 2
    return finish(evaluate_dates(root), format_report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
