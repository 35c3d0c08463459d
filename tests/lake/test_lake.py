"""LakeStorage in one process: the model on a lake, every write path, and the same numbers as on a file."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import duckdb
import polars as pl
import pytest

from leadfunnel import database
from leadfunnel.database import portable_sql
from leadfunnel.filters import Filters
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.ingest.saved_mappings import load_mapping, save_mapping
from leadfunnel.ingest.write import write_tables
from leadfunnel.lake import LakeStorage
from leadfunnel.model import ACTIVITY_SCHEMA, LEAD_SCHEMA
from leadfunnel.query import QueryRunner
from leadfunnel.reports import channels_report, funnel_report
from leadfunnel.scoring.rules import DEFAULT_RULES
from leadfunnel.scoring.saved_rules import load_rule_set, save_rule_set
from leadfunnel.sla.policy import SlaPolicy, load_policy, save_policy
from leadfunnel.storage import LakeError, StorageBusy
from tests.conftest import SMALL_FILES


def test_constraints_a_lake_cannot_hold_are_left_out_of_the_model():
    sql = """CREATE TABLE t (
        id VARCHAR PRIMARY KEY,
        verdict VARCHAR NOT NULL CHECK (verdict IN ('a', 'b (c)')),
        code VARCHAR UNIQUE,
        n INTEGER,   -- a comment
        PRIMARY KEY (id, n)
    );"""
    portable = portable_sql(sql)
    for word in ("PRIMARY", "CHECK", "UNIQUE"):
        assert word not in portable
    assert "id VARCHAR NOT NULL" in portable and "-- a comment" in portable
    duckdb.connect().execute(portable)  # still valid SQL
    assert portable_sql(database.MODEL_DIR.joinpath("02_lead_stage_times.sql").read_text()) == \
        database.MODEL_DIR.joinpath("02_lead_stage_times.sql").read_text()  # nothing else is touched


@pytest.mark.parametrize("location", ["ducklake:metadata.ducklake", "ducklake:postgres:", "duckdb:x",
                                      "ducklake:postgres:dbname=x password='a b'", "ducklake:postgres:dbname"])
def test_a_location_that_is_not_a_postgres_lake_is_refused(location):
    with pytest.raises(LakeError):
        LakeStorage(location)


def test_creating_a_lake_needs_its_data_path(fresh_lake, monkeypatch):
    monkeypatch.delenv("LEADFUNNEL_LAKE_DATA", raising=False)
    storage = LakeStorage(fresh_lake.location)
    assert not storage.exists()
    with pytest.raises(LakeError, match="LEADFUNNEL_LAKE_DATA"), storage.writing():
        pass
    with pytest.raises(FileNotFoundError):
        storage.open_reader()


def test_the_model_and_every_write_path_work_on_a_lake(fresh_lake, small_runner):
    storage = LakeStorage(fresh_lake.location, data_path=fresh_lake.data_path)
    with storage.writing() as con:
        assert database.read_meta(con, "kind") == "user"  # created with the model on first use
        summary = import_canonical(con, SMALL_FILES)
    assert summary.leads_new == 7
    assert storage.exists() and any(fresh_lake.data_path.iterdir() or [None])

    reader = storage.open_reader()
    try:
        database.check_schema(reader, storage.location)
        database.lock_down(reader)  # as the dashboard does: the lake's own files stay readable
        runner = QueryRunner(reader)
        for mode in ("cohort", "period"):
            assert funnel_report(runner, Filters(), mode) == funnel_report(small_runner, Filters(), mode)
            assert channels_report(runner, Filters(), mode) == channels_report(small_runner, Filters(), mode)
        assert database.stored_tables(reader) == database.stored_tables(small_runner.con)
        version = runner.data_version()

        with storage.writing() as con:  # the same files again change nothing
            again = import_canonical(con, SMALL_FILES)
        assert (again.leads_new, again.leads_updated, again.activities_added) == (0, 0, 0)
        assert reader.execute("SELECT count(*) FROM leads").fetchone()[0] == 7

        with storage.writing() as con:  # named saves replace by name: keys kept by the writers
            rules = replace(DEFAULT_RULES, name="Q3", threshold=80.0, fit={("industry", "Manufacturing"): 15.0})
            save_rule_set(con, rules)
            save_rule_set(con, replace(rules, threshold=90.0))
            save_policy(con, SlaPolicy(deadline_hours=48))
            save_policy(con, SlaPolicy(deadline_hours=8))
            save_mapping(con, "crm", ["Email", "Company"], "generic", {"company": "Company"})
            save_mapping(con, "crm", ["Email", "Company"], "hubspot", {"company": "Company"})
        assert load_rule_set(reader, "Q3").threshold == 90.0  # a reader sees each commit on its next query
        assert load_policy(reader).deadline_hours == 8
        assert load_mapping(reader, "crm").preset == "hubspot"
        for table in ("rule_sets", "sla_policies", "saved_mappings"):
            assert reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1, table
        assert runner.data_version() != version  # the import bumped it, so result caches refresh
    finally:
        reader.close()


def test_a_failed_write_leaves_the_lake_as_it_was(fresh_lake):
    storage = LakeStorage(fresh_lake.location, data_path=fresh_lake.data_path)
    with storage.writing() as con:
        import_canonical(con, SMALL_FILES)
    reader = storage.open_reader()
    try:
        before = reader.execute("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM activities), "
                                "(SELECT value FROM meta WHERE key = 'data_version')").fetchone()
        leads = pl.DataFrame([{"lead_id": "NEW1", "created_at": datetime(2025, 3, 1), "channel": "web"}])
        activities = pl.DataFrame([{"lead_id": "NEW1", "occurred_at": None, "activity_type": "email_open"}],
                                  schema={"lead_id": pl.String, "occurred_at": pl.Datetime("us"),
                                          "activity_type": pl.String})  # NULL time: NOT NULL fails after the leads
        with pytest.raises(duckdb.ConstraintException), storage.writing() as con:
            write_tables(con, leads=_complete(leads, LEAD_SCHEMA), activities=_complete(activities, ACTIVITY_SCHEMA))
        after = reader.execute("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM activities), "
                               "(SELECT value FROM meta WHERE key = 'data_version')").fetchone()
        assert after == before
    finally:
        reader.close()


def test_a_writer_waits_for_the_one_before_it(fresh_lake, monkeypatch):
    import leadfunnel.lake as lake_module

    storage = LakeStorage(fresh_lake.location, data_path=fresh_lake.data_path)
    monkeypatch.setattr(lake_module, "WRITER_WAIT_SECONDS", 0.5)
    with storage.writing(), pytest.raises(StorageBusy, match="being changed"), storage.writing():
        pass
    with storage.writing():  # released again afterwards
        pass


def _complete(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    missing = [name for name in schema if name not in frame.columns]
    return frame.with_columns(pl.lit(None, schema[name]).alias(name) for name in missing)


def test_a_conflicting_commit_from_outside_leadfunnel_is_reported_and_kept_out(fresh_lake):
    storage = LakeStorage(fresh_lake.location, data_path=fresh_lake.data_path)
    with storage.writing():
        pass
    outsider = storage._connect(read_only=False)  # a writer that does not take leadfunnel's lock
    try:
        with pytest.raises(StorageBusy, match="at the same time"), storage.writing() as con:
            con.execute("BEGIN TRANSACTION")  # as the store functions do, ROLLBACK after a failed COMMIT
            try:
                con.execute("UPDATE meta SET value = 'ours' WHERE key = 'data_version'")
                outsider.execute("UPDATE meta SET value = 'theirs' WHERE key = 'data_version'")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        assert database.read_meta(outsider, "data_version") == "theirs"
    finally:
        outsider.close()
