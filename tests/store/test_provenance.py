"""Provenance columns, as the README states them: run_id everywhere, versions on enrichment."""

from __future__ import annotations

from pathlib import Path

from tasks import store as wh

VERSIONED = {
    "articles",
    "entities",
    "entity_mentions",
    "events",
    "quotes",
    "date_mentions",
    "five_w1h",
}


def test_every_table_says_which_run_wrote_it(tmp_path: Path) -> None:
    with wh.connect(tmp_path / "p.duckdb") as con:
        columns: dict[str, set[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE')"
        ).fetchall():
            columns.setdefault(table, set()).add(column)
    for table, cols in columns.items():
        if table != "schema_version":
            assert "run_id" in cols, table
    for table in VERSIONED:
        assert {"run_id", "model", "pipeline_version", "rules_version"} <= columns[table], table
    assert "extractor" in columns["articles"]
    assert {"model", "pipeline_version"} <= columns["runs"]
