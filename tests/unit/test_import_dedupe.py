"""The hash-first dedupe of the import stores exactly what `INSERT … EXCEPT` stored: no row twice, none lost."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl
import pytest

from leadfunnel import database
from leadfunnel.ingest import write
from leadfunnel.ingest.write import write_tables
from leadfunnel.model import ACTIVITY_SCHEMA


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = database.connect(":memory:")
    database.initialise(connection)
    connection.execute("INSERT INTO leads (lead_id, created_at, channel) VALUES ('a', '2025-01-01', 'web'), "
                       "('b', '2025-01-01', 'web')")
    return connection


BASIC = ("lead_id", "occurred_at", "activity_type", "detail")  # an activity without channel and campaign


def activities(*rows: tuple[str, datetime, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={column: ACTIVITY_SCHEMA[column] for column in BASIC}, orient="row")


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"SELECT {', '.join(BASIC)} FROM activities ORDER BY ALL NULLS FIRST").fetchall()


T1, T2 = datetime(2025, 1, 2, 9), datetime(2025, 1, 3, 9)


def test_identical_rows_in_a_file_collapse_and_null_details_compare_equal(con):
    summary = write_tables(con, activities=activities(
        ("a", T1, "email_open", None), ("a", T1, "email_open", None), ("a", T1, "email_open", "x"),
        ("b", T2, "meeting", None)))
    assert summary.activities_added == 3
    assert stored(con) == [("a", T1, "email_open", None), ("a", T1, "email_open", "x"), ("b", T2, "meeting", None)]


def test_reimport_adds_only_new_rows(con):
    first = activities(("a", T1, "email_open", None), ("b", T2, "meeting", "call notes"))
    write_tables(con, activities=first)
    again = write_tables(con, activities=pl.concat([first, activities(("a", T2, "email_open", None))]))
    assert again.activities_added == 1
    assert len(stored(con)) == 3
    assert write_tables(con, activities=first).activities_added == 0


def test_a_hash_collision_never_drops_a_row(con, monkeypatch):
    """With every row hashing alike, all rows are candidates and the exact comparison decides."""
    monkeypatch.setattr(write, "_row_hash", lambda table: "42::UBIGINT")
    write_tables(con, activities=activities(("a", T1, "email_open", None)))
    summary = write_tables(con, activities=activities(
        ("a", T1, "email_open", None), ("a", T2, "email_open", None), ("b", T1, "meeting", None),
        ("b", T1, "meeting", None)))
    assert summary.activities_added == 2
    assert stored(con) == [("a", T1, "email_open", None), ("a", T2, "email_open", None),
                           ("b", T1, "meeting", None)]


def test_rollup_counts_match_a_direct_count(con):
    """The packed-key rollup against a plain count per (lead, type): unknown types only move last_activity_at."""
    con.execute("UPDATE leads SET sql_at = '2025-01-03 00:00' WHERE lead_id = 'a'")
    con.execute("INSERT INTO leads (lead_id, created_at, channel) VALUES ('quiet', '2025-01-01', 'web')")
    write_tables(con, activities=activities(
        ("a", T1, "email_open", None), ("a", T2, "email_open", None), ("a", T1, "meeting", None),
        ("a", datetime(2026, 1, 1), "not_a_known_type", None), ("b", T2, "email_open", None)))
    rows = {r[0]: r for r in con.execute(
        "SELECT lead_id, last_activity_at, n_email_open, before_sql_email_open, before_won_email_open, n_meeting, "
        "before_sql_meeting FROM lead_activity_rollup").fetchall()}
    assert rows == {"a": ("a", datetime(2026, 1, 1), 2, 1, 0, 1, 1), "b": ("b", T2, 1, 0, 0, 0, 0),
                    "quiet": ("quiet", None, 0, 0, 0, 0, 0)}


def test_rows_without_lead_are_those_neither_stored_nor_imported(con):
    """The one definition behind the import reports and the rows an accepted import leaves out."""
    con.execute("CREATE TEMP TABLE rows AS SELECT * FROM (VALUES (3, 'x'), (1, 'a'), (2, 'new'), (4, NULL), "
                "(0, 'y')) AS r(record, lead_id)")
    con.execute("CREATE TEMP TABLE brought AS SELECT 'new' AS lead_id")
    assert write.rows_without_lead(con, "SELECT * FROM rows", "SELECT lead_id FROM brought") == [(0, "y"), (3, "x")]
    assert write.rows_without_lead(con, "SELECT * FROM rows", "SELECT lead_id FROM brought WHERE false") == [
        (0, "y"), (2, "new"), (3, "x")]
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'checked_%'").fetchone() == (0,)
