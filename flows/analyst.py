"""What a finished run leaves for analysts: the report beside the analysts' copy, and Prefect
artifacts (a link to the report in the run summary, a table of new stories and top entities)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)


def report_path(snapshot: Path) -> Path:
    """Where a run writes its report: `data/newsflow.report.html` beside the analysts' copy."""
    return snapshot.with_name(snapshot.name.replace(".analyst.duckdb", ".report.html"))


def report_link(published: str | None) -> str:
    """Markdown for the run summary linking the report this run writes (empty without a copy)."""
    if published is None:
        return ""
    snapshot = Path(published)
    target = report_path(snapshot)
    return (
        f"\n### Report\n\n[{target.name}]({target.resolve().as_uri()}): all articles, written "
        f"from `{snapshot.name}` when the run ends (`newsflow report` makes it on demand)\n"
    )


def analyst_outputs(published: str | None, run_id: str, counts: Mapping[str, int]) -> None:
    """Write the report from the analysts' copy and the table artifact of new stories and top
    entities, when the run changed the warehouse (or no report exists yet): a run that found
    nothing new leaves the last report, which still tells the truth. Never raises."""
    if published is None or not Path(published).exists():
        return
    snapshot = Path(published)
    changed = any(counts.get(k) for k in ("articles", "replaced", "failed"))
    if not changed and report_path(snapshot).exists():
        return
    from tasks.report import ReportFilter, build_report
    from tasks.store.stories import run_new_stories, run_top_entities

    target = report_path(snapshot)
    try:
        with duckdb.connect(str(snapshot), read_only=True) as con:
            build_report(con, target, ReportFilter(), str(snapshot))
            stories = run_new_stories(con, run_id)
            entities = run_top_entities(con, run_id)
    except Exception as exc:  # a report problem must not fail the run that wrote the data
        log.warning("could not write the report %s: %s: %s", target, type(exc).__name__, exc)
        return
    try:
        from prefect.artifacts import create_table_artifact

        rows = [{"kind": "new story", **s} for s in stories] + [
            {
                "kind": "top entity",
                "title": e["entity"],
                "articles": e["articles"],
                "outlets": None,
                "top_entities": f"{e['label']}, {e['mentions']} mentions",
                "story_id": None,
            }
            for e in entities
        ]
        create_table_artifact(
            table=rows,
            key="newsflow-run-stories",
            description="New stories of this run and its most-mentioned entities",
        )
    except Exception:
        pass
