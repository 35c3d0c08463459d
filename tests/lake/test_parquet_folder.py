"""A hive-partitioned Parquet folder exported from a warehouse, read in place: the same numbers as an import."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from leadfunnel import database
from leadfunnel.filters import Filters
from leadfunnel.parquet_folder import ParquetFolderStorage
from leadfunnel.query import QueryRunner
from leadfunnel.reports import channels_report, funnel_report
from leadfunnel.scoring.rollup import load_rollup
from leadfunnel.sla.compliance import sla_report
from leadfunnel.sla.policy import SlaPolicy
from leadfunnel.storage import LakeError


def export_folder(runner: QueryRunner, folder) -> None:
    """What a warehouse export looks like: leads partitioned by channel and year, activities by type."""
    con = runner.con
    leads = con.execute("SELECT * EXCLUDE (job_title) FROM leads").pl()  # an older export: no job_title
    leads.with_columns(year=pl.col("created_at").dt.year()).write_parquet(
        folder / "leads", partition_by=["channel", "year"])
    con.execute("SELECT * FROM activities").pl().write_parquet(folder / "activities", partition_by="activity_type")
    con.execute("SELECT * FROM feedback").pl().write_parquet(folder / "feedback.parquet")


def test_a_partitioned_folder_reads_like_the_imported_data(small_runner, tmp_path):
    export_folder(small_runner, tmp_path)
    assert any(p.name.startswith("channel=") for p in (tmp_path / "leads").iterdir())
    storage = ParquetFolderStorage(f"parquet:{tmp_path}")
    assert storage.exists()
    con = storage.open_reader()
    try:
        database.check_schema(con, storage.location)
        database.lock_down(con)
        runner = QueryRunner(con)
        for mode in ("cohort", "period"):
            assert funnel_report(runner, Filters(), mode) == funnel_report(small_runner, Filters(), mode)
            assert channels_report(runner, Filters(), mode) == channels_report(small_runner, Filters(), mode)
        as_of = small_runner.con.execute("SELECT max(occurred_at) FROM activities").fetchone()[0]
        later = as_of + timedelta(days=1)
        ours, theirs = load_rollup(runner, later), load_rollup(small_runner, later)
        assert ours.leads.equals(theirs.leads) and ours.counts.keys() == theirs.counts.keys()
        assert all((ours.counts[k] == theirs.counts[k]).all() for k in ours.counts)
        policy = SlaPolicy()
        assert sla_report(runner, Filters(), policy, as_of) == sla_report(small_runner, Filters(), policy, as_of)
        assert con.execute("SELECT count(*) FROM leads WHERE job_title IS NOT NULL").fetchone()[0] == 0
    finally:
        con.close()


def test_a_folder_changes_its_snapshot_when_files_change_and_is_never_written(small_runner, tmp_path):
    export_folder(small_runner, tmp_path)
    storage = ParquetFolderStorage(tmp_path)
    first = storage.snapshot()
    assert storage.snapshot() == first
    (tmp_path / "activities" / "activity_type=email_open").mkdir(exist_ok=True)
    pl.DataFrame({"lead_id": ["A1"], "occurred_at": [None], "detail": [None]},
                 schema={"lead_id": pl.String, "occurred_at": pl.Datetime("us"), "detail": pl.String}).write_parquet(
        tmp_path / "activities" / "activity_type=email_open" / "extra.parquet")
    assert storage.snapshot() != first
    with pytest.raises(LakeError, match="read in place"), storage.writing():
        pass
    assert not ParquetFolderStorage(tmp_path / "nothing").exists()
