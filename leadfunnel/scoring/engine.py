"""The one scoring engine a page asks: the backtest of a rule set on one view, by whichever path is exact.

Two paths give the same per-lead answer (tests/unit/test_scoring_engine.py checks it on random data):
the per-lead activity counts (`rollup`, instant: a weight or threshold move is arithmetic on one row per
lead) when the rules have no decay and every event is before the as-of instant, else a replay of every
event (`replay`, which also knows *when* each lead crossed). The caller supplies both, cached as it sees
fit (the dashboard shares them between sessions); what to run is decided here, never on a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial

import polars as pl

from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import (
    Backtest,
    History,
    Outcome,
    handovers_by_week,
    lead_outcomes,
    load_history,
    running_scores,
    summarise,
)
from leadfunnel.scoring.rollup import Rollup, lead_outcomes_fast, load_rollup
from leadfunnel.scoring.rules import RuleSet
from leadfunnel.weeks import per_week

Replay = Callable[[RuleSet], pl.DataFrame]


@dataclass(frozen=True)
class Tried:
    """A rule set tried against the saved one: the numbers the backtest shows, and their baseline."""

    rules: RuleSet
    per_lead: pl.DataFrame
    result: Backtest
    baseline: Backtest
    changed: bool  # the rules differ from the saved set: deltas are shown only then


@dataclass(frozen=True)
class Timing:
    """What needs crossing *times*: how much earlier leads are caught, and hand-overs per week."""

    lead_days: float | None
    baseline_days: float | None
    weekly: pl.DataFrame  # week, days, what_if, actual_mql (leadfunnel.weeks: every week of the range)
    what_if_per_week: float
    actual_per_week: float


@dataclass(frozen=True)
class ScoringEngine:
    load_rollup: Callable[[], Rollup]  # called once, when a path first needs it (a summary replays only)
    replay: Replay  # per-lead outcomes with crossing times, from every event
    outcome: Outcome

    @cached_property
    def rollup(self) -> Rollup:
        return self.load_rollup()

    def outcomes(self, rules: RuleSet) -> pl.DataFrame:
        """Per-lead backtest: from the per-lead counts when that is exact (no decay), else from every event."""
        return lead_outcomes_fast(self.rollup, rules, self.outcome) if self.rollup.covers(rules) else self.replay(rules)

    def timed(self, rules: RuleSet, outcomes: pl.DataFrame | None = None) -> pl.DataFrame:
        """Per-lead outcomes that carry crossing times (`outcomes` when they already do)."""
        return outcomes if outcomes is not None and "crossing_at" in outcomes.columns else self.replay(rules)

    def summary(self, rules: RuleSet) -> Backtest:
        """Every backtest metric of `rules`, the lead time included (it needs crossing times: every event)."""
        return summarise(self.replay(rules), rules.threshold, self.outcome)

    def tried(self, rules: RuleSet, saved: RuleSet) -> Tried:
        per_lead = self.outcomes(rules)
        result = summarise(per_lead, rules.threshold, self.outcome)
        changed = rules.to_mapping() | {"name": saved.name} != saved.to_mapping()
        baseline = summarise(self.outcomes(saved), saved.threshold, self.outcome) if changed else result
        return Tried(rules, per_lead, result, baseline, changed)

    def timing(self, tried: Tried, saved: RuleSet, start: datetime | None, end: datetime) -> Timing:
        """Lead time against the saved rules and the weekly what-if over [start, end)."""
        timed = self.timed(tried.rules, tried.per_lead)
        lead_days = summarise(timed, tried.rules.threshold, self.outcome).median_lead_days
        baseline_days = (summarise(self.replay(saved), saved.threshold, self.outcome).median_lead_days
                         if tried.changed else lead_days)
        weekly = handovers_by_week(timed, start, end)
        return Timing(lead_days, baseline_days, weekly, per_week(weekly, "what_if"), per_week(weekly, "actual_mql"))

    def scenario(self, rules: RuleSet, start: datetime | None, end: datetime) -> tuple[Backtest, float]:
        """A saved scenario's backtest and its hand-overs per week, for the side-by-side comparison."""
        replayed = self.replay(rules)
        weekly = handovers_by_week(replayed, start, end)
        return summarise(replayed, rules.threshold, self.outcome), per_week(weekly, "what_if")


def engine_on(runner: QueryRunner, as_of: datetime, filters: Filters | None = None,
              outcome: Outcome = "sql") -> ScoringEngine:
    """The engine on one view read straight from the database (the pack, the CLI; the dashboard caches its own):
    the per-lead rollup and the events are each loaded once, when a path first needs them."""
    loaded: list[History] = []

    def replay(rules: RuleSet) -> pl.DataFrame:
        if not loaded:
            loaded.append(load_history(runner, as_of, filters))
        return lead_outcomes(loaded[0], running_scores(loaded[0], rules), rules, outcome)

    return ScoringEngine(partial(load_rollup, runner, as_of, filters), replay, outcome)
