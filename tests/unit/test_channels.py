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
