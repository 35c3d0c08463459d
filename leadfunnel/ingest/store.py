"""The one write path into the database: typed frames in, one transaction, nothing lost.

Re-importing is idempotent and non-destructive: a lead already stored is updated field by field,
but a known value (a stage date, a company) is never replaced by an empty one; activities and
feedback rows already stored are not added twice; nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import polars as pl

from leadfunnel.database import bump_data_version, refresh_rollups
from leadfunnel.ingest.errors import UnknownLeadActivities
from leadfunnel.model import LEAD_SCHEMA, TABLE_SCHEMAS
from leadfunnel.paths import QUERY_DIR

_SQL_TYPES: dict[pl.DataType, str] = {pl.String(): "VARCHAR", pl.Datetime("us"): "TIMESTAMP", pl.Float64(): "DOUBLE"}
_LEAD_FIELDS = [c for c in LEAD_SCHEMA if c != "lead_id"]
# MERGE, not INSERT … ON CONFLICT: it needs no key constraint, which a DuckLake cannot hold (leadfunnel.lake).
# Only leads that change are rewritten, so importing the same file again writes nothing.
_UPSERT_LEADS = f"""
MERGE INTO leads USING incoming_leads AS incoming ON leads.lead_id = incoming.lead_id
WHEN MATCHED AND ({" OR ".join(f"coalesce(incoming.{c}, leads.{c}) IS DISTINCT FROM leads.{c}" for c in _LEAD_FIELDS)})
    THEN UPDATE SET {", ".join(f"{c} = coalesce(incoming.{c}, leads.{c})" for c in _LEAD_FIELDS)}
WHEN NOT MATCHED THEN INSERT ({", ".join(LEAD_SCHEMA)}) VALUES ({", ".join(f"incoming.{c}" for c in LEAD_SCHEMA)})
"""
_UNMATCHED_ACTIVITIES = (QUERY_DIR / "data" / "unmatched_activities.sql").read_text(encoding="utf-8")
_INSERT_LEADS = f"INSERT INTO leads ({', '.join(LEAD_SCHEMA)}) SELECT {', '.join(LEAD_SCHEMA)} FROM incoming_leads"
_CLASSIFY_LEADS = f"""
SELECT
    count(*) FILTER (WHERE stored.lead_id IS NULL) AS new,
    count(*) FILTER (WHERE stored.lead_id IS NOT NULL AND ({" OR ".join(
        f"coalesce(incoming.{c}, stored.{c}) IS DISTINCT FROM stored.{c}" for c in _LEAD_FIELDS)})) AS updated
FROM incoming_leads AS incoming
LEFT JOIN leads AS stored USING (lead_id)
"""


@dataclass(frozen=True)
class ImportLogEntry:
    """Where an import came from; stored with the counts in the same transaction as the data."""

    files: str
    sha256: str
    source: str
    rows_read: int
    rows_rejected: int


@dataclass(frozen=True)
class WriteSummary:
    leads_new: int = 0
    leads_updated: int = 0
    leads_unchanged: int = 0
    activities_added: int = 0
    feedback_added: int = 0


def conform(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Select and cast a frame to a table's column order and types."""
    schema = TABLE_SCHEMAS[table]
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def write_tables(
    con: duckdb.DuckDBPyConnection,
    *,
    leads: pl.DataFrame | None = None,
    activities: pl.DataFrame | None = None,
    feedback: pl.DataFrame | None = None,
    log: ImportLogEntry | None = None,
) -> WriteSummary:
    """Write all given frames (and the import log entry) in one transaction: all of it lands or none."""
    given = {table: frame for table, frame in (("leads", leads), ("activities", activities), ("feedback", feedback))
             if frame is not None and frame.height}
    try:
        for table, frame in given.items():
            con.register(f"incoming_{table}", conform(frame, table))
        return write_incoming(con, given, log)
    finally:
        for table in given:
            con.unregister(f"incoming_{table}")


def write_incoming(con: duckdb.DuckDBPyConnection, tables: Collection[str],
                   log: ImportLogEntry | None = None) -> WriteSummary:
    """Write the relations `incoming_<table>` (in the table's column order) in one transaction.

    The caller provides them — registered frames, or views over data staged in DuckDB (the canonical
    CSV import), so a 20M-row file never has to pass through Python. Activities whose lead is neither
    stored nor written with them roll the whole write back (UnknownLeadActivities): the check counts what
    the rebuilt rollup joined, so it costs no extra pass over the activities.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        leads_new = leads_updated = leads_unchanged = 0
        if "leads" in tables:
            leads_new, leads_updated, leads_unchanged = count_incoming_leads(con)
            stored = con.execute("SELECT count(*) FROM leads").fetchone()[0]
            con.execute(_INSERT_LEADS if not stored else _UPSERT_LEADS)  # nothing to match: a plain insert is cheaper
        activities_added = _insert_new_rows(con, "activities") if "activities" in tables else 0
        feedback_added = _insert_new_rows(con, "feedback") if "feedback" in tables else 0
        if log is not None:
            con.execute(
                "INSERT INTO import_log VALUES (now()::TIMESTAMP, $files, $sha256, $source, $rows_read, $rejected, "
                "$new, $updated, $unchanged, $activities)",
                {"files": log.files, "sha256": log.sha256, "source": log.source, "rows_read": log.rows_read,
                 "rejected": log.rows_rejected, "new": leads_new, "updated": leads_updated,
                 "unchanged": leads_unchanged, "activities": activities_added})
        refresh_rollups(con)
        if "activities" in tables and (unmatched := con.execute(_UNMATCHED_ACTIVITIES).fetchone()[0]):
            raise UnknownLeadActivities(unmatched)  # rolled back below: nothing of this write is kept
        bump_data_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return WriteSummary(leads_new, leads_updated, leads_unchanged, activities_added, feedback_added)


def count_incoming_leads(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """How many rows of the relation `incoming_leads` would be new, updated or unchanged leads."""
    new, updated = con.execute(_CLASSIFY_LEADS).fetchone()
    incoming = con.execute("SELECT count(*) FROM incoming_leads").fetchone()[0]
    return new, updated, incoming - new - updated


def classify_leads(con: duckdb.DuckDBPyConnection, leads: pl.DataFrame) -> tuple[int, int, int]:
    """How many of these leads would be new, updated or unchanged — without writing anything."""
    if not leads.height:
        return 0, 0, 0
    cursor = con.cursor()
    try:
        cursor.register("incoming_leads", conform(leads, "leads"))
        new, updated = cursor.execute(_CLASSIFY_LEADS).fetchone()
    finally:
        cursor.close()
    return new, updated, leads.height - new - updated


def _insert_new_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Append the rows of `incoming_<table>` not already stored (set semantics: an identical row is not added twice).

    Same result as `INSERT … SELECT * FROM incoming EXCEPT SELECT * FROM table`, without its distinct over
    every row: rows are compared by a 64-bit hash first, and only rows whose hash occurs twice in the file
    or also among the stored rows (duplicates, re-imports, collisions) take the exact EXCEPT. Against an
    empty table the stored side is skipped.
    """
    before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    columns = ", ".join(f'"{c}"' for c in TABLE_SCHEMAS[table])
    hashed = _row_hash(table)
    clashes = (f"UNION ALL SELECT DISTINCT h FROM (SELECT {hashed} AS h FROM {table}) SEMI JOIN incoming USING (h)"
               if before else "")
    con.execute(f"""
        INSERT INTO {table}
        WITH incoming AS NOT MATERIALIZED (SELECT {columns}, {hashed} AS h FROM incoming_{table}),
        candidates AS MATERIALIZED (SELECT h FROM incoming GROUP BY h HAVING count(*) > 1 {clashes})
        SELECT {columns} FROM incoming ANTI JOIN candidates USING (h)
        UNION ALL (
            SELECT {columns} FROM incoming SEMI JOIN candidates USING (h)
            EXCEPT SELECT {columns} FROM {table} WHERE {hashed} IN (SELECT h FROM candidates))""")
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - before


def _row_hash(table: str) -> str:
    """SQL for a row's 64-bit hash, over the columns cast to the table's types so both sides hash alike."""
    return "hash(" + ", ".join(f'"{c}"::{_SQL_TYPES[dtype]}' for c, dtype in TABLE_SCHEMAS[table].items()) + ")"
