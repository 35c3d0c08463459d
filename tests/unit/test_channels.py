"""Channel conversion on the hand-made fixture, cohort January–March 2025 (A1–A6)."""

from datetime import date

import pytest

from leadfunnel.filters import Filters
from leadfunnel.reports import channel_frame

QUARTER = Filters(date(2025, 1, 1), date(2025, 3, 31))


def test_channel_counts_rates_days_and_amounts(small_runner):
    rows = {r["channel"]: r for r in channel_frame(small_runner, QUARTER, "cohort").iter_rows(named=True)}
    assert set(rows) == {"webinar", "seo", "referral", "trade_show"}
    webinar = rows["webinar"]  # A1 won, A2 stalled at SAL
    assert (webinar["leads"], webinar["mql"], webinar["sql"], webinar["won"]) == (2, 2, 1, 1)
    assert (webinar["mql_rate"], webinar["sql_rate"], webinar["win_rate"]) == (1.0, 0.5, 1.0)
    assert webinar["median_days_to_sql"] == pytest.approx(15.0)  # 01-05 → 01-20
    assert webinar["won_amount"] == 1_000_000
    seo = rows["seo"]  # A3 MQL only, A5 won
    assert (seo["leads"], seo["mql"], seo["sql"], seo["won"]) == (2, 2, 1, 1)
    assert seo["median_days_to_sql"] == pytest.approx(54.0)  # 02-10 12:00 → 04-05 12:00
    referral = rows["referral"]  # A4 skipped to SQL, lost
    assert (referral["mql"], referral["sql"], referral["won"], referral["win_rate"]) == (1, 1, 0, 0.0)
    assert referral["won_amount"] == 0
    trade_show = rows["trade_show"]  # A6: no MQL, so the MQL→SQL rate is undefined
    shown = (trade_show["leads"], trade_show["mql_rate"], trade_show["sql_rate"], trade_show["win_rate"])
    assert shown == (1, 0.0, None, None)


def test_channels_are_ordered_by_volume_then_name(small_runner):
    frame = channel_frame(small_runner, QUARTER, "cohort")
    assert frame["channel"].to_list() == ["seo", "webinar", "referral", "trade_show"]


def test_period_mode_counts_entries_in_range(small_runner):
    february = Filters(date(2025, 2, 1), date(2025, 2, 28))
    rows = {r["channel"]: r for r in channel_frame(small_runner, february, "period").iter_rows(named=True)}
    assert rows["webinar"]["won"] == 1 and rows["webinar"]["leads"] == 0  # A1's win, created in January
    assert rows["webinar"]["win_rate"] is None  # no SQL entry in February


def test_won_deals_without_amounts_give_a_missing_amount_not_zero(empty_db, tmp_path):
    from leadfunnel.ingest.canonical import import_canonical
    from leadfunnel.query import QueryRunner

    header = "lead_id,created_at,channel,company,industry,company_size,owner,mql_at,sal_at,sql_at,opportunity_at," \
             "won_at,lost_at,amount"
    (tmp_path / "leads.csv").write_text(f"{header}\nW1,2025-01-02,seo,,,,,,,,,2025-01-20,,\n"
                                        "W2,2025-01-03,webinar,,,,,,,,,,,\n", encoding="utf-8")
    import_canonical(empty_db, [tmp_path / "leads.csv"])
    rows = {r["channel"]: r for r in channel_frame(QueryRunner(empty_db), QUARTER, "cohort").iter_rows(named=True)}
    assert rows["seo"]["won_amount"] is None  # a deal was won; the export had no amount
    assert rows["webinar"]["won_amount"] == 0  # nothing won: nothing to sum
