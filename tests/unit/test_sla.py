"""SLA compliance on tests/fixtures/sla (every number worked out in its README)."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import polars as pl
import pytest

from leadfunnel.filters import Filters
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.query import QueryRunner
from leadfunnel.sla.clock import BusinessClock, hours_between
from leadfunnel.sla.compliance import compliance_summary, feedback_loop, handover_scores, handovers, overdue_now
from leadfunnel.sla.policy import PolicyError, SlaPolicy, load_policy, save_policy
from tests.conftest import FIXTURES

SLA = FIXTURES / "sla"
AS_OF = datetime(2025, 1, 24, 12, 0)
JANUARY = Filters(date(2025, 1, 1), date(2025, 1, 31))
BUSINESS = SlaPolicy(business_hours=True)


@pytest.fixture
def runner(empty_db) -> QueryRunner:
    import_canonical(empty_db, [SLA / "leads.csv", SLA / "activities.csv", SLA / "feedback.csv"])
    return QueryRunner(empty_db)


def by_lead(frame: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["lead_id"], frame[column], strict=True))


def test_calendar_hours(runner):
    classified = handovers(runner, JANUARY, SlaPolicy(), AS_OF)
    assert by_lead(classified, "status") == {"H1": "breached", "H2": "breached", "H3": "met", "H8": "met",
                                             "H4": "breached", "H5": "overdue", "H6": "pending"}
    assert by_lead(classified, "hours_to_first_touch") == {"H1": 113, "H2": 71.5, "H3": 24, "H8": 0.5, "H4": 54,
                                                           "H5": None, "H6": None}
    assert compliance_summary(classified) == {
        "handed_over": 7, "met": 2, "breached": 4, "breached_late_touch": 3, "overdue_open": 1, "pending": 1,
        "compliance_rate": pytest.approx(2 / 6), "median_hours_to_first_touch": 54.0,
        "p90_hours_to_first_touch": pytest.approx(96.4)}


def test_business_hours_skip_weekend_holiday_and_nights(runner):
    classified = handovers(runner, JANUARY, BUSINESS, AS_OF)
    assert by_lead(classified, "hours_to_first_touch") == {"H1": 11, "H2": 0.5, "H3": 9, "H8": 0.5, "H4": 24,
                                                           "H5": None, "H6": None}
    assert by_lead(classified, "status")["H4"] == "met"  # a touch exactly at the deadline
    assert by_lead(classified, "status")["H5"] == "pending"  # 11 business hours so far
    summary = compliance_summary(classified)
    assert (summary["met"], summary["breached"], summary["pending"], summary["compliance_rate"]) == (5, 0, 2, 1.0)
    assert summary["median_hours_to_first_touch"] == 9
    # H1: 1 h on Friday, Monday is Coming of Age Day, 9 h Tuesday, 5 h Thursday → deadline Thu 14:00.
    assert by_lead(classified, "deadline_at")["H1"] == datetime(2025, 1, 16, 14, 0)


def test_longer_deadline(runner):
    summary = compliance_summary(handovers(runner, JANUARY, SlaPolicy(deadline_hours=72), AS_OF))
    assert (summary["met"], summary["breached"], summary["overdue_open"], summary["pending"]) == (4, 1, 0, 2)
    assert summary["compliance_rate"] == 0.8


def test_sal_hand_over_and_filters(runner):
    assert handovers(runner, JANUARY, SlaPolicy(handover="sal"), AS_OF)["lead_id"].to_list() == ["H8"]
    only_sato = handovers(runner, Filters(date(2025, 1, 1), date(2025, 1, 31), owners=("佐藤 健",)), SlaPolicy(), AS_OF)
    assert sorted(only_sato["lead_id"]) == ["H1", "H2", "H3"]


def test_overdue_list_and_feedback(runner):
    classified = handovers(runner, JANUARY, SlaPolicy(), AS_OF)
    scores = handover_scores(runner, classified, AS_OF)
    overdue = overdue_now(classified, scores)
    assert overdue.select("lead_id", "owner", "hours_overdue", "score").rows() == [("H5", "Emily Clark", 2.0, 0.0)]
    loop = feedback_loop(classified, scores, SlaPolicy(), AS_OF)
    assert loop["reasons"].rows() == [("No budget this year", 2)]
    assert loop["without_feedback"]["lead_id"].to_list() == ["H1"]
    bands = {r["band"]: (r["with_feedback"], r["accepted"], r["top_rejection_reason"])
             for r in loop["by_band"].iter_rows(named=True)}
    assert bands == {"50–99": (1, 0, "No budget this year"), "< 50": (3, 2, "No budget this year")}
    by_channel = {r["channel"]: r["top_rejection_reason"] for r in loop["by_channel"].iter_rows(named=True)}
    assert by_channel == {"referral": None, "seo": "No budget this year", "trade_show": None, "webinar": None}


def test_business_clock_counts_only_working_time():
    clock = BusinessClock(BUSINESS, date(2025, 1, 9), date(2025, 1, 20))
    at = np.array(["2025-01-10T17:00", "2025-01-11T10:00", "2025-01-14T08:00"], dtype="datetime64[us]")
    later = np.array(["2025-01-14T10:00", "2025-01-14T09:30", "2025-01-14T20:00"], dtype="datetime64[us]")
    assert hours_between(BUSINESS, at, later, clock).tolist() == [2.0, 0.5, 9.0]


def test_policy_round_trip_and_validation(empty_db):
    assert load_policy(empty_db) == SlaPolicy()
    custom = SlaPolicy(handover="sal", deadline_hours=8, business_hours=True, working_days=(0, 1, 2, 3, 4, 5),
                       day_start=time(10), day_end=time(19, 30), holiday_country=None, timezone="Europe/Berlin",
                       touch_types=("meeting",), feedback_days=3)
    save_policy(empty_db, custom)
    assert load_policy(empty_db) == custom
    assert "8 business hours" in custom.summary() and "Europe/Berlin" in custom.summary()
    for bad, message in [({"deadline_hours": 0}, "deadline"), ({"timezone": "Mars/Base"}, "time zone"),
                         ({"business_hours": True, "day_end": time(8)}, "end after it starts"),
                         ({"touch_types": ()}, "sales touch"), ({"holiday_country": "XX"}, "holiday")]:
        with pytest.raises(PolicyError, match=message):
            SlaPolicy(**bad)
