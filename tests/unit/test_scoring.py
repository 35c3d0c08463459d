"""Scores, running scores and the backtest against tests/fixtures/scoring (worked out in its README)."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import polars as pl
import pytest

from leadfunnel.filters import Filters
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import (
    History,
    handovers_by_week,
    lead_outcomes,
    load_history,
    running_scores,
    threshold_curve,
)
from leadfunnel.scoring.engine import engine_on
from leadfunnel.scoring.rules import DEFAULT_RULES
from leadfunnel.scoring.scores import current_scores
from tests.conftest import FIXTURES

SCORING = FIXTURES / "scoring"
AS_OF = datetime(2025, 6, 1)


@pytest.fixture
def runner(empty_db) -> QueryRunner:
    import_canonical(empty_db, [SCORING / "leads.csv", SCORING / "activities.csv"])
    return QueryRunner(empty_db)


def with_lead_ids(history: History, running: pl.DataFrame) -> pl.DataFrame:
    """Running scores with the lead id of each row, for reading a few leads' scores."""
    return running.with_columns(lead_id=history.leads["lead_id"].gather(running["lead"]))


def scores_of(runner: QueryRunner, rules=DEFAULT_RULES, as_of: datetime = AS_OF) -> dict[str, float]:
    return dict(current_scores(runner, as_of, rules).iter_rows())


def test_scores_without_decay_leave_out_later_leads(runner):
    assert scores_of(runner) == {"S1": 100, "S2": 100, "S3": 40, "S4": 100}


def test_scores_use_only_activities_strictly_before_as_of(runner):
    # At 03-05 00:00 S1's contact form of that very instant does not count yet: webinar + whitepaper.
    assert scores_of(runner, as_of=datetime(2025, 3, 5))["S1"] == 30


def test_cap_limits_what_one_type_adds(runner):
    capped = DEFAULT_RULES.with_changes(caps={"email_open": 15})
    assert scores_of(runner, capped)["S3"] == 15 + 2 * 5


def test_fit_points_are_added_once(runner):
    fitted = DEFAULT_RULES.with_changes(fit={("industry", "Manufacturing"): 15, ("channel", "seo"): 1})
    assert scores_of(runner, fitted) == {"S1": 115, "S2": 101, "S3": 41, "S4": 115}


def test_decay_halves_points_every_half_life(runner):
    decayed = scores_of(runner, DEFAULT_RULES.with_changes(half_life_days=10.0))
    # S4: contact forms 151 and 141 days before the as-of date.
    assert decayed["S4"] == pytest.approx(50 * 0.5 ** 15.1 + 50 * 0.5 ** 14.1)


def per_lead(runner, rules, outcome="sql") -> pl.DataFrame:
    history = load_history(runner, AS_OF)
    return lead_outcomes(history, running_scores(history, rules), rules, outcome)


def test_running_score_counts_same_instant_activities_together(runner):
    history = load_history(runner, AS_OF)
    s3 = with_lead_ids(history, running_scores(history, DEFAULT_RULES)).filter(pl.col("lead_id") == "S3")
    assert s3.height == 11  # ten email opens, then one instant with two product page views
    assert s3["score"].to_list()[-2:] == [30, 40]


def test_backtest_at_the_guide_threshold(runner):
    result = engine_on(runner, AS_OF).summary(DEFAULT_RULES)
    assert (result.leads, result.positives, result.crossed, result.caught) == (4, 2, 3, 1)
    assert result.recall == 0.5
    assert result.precision == pytest.approx(1 / 3)
    assert result.median_lead_days == 10


def test_backtest_at_a_lower_threshold_catches_more_earlier(runner):
    result = engine_on(runner, AS_OF).summary(DEFAULT_RULES.with_changes(threshold=50))
    assert (result.positives, result.crossed, result.caught) == (2, 3, 2)
    assert result.median_lead_days == 8.5  # S1 15 days, S2 2 days


def test_backtest_on_won(runner):
    result = engine_on(runner, AS_OF, outcome="won").summary(DEFAULT_RULES)
    assert (result.positives, result.caught, result.median_lead_days) == (1, 1, 31)


def test_crossing_with_decay_then_decaying_below(runner):
    rules = DEFAULT_RULES.with_changes(half_life_days=10.0, threshold=70)
    outcomes = per_lead(runner, rules).sort("lead_id")
    crossing = dict(zip(outcomes["lead_id"], outcomes["crossing_at"], strict=True))
    assert crossing == {"S1": datetime(2025, 3, 5), "S2": datetime(2025, 3, 6), "S3": None,
                        "S4": datetime(2025, 1, 11)}
    peaks = dict(zip(outcomes["lead_id"], outcomes["peak"], strict=True))
    assert peaks["S1"] == pytest.approx(max(50 + 10 * 0.5 ** 0.2 + 20 * 0.5 ** 0.3, 20 * 0.5 ** 0.8 + 50 * 0.5 ** 0.5
                                            + 10 * 0.5 ** 0.7 + 20))
    assert peaks["S4"] == 75
    result = engine_on(runner, AS_OF).summary(rules)
    assert (result.crossed, result.caught, result.median_lead_days) == (3, 1, 15)
    # S4 crossed in January but its score has decayed far below the threshold by the as-of date.
    assert scores_of(runner, rules)["S4"] < 0.01


def test_threshold_curve_matches_single_backtests(runner):
    curve = threshold_curve(per_lead(runner, DEFAULT_RULES), np.array([40.0, 50.0, 100.0, 101.0]))
    assert curve["crossed"].to_list() == [4, 3, 3, 0]
    assert curve["caught"].to_list() == [2, 2, 1, 0]
    assert curve["recall"].to_list() == [1.0, 1.0, 0.5, 0.0]
    assert curve["precision"].to_list()[:3] == [0.5, pytest.approx(2 / 3), pytest.approx(1 / 3)]
    assert curve["precision"][3] is None


def test_decayed_capped_running_scores_agree_with_the_direct_sum(runner):
    history = load_history(runner, AS_OF)
    rules = DEFAULT_RULES.with_changes(half_life_days=3.0, caps={"email_open": 6})
    fast = with_lead_ids(history, running_scores(history, rules))
    events = history.events.rows()
    expected = []
    for lead_id, at in fast.select("lead_id", "at").iter_rows():
        sums: dict[str, float] = {}
        for other, occurred_at, activity_type in events:
            if other == lead_id and occurred_at <= at:
                age = (at - occurred_at).total_seconds() / 86400
                sums[activity_type] = sums.get(activity_type, 0.0) + rules.points.get(activity_type, 0.0) * 0.5 ** (
                    age / 3.0)
        expected.append(sum(min(s, rules.caps.get(t, math.inf)) for t, s in sums.items()))
    assert fast["score"].to_list() == pytest.approx(expected)


def test_half_life_tiny_enough_to_take_the_slow_path(runner):
    # 10 days at a half-life of 0.01 days is 1,000 half-lives: the first contact form is gone.
    rules = DEFAULT_RULES.with_changes(half_life_days=0.01, threshold=60)
    history = load_history(runner, AS_OF)
    s4 = with_lead_ids(history, running_scores(history, rules)).filter(pl.col("lead_id") == "S4")
    assert s4["score"].to_list() == [50, 50]
    assert not math.isnan(s4["score"][1])


def test_segment_filters_apply(runner):
    history = load_history(runner, AS_OF, Filters(industries=("Manufacturing",)))
    assert sorted(history.leads["lead_id"]) == ["S1", "S4"]
    assert set(history.events["lead_id"]) == {"S1", "S4"}


def test_handovers_by_week_next_to_actual_mqls(runner):
    weekly = handovers_by_week(per_lead(runner, DEFAULT_RULES.with_changes(threshold=50)), None, None)
    # Crossings: S4 01-01 (week of 2024-12-30), S1 03-05 and S2 03-02 (weeks of 03-03 and 02-24);
    # actual MQLs: S4 on 01-12 and S1/S2 by their SQL dates (effective MQL = SQL when skipped).
    rows = {r["week"].isoformat(): (r["what_if"], r["actual_mql"]) for r in weekly.iter_rows(named=True)
            if r["what_if"] or r["actual_mql"]}
    assert rows == {"2024-12-30": (1, 0), "2025-01-06": (0, 1), "2025-02-24": (1, 0), "2025-03-03": (1, 1),
                    "2025-03-17": (0, 1)}
    assert weekly.height == 12 and weekly["week"].dt.weekday().unique().to_list() == [1]  # every Monday, 0s too


def test_weeks_of_a_range_are_all_there_partial_ones_marked_and_averaged_over_the_range():
    from datetime import date

    from leadfunnel.weeks import per_week, week_grid

    grid = week_grid(date(2025, 7, 2), date(2025, 9, 30))  # Q3 without July 1st: starts on a Wednesday
    assert grid["week"][0] == date(2025, 6, 30) and grid["days"][0] == 5 and grid["partial"][0]
    assert grid["partial"][-1] and grid["days"][-1] == 2  # Mon 29 – Tue 30 September
    assert int(grid["days"].sum()) == 91
    quarter = week_grid(date(2025, 7, 1), date(2025, 9, 29)).with_columns(mql=pl.lit(0))  # 13 weeks, 91 days
    quarter = quarter.with_columns(mql=pl.when(pl.int_range(pl.len()) < 4).then(1).otherwise(0))
    assert per_week(quarter, "mql") == pytest.approx(4 / 13)  # 4 MQLs in 13 weeks: not 1 per week with one


def test_fit_points_by_job_title(runner):
    runner.con.execute("UPDATE leads SET job_title = '部長' WHERE lead_id IN ('S1', 'S3')")
    rules = DEFAULT_RULES.with_changes(fit={("job_title", "部長"): 25})
    assert scores_of(runner, rules) == {"S1": 125, "S2": 100, "S3": 65, "S4": 100}
    history = load_history(runner, AS_OF)
    peaks = lead_outcomes(history, running_scores(history, rules), rules, "sql")
    assert dict(zip(peaks["lead_id"], peaks["peak"], strict=True))["S3"] == 65


def test_scores_from_the_rollup_equal_scores_from_every_activity(runner):
    """The rollup path (no decay) against lead_scores.sql, at instants before, between and after activities, with
    caps, fit points, negative and zero points; and the hand-computed fixture numbers go through the rollup."""
    from leadfunnel.scoring.rules import RuleSet
    from leadfunnel.scoring.scores import rollup_scores_apply

    rule_sets = [
        DEFAULT_RULES,
        RuleSet("capped", threshold=50, points={"email_open": 3, "webinar_attended": 20, "contact_form": -5},
                caps={"email_open": 4, "contact_form": 10}, fit={("industry", "Manufacturing"): 15}),
    ]
    stored = runner.con.execute("SELECT DISTINCT occurred_at FROM activities ORDER BY 1").fetchall()
    instants = [AS_OF, datetime(2030, 1, 1), *(at for (at,) in stored)]
    for rules in rule_sets:
        assert rollup_scores_apply(rules)
        for as_of in instants:
            via_rollup = current_scores(runner, as_of, rules)
            every_activity = runner.run("scoring/lead_scores", {"as_of": as_of, "lead_ids": None, **rules.params()})
            assert via_rollup["lead_id"].to_list() == every_activity["lead_id"].to_list()
            assert np.allclose(via_rollup["score"].to_numpy(), every_activity["score"].to_numpy()), (rules.name, as_of)
        some = every_activity["lead_id"].to_list()[::2]
        for decay in (None, 30.0):  # both paths, for a few leads only
            chosen = rules.with_changes(half_life_days=decay)
            assert current_scores(runner, AS_OF, chosen, lead_ids=some).equals(
                current_scores(runner, AS_OF, chosen).filter(pl.col("lead_id").is_in(some)))
    assert not rollup_scores_apply(DEFAULT_RULES.with_changes(half_life_days=30.0))
    assert not rollup_scores_apply(DEFAULT_RULES.with_changes(points={"custom_event": 5}))
