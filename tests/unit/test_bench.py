"""The benchmark harness runs end to end at a tiny scale (timings are not asserted, only that it works)."""

from __future__ import annotations

import polars as pl

from bench.generate import generate_tables
from bench.run import run
from leadfunnel.model import ACTIVITY_TYPES, CHANNEL_LABELS


def test_generator_is_deterministic_and_canonical():
    first, second = generate_tables(500, 10_000, seed=3), generate_tables(500, 10_000, seed=3)
    assert first["leads"].equals(second["leads"]) and first["activities"].equals(second["activities"])
    leads, activities = first["leads"], first["activities"]
    assert leads["lead_id"].n_unique() == 500
    assert set(leads["channel"]) <= set(CHANNEL_LABELS)
    assert set(activities["activity_type"]) <= set(ACTIVITY_TYPES)
    assert 9_000 < activities.height < 11_000
    assert activities.join(leads, on="lead_id", how="anti").is_empty()
    # Stage skipping exists, and effective times never run backwards from creation.
    assert leads.filter(pl.col("sql_at").is_not_null() & pl.col("mql_at").is_null()).height > 0
    assert leads.filter(pl.col("mql_at") < pl.col("created_at")).is_empty()


def test_harness_runs_and_prints_every_row(tmp_path, capsys):
    rows = run(300, 6_000, repeat=2, keep=tmp_path)
    printed = capsys.readouterr().out
    assert "| scoring: move the threshold slider |" in printed
    assert len(rows) == 25
    assert "| Funnel page by account, one channel |" in printed
    assert "| Pipeline page: stuck leads, business days |" in printed
    assert "| Velocity page: factors, previous period, 12 months, by channel |" in printed
    assert "| SLA page with business hours (every section) |" in printed
    assert all(min(row.ours) >= 0 for row in rows)
    assert (tmp_path / "leads.parquet").exists() and (tmp_path / "bench.duckdb").exists()


def test_activities_come_in_time_order_by_default_as_real_exports_do():
    """#15: the default physical order is by time (consecutive rows of unrelated leads); by lead on request."""
    by_time = generate_tables(500, 10_000, seed=3)["activities"]
    by_lead = generate_tables(500, 10_000, seed=3, order="lead")["activities"]
    assert by_time["occurred_at"].is_sorted()
    assert not by_time["lead_id"].is_sorted()
    assert by_lead["lead_id"].is_sorted() and not by_lead["occurred_at"].is_sorted()
    assert sorted(by_time.rows()) == sorted(by_lead.rows())  # the same rows, only their order differs


def test_pipeline_rows_alone_on_a_kept_database(tmp_path, capsys):
    from bench.run import run_pipeline

    run(300, 6_000, repeat=2, keep=tmp_path)
    capsys.readouterr()
    rows = run_pipeline(tmp_path / "bench.duckdb", repeat=2)
    printed = capsys.readouterr().out
    assert [row.what.split(":")[0] for row in rows] == [
        "Funnel page by account", "Funnel page by account, one channel", "Channels page by account",
        "Pipeline page", "Pipeline page", "Velocity page", "Channels page", "Channels page"]
    assert "leads 300 ·" in printed and "| Velocity page: factors, previous period, 12 months, by channel |" in printed
