"""Article-body F1 page by page: where the shipped body gains and loses against the gold.

For every page of `CORPUS/fundus` and `CORPUS/newspaper4k`: its set (fundus-A, fundus-B as
`tasks.evaluate.extraction.fundus_halves` splits them, newspaper4k), the file, precision,
recall and F1 of the shipped body (`extract_html` + `clean_text`, what the warehouse stores,
scored as `tasks.evaluate.extraction.score_body` scores it), and with `--lines N` the N
biggest false-positive lines (our lines whose 4-gram shingles are mostly absent from the gold)
and false-negative lines (gold lines mostly absent from our text). Then the three sets' P, R
and F1, which are the "trimmed *" figures of `newsflow eval extraction`.

`--save run.json` keeps the per-page counts; `--compare run.json` prints the pages whose F1
moved since that run and the sets' figures then and now.

    .venv/bin/python benchmarks/body_pages.py ../../shared/corpus/html --lines 3
    .venv/bin/python benchmarks/body_pages.py ../../shared/corpus/html --compare before.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from tasks.evaluate.extraction import (
    GoldPage,
    body_metrics,
    fundus_halves,
    iter_fundus,
    iter_newspaper4k,
    score_body,
    shingle_counts,
)
from tasks.text.clean import clean_text
from tasks.text.html import extract_html

SETS = ("fundus-A", "fundus-B", "newspaper4k")


def labelled_pages(root: Path) -> Iterator[tuple[str, GoldPage]]:
    """(set, page) for every page with a gold body, fundus split into its publisher halves."""
    fundus = list(iter_fundus(root / "fundus"))
    for half, pages in zip(SETS[:2], fundus_halves(fundus)):
        for page in pages:
            yield half, page
    for page in iter_newspaper4k(root / "newspaper4k"):
        yield SETS[2], page


def shipped_body(page: GoldPage) -> str:
    """The body as the warehouse stores it: extraction, then cleaning."""
    text = "\n\n".join(extract_html(page.html, page.url).text.split("\n"))
    return clean_text(text).text if text else text


def stray_lines(text: str, other: str, limit: int) -> list[tuple[int, str]]:
    """Lines of `text` with at most half their shingles in `other`: (shingles, line)."""
    present = shingle_counts(other)
    found = []
    for line in (raw.strip() for raw in text.splitlines()):
        shingles = shingle_counts(line)
        if not line or not shingles:
            continue
        outside = sum(count for key, count in shingles.items() if key not in present)
        if outside * 2 > sum(shingles.values()):
            found.append((outside, line))
    return sorted(found, key=lambda item: -item[0])[:limit]


def _f1(counts: tuple[int, int, int]) -> tuple[float, float, float]:
    metrics = body_metrics([counts])
    return metrics["precision"], metrics["recall"], metrics["f1"]


def _print_page(set_name: str, page: GoldPage, body: str, lines: int) -> None:
    precision, recall, f1 = _f1(score_body(page.body, body))
    print(f"{set_name:<12} {page.name:<52} P {precision:.3f} R {recall:.3f} F1 {f1:.3f}")
    for size, line in stray_lines(body, page.body or "", lines):
        print(f"    + [{size}] {line[:160]}")
    for size, line in stray_lines(page.body or "", body, lines):
        print(f"    - [{size}] {line[:160]}")


def _print_sets(
    by_set: dict[str, list[tuple[int, int, int]]], old_by_set: dict[str, list[tuple[int, int, int]]]
) -> None:
    print()
    for name in SETS:
        if not by_set[name]:
            continue
        now = body_metrics(by_set[name])
        row = f"{name:<12} pages {now['pages']:>3}  P {now['precision']:.4f}  R {now['recall']:.4f}"
        row += f"  F1 {now['f1']:.4f}"
        if old_by_set[name]:
            then = body_metrics(old_by_set[name])
            row += f"   (before: P {then['precision']:.4f} R {then['recall']:.4f}"
            row += f" F1 {then['f1']:.4f})"
        print(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", type=Path, help="folder holding fundus/ and newspaper4k/")
    parser.add_argument("--lines", type=int, default=0, help="stray lines to print per page")
    parser.add_argument("--only", choices=SETS, help="one set only")
    parser.add_argument("--below", type=float, default=1.01, help="print pages under this F1")
    parser.add_argument("--save", type=Path, help="write the per-page counts here")
    parser.add_argument("--compare", type=Path, help="per-page counts of an earlier run")
    args = parser.parse_args(argv)
    if not (args.corpus_dir / "fundus").is_dir():
        print(f"error: {args.corpus_dir} has no fundus/ folder", file=sys.stderr)
        return 2
    before: dict[str, list[int]] = {}
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
    counts: dict[str, list[int]] = {}
    by_set: dict[str, list[tuple[int, int, int]]] = {name: [] for name in SETS}
    old_by_set: dict[str, list[tuple[int, int, int]]] = {name: [] for name in SETS}
    for set_name, page in labelled_pages(args.corpus_dir):
        if args.only and set_name != args.only:
            continue
        body = shipped_body(page)
        tp_fp_fn = score_body(page.body, body)
        key = f"{set_name}:{page.name}"
        counts[key] = list(tp_fp_fn)
        by_set[set_name].append(tp_fp_fn)
        old = before.get(key)
        if old is not None:
            old_by_set[set_name].append((old[0], old[1], old[2]))
            old_f1, f1 = _f1((old[0], old[1], old[2]))[2], _f1(tp_fp_fn)[2]
            if abs(old_f1 - f1) > 1e-9:
                print(f"{set_name:<12} {page.name:<52} F1 {old_f1:.4f} -> {f1:.4f}")
        elif _f1(tp_fp_fn)[2] < args.below:
            _print_page(set_name, page, body, args.lines)
    _print_sets(by_set, old_by_set)
    if args.save:
        args.save.write_text(json.dumps(counts, indent=0), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
