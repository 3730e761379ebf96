"""Score extracted body text and metadata against gold data.

Body text is scored as the ScrapingHub article-extraction benchmark does: word 4-gram
shingles counted per page (a multiset), true/false positives and negatives per page,
precision and recall per page averaged over pages, F1 from the two averages. One addition:
both texts are NFC-normalised before tokenising (canonically equal text scores equal).
Titles, dates and authors are compared with the gold metadata after light normalisation.

On the same pages in the same run: `trafilatura` alone (plain `trafilatura.extract(html,
include_comments=False)`, the baseline), `extract` (our `extract_html` as shipped, no cleaning)
and `pipeline` (`extract_html` followed by the project's cleaning, `tasks.text.clean.clean_text`:
what the warehouse stores). Beside them, side by side, every trafilatura setting measured for
the choice of the shipped one: `favor_precision`, `favor_recall` and the default, each with
trafilatura's fallback extractors on and off (`fast=True`, formerly `no_fallback`), both plain
and through our extraction and cleaning, plus our `trimmed` body (the default extraction cut to
what favor_precision keeps). fundus is also scored in two halves by publisher (alternate
publishers in name order), so a choice is kept only when it wins on both. The gate: `pipeline`
must not score lower than `trafilatura` on any set.

    python -m tasks.evaluate.extraction /work/shared/corpus/html [--no-clean] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from tasks.evaluate.gate import finish
from tasks.text.html import ExtractedPage, extract_html

__all__ = [
    "GoldPage",
    "evaluate_extraction",
    "evaluate_pages",
    "format_report",
    "iter_fundus",
    "iter_newspaper4k",
    "shingle_counts",
    "score_body",
]

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
Cleaner = Callable[[str], str]


@dataclass(frozen=True)
class GoldPage:
    """One page with its gold annotations."""

    set_name: str
    name: str
    html: bytes
    url: str | None
    body: str | None  # None: no gold body for this page
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO date or datetime as the gold gives it


# --------------------------------------------------------------------------- scoring


def shingle_counts(text: str | None, n: int = 4) -> Counter[str]:
    """Word n-gram shingles of a text, counted (a text shorter than n words is one shingle).

    The text is NFC-normalised first: some pages and their gold are stored decomposed (NFD),
    where `\\w+` splits "u" + combining diaeresis into two tokens, so a cleaner that merely
    composes characters would otherwise lose matches it did not lose.
    """
    tokens = _TOKEN_RE.findall(unicodedata.normalize("NFC", text or ""))
    shingles: Counter[str] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = " ".join(tokens[i : i + n])
        if shingle:
            shingles[shingle] += 1
    return shingles


def score_body(gold: str | None, predicted: str | None, n: int = 4) -> tuple[int, int, int]:
    """(tp, fp, fn) of shingle counts; two empty texts count as one true positive."""
    true = shingle_counts(gold, n)
    pred = shingle_counts(predicted, n)
    tp = fp = fn = 0
    for key in true.keys() | pred.keys():
        t, p = true.get(key, 0), pred.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    if not true and not pred:
        tp += 1
    return tp, fp, fn


def _precision(tp: int, fp: int, fn: int) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: int, fp: int, fn: int) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def body_metrics(counts: Iterable[tuple[int, int, int]]) -> dict[str, float]:
    """Precision and recall averaged over pages, F1 from the averages."""
    items = list(counts)
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "pages": 0}
    precision = sum(_precision(*c) for c in items) / len(items)
    recall = sum(_recall(*c) for c in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(items)}


_PUNCT = str.maketrans("\u2019\u2018\u201c\u201d\u2013\u2014\xa0", "''\"\"-- ")


def _norm_text(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    value = value.translate(_PUNCT)
    return " ".join(value.split())


def _norm_words(value: str) -> str:
    return " ".join(_TOKEN_RE.findall(_norm_text(value)))


def title_matches(gold: str, predicted: str | None) -> tuple[bool, bool]:
    """(exact after normalisation, lenient: one contains the other in words)."""
    if not predicted:
        return False, False
    g, p = _norm_words(gold), _norm_words(predicted)
    return g == p, bool(g and p) and (g in p or p in g)


def _gold_day(value: str) -> str | None:
    value = value.strip()
    match = re.match(r"(\d{4}-\d{2}-\d{2})", value)
    return match.group(1) if match else None


def date_matches(gold: str, predicted: datetime | None, precision: str | None) -> bool:
    """Same calendar day as the gold (in the gold's own time zone when both have times)."""
    if predicted is None:
        return False
    day = _gold_day(gold)
    if day is None:
        return False
    if precision == "time":
        try:
            gold_dt = datetime.fromisoformat(
                gold.strip().replace(" ", "T", 1).replace("Z", "+00:00")
            )
        except ValueError:
            gold_dt = None
        if gold_dt is not None and gold_dt.tzinfo is not None:
            return predicted.astimezone(gold_dt.tzinfo).date().isoformat() == day
        # Gold without zone is local: accept the day in UTC or the page's own day.
    return predicted.date().isoformat() == day


def author_scores(gold: tuple[str, ...], predicted: tuple[str, ...]) -> tuple[bool, float]:
    """(same set of names after normalisation, F1 of the name sets)."""
    g = {_norm_words(a) for a in gold if _norm_words(a)}
    p = {_norm_words(a) for a in predicted if _norm_words(a)}
    if not g and not p:
        return True, 1.0
    if not g or not p:
        return False, 0.0
    tp = len(g & p)
    precision, recall = tp / len(p), tp / len(g)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return g == p, f1


# --------------------------------------------------------------------------- gold sets


def _natural_key(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _fundus_body(record: dict[str, Any]) -> str:
    body = record.get("body") or {}
    lines: list[str] = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        lines.extend(section.get("headline") or [])
        lines.extend(section.get("paragraphs") or [])
    return "\n".join(lines)


def iter_fundus(root: Path) -> Iterator[GoldPage]:
    """Pages of fundus' test data: `<country>/<Publisher>_<date>.html.gz` with `<Publisher>.json`.

    A publisher's JSON holds one record per parser version (V1, V1_1, ...); the versions follow
    the crawl dates, so the n-th version (natural order) goes with the n-th file by date.
    """
    base = root / "test_data" if (root / "test_data").is_dir() else root
    for country in sorted(p for p in base.iterdir() if p.is_dir()):
        meta_path = country / "meta.info"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        for gold_path in sorted(country.glob("*.json")):
            publisher = gold_path.stem
            records = json.loads(gold_path.read_text(encoding="utf-8"))
            files = sorted(
                (
                    f
                    for f in country.glob(f"{publisher}_*.html.gz")
                    if re.fullmatch(
                        rf"{re.escape(publisher)}_\d{{4}}_\d{{2}}_\d{{2}}\.html\.gz", f.name
                    )
                ),
                key=lambda f: f.name,
            )
            versions = sorted(records, key=_natural_key)
            for version, html_path in zip(versions, files):
                record = records[version]
                info = meta.get(html_path.name, {})
                yield GoldPage(
                    set_name="fundus",
                    name=f"{country.name}/{html_path.name}",
                    html=gzip.decompress(html_path.read_bytes()),
                    url=info.get("url"),
                    body=_fundus_body(record),
                    title=record.get("title"),
                    authors=tuple(record.get("authors") or ()),
                    published=record.get("publishing_date"),
                )


def iter_newspaper4k(root: Path) -> Iterator[GoldPage]:
    """Pages of newspaper4k's test data: `html/<name>.html.gz`, gold text `txt/<name>.txt`,
    gold fields `metadata/<name>.json` (title, authors, publish_date; newspaper4k's own output,
    so noisier than fundus' hand-checked gold)."""
    for html_path in sorted((root / "html").glob("*.html.gz")):
        name = html_path.name[: -len(".html.gz")]
        txt = root / "txt" / f"{name}.txt"
        meta_path = root / "metadata" / f"{name}.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        if not txt.exists() and not meta:
            continue
        yield GoldPage(
            set_name="newspaper4k",
            name=name,
            html=gzip.decompress(html_path.read_bytes()),
            url=meta.get("url") or meta.get("canonical_link") or None,
            body=txt.read_text(encoding="utf-8") if txt.exists() else None,
            title=meta.get("title") or None,
            authors=tuple(meta.get("authors") or ()),
            published=meta.get("publish_date") or None,
        )


# --------------------------------------------------------------------------- evaluation

# (name, trafilatura setting, fallbacks on): the settings measured side by side.
SETTINGS: tuple[tuple[str, str, bool], ...] = (
    ("default", "default", True),
    ("precision", "precision", True),
    ("recall", "recall", True),
    ("default-fast", "default", False),
    ("precision-fast", "precision", False),
    ("recall-fast", "recall", False),
)
SHIPPED = "trimmed"  # extract_html's own default body


@dataclass
class _Tally:
    body: dict[str, list[tuple[int, int, int]]] = field(
        default_factory=lambda: {"trafilatura": [], "extract": [], "pipeline": []}
    )
    variants: dict[str, dict[str, list[tuple[int, int, int]]]] = field(default_factory=dict)
    titles: int = 0
    title_exact: int = 0
    title_lenient: int = 0
    dates: int = 0
    date_ok: int = 0
    authored: int = 0
    author_exact: int = 0
    author_f1: float = 0.0
    extraction_failures: int = 0
    seconds: float = 0.0
    worst: list[tuple[float, str]] = field(default_factory=list)

    def add_variant(self, name: str, kind: str, counts: tuple[int, int, int]) -> None:
        self.variants.setdefault(name, {}).setdefault(kind, []).append(counts)


def _as_article_text(page: ExtractedPage) -> str:
    """Body as an Article holds it: paragraphs separated by a blank line."""
    return "\n\n".join(page.text.split("\n"))


def _plain(gold: GoldPage, setting: str, fallbacks: bool) -> str:
    return (
        trafilatura.extract(
            gold.html,
            url=gold.url,
            include_comments=False,
            favor_precision=setting == "precision",
            favor_recall=setting == "recall",
            fast=not fallbacks,
        )
        or ""
    )


def _score_variants(gold: GoldPage, clean: Cleaner | None, tally: _Tally) -> None:
    """Every setting, plain and through our extraction (and cleaning), on one page."""
    for name, setting, fallbacks in SETTINGS:
        tally.add_variant(name, "plain", score_body(gold.body, _plain(gold, setting, fallbacks)))
        raw = _as_article_text(extract_html(gold.html, gold.url, body=setting, fallbacks=fallbacks))
        tally.add_variant(name, "extract", score_body(gold.body, raw))
        if clean is not None:
            tally.add_variant(name, "pipeline", score_body(gold.body, clean(raw) if raw else raw))


def evaluate_pages(
    pages: Iterable[GoldPage], clean: Cleaner | None, *, variants: bool = True
) -> dict[str, Any]:
    """Score a set of gold pages: the shipped extraction, the baseline, the metadata, and with
    `variants` every trafilatura setting side by side."""
    tally = _Tally()
    for gold in pages:
        started = time.perf_counter()
        page = extract_html(gold.html, gold.url)
        tally.seconds += time.perf_counter() - started
        if not page.ok:
            tally.extraction_failures += 1
        if gold.body is not None:
            plain = _plain(gold, "default", True)
            tally.body["trafilatura"].append(score_body(gold.body, plain))
            raw = _as_article_text(page)
            counts = score_body(gold.body, raw)
            tally.body["extract"].append(counts)
            tally.add_variant(SHIPPED, "extract", counts)
            if clean is not None:
                cleaned = clean(raw) if raw else raw
                cleaned_counts = score_body(gold.body, cleaned)
                tally.body["pipeline"].append(cleaned_counts)
                tally.add_variant(SHIPPED, "pipeline", cleaned_counts)
                delta = (
                    _precision(*cleaned_counts)
                    + _recall(*cleaned_counts)
                    - _precision(*counts)
                    - _recall(*counts)
                )
                if delta < 0:
                    tally.worst.append((delta, gold.name))
            if variants:
                _score_variants(gold, clean, tally)
        if gold.title:
            tally.titles += 1
            exact, lenient = title_matches(gold.title, page.title)
            tally.title_exact += exact
            tally.title_lenient += lenient
        if gold.published:
            tally.dates += 1
            tally.date_ok += date_matches(
                gold.published, page.published_at, page.published_precision
            )
        if gold.authors:
            tally.authored += 1
            exact, f1 = author_scores(gold.authors, page.authors)
            tally.author_exact += exact
            tally.author_f1 += f1

    def ratio(a: float, b: int) -> float | None:
        return a / b if b else None

    result: dict[str, Any] = {
        "pages": len(tally.body["extract"]) or tally.titles,
        "extraction_failures": tally.extraction_failures,
        "seconds": tally.seconds,
        "body": {
            "trafilatura": body_metrics(tally.body["trafilatura"]),
            "extract": body_metrics(tally.body["extract"]),
        },
        "variants": {
            name: {kind: body_metrics(counts) for kind, counts in kinds.items()}
            for name, kinds in tally.variants.items()
        },
        "title": {
            "pages": tally.titles,
            "exact": ratio(tally.title_exact, tally.titles),
            "lenient": ratio(tally.title_lenient, tally.titles),
        },
        "date": {"pages": tally.dates, "same_day": ratio(tally.date_ok, tally.dates)},
        "authors": {
            "pages": tally.authored,
            "exact": ratio(tally.author_exact, tally.authored),
            "f1": ratio(tally.author_f1, tally.authored),
        },
    }
    if clean is not None:
        result["body"]["pipeline"] = body_metrics(tally.body["pipeline"])
        result["cleaning_hurt"] = [name for _, name in sorted(tally.worst)[:10]]
    return result


def fundus_halves(pages: Iterable[GoldPage]) -> tuple[list[GoldPage], list[GoldPage]]:
    """fundus pages split by publisher: alternate publishers in name order."""
    by_publisher: dict[str, list[GoldPage]] = {}
    for page in pages:
        publisher = page.name.split("/")[-1].split(".")[0].rsplit("_", 3)[0]
        by_publisher.setdefault(publisher, []).append(page)
    halves: tuple[list[GoldPage], list[GoldPage]] = ([], [])
    for index, publisher in enumerate(sorted(by_publisher)):
        halves[index % 2].extend(by_publisher[publisher])
    return halves


def _default_cleaner() -> Cleaner | None:
    """`tasks.text.clean.clean_text(text).text`, when the cleaning module exists."""
    try:
        from tasks.text.clean import clean_text
    except ImportError:
        return None

    def clean(text: str) -> str:
        return clean_text(text).text

    return clean


_DEFAULT = object()


def evaluate_extraction(
    corpus_dir: str | Path, clean: Cleaner | None | object = _DEFAULT, *, variants: bool = True
) -> dict[str, Any]:
    """Evaluate both variants on `corpus_dir/fundus` and `corpus_dir/newspaper4k`.

    `clean` defaults to the project's cleaning (`tasks.text.clean.clean_text`) when it can be
    imported; pass None to score trafilatura alone.
    """
    root = Path(corpus_dir)
    cleaner: Cleaner | None = _default_cleaner() if clean is _DEFAULT else clean  # type: ignore[assignment]
    report: dict[str, Any] = {
        "corpus": str(root),
        "cleaning": cleaner is not None,
        "sets": {},
        "halves": {},
    }
    for name, reader in (("fundus", iter_fundus), ("newspaper4k", iter_newspaper4k)):
        folder = root / name
        if not folder.is_dir():
            continue
        pages = list(reader(folder))
        # fundus' variants are scored in its two publisher halves, not twice
        split = name == "fundus" and variants
        report["sets"][name] = evaluate_pages(pages, cleaner, variants=variants and not split)
        if split:
            for half, subset in zip(("fundus-A", "fundus-B"), fundus_halves(pages)):
                report["halves"][half] = evaluate_pages(subset, cleaner, variants=True)
    gate = []
    for name, result in report["sets"].items():
        if "pipeline" in result["body"]:
            before = result["body"]["trafilatura"]["f1"]
            after = result["body"]["pipeline"]["f1"]
            gate.append(
                {
                    "set": name,
                    "trafilatura_f1": before,
                    "pipeline_f1": after,
                    "extract_f1": result["body"]["extract"]["f1"],
                    "ok": after >= before - 1e-9,
                }
            )
    report["gate"] = gate
    report["gate_ok"] = all(item["ok"] for item in gate)
    return report


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of the figures in `report`."""

    def pct(value: float | None, digits: int = 3) -> str:
        return "  n/a" if value is None else f"{value:5.{digits}f}"

    lines = [
        f"Extraction evaluation on {report['corpus']} (cleaning {'on' if report['cleaning'] else 'off'})",
        "",
    ]
    header = f"{'set':<12} {'variant':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6}"
    lines.append(header)
    lines.append("-" * len(header))
    for name, result in report["sets"].items():
        for variant, metrics in result["body"].items():
            lines.append(
                f"{name:<12} {variant:<12} {metrics['pages']:>5} {pct(metrics['precision']):>6} "
                f"{pct(metrics['recall']):>6} {pct(metrics['f1']):>6}"
            )
    lines.append("")
    header = f"{'set':<12} {'title exact':>11} {'lenient':>8} {'date day':>9} {'authors exact':>13} {'author F1':>9} {'no body':>8} {'sec':>6}"
    lines.append(header)
    lines.append("-" * len(header))
    for name, result in report["sets"].items():
        lines.append(
            f"{name:<12} {pct(result['title']['exact']):>11} {pct(result['title']['lenient']):>8} "
            f"{pct(result['date']['same_day']):>9} {pct(result['authors']['exact']):>13} "
            f"{pct(result['authors']['f1']):>9} {result['extraction_failures']:>8} {result['seconds']:>6.1f}"
        )
        lines.append(
            f"{'':<12} (titles on {result['title']['pages']}, dates on {result['date']['pages']}, "
            f"authors on {result['authors']['pages']} pages)"
        )
    groups = {**report.get("halves", {}), **report["sets"]}
    groups = {name: r for name, r in groups.items() if len(r.get("variants", {})) > 1}
    if groups:
        kind = "pipeline" if report["cleaning"] else "extract"
        lines.append("")
        lines.append(
            f"Body F1 per trafilatura setting: plain trafilatura | ours (extraction"
            f"{' + cleaning' if report['cleaning'] else ''}); -fast = fallbacks off"
        )
        header = f"{'variant':<16}" + "".join(f"{name:>22}" for name in groups)
        lines.append(header)
        lines.append("-" * len(header))
        names = [name for name, _, _ in SETTINGS] + [SHIPPED]
        for variant in names:
            row = f"{variant + (' *' if variant == SHIPPED else ''):<16}"
            for result in groups.values():
                metrics = result["variants"].get(variant, {})
                plain = metrics.get("plain", {}).get("f1")
                ours = metrics.get(kind, {}).get("f1")
                row += f"{pct(plain, 4):>13} | {pct(ours, 4):>6}"
            lines.append(row)
        lines.append(f"* shipped (extract_html's default body: {SHIPPED})")
    if report.get("gate"):
        lines.append("")
        for item in report["gate"]:
            verdict = "ok" if item["ok"] else "FAIL: below trafilatura alone"
            lines.append(
                f"gate {item['set']}: trafilatura alone {item['trafilatura_f1']:.4f}, "
                f"our extraction {item['extract_f1']:.4f}, extraction + cleaning "
                f"{item['pipeline_f1']:.4f}  {verdict}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", help="folder holding fundus/ and newspaper4k/")
    parser.add_argument("--no-clean", action="store_true", help="score trafilatura alone")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if not Path(args.corpus_dir).is_dir():
        print(
            f"error: {args.corpus_dir} is not a folder; pass the folder holding fundus/ and newspaper4k/",
            file=sys.stderr,
        )
        return 2
    return finish(
        evaluate_extraction(args.corpus_dir, None if args.no_clean else _DEFAULT),
        format_report,
        args.json,
    )


if __name__ == "__main__":
    raise SystemExit(main())
