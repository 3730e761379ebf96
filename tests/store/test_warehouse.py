"""The warehouse module: migrations, idempotent loads, failures, the writer lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tasks import store as wh
from tasks.records import Article, Enrichment, Entity, Failure, Mention

PROV = wh.Provenance("run-1", "model-1", "0.1.0", "rules-1")


def _article(aid: str, text: str = "Alice met Bob in Paris.", uri: str | None = None) -> Article:
    return Article(
        id=aid,
        source="src",
        uri=uri or f"{aid}.txt",
        url=None,
        title=f"T {aid}",
        text=text,
        content_hash=f"h-{text}",
        extractor="plaintext/1",
    )


def _enriched(a: Article) -> Enrichment:
    name = a.text.split()[0]
    m = Mention(a.id, f"e-{name}", name, "PERSON", name, "PERSON", 0, len(name), 0)
    return Enrichment(
        article=a, mentions=(m,), entities=(Entity(f"e-{name}", name, "PERSON", (name,)),)
    )


def test_migrate_creates_schema_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with wh.connect(db) as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [
            (wh.SCHEMA_VERSION,)
        ]
        assert set(wh.TABLES) <= {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    with wh.connect(db) as con:  # reopening applies nothing twice
        assert wh.migrate(con) == wh.SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM schema_version").fetchall() == [
            (len(wh.MIGRATIONS),)
        ]


def test_the_memory_limit_setting_reaches_every_connection(tmp_path: Path) -> None:
    from tasks.settings import load_settings
    from tasks.store.connection import one

    settings = load_settings(env={"NEWSFLOW_WAREHOUSE_MEMORY_LIMIT": "300MB"})
    assert settings.warehouse.duckdb_config() == {"memory_limit": "300MB"}
    try:
        wh.set_connect_defaults(settings.warehouse.duckdb_config())
        with wh.connect(tmp_path / "w.duckdb") as con:
            limit = one(con.execute("SELECT current_setting('memory_limit')"))
        with wh.connect(tmp_path / "w.duckdb", read_only=True) as con:
            again = one(con.execute("SELECT current_setting('memory_limit')"))
        # a connection this process already holds (opened without it) is no obstacle
        with wh.connect(tmp_path / "v.duckdb") as held:
            wh.set_connect_defaults({"memory_limit": "400MB"})
            with wh.connect(tmp_path / "v.duckdb") as con:
                held_limit = one(held.execute("SELECT current_setting('memory_limit')"))
    finally:
        wh.set_connect_defaults({})
    assert held_limit is not None and held_limit[0].replace(" ", "") in {"381.4MiB", "400.0MB"}
    assert limit is not None and again == limit
    assert limit[0].replace(" ", "") in {"286.1MiB", "300.0MB"}  # DuckDB prints it in its own unit


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with wh.connect(db) as con:
        con.execute("INSERT INTO schema_version VALUES (999, now(), 'future')")
    with pytest.raises(wh.WarehouseError, match="newer than this newsflow"):
        with wh.connect(db):
            pass


def test_plan_and_load_are_idempotent(tmp_path: Path) -> None:
    with wh.connect(tmp_path / "w.duckdb") as con:
        a, b = _article("a"), _article("b", "Carol went home.")
        dup = _article("c", uri="copy.txt")  # same text as a: a duplicate route
        plan = wh.plan_batch(con, [a, b, dup])
        assert [x.id for x in plan.to_enrich] == ["a", "b"] and plan.duplicates == 1
        counts = wh.load_batch(con, [_enriched(x) for x in plan.to_enrich], plan.routes, [], PROV)
        assert (counts.articles, counts.entities, counts.mentions, counts.routes) == (2, 2, 2, 3)
        again = wh.plan_batch(con, [a, b, dup])
        assert again.to_enrich == [] and again.unchanged == 2
        counts = wh.load_batch(con, [], again.routes, [], PROV)
        assert counts.routes == 0
        changed = _article("a", "Alice met Dave in Rome.")
        plan = wh.plan_batch(con, [changed])
        assert plan.changed_ids == {"a"}
        counts = wh.load_batch(con, [_enriched(changed)], plan.routes, [], PROV)
        assert counts.replaced == 1 and counts.articles == 0
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM entity_mentions").fetchall() == [(2,)]
        assert all(v == 0 for v in wh.check_integrity(con).values())


def test_failures_are_counted_then_resolved(tmp_path: Path) -> None:
    with wh.connect(tmp_path / "w.duckdb") as con:
        f = Failure("read", "src", "bad.txt", "OSError", "cannot read bad.txt")
        wh.load_batch(con, [], [], [f], PROV)
        wh.load_batch(con, [], [], [f], PROV)
        assert con.execute("SELECT count(*), max(attempts) FROM failures").fetchall() == [(1, 2)]
        fixed = _article("bad", uri="bad.txt")
        wh.load_batch(con, [_enriched(fixed)], [("bad", fixed)], [], PROV)
        ((resolved,),) = con.execute("SELECT resolved_at FROM failures").fetchall()
        assert resolved is not None


_HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_second_writer_waits_then_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with wh.connect(db):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(db), "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(wh.WarehouseBusy, match="locked by another newsflow process"):
            with wh.connect(db, lock_timeout=0.5):
                pass
        assert time.monotonic() - started >= 0.5
        with wh.connect(db, lock_timeout=20) as con:  # waits for the holder, then gets in
            assert con.execute("SELECT 1").fetchall() == [(1,)]
    finally:
        holder.wait(timeout=30)


def test_read_only_on_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(wh.WarehouseError, match="make run"):
        with wh.connect(tmp_path / "none.duckdb", read_only=True):
            pass


def test_arrow_bulk_insert_keeps_types(tmp_path: Path) -> None:
    with wh.connect(tmp_path / "w.duckdb") as con:
        a = _article("a")
        wh.load_batch(con, [_enriched(a)], [("a", a)], [], PROV)
        row = con.execute(
            "SELECT authors, published_inferred, word_count, run_id, model FROM articles"
        ).fetchall()
        assert row == [([], False, 5, "run-1", "model-1")]


def test_load_rechecks_content_hash_stored_since_planning(tmp_path: Path) -> None:
    # Two runs plan the same new text under different ids; the second to load routes to the first.
    with wh.connect(tmp_path / "w.duckdb") as con:
        mine, theirs = _article("mine", uri="a.txt"), _article("theirs", uri="b.txt")
        plan_mine = wh.plan_batch(con, [mine])
        plan_theirs = wh.plan_batch(con, [theirs])
        wh.load_batch(con, [_enriched(theirs)], plan_theirs.routes, [], PROV)
        counts = wh.load_batch(con, [_enriched(mine)], plan_mine.routes, [], PROV)
        assert counts.articles == 0 and counts.routes == 1
        assert con.execute("SELECT article_id FROM articles").fetchall() == [("theirs",)]
        assert sorted(con.execute("SELECT article_id, uri FROM article_routes").fetchall()) == [
            ("theirs", "a.txt"),
            ("theirs", "b.txt"),
        ]
        assert all(v == 0 for v in wh.check_integrity(con).values())


def test_events_carry_codes_and_the_daily_view_counts_coded_events(tmp_path: Path) -> None:
    from datetime import date

    from tasks.records import Event

    def event(trigger: str, coded: bool) -> Event:
        return Event(
            "a",
            0,
            trigger,
            0,
            5,
            "FIGHT",
            "material conflict",
            "asserted",
            0.7,
            event_date=date(2021, 1, 23),
            actor_code="RUSCOP" if coded else None,
            actor_country="RUS" if coded else None,
            coded=coded,
            is_main=coded,
            domain="political" if coded else "sport",
        )

    with wh.connect(tmp_path / "w.duckdb") as con:
        a = _article("a")
        plan = wh.plan_batch(con, [a])
        enriched = Enrichment(article=a, events=(event("detained", True), event("beat", False)))
        wh.load_batch(con, [enriched], plan.routes, [], PROV)
        rows = con.execute(
            "SELECT trigger, actor_code, actor_country, coded, is_main, domain FROM events "
            "ORDER BY trigger"
        ).fetchall()
        assert rows == [
            ("beat", None, None, False, False, "sport"),
            ("detained", "RUSCOP", "RUS", True, True, "political"),
        ]
        assert con.execute("SELECT sum(events) FROM events_daily").fetchall() == [(1,)]


def test_an_older_warehouse_gets_the_event_code_columns(tmp_path: Path) -> None:
    import duckdb

    from tasks.store.schema import MIGRATIONS

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL,"
        " description VARCHAR)"
    )
    for version, description, statements in MIGRATIONS:
        if description.startswith("events: CAMEO"):
            break  # a warehouse from before the event codes
        for statement in statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?, now(), ?)", [version, description])
    con.close()
    with wh.connect(db) as con:
        cols = {r[0] for r in con.execute("DESCRIBE events").fetchall()}
        assert {"actor_code", "actor_country", "target_code", "target_country"} <= cols
        assert {"coded", "is_main", "domain"} <= cols
        assert con.execute("SELECT count(*) FROM events_daily").fetchall() == [(0,)]
