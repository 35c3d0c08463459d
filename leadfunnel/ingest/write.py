"""The one write path into the database: typed frames in, one transaction, nothing lost.

Re-importing is idempotent and non-destructive: a lead already stored is updated field by field,
but a known value (a stage date, a company) is never replaced by an empty one; activities and
feedback rows already stored are not added twice (an activity is the same one when its lead, time, type and
detail are: a later export that adds its channel or campaign fills them in); nothing is ever deleted. Spend is
the one table whose stored values a newer import replaces — one amount per month × channel × campaign, the
latest export's — and the import log counts the amounts it replaced.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import polars as pl

from leadfunnel.database import bump_data_version, one_row, refresh_rollups, transaction
from leadfunnel.ingest.errors import UnknownLeadActivities
from leadfunnel.model import LEAD_SCHEMA, SQL_TYPES, TABLE_SCHEMAS
from leadfunnel.query import execute

_LEAD_FIELDS = [c for c in LEAD_SCHEMA if c != "lead_id"]
# MERGE, not INSERT … ON CONFLICT: it needs no key constraint, which a DuckLake cannot hold (leadfunnel.lake).
# Only leads that change are rewritten, so importing the same file again writes nothing.
_UPSERT_LEADS = f"""
MERGE INTO leads USING incoming_leads AS incoming ON leads.lead_id = incoming.lead_id
WHEN MATCHED AND ({" OR ".join(f"coalesce(incoming.{c}, leads.{c}) IS DISTINCT FROM leads.{c}" for c in _LEAD_FIELDS)})
    THEN UPDATE SET {", ".join(f"{c} = coalesce(incoming.{c}, leads.{c})" for c in _LEAD_FIELDS)}
WHEN NOT MATCHED THEN INSERT ({", ".join(LEAD_SCHEMA)}) VALUES ({", ".join(f"incoming.{c}" for c in LEAD_SCHEMA)})
"""
# The columns that make a row the same row (a re-import does not add it again); the others may be filled in later.
IDENTITY: dict[str, tuple[str, ...]] = {"activities": ("lead_id", "occurred_at", "activity_type", "detail"),
                                        "feedback": tuple(TABLE_SCHEMAS["feedback"])}
_FILLED_LATER = {"activities": ("channel", "campaign")}
_SPEND_KEY = ("spend.month = i.month AND spend.channel = i.channel "
              "AND spend.campaign IS NOT DISTINCT FROM i.campaign")
_SPEND_CHANGES = f"""
SELECT count(*) FILTER (WHERE spend.month IS NULL) AS added,
       count(*) FILTER (WHERE spend.month IS NOT NULL AND spend.amount IS DISTINCT FROM i.amount) AS replaced
FROM incoming_spend AS i LEFT JOIN spend ON {_SPEND_KEY}"""
_MERGE_SPEND = f"""
MERGE INTO spend USING incoming_spend AS i ON {_SPEND_KEY}
WHEN MATCHED AND spend.amount IS DISTINCT FROM i.amount THEN UPDATE SET amount = i.amount
WHEN NOT MATCHED THEN INSERT (month, channel, campaign, amount) VALUES (i.month, i.channel, i.campaign, i.amount)"""
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
    spend_added: int = 0
    spend_replaced: int = 0  # stored amounts this import replaced (same month, channel and campaign)


def conform(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Select and cast a frame to a table's column order and types; a column the frame lacks (an optional one a
    reader has not heard of, such as an activity's channel) is empty."""
    schema = TABLE_SCHEMAS[table]
    return frame.select([(pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
                         for name, dtype in schema.items()])


def write_tables(
    con: duckdb.DuckDBPyConnection,
    *,
    leads: pl.DataFrame | None = None,
    activities: pl.DataFrame | None = None,
    feedback: pl.DataFrame | None = None,
    spend: pl.DataFrame | None = None,
    log: ImportLogEntry | None = None,
) -> WriteSummary:
    """Write all given frames (and the import log entry) in one transaction: all of it lands or none."""
    given = {table: frame for table, frame in (("leads", leads), ("activities", activities), ("feedback", feedback),
                                               ("spend", spend))
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
    with transaction(con):
        leads_new = leads_updated = leads_unchanged = 0
        if "leads" in tables:
            leads_new, leads_updated, leads_unchanged = count_incoming_leads(con)
            stored = one_row(con.execute("SELECT count(*) FROM leads"))[0]
            con.execute(_INSERT_LEADS if not stored else _UPSERT_LEADS)  # nothing to match: a plain insert is cheaper
        activities_added = _insert_new_rows(con, "activities") if "activities" in tables else 0
        if "activities" in tables:
            _fill_in(con, "activities")
        feedback_added = _insert_new_rows(con, "feedback") if "feedback" in tables else 0
        spend_added = spend_replaced = 0
        if "spend" in tables:
            spend_added, spend_replaced = one_row(con.execute(_SPEND_CHANGES))
            con.execute(_MERGE_SPEND)
        if log is not None:
            con.execute(
                "INSERT INTO import_log (imported_at, files, sha256, source, rows_read, rows_rejected, leads_new, "
                "leads_updated, leads_unchanged, activities_added, spend_added, spend_replaced) "
                "VALUES (now()::TIMESTAMP, $files, $sha256, $source, $rows_read, $rejected, "
                "$new, $updated, $unchanged, $activities, $spend_added, $spend_replaced)",
                {"files": log.files, "sha256": log.sha256, "source": log.source, "rows_read": log.rows_read,
                 "rejected": log.rows_rejected, "new": leads_new, "updated": leads_updated,
                 "unchanged": leads_unchanged, "activities": activities_added, "spend_added": spend_added,
                 "spend_replaced": spend_replaced})
        refresh_rollups(con)
        if "activities" in tables and (unmatched := one_row(execute(con, "data/unmatched_activities"))[0]):
            raise UnknownLeadActivities(unmatched)  # rolls the transaction back: nothing of this write is kept
        bump_data_version(con)
    return WriteSummary(leads_new, leads_updated, leads_unchanged, activities_added, feedback_added, spend_added,
                        spend_replaced)


def count_incoming_leads(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """How many rows of the relation `incoming_leads` would be new, updated or unchanged leads."""
    new, updated = one_row(con.execute(_CLASSIFY_LEADS))
    incoming = one_row(con.execute("SELECT count(*) FROM incoming_leads"))[0]
    return new, updated, incoming - new - updated


def classify_leads(con: duckdb.DuckDBPyConnection, leads: pl.DataFrame) -> tuple[int, int, int]:
    """How many of these leads would be new, updated or unchanged — without writing anything."""
    if not leads.height:
        return 0, 0, 0
    cursor = con.cursor()
    try:
        cursor.register("incoming_leads", conform(leads, "leads"))
        new, updated = one_row(cursor.execute(_CLASSIFY_LEADS))
    finally:
        cursor.close()
    return new, updated, leads.height - new - updated


def rows_without_lead(con: duckdb.DuckDBPyConnection, rows: str, leads: str) -> list[tuple[int, str]]:
    """(record, lead_id) of the rows whose lead is neither stored nor among the leads this import brings, in record
    order — without writing anything (queries/data/rows_without_lead.sql).

    `rows` is a SELECT of the rows to look at (record, lead_id), `leads` one of the lead ids the import brings; both
    are the caller's own SQL over its staging tables or registered frames, never user text.
    """
    con.execute(f"CREATE OR REPLACE TEMP VIEW checked_rows AS {rows}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW checked_leads AS {leads}")
    try:
        return [(record, lead_id) for record, lead_id in execute(con, "data/rows_without_lead").fetchall()]
    finally:
        con.execute("DROP VIEW IF EXISTS checked_rows")
        con.execute("DROP VIEW IF EXISTS checked_leads")


def _insert_new_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Append the rows of `incoming_<table>` not already stored (set semantics over the table's IDENTITY columns: the
    same row is not added twice, and of rows the file repeats one is kept).

    Rows are compared by a 64-bit hash of their identity first, and only rows whose hash occurs twice in the file
    or also among the stored rows (duplicates, re-imports, collisions) are compared column by column. Against an
    empty table the stored side is skipped.
    """
    before = one_row(con.execute(f"SELECT count(*) FROM {table}"))[0]
    columns = ", ".join(f'"{c}"' for c in TABLE_SCHEMAS[table])
    identity = ", ".join(f'"{c}"' for c in IDENTITY[table])
    same = " AND ".join(f'stored."{c}" IS NOT DISTINCT FROM repeated."{c}"' for c in IDENTITY[table])
    hashed = _row_hash(table)
    clashes = (f"UNION ALL SELECT DISTINCT h FROM (SELECT {hashed} AS h FROM {table}) SEMI JOIN incoming USING (h)"
               if before else "")
    stored = (f"ANTI JOIN (SELECT {identity} FROM {table} WHERE {hashed} IN (SELECT h FROM candidates)) AS stored "
              f"ON {same}" if before else "")
    con.execute(f"""
        INSERT INTO {table}
        WITH incoming AS NOT MATERIALIZED (SELECT {columns}, {hashed} AS h FROM incoming_{table}),
        candidates AS MATERIALIZED (SELECT h FROM incoming GROUP BY h HAVING count(*) > 1 {clashes})
        SELECT {columns} FROM incoming ANTI JOIN candidates USING (h)
        UNION ALL
        SELECT {columns} FROM (
            SELECT DISTINCT ON ({identity}) * FROM incoming SEMI JOIN candidates USING (h) ORDER BY ALL
        ) AS repeated {stored}""")
    return one_row(con.execute(f"SELECT count(*) FROM {table}"))[0] - before


def _fill_in(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Stored rows whose optional columns were empty take the values a later export has for the same row (an
    activity export that now carries UTM channel and campaign); a known value is never replaced."""
    optional = _FILLED_LATER[table]
    if not one_row(con.execute(f"SELECT count(*) FROM incoming_{table} WHERE "
                               + " OR ".join(f'"{c}" IS NOT NULL' for c in optional)))[0]:
        return
    same = " AND ".join(f'{table}."{c}" IS NOT DISTINCT FROM i."{c}"' for c in IDENTITY[table])
    con.execute(f"""
        UPDATE {table} SET {", ".join(f'"{c}" = coalesce({table}."{c}", i."{c}")' for c in optional)}
        FROM (SELECT DISTINCT ON ({", ".join(f'"{c}"' for c in IDENTITY[table])}) * FROM incoming_{table}
              WHERE {" OR ".join(f'"{c}" IS NOT NULL' for c in optional)} ORDER BY ALL) AS i
        WHERE {same} AND ({" OR ".join(f'({table}."{c}" IS NULL AND i."{c}" IS NOT NULL)' for c in optional)})""")


def _row_hash(table: str) -> str:
    """SQL for the hash of a row's identity, over the columns cast to the table's types so both sides hash alike."""
    schema = TABLE_SCHEMAS[table]
    return "hash(" + ", ".join(f'"{c}"::{SQL_TYPES[schema[c]]}' for c in IDENTITY[table]) + ")"
