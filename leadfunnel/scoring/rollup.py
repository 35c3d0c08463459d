"""The fast path for weight and threshold moves: one row of activity counts per lead instead of every event.

Without decay and with no negative points a lead's running score only grows, so
- it crossed the threshold (before the as-of instant) iff its score from all its activities is ≥ threshold,
- it crossed strictly before its outcome iff its score from the activities strictly before the outcome is
  ≥ threshold (the last such activity is then a crossing instant before the outcome).
Both scores are a weighted sum of the counts in `lead_activity_rollup`, so a slider move re-weights one
row per lead. Lead time and the weekly what-if need crossing *times*, and decay changes scores between
activities: those stay on the per-event path (leadfunnel.scoring.backtest).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import polars as pl

from leadfunnel.filters import Filters
from leadfunnel.model import ACTIVITY_TYPES
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import Outcome, fit_points
from leadfunnel.scoring.rules import RuleSet

LEAD_COLUMNS = ("lead_id", "channel", "industry", "company_size", "owner", "company", "job_title", "created_at",
                "mql_at", "sql_at", "won_at")
# The rollup's count columns, <prefix>_<type>: every activity, and those before the lead's SQL or won time.
COUNT_PREFIXES = {"n": "n", "sql": "before_sql", "won": "before_won"}
KEPT_SCORES = 8  # rule sets whose per-lead scores a rollup keeps (each: two floats per lead)


@dataclass(frozen=True)
class Rollup:
    """The view's leads and their activity counts (rows aligned), valid for an as-of after the last activity."""

    as_of: datetime
    leads: pl.DataFrame
    last_activity_at: datetime | None
    counts: dict[str, np.ndarray]  # "n" (all) | "sql" | "won" (before the outcome) → leads × ACTIVITY_TYPES matrix
    _per_outcome: dict[str, tuple[pl.DataFrame, np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False)
    _scores: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=OrderedDict, compare=False, repr=False)
    _scores_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def base(self, outcome: Outcome) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
        """What does not depend on the rules, once per outcome: the frame, any activity, any before the outcome."""
        if outcome not in self._per_outcome:
            outcome_at = self.leads[f"{outcome}_at"]
            positive = (outcome_at < self.as_of).fill_null(False).to_numpy()
            frame = self.leads.select("lead_id", "channel", "created_at", "mql_at").with_columns(
                outcome_at=pl.when(pl.Series(positive)).then(outcome_at), positive=pl.Series(positive))
            has_activity = self.counts["n"].sum(axis=1) > 0
            self._per_outcome[outcome] = (frame, has_activity, positive & (self.counts[outcome].sum(axis=1) > 0))
        return self._per_outcome[outcome]

    def scores(self, rules: RuleSet, outcome: Outcome) -> tuple[np.ndarray, np.ndarray]:
        """Each lead's score from all its activities and from those before its outcome. The threshold plays no
        part, so the last few rule sets' scores are kept: a threshold move only compares them. One rollup serves
        every session (the dashboard's cache), so its kept scores change under a lock."""
        key = (rules.scoring_key(), outcome)
        with self._scores_lock:
            if key in self._scores:
                self._scores.move_to_end(key)
                return self._scores[key]
            fit = fit_points(self.leads, rules).to_numpy() if rules.fit else np.zeros(self.leads.height)
            found = _scores(self.counts["n"], rules, fit), _scores(self.counts[outcome], rules, fit)
            self._scores[key] = found
            while len(self._scores) > KEPT_SCORES:
                self._scores.popitem(last=False)
            return found

    def covers(self, rules: RuleSet) -> bool:
        """True when the fast path gives exactly the per-event answer for these rules and this as-of."""
        return (rules.half_life_days is None
                and all(points >= 0 for points in rules.points.values())
                and all(t in ACTIVITY_TYPES for t, p in rules.points.items() if p)
                and (self.last_activity_at is None or self.last_activity_at < self.as_of))


def load_rollup(runner: QueryRunner, as_of: datetime, filters: Filters | None = None) -> Rollup:
    frame = runner.run("scoring/rollup_leads", {"as_of": as_of, **(filters or Filters()).segment_params()})
    last = frame["last_activity_at"].max() if frame.height else None
    return Rollup(
        as_of=as_of,
        leads=frame.select(LEAD_COLUMNS),
        last_activity_at=last,  # type: ignore[arg-type]
        counts={key: frame.select(f"{prefix}_{t}" for t in ACTIVITY_TYPES).to_numpy().astype(np.float64)
                for key, prefix in COUNT_PREFIXES.items()},
    )


def _scores(counts: np.ndarray, rules: RuleSet, fit: np.ndarray) -> np.ndarray:
    weights = np.array([rules.points.get(t, 0.0) for t in ACTIVITY_TYPES])
    caps = np.array([rules.caps.get(t, np.inf) for t in ACTIVITY_TYPES])
    if np.isinf(caps).all():
        return fit + counts @ weights
    return fit + np.minimum(counts * weights, caps).sum(axis=1)


def lead_outcomes_fast(rollup: Rollup, rules: RuleSet, outcome: Outcome) -> pl.DataFrame:
    """The same per-lead frame as backtest.lead_outcomes, without crossing times (use the event path)."""
    frame, has_activity, has_before = rollup.base(outcome)
    final, before = rollup.scores(rules, outcome)
    return frame.with_columns(
        peak=pl.Series(np.where(has_activity, final, np.nan)).fill_nan(None),
        peak_before_outcome=pl.Series(np.where(has_before, before, np.nan)).fill_nan(None),
        caught=pl.Series(has_before & (before >= rules.threshold)),
        crossed=pl.Series(has_activity & (final >= rules.threshold)),
    )
