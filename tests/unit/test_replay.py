"""The vectorised replay (rank-major scan, numpy reductions) against a direct, naive reading of the README:
score at an instant = fit + Σ_type min(cap, Σ points · 0.5^(age_days / half_life)), activities at the
same instant together; caught = crossed the threshold strictly before the outcome."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadfunnel.scoring.backtest import History, lead_outcomes, running_scores
from leadfunnel.scoring.replay import EventArrays, _lead_time_order
from leadfunnel.scoring.rules import RuleSet
from tests.unit.test_scoring import with_lead_ids

TYPES = ("email_open", "page_view", "webinar_attended", "contact_form")
START = datetime(2025, 1, 1)
AS_OF = datetime(2026, 1, 1)


def naive_scores(events: list[tuple[int, int, str]], rules: RuleSet,
                 fit: dict[int, float]) -> dict[tuple[int, int], float]:
    """(lead, µs) → score just after that instant, by summing every earlier activity of the lead directly."""
    scores = {}
    for lead, at in {(lead, at) for lead, at, _ in events}:
        sums: dict[str, float] = {}
        for other, occurred, kind in events:
            if other == lead and occurred <= at:
                days = (at - occurred) / 86_400e6
                decay = 1.0 if rules.half_life_days is None else 0.5 ** (days / rules.half_life_days)
                sums[kind] = sums.get(kind, 0.0) + rules.points.get(kind, 0.0) * decay
        scores[(lead, at)] = fit.get(lead, 0.0) + sum(min(s, rules.caps.get(k, math.inf)) for k, s in sums.items())
    return scores


events_strategy = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 40), st.sampled_from(TYPES)),  # lead, day (few: ties), type
    min_size=0, max_size=60)
rules_strategy = st.builds(
    lambda points, caps, half_life, threshold: RuleSet(
        "random", threshold=threshold, points=dict(zip(TYPES, points, strict=True)),
        caps={t: c for t, c in zip(TYPES, caps, strict=True) if c is not None}, half_life_days=half_life),
    st.lists(st.sampled_from([0.0, 3.0, 5.0, 10.0, 20.0, 50.0, -5.0, 2.5]), min_size=4, max_size=4),
    st.lists(st.sampled_from([None, None, 6.0, 15.0, 40.0]), min_size=4, max_size=4),
    st.sampled_from([None, 0.01, 0.5, 3.0, 30.0]),
    st.sampled_from([10.0, 30.0, 50.0, 80.0]),
)


def history_of(events: list[tuple[int, int, str]], hours: list[int]) -> History:
    leads = pl.DataFrame({
        "lead_id": [f"L{i}" for i in range(6)],
        "channel": ["seo", "ads", "seo", "seo", "ads", "seo"],
        "created_at": [START] * 6,
        "mql_at": [None] * 6,
        "sql_at": [START + timedelta(days=d) for d in (5, 20, 41, 0, 30, 100)],
        "won_at": [None, START + timedelta(days=35), None, None, None, None],
    }, schema_overrides={"mql_at": pl.Datetime("us"), "sql_at": pl.Datetime("us"), "won_at": pl.Datetime("us")})
    frame = pl.DataFrame(
        [(f"L{lead}", START + timedelta(days=day, hours=hour), kind)
         for (lead, day, kind), hour in zip(events, hours, strict=True)],
        schema={"lead_id": pl.String, "occurred_at": pl.Datetime("us"), "activity_type": pl.String}, orient="row")
    return History(AS_OF, leads, frame.sample(fraction=1.0, shuffle=True, seed=1))  # any order in


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=events_strategy, rules=rules_strategy, data=st.data())
def test_replay_matches_the_direct_sum(events, rules, data):
    hours = data.draw(st.lists(st.sampled_from([0, 0, 6, 12]), min_size=len(events), max_size=len(events)))
    history = history_of(events, hours)
    running = with_lead_ids(history, running_scores(history, rules))
    micros = [(lead, int((START + timedelta(days=day, hours=h) - datetime(1970, 1, 1)).total_seconds() * 1e6), kind)
              for (lead, day, kind), h in zip(events, hours, strict=True)]
    expected = naive_scores(micros, rules, {})
    got = {(int(r["lead_id"][1:]), int((r["at"] - datetime(1970, 1, 1)).total_seconds() * 1e6)): r["score"]
           for r in running.iter_rows(named=True)}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
    # The rows come in (lead, time) order, one per instant.
    assert running.select("lead", "at").rows() == sorted(running.select("lead", "at").rows())

    outcomes = lead_outcomes(history, running, rules, "sql").sort("lead_id")
    for row in outcomes.iter_rows(named=True):
        lead = int(row["lead_id"][1:])
        mine = sorted((at, s) for (who, at), s in expected.items() if who == lead)
        outcome_us = (row["outcome_at"] - datetime(1970, 1, 1)).total_seconds() * 1e6 if row["outcome_at"] else None
        crossing = next((at for at, s in mine if s >= rules.threshold), None)
        got_crossing = row["crossing_at"]
        assert (got_crossing is None) == (crossing is None)
        if crossing is not None:
            assert (got_crossing - datetime(1970, 1, 1)).total_seconds() * 1e6 == crossing
        assert row["crossed"] == (crossing is not None)
        assert row["caught"] == (outcome_us is not None and crossing is not None and crossing < outcome_us)
        if mine:
            assert row["peak"] == pytest.approx(max(s for _, s in mine), rel=1e-9, abs=1e-9)
        else:
            assert row["peak"] is None
        before = [s for at, s in mine if outcome_us is not None and at < outcome_us]
        assert (row["peak_before_outcome"] is None) == (not before)


@given(lead=st.lists(st.integers(0, 3), min_size=1, max_size=40), data=st.data())
def test_lead_time_order_is_exact_even_below_the_packing_resolution(lead, data):
    span = data.draw(st.sampled_from([10, 2**40, 2**61]))
    at = np.array(data.draw(st.lists(st.integers(0, span), min_size=len(lead), max_size=len(lead))), dtype=np.int64)
    lead = np.array(lead, dtype=np.int32)
    order = _lead_time_order(lead, at)
    assert sorted(zip(lead.tolist(), at.tolist(), strict=True)) == list(
        zip(lead[order].tolist(), at[order].tolist(), strict=True))


def test_a_long_history_at_a_tiny_half_life_neither_overflows_nor_loses_the_last_points():
    at = np.arange(0, 3000) * 86_400_000_000  # 3,000 days at a half-life of 0.01 days: 300,000 half-lives
    arrays = EventArrays.build(("contact_form",), np.zeros(3000, dtype=np.int32), at, np.zeros(3000, dtype=np.int16))
    scores = arrays.behaviour_scores({"contact_form": 50.0}, {}, 0.01)
    assert np.all(scores == 50.0)
    undecayed = arrays.behaviour_scores({"contact_form": 50.0}, {"contact_form": 120.0}, None)
    assert undecayed[:3].tolist() == [50.0, 100.0, 120.0] and undecayed[-1] == 120.0


def test_crossing_at_the_outcome_instant_is_not_caught():
    rules = RuleSet("form", threshold=50.0, points={"contact_form": 50.0})
    on_time = history_of([(0, 5, "contact_form"), (1, 19, "contact_form")], [0, 23])  # L0: SQL at day 5 00:00
    outcomes = lead_outcomes(on_time, running_scores(on_time, rules), rules, "sql").sort("lead_id")
    assert outcomes["crossed"].to_list()[:2] == [True, True]
    assert outcomes["caught"].to_list()[:2] == [False, True]


def test_events_delivered_in_lead_time_order_and_shuffled_lay_out_alike():
    lead = np.array([0, 0, 0, 2, 2, 5], dtype=np.int32)
    at = np.array([1, 1, 3, 0, 86_400_000_000 * 2, 7], dtype=np.int64)
    code = np.array([0, 1, 0, 1, 1, 0], dtype=np.int16)
    ordered = EventArrays.build(("a", "b"), lead, at, code)
    shuffle = np.array([5, 3, 0, 4, 2, 1])
    shuffled = EventArrays.build(("a", "b"), lead[shuffle], at[shuffle], code[shuffle])
    for name in ("lead", "at", "last_at_instant", "rank_major", "offsets", "codes_by_rank"):
        assert getattr(ordered, name).tolist() == getattr(shuffled, name).tolist(), name
    # Rank-major: lead 0 (3 events) first, then lead 2 (2), then lead 5 (1); gaps: days since the lead's last event.
    assert ordered.rank_major.tolist() == [0, 3, 5, 1, 4, 2]
    gaps_in_event_order = ordered.gap_days[ordered.rank_major]
    assert gaps_in_event_order.tolist() == [0.0, 0.0, 2 / 86_400_000_000, 0.0, 2.0, 0.0]
    # Types at the same instant of lead 0 are read together: only the second event at t=1 is a scoring instant.
    assert ordered.last_at_instant.tolist() == [False, True, True, True, True, True]


def test_a_split_second_half_life_decays_to_nothing_without_overflow_warnings():
    import warnings

    from leadfunnel.scoring.replay import EventArrays

    day_us = 86_400_000_000
    arrays = EventArrays.build(("email_open",), np.array([0, 0], dtype=np.int32), np.array([0, day_us]),
                               np.array([0, 0], dtype=np.int8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a day is ~1e310 half-lives: the gap overflows to ∞, which decays to 0
        scores = arrays.behaviour_scores({"email_open": 3.0}, {}, 1e-310)
    assert list(scores) == [3.0, 3.0]  # the first open has decayed away by the second
