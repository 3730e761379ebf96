"""Named read queries on the warehouse: counts, integrity checks, status and run listings."""

from __future__ import annotations

import duckdb

from tasks.store.connection import one
from tasks.store.schema import TABLES


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every warehouse table."""
    return {
        t: int(one(con.execute(f"SELECT count(*) FROM {t}"))[0])  # type: ignore[index]
        for t in TABLES
    }


INTEGRITY_CHECKS: dict[str, str] = {
    "duplicate article ids": "SELECT article_id FROM articles GROUP BY 1 HAVING count(*) > 1",
    "duplicate entities": "SELECT entity_id FROM entities GROUP BY 1 HAVING count(*) > 1",
    "duplicate routes": "SELECT article_id, source, uri FROM article_routes GROUP BY ALL "
    "HAVING count(*) > 1",
    "duplicate failures": "SELECT failure_id FROM failures GROUP BY 1 HAVING count(*) > 1",
    "duplicate feed entries": "SELECT source, url FROM feed_entries GROUP BY ALL "
    "HAVING count(*) > 1",
    "duplicate raw pages": "SELECT url, body_sha256 FROM raw_pages GROUP BY ALL "
    "HAVING count(*) > 1",
    "mentions without article": "SELECT m.article_id FROM entity_mentions m "
    "ANTI JOIN articles a USING (article_id)",
    "mentions without entity": "SELECT m.entity_id FROM entity_mentions m "
    "ANTI JOIN entities e USING (entity_id)",
    "mention offsets outside text": "SELECT m.article_id FROM entity_mentions m JOIN articles a "
    "USING (article_id) WHERE substr(a.text, m.start_char + 1, "
    "m.end_char - m.start_char) <> m.surface",
}


def check_integrity(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Run the data checks; returns the number of offending rows per check (all 0 when sound)."""
    return {
        name: int(one(con.execute(f"SELECT count(*) FROM ({sql})"))[0])  # type: ignore[index]
        for name, sql in INTEGRITY_CHECKS.items()
    }
