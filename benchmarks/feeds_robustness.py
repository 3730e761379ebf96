"""Robustness of the feed stage: every feedparser test file and real news snapshot through `parse_feed`.

    python benchmarks/feeds_robustness.py [/work/shared/corpus/feeds]

Prints counts: files, files with entries, bozo files, problems by type, crashes (exceptions
escaping `parse_feed` plus internal errors it caught: must be 0), agreement of our `bozo` flag
with the test files' own `Expect: bozo` / `Expect: not bozo` lines, and for the news snapshots
the entries and how many carry a URL, a title and a date. Exit status 1 if anything crashed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks.acquire.feeds import parse_feed  # noqa: E402

_COMMENT_RE = re.compile(rb"<!--(.*?)-->", re.DOTALL)
_HEADER_RE = re.compile(r"^\s*Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
_EXPECT_RE = re.compile(r"^\s*Expect:\s*(.*?)\s*$", re.MULTILINE)


def test_file_headers(body: bytes) -> tuple[dict[str, str], str | None]:
    """HTTP headers and the expectation a feedparser test file declares in its first comment."""
    match = _COMMENT_RE.search(body[:4096])
    if not match:
        return {}, None
    comment = match.group(1).decode("utf-8", "replace")
    headers = {name.lower(): value for name, value in _HEADER_RE.findall(comment)}
    if headers and "content-type" not in headers:
        # feedparser's own test server sends this default beside a file's declared headers.
        headers["content-type"] = "application/xml"
    expect = _EXPECT_RE.search(comment)
    return headers, expect.group(1) if expect else None


def run_feedparser_suite(root: Path) -> dict[str, object]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "LICENSE")
    counts: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    crashes: list[str] = []
    agree = disagree = 0
    disagreements: list[str] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    for path in files:
        body = path.read_bytes()
        headers, expect = test_file_headers(body)
        feed_url = (
            headers.get("content-location")
            or f"http://example.com/{path.relative_to(root).as_posix()}"
        )
        t0 = time.perf_counter()
        try:
            result = parse_feed(body, feed_url, headers)
        except Exception:  # noqa: BLE001 - this is what we are counting
            crashes.append(f"{path.relative_to(root)}: {traceback.format_exc(limit=1).strip()}")
            continue
        elapsed = time.perf_counter() - t0
        slowest = max(slowest, (elapsed, str(path.relative_to(root))))
        counts["files"] += 1
        counts["with_entries"] += bool(result.entries)
        counts["entries"] += len(result.entries)
        counts["bozo"] += result.bozo
        if result.problem_type == "InternalError":
            crashes.append(f"{path.relative_to(root)}: {result.problem}")
        if result.problem_type:
            problems[result.problem_type] += 1
        if expect:
            wanted = None
            if re.match(r"^not\s+bozo\b", expect):
                wanted = False
            elif re.match(r"^bozo\b", expect):
                wanted = True
            if wanted is not None:
                if wanted == result.bozo:
                    agree += 1
                else:
                    disagree += 1
                    disagreements.append(
                        f"{path.relative_to(root)} (expect {expect[:60]!r}, bozo={result.bozo})"
                    )
    return {
        "files": len(files),
        "parsed": counts["files"],
        "with_entries": counts["with_entries"],
        "entries": counts["entries"],
        "bozo": counts["bozo"],
        "problems_by_type": dict(problems.most_common()),
        "crashes": len(crashes),
        "crash_examples": crashes[:10],
        "expect_bozo_agree": agree,
        "expect_bozo_disagree": disagree,
        "disagreement_examples": disagreements[:10],
        "seconds": time.perf_counter() - started,
        "slowest": {"seconds": slowest[0], "file": slowest[1]},
    }


def run_news(root: Path) -> dict[str, object]:
    manifest_path = root / "MANIFEST.json"
    manifest = (
        {m["file"]: m for m in json.loads(manifest_path.read_text())}
        if manifest_path.exists()
        else {}
    )
    rows = []
    totals: Counter[str] = Counter()
    crashes = 0
    for path in sorted(root.glob("*.xml")):
        try:
            result = parse_feed(path.read_bytes(), f"https://feeds.example/{path.name}")
        except Exception:  # noqa: BLE001
            crashes += 1
            continue
        if result.problem_type == "InternalError":
            crashes += 1
        n = len(result.entries)
        with_url = sum(1 for e in result.entries if e.url)
        with_title = sum(1 for e in result.entries if e.title)
        with_date = sum(1 for e in result.entries if e.published_at or e.updated_at)
        complete = sum(
            1 for e in result.entries if e.url and e.title and (e.published_at or e.updated_at)
        )
        expected = manifest.get(path.name, {}).get("items")
        totals.update(
            files=1,
            entries=n,
            with_url=with_url,
            with_title=with_title,
            with_date=with_date,
            complete=complete,
            bozo=int(result.bozo),
        )
        rows.append(
            {
                "file": path.name,
                "kind": result.kind,
                "entries": n,
                "manifest_items": expected,
                "with_url": with_url,
                "with_title": with_title,
                "with_date": with_date,
                "feed_has_dates": manifest.get(path.name, {}).get("first_date") is not None,
                "bozo": result.bozo,
                "problem": result.problem,
            }
        )
    return {"totals": dict(totals), "crashes": crashes, "feeds": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="feed-stage robustness counts")
    parser.add_argument(
        "corpus",
        nargs="?",
        default="/work/shared/corpus/feeds",
        help="folder holding feedparser/ and news/",
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    root = Path(args.corpus)
    if not (root / "feedparser").is_dir() or not (root / "news").is_dir():
        print(f"error: {root} must hold feedparser/ and news/ folders", file=sys.stderr)
        return 2
    suite = run_feedparser_suite(root / "feedparser")
    news = run_news(root / "news")

    print(
        f"feedparser test files: {suite['files']} (parsed {suite['parsed']}) in {suite['seconds']:.1f} s"
    )
    print(
        f"  with entries: {suite['with_entries']}  entries: {suite['entries']}  bozo: {suite['bozo']}"
    )
    print(f"  crashes: {suite['crashes']}")
    for line in suite["crash_examples"]:  # type: ignore[union-attr]
        print(f"    {line}")
    print(
        f"  bozo flag vs the files' Expect lines: {suite['expect_bozo_agree']} agree, {suite['expect_bozo_disagree']} disagree"
    )
    for line in suite["disagreement_examples"]:  # type: ignore[union-attr]
        print(f"    {line}")
    print(f"  slowest: {suite['slowest']['file']} {suite['slowest']['seconds'] * 1000:.0f} ms")  # type: ignore[index]
    print("  problems by type:")
    for name, n in suite["problems_by_type"].items():  # type: ignore[union-attr]
        print(f"    {n:5d}  {name}")
    t = news["totals"]
    print(
        f"news snapshots: {t.get('files', 0)} feeds, {t.get('entries', 0)} entries; with url {t.get('with_url', 0)}, "
        f"title {t.get('with_title', 0)}, date {t.get('with_date', 0)}; all three {t.get('complete', 0)}; "
        f"bozo feeds {t.get('bozo', 0)}; crashes {news['crashes']}"
    )
    for row in news["feeds"]:  # type: ignore[union-attr]
        flag = (
            ""
            if row["entries"] == row["manifest_items"]
            else f"  (manifest says {row['manifest_items']})"
        )
        print(
            f"    {row['file']:<28} {row['kind']:<8} {row['entries']:4d} entries  url {row['with_url']:4d}  "
            f"title {row['with_title']:4d}  date {row['with_date']:4d}{'  bozo: ' + str(row['problem'])[:60] if row['bozo'] else ''}{flag}"
        )
    if args.json:
        args.json.write_text(json.dumps({"feedparser": suite, "news": news}, indent=2, default=str))
    return 1 if suite["crashes"] or news["crashes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
