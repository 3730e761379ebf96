"""Awkward inputs through the files flow: real files, real Prefect runs, real DuckDB.

Each case is a repro from issue 11: nothing lost, garbled or read that should not be, and a
bad input gets a clear `failures` row while the run goes on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.files import ingest_files_flow
from tests.warehouse_queries import rows as _rows

pytestmark = pytest.mark.usefixtures("prefect_harness")

FIXTURES = Path(__file__).parent.parent / "fixtures"
CHARSET = FIXTURES / "text" / "charset"


def _record(n: int) -> str:
    return json.dumps(
        {"id": f"r-{n}", "title": f"Story {n}", "text": f"Police said on Monday that {n} met."}
    )


def test_charset_flags_and_json_guards_reach_the_warehouse(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CHARSET / "fr_pt_stray_ff.utf8.txt", folder / "stray.txt")
    shutil.copy(CHARSET / "ru_kommersant.koi8r.latin1-meta.html", folder / "ru.html")
    lines = [_record(1), _record(2), _record(3), "[" * 100_000 + "]" * 100_000]
    (folder / "records.jsonl").write_text("\n".join(lines), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    summary = ingest_files_flow(paths=[str(folder)], warehouse=str(db))
    assert summary["status"] == "completed_with_failures"
    stored = {
        uri: (enc, errors, warnings, text)
        for uri, enc, errors, warnings, text in _rows(
            db, "SELECT uri, encoding, decode_errors, text_warnings, text FROM articles"
        )
    }
    enc, errors, warnings, text = stored["stray.txt"]
    assert (enc, errors) == ("utf-8", 1) and "replaced" in warnings[0]
    assert "S\u00e3o Paulo" in text and "\u00c3" not in text
    enc, errors, warnings, text = stored["ru.html"]
    assert enc == "koi8-r" and "\u041f\u0443\u0442\u0438\u043d" in text
    assert any("iso-8859-1" in w for w in warnings)
    assert {u for u in stored if u.startswith("records.jsonl")} == {
        f"records.jsonl#{n}" for n in (1, 2, 3)
    }
    assert stored["records.jsonl#1"][:3] == ("utf-8", 0, [])
    assert _rows(db, "SELECT uri, error_type FROM failures") == [
        ("records.jsonl#4", "RecordTooDeep")
    ]
    # Re-enrichment rewrites the rows from the stored text: the flags stay.
    from flows.reprocess import reenrich_flow

    assert reenrich_flow(warehouse=str(db), all=True)["counts"]["reenriched"] == 5
    assert _rows(db, "SELECT encoding, decode_errors FROM articles WHERE uri = 'stray.txt'") == [
        ("utf-8", 1)
    ]


def _article(title: str, place: str) -> str:
    return (
        f"{title}\n\nOfficials said on Monday that talks in {place} went well. "
        f"The next meeting in {place} is planned for March.\n"
    )


def test_same_relative_path_in_two_folders_is_two_articles(tmp_path: Path) -> None:
    a = tmp_path / "A" / "data"
    b = tmp_path / "B" / "data"
    for folder, place in ((a, "Paris"), (b, "Madrid")):
        folder.mkdir(parents=True)
        (folder / "x.txt").write_text(_article(f"Talks in {place}", place), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    ingest_files_flow(paths=[str(a)], warehouse=str(db))
    second = ingest_files_flow(paths=[str(b)], warehouse=str(db))
    assert second["counts"]["articles"] == 1 and second["counts"]["replaced"] == 0
    assert sorted(r[0] for r in _rows(db, "SELECT title FROM articles")) == [
        "Talks in Madrid",
        "Talks in Paris",
    ]
    # Each folder is a source with its kind and path; the same folder again adds nothing.
    assert _rows(db, "SELECT source, kind, uri FROM sources ORDER BY uri") == [
        (str(a.resolve()), "folder", str(a.resolve())),
        (str(b.resolve()), "folder", str(b.resolve())),
    ]
    (tmp_path / "via-link").symlink_to(a, target_is_directory=True)
    again = ingest_files_flow(paths=[str(tmp_path / "via-link")], warehouse=str(db))
    assert again["counts"]["unchanged"] == 1 and again["counts"]["articles"] == 0


def test_named_source_keeps_ids_when_the_folder_moves(tmp_path: Path) -> None:
    folder = tmp_path / "old" / "wire"
    folder.mkdir(parents=True)
    (folder / "x.txt").write_text(_article("Talks in Paris", "Paris"), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    ingest_files_flow(paths=[str(folder)], warehouse=str(db), source="wire")
    moved = tmp_path / "new" / "wire-archive"
    moved.parent.mkdir()
    folder.rename(moved)
    (moved / "x.txt").write_text(_article("Talks in Paris", "Lyon"), encoding="utf-8")
    summary = ingest_files_flow(paths=[str(moved)], warehouse=str(db), source="wire")
    assert summary["counts"]["replaced"] == 1 and summary["counts"]["articles"] == 0
    assert _rows(db, "SELECT source, uri FROM articles") == [("wire", "x.txt")]
    assert _rows(db, "SELECT source, kind, uri FROM sources") == [
        ("wire", "folder", str(moved.resolve()))
    ]


def test_fifo_and_links_out_of_the_folder_are_recorded_not_read(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(_article("Talks in Paris", "Paris"), encoding="utf-8")
    os.mkfifo(folder / "x.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "y.txt").write_text(_article("Talks in Rome", "Rome"), encoding="utf-8")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    db = tmp_path / "wh.duckdb"
    summary = ingest_files_flow(paths=[str(folder)], warehouse=str(db))
    assert summary["status"] == "completed_with_failures"
    assert _rows(db, "SELECT uri FROM articles") == [("good.txt",)]
    assert dict(_rows(db, "SELECT uri, error_type FROM failures")) == {
        "x.txt": "NotARegularFile",
        "passwd.txt": "SymlinkSkipped",
        "linked": "SymlinkSkipped",
    }
    listed = {f["uri"]: f["message"] for f in summary["failures"]}  # the run summary says so
    assert "FIFO" in listed["x.txt"] and "/etc/passwd" in listed["passwd.txt"]
    assert not any("root:" in t for (t,) in _rows(db, "SELECT text FROM articles"))


def test_source_option_on_the_command_line(tmp_path: Path) -> None:
    import flows.reprocess  # noqa: F401  (Prefect's log handler before the first invoke)
    from typer.testing import CliRunner

    from flows.cli import EXIT_OK, EXIT_USAGE, app
    from tasks import store as wh

    runner = CliRunner()
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "x.txt").write_text(_article("Talks in Paris", "Paris"), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    args = ["ingest", "files", str(folder), "-w", str(db)]
    result = runner.invoke(app, [*args, "--source", "wire"])
    assert result.exit_code == EXIT_OK, result.output
    result = runner.invoke(app, ["status", "-w", str(db)])
    assert f"source wire ({folder.resolve()}): 1 articles" in result.output
    result = runner.invoke(app, [*args, "--source", "a/b"])
    assert result.exit_code == EXIT_USAGE and "source name 'a/b'" in result.output
    # A name that already names a feed is refused, not mixed with it.
    with wh.connect(db) as con:
        wh.upsert_source(con, "bbc", "feed", "https://feeds.example/bbc.xml", "run-x")
    result = runner.invoke(app, [*args, "--source", "bbc"])
    assert result.exit_code == EXIT_USAGE and "already names a feed" in result.output
    assert _rows(db, "SELECT count(*) FROM articles WHERE source = 'bbc'") == [(0,)]


def test_articles_stored_under_the_old_file_ids_become_routes(tmp_path: Path) -> None:
    from tasks import store as wh
    from tasks.store import queries

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "x.txt").write_text(_article("Talks in Paris", "Paris"), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    # Before the identity rule changed, a file's id came from (folder name, relative path):
    # exactly what `--source data` gives a folder named data. Without the folder's sources row,
    # this is what an older warehouse holds.
    ingest_files_flow(paths=[str(folder)], warehouse=str(db), source="data")
    with wh.connect(db) as con:
        con.execute("DELETE FROM sources").fetchall()
        assert queries.legacy_file_articles(con) == 1
    summary = ingest_files_flow(paths=[str(folder)], warehouse=str(db))
    assert summary["counts"]["articles"] == 0 and summary["counts"]["duplicates"] == 1
    assert _rows(db, "SELECT count(*) FROM articles") == [(1,)]
    assert _rows(db, "SELECT source, uri FROM article_routes ORDER BY source") == [
        (str(folder.resolve()), "x.txt"),
        ("data", "x.txt"),
    ]
