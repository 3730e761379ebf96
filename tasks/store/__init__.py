"""The DuckDB warehouse: schema and migrations, connections, Arrow loads and named queries.

`schema` owns the DDL, `connection` opens the file (one writer at a time), `arrow` turns records
into Arrow tables, `load` writes batches idempotently in one transaction, `queries` holds the
named reads the flows and the command line use. Import from here: `from tasks import store`.
"""

from tasks.store.arrow import Provenance, articles_table, enrichment_tables
from tasks.store.connection import (
    WarehouseBusy,
    WarehouseError,
    connect,
    run_lock,
    set_connect_defaults,
)
from tasks.store.load import (
    BatchPlan,
    LoadCounts,
    failure_id,
    finish_run,
    load_batch,
    plan_batch,
    record_failures,
    record_feed_checks,
    record_routes,
    record_stored_urls,
    resolve_failures,
    start_run,
    store_raw_pages,
    upsert_feed_entries,
    upsert_source,
)
from tasks.store.queries import (
    INTEGRITY_CHECKS,
    check_integrity,
    failed_pages_due,
    feed_validators,
    pages_waiting,
    stored_url_dates,
    table_counts,
)
from tasks.store.runs import OpenRun, mark_runs, open_runs
from tasks.store.schema import ENRICHMENT_TABLES, MIGRATIONS, SCHEMA_VERSION, TABLES, migrate

__all__ = [
    "ENRICHMENT_TABLES",
    "INTEGRITY_CHECKS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLES",
    "BatchPlan",
    "LoadCounts",
    "OpenRun",
    "Provenance",
    "WarehouseBusy",
    "WarehouseError",
    "articles_table",
    "check_integrity",
    "connect",
    "set_connect_defaults",
    "enrichment_tables",
    "failure_id",
    "finish_run",
    "load_batch",
    "mark_runs",
    "migrate",
    "open_runs",
    "plan_batch",
    "failed_pages_due",
    "feed_validators",
    "pages_waiting",
    "record_failures",
    "record_feed_checks",
    "record_routes",
    "record_stored_urls",
    "stored_url_dates",
    "resolve_failures",
    "run_lock",
    "start_run",
    "store_raw_pages",
    "table_counts",
    "upsert_feed_entries",
    "upsert_source",
]
