"""What the report shows, read from the warehouse in named queries (one per chart).

Every query works on the chosen articles: those published on or after `since` (when given) and
that arrived by the source `source` (when given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

Rows = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ReportFilter:
    since: date | None = None
    source: str | None = None


@dataclass
class ReportData:
    """Rows per chart, plus headline figures."""

    totals: dict[str, int] = field(default_factory=dict)
    mentions_over_time: Rows = field(default_factory=list)
    events_timeline: Rows = field(default_factory=list)
    actor_target: Rows = field(default_factory=list)
    network_nodes: Rows = field(default_factory=list)
    network_edges: Rows = field(default_factory=list)
    places: Rows = field(default_factory=list)
    countries: Rows = field(default_factory=list)
    stories: Rows = field(default_factory=list)
    sources: Rows = field(default_factory=list)
    failures: Rows = field(default_factory=list)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> Rows:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, r)) for r in cur.fetchall()]


_CHOSEN = """
    chosen AS (
        SELECT a.article_id FROM articles a
        WHERE ($since IS NULL OR CAST(a.published_at AS DATE) >= $since)
          AND ($source IS NULL OR a.article_id IN
               (SELECT article_id FROM article_routes WHERE source = $source))
    )
"""


def circle_layout(names: list[str]) -> dict[str, tuple[float, float]]:
    """Nodes on a circle, in the given order (the network chart's layout)."""
    n = max(1, len(names))
    return {
        name: (math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n))
        for i, name in enumerate(names)
    }


def _bucket(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> str:
    """Day, week or month: whatever keeps the chosen articles' time span readable."""
    (row,) = _rows(
        con,
        f"""WITH {_CHOSEN} SELECT datediff('day', min(a.published_at), max(a.published_at)) AS n
        FROM articles a JOIN chosen USING (article_id)""",
        p,
    )
    days = row["n"] or 0
    return "day" if days <= 60 else "week" if days <= 366 else "month"


def report_data(
    con: duckdb.DuckDBPyConnection, flt: ReportFilter = ReportFilter(), top: int = 10
) -> ReportData:
    """Everything the report charts, for the chosen articles."""
    p = {"since": flt.since, "source": flt.source}
    d = ReportData()
    (d.totals,) = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT (SELECT count(*) FROM chosen) AS articles,
               (SELECT count(*) FROM entity_mentions JOIN chosen USING (article_id)) AS mentions,
               (SELECT count(*) FROM events JOIN chosen USING (article_id) WHERE coded) AS events,
               (SELECT count(DISTINCT story_id) FROM story_articles JOIN chosen USING (article_id))
                 AS stories,
               (SELECT count(*) FROM failures WHERE resolved_at IS NULL
                  AND ($source IS NULL OR source = $source)) AS open_failures""",
        p,
    )
    d.mentions_over_time = _rows(
        con,
        f"""WITH {_CHOSEN},
        span AS (SELECT datediff('day', min(a.published_at), max(a.published_at)) AS days
                 FROM articles a JOIN chosen USING (article_id)),
        m AS (SELECT CAST(date_trunc(CASE WHEN (SELECT days FROM span) <= 60 THEN 'day'
                                          WHEN (SELECT days FROM span) <= 366 THEN 'week'
                                          ELSE 'month' END, a.published_at) AS DATE) AS day,
                     e.canonical AS entity
              FROM entity_mentions e JOIN chosen USING (article_id)
              JOIN articles a USING (article_id)
              WHERE e.label IN ('PERSON', 'ORG', 'GPE', 'NORP') AND a.published_at IS NOT NULL),
        top AS (SELECT entity FROM m GROUP BY entity ORDER BY count(*) DESC, entity LIMIT 8)
        SELECT day, entity, count(*) AS mentions FROM m JOIN top USING (entity)
        GROUP BY ALL ORDER BY day, entity""",
        p,
    )
    # An event is dated by its own date when the text gives one near the article's date
    # (within a year), else by the article's publication day.
    d.events_timeline = _rows(
        con,
        f"""WITH {_CHOSEN},
        ev AS (
            SELECT CASE WHEN e.event_date IS NOT NULL AND a.published_at IS NOT NULL
                         AND abs(datediff('day', e.event_date, a.published_at)) <= 366
                        THEN e.event_date ELSE CAST(a.published_at AS DATE) END AS day,
                   e.quad_class
            FROM events e JOIN chosen USING (article_id) JOIN articles a USING (article_id)
            WHERE e.coded
        )
        SELECT CAST(date_trunc($bucket, day) AS DATE) AS day, quad_class, count(*) AS events
        FROM ev WHERE day IS NOT NULL GROUP BY ALL ORDER BY day, quad_class""",
        {**p, "bucket": _bucket(con, p)},
    )
    d.actor_target = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT coalesce(ea.name, e.actor) AS actor, coalesce(et.name, e.target) AS target,
               count(*) AS events, any_value(e.category) AS category
        FROM events e JOIN chosen USING (article_id)
        LEFT JOIN entities ea ON ea.entity_id = e.actor_entity_id
        LEFT JOIN entities et ON et.entity_id = e.target_entity_id
        WHERE e.coded AND e.actor IS NOT NULL AND e.target IS NOT NULL
          AND (e.actor_entity_id IS NOT NULL OR e.target_entity_id IS NOT NULL)
          AND coalesce(ea.name, e.actor) <> coalesce(et.name, e.target)
        GROUP BY ALL ORDER BY events DESC, actor, target LIMIT $top""",
        {**p, "top": top},
    )
    d.network_nodes = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT e.canonical AS name, any_value(e.label) AS label,
               count(DISTINCT e.article_id) AS articles
        FROM entity_mentions e JOIN chosen USING (article_id)
        WHERE e.label IN ('PERSON', 'ORG', 'GPE')
        GROUP BY e.canonical ORDER BY articles DESC, count(*) DESC, name LIMIT 20""",
        p,
    )
    names = [n["name"] for n in d.network_nodes]
    d.network_edges = _rows(
        con,
        f"""WITH {_CHOSEN},
        m AS (SELECT DISTINCT e.article_id, e.sentence, e.canonical
              FROM entity_mentions e JOIN chosen USING (article_id)
              WHERE e.canonical IN (SELECT unnest($names)))
        SELECT a.canonical AS a, b.canonical AS b, count(*) AS sentences
        FROM m a JOIN m b ON a.article_id = b.article_id AND a.sentence = b.sentence
                         AND a.canonical < b.canonical
        GROUP BY ALL ORDER BY sentences DESC, a, b LIMIT 60""",
        {**p, "names": names},
    )
    layout = circle_layout(names)
    for node in d.network_nodes:
        node["x"], node["y"] = layout[node["name"]]
    d.places = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT p.name, p.country_code, p.kind, p.lat, p.lon, count(*) AS mentions
        FROM entity_mentions e JOIN chosen USING (article_id) JOIN places p USING (place_id)
        WHERE p.lat IS NOT NULL GROUP BY ALL ORDER BY mentions DESC, p.name""",
        p,
    )
    d.countries = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT p.country_code, count(*) AS mentions,
               count(DISTINCT e.article_id) AS articles
        FROM entity_mentions e JOIN chosen USING (article_id) JOIN places p USING (place_id)
        WHERE p.country_code IS NOT NULL
        GROUP BY ALL ORDER BY mentions DESC, p.country_code LIMIT 25""",
        p,
    )
    d.stories = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT s.story_id, s.title, s.article_count, s.source_count, s.sources,
               s.top_entities, s.first_seen, s.last_seen
        FROM stories s
        WHERE s.story_id IN (SELECT story_id FROM story_articles JOIN chosen USING (article_id))
        ORDER BY s.article_count DESC, s.source_count DESC, s.last_seen DESC, s.story_id
        LIMIT $top""",
        {**p, "top": top},
    )
    d.sources = _rows(
        con,
        f"""WITH {_CHOSEN}
        SELECT r.source, count(DISTINCT r.article_id) AS articles,
               max(r.first_seen_at) AS last_new,
               (SELECT count(*) FROM failures f
                 WHERE f.source = r.source AND f.resolved_at IS NULL) AS open_failures
        FROM article_routes r JOIN chosen USING (article_id)
        GROUP BY r.source ORDER BY articles DESC, r.source""",
        p,
    )
    d.failures = _rows(
        con,
        """SELECT coalesce(source, '') AS source, stage, error_type, count(*) AS failures,
                  count(*) FILTER (WHERE resolved_at IS NULL) AS open
           FROM failures WHERE ($source IS NULL OR source = $source)
           GROUP BY ALL ORDER BY open DESC, failures DESC LIMIT 20""",
        {"source": flt.source},
    )
    return d
