"""One scoring engine, two paths: on random small data the per-lead counts and the replay of every event give
the same scores, backtest and threshold curve whenever the engine takes the fast path (#16)."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadfunnel import database
from leadfunnel.ingest.write import write_tables
from leadfunnel.model import TABLE_SCHEMAS
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import (
    crossings,
    lead_outcomes,
    load_history,
    replayed_scores,
    running_scores,
    summarise,
)
from leadfunnel.scoring.engine import ScoringEngine
from leadfunnel.scoring.rollup import KEPT_SCORES, load_rollup
from leadfunnel.scoring.rules import RuleSet

TYPES = ("email_open", "page_view", "webinar_attended", "contact_form", "whitepaper_download")
START = datetime(2025, 1, 1)
AS_OF = datetime(2025, 6, 1)
COLUMNS = ["lead_id", "peak", "peak_before_outcome", "positive", "caught", "crossed"]

leads_strategy = st.lists(st.tuples(st.sampled_from(["seo", "webinar", "ads"]),
                                    st.one_of(st.none(), st.integers(0, 120)),    # SQL after n days
                                    st.one_of(st.none(), st.integers(0, 150))),   # won after n days
                          min_size=1, max_size=8)
events_strategy = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 140), st.sampled_from(TYPES)), max_size=60)
rules_strategy = st.builds(
    lambda points, cap, threshold, fit: RuleSet(
        "random", threshold=threshold, points=dict(zip(TYPES, points, strict=True)),
        caps={} if cap is None else {"email_open": cap}, fit={("channel", "webinar"): fit} if fit else {}),
    st.lists(st.sampled_from([0.0, 3.0, 5.0, 10.0, 20.0, 50.0]), min_size=5, max_size=5),
    st.sampled_from([None, 6.0, 15.0]), st.sampled_from([10.0, 30.0, 60.0]), st.sampled_from([0.0, 20.0]))


def runner_on(leads: list[tuple], events: list[tuple]) -> QueryRunner:
    con = database.connect(":memory:")
    database.initialise(con)
    lead_rows = [{"lead_id": f"L{i}", "created_at": START, "channel": channel,
                  "sql_at": None if sql is None else START + timedelta(days=sql),
                  "won_at": None if won is None else START + timedelta(days=won)}
                 for i, (channel, sql, won) in enumerate(leads)]
    frame = pl.DataFrame(lead_rows, schema_overrides={"sql_at": pl.Datetime("us"), "won_at": pl.Datetime("us")})
    leads_frame = frame.with_columns([pl.lit(None, dtype).alias(name) for name, dtype in TABLE_SCHEMAS["leads"].items()
                                      if name not in frame.columns])
    activities = pl.DataFrame(
        [(f"L{lead % len(leads)}", START + timedelta(days=day, hours=lead), kind) for lead, day, kind in events],
        schema={"lead_id": pl.String, "occurred_at": pl.Datetime("us"), "activity_type": pl.String}, orient="row",
    ).with_columns(detail=pl.lit(None, pl.String))
    write_tables(con, leads=leads_frame, activities=activities if activities.height else None)
    return QueryRunner(con)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leads=leads_strategy, events=events_strategy, rules=rules_strategy, outcome=st.sampled_from(["sql", "won"]))
def test_the_fast_path_answers_as_the_replay_of_every_event(leads, events, rules, outcome):
    runner = runner_on(leads, events)
    try:
        history = load_history(runner, AS_OF)

        def replay(tried: RuleSet) -> pl.DataFrame:
            return lead_outcomes(history, running_scores(history, tried), tried, outcome)

        engine = ScoringEngine(lambda: load_rollup(runner, AS_OF), replay, outcome)
        assert engine.rollup.covers(rules)  # no decay, no negative points, every event before the as-of instant
        fast, slow = engine.outcomes(rules), replay(rules)
        assert "crossing_at" not in fast.columns  # it did take the fast path
        assert fast.select(COLUMNS).sort("lead_id").equals(slow.select(COLUMNS).sort("lead_id"))
        assert summarise(fast, rules.threshold, outcome).as_dict() | {"median_lead_days": None} == (
            summarise(slow, rules.threshold, outcome).as_dict() | {"median_lead_days": None})
        tried = engine.tried(rules, rules)
        assert not tried.changed and tried.result == tried.baseline
        timing = engine.timing(tried, rules, START, AS_OF)  # crossing times come from the replay
        assert timing.lead_days == summarise(slow, rules.threshold, outcome).median_lead_days
        decayed = rules.with_changes(half_life_days=30.0)
        assert not engine.rollup.covers(decayed) and engine.outcomes(decayed).equals(replay(decayed))
        replayed = replayed_scores(history, running_scores(history, rules), outcome)
        for threshold in (5.0, 25.0, 80.0):  # a threshold move reuses the scores each path kept for these weights
            moved = rules.with_changes(threshold=threshold)
            expected = replay(moved).select(COLUMNS).sort("lead_id")
            assert engine.outcomes(moved).select(COLUMNS).sort("lead_id").equals(expected)
            assert crossings(replayed, threshold).select(COLUMNS).sort("lead_id").equals(expected)
    finally:
        runner.con.close()


def test_a_threshold_move_reuses_the_rollups_scores_and_a_weight_move_does_not():
    runner = runner_on([("seo", 10, None), ("ads", None, None)], [(0, 1, "email_open"), (1, 2, "contact_form")])
    try:
        rollup = load_rollup(runner, AS_OF)
        rules = RuleSet("a", threshold=10.0, points={"email_open": 3.0, "contact_form": 50.0})
        first = rollup.scores(rules, "sql")
        assert rollup.scores(rules.with_changes(threshold=99.0, name="b"), "sql") is first
        assert rollup.scores(rules.with_changes(points={"email_open": 4.0}), "sql") is not first
        assert list(first[0]) == [3.0, 50.0]  # L0: one email open; L1: one contact form
        for weight in range(KEPT_SCORES + 2):  # only the last few rule sets are kept
            rollup.scores(rules.with_changes(points={"email_open": float(weight)}), "sql")
        assert len(rollup._scores) == KEPT_SCORES
        assert rollup.scores(rules, "sql") is not first
    finally:
        runner.con.close()
