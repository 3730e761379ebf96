"""Reading and extracting files: plain text, JSON records, gzip-compressed pages, bombs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tasks.text.extract import extract_document, prepare_articles
from tasks.records import Failure, RawDocument
from tasks.acquire.files import FileRef, discover_files, read_file

PAGES = Path(__file__).parent.parent / "fixtures" / "web" / "pages"


def test_gzipped_html_is_found_read_and_extracted(tmp_path: Path) -> None:
    (tmp_path / "ap.html.gz").write_bytes((PAGES / "apnews.html.gz").read_bytes())
    (tmp_path / "archive.tar.gz").write_bytes(b"not for us")
    refs, _ = discover_files([tmp_path])
    assert [r.uri for r in refs] == ["ap.html.gz"]
    doc = read_file(refs[0], 5_000_000)
    assert isinstance(doc, RawDocument) and doc.media_type == "text/html"
    articles, failures = prepare_articles([doc])
    assert not failures and len(articles[0].text) > 500 and articles[0].title
    assert articles[0].extractor.startswith("trafilatura/")


def test_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"A" * 50_000_000))  # 50 MB of text in ~50 kB
    assert bomb.stat().st_size < 100_000
    result = read_file(FileRef(bomb, "x", "bomb.txt.gz"), 1_000_000)
    assert isinstance(result, Failure) and result.error_type == "FileTooLarge"
    assert "decompresses" in result.message


def test_news_please_style_records() -> None:
    record = {
        "title": "Tram derails in Croydon",
        "maintext": "Several people died when a tram "
        "derailed in Croydon on Wednesday, police said.",
        "date_publish": "2016-11-09 07:15:00",
        "source_domain": "standard.co.uk",
        "url": "https://www.standard.co.uk/news/tram?utm_source=x#top",
    }
    doc = RawDocument(
        "np", "np.json", json.dumps(record).encode(), "application/json", fetched_at=None
    )  # type: ignore[arg-type]
    (article,), failures = extract_document(doc)
    assert not failures
    assert article.site == "standard.co.uk" and article.published_at.year == 2016  # type: ignore[union-attr]
    assert article.url == "https://www.standard.co.uk/news/tram"
    bad = RawDocument(
        "np", "bad.json", b'{"title": "no body"}', "application/json", fetched_at=None
    )  # type: ignore[arg-type]
    assert "has no 'text'" in extract_document(bad)[1][0].message


# --- JSON guards: one bad record never loses the others --------------------------------------


def _json_doc(name: str, data: bytes) -> RawDocument:
    media = "application/x-ndjson" if name.endswith(".jsonl") else "application/json"
    return RawDocument("src", name, data, media, fetched_at=None)  # type: ignore[arg-type]


def _record(n: int) -> dict[str, str]:
    return {
        "id": f"r-{n}",
        "title": f"Story {n}",
        "text": f"Police said on Monday that {n} people met.",
    }


def test_jsonl_line_of_deep_brackets_is_recorded_and_the_good_lines_kept() -> None:
    lines = [json.dumps(_record(n)) for n in (1, 2)]
    lines.append("[" * 100_000 + "]" * 100_000)  # json.loads: RecursionError
    lines.append(json.dumps(_record(4)))
    articles, failures = extract_document(_json_doc("deep.jsonl", "\n".join(lines).encode()))
    assert [a.title for a in articles] == ["Story 1", "Story 2", "Story 4"]
    (failure,) = failures
    assert failure.uri == "deep.jsonl#3" and failure.error_type == "RecordTooDeep"
    assert "line 3" in failure.message


def test_jsonl_line_over_the_size_cap_is_recorded() -> None:
    from tasks.text.extract import JsonLimits

    big = dict(_record(2), text="word " * 50_000)
    data = "\n".join(json.dumps(r) for r in (_record(1), big, _record(3))).encode()
    articles, failures = extract_document(
        _json_doc("big.jsonl", data), limits=JsonLimits(max_record_chars=100_000)
    )
    assert [a.title for a in articles] == ["Story 1", "Story 3"]
    assert [(f.uri, f.error_type) for f in failures] == [("big.jsonl#2", "RecordTooLarge")]
    assert "line 2" in failures[0].message


def test_jsonl_lines_split_on_newlines_only() -> None:
    # U+2028 is valid inside a JSON string; str.splitlines would cut the record in two.
    record = dict(_record(1), text="First sentence here.\u2028Second sentence here.")
    data = (json.dumps(record, ensure_ascii=False) + "\r\n" + json.dumps(_record(2))).encode()
    articles, failures = extract_document(_json_doc("ls.jsonl", data))
    assert not failures and [a.title for a in articles] == ["Story 1", "Story 2"]


def test_json_list_keeps_good_records_around_a_deep_one() -> None:
    deep = "[" * 5_000 + "]" * 5_000
    body = "[" + ", ".join([json.dumps(_record(0)), deep, json.dumps(_record(2))]) + "]"
    articles, failures = extract_document(_json_doc("list.json", body.encode()))
    assert [a.title for a in articles] == ["Story 0", "Story 2"]
    assert [(f.uri, f.error_type) for f in failures] == [("list.json#1", "RecordTooDeep")]
    # Ids stay what they were for a plain list (record ids here, index-based otherwise).
    plain = "[" + ", ".join(json.dumps(_record(n)) for n in range(3)) + "]"
    again, _ = extract_document(_json_doc("list.json", plain.encode()))
    assert [a.id for a in again][0::2] == [a.id for a in articles]


def test_json_object_too_deep_and_broken_json_are_failures() -> None:
    deep = '{"a": ' * 10_000 + "1" + "}" * 10_000
    _, failures = extract_document(_json_doc("deep.json", deep.encode()))
    assert [f.error_type for f in failures] == ["RecordTooDeep"]
    _, failures = extract_document(_json_doc("broken.json", b'[{"title": "x", "text": "y"'))
    assert [f.error_type for f in failures] == ["EmptyOrInvalid"]
    assert "not valid JSON" in failures[0].message
    # Brackets and commas inside strings do not confuse the record splitter.
    tricky = [dict(_record(1), text='He said "[x, {y}]," twice, police said.'), _record(2)]
    articles, failures = extract_document(_json_doc("t.json", json.dumps(tricky).encode()))
    assert not failures and articles[0].text.startswith('He said "[x, {y}],"')


def test_stray_byte_in_one_jsonl_line_flags_that_record_only() -> None:
    lines = [json.dumps(_record(n), ensure_ascii=False).encode() for n in (1, 2, 3)]
    lines[0] = lines[0].replace(b"Story 1", "Café Story 1 in São Paulo".encode())
    lines[1] = lines[1].replace(b"Police", b"Pol\xffice")
    articles, failures = extract_document(_json_doc("enc.jsonl", b"\n".join(lines)))
    assert not failures
    assert [a.decode_errors for a in articles] == [0, 1, 0]
    assert articles[0].title == "Caf\u00e9 Story 1 in S\u00e3o Paulo"
    assert articles[1].text_warnings and not articles[2].text_warnings
