"""Point-in-time backtest of a rule set: when would each lead have crossed the threshold, and was that
before it became a real SQL (or deal)?

The events are loaded once per view (`load_history`); every slider move only recomputes running scores
in Polars, so no query runs while weights change. Definitions (shown on the page):

- running score at an activity's time includes that activity (and every other at the same instant);
- crossing time = the first activity time at which the running score is ≥ threshold;
- positives = leads whose outcome (effective time) is before the as-of instant;
- caught = positives whose crossing time is strictly before their outcome time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl

from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.rules import RuleSet

Outcome = Literal["sql", "won"]
OUTCOMES: tuple[Outcome, ...] = ("sql", "won")
# exp2 of more than this overflows a float; leads whose history spans more half-lives use a plain loop.
_MAX_HALF_LIVES = 900.0
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class History:
    """The leads and activities of one view, before the as-of instant."""

    as_of: datetime
    leads: pl.DataFrame  # lead_id, channel, industry, company_size, owner, company, created_at, mql_at, sql_at, won_at
    events: pl.DataFrame  # lead_id, occurred_at, activity_type (time-ordered per lead)

    @cached_property
    def arrays(self) -> EventArrays:
        """The events as integer arrays, computed once per loaded view and reused by every slider move."""
        types = tuple(sorted(self.events["activity_type"].unique().to_list()))
        run = self.events["lead_id"].rle_id().to_numpy()
        times = self.events["occurred_at"].dt.epoch("us").to_numpy()
        time_change = np.append(np.diff(times) != 0, True)
        return EventArrays(
            types=types,
            type_code=self.events["activity_type"].cast(pl.Enum(types)).to_physical().to_numpy(),
            lead_start=np.flatnonzero(np.diff(run, prepend=-1)),
            run=run,
            last_at_instant=np.append(np.diff(run) != 0, True) | time_change,
        )


@dataclass(frozen=True)
class EventArrays:
    types: tuple[str, ...]
    type_code: np.ndarray  # index into types, per event
    lead_start: np.ndarray  # index of each lead's first event
    run: np.ndarray  # 0, 1, 2 … per lead, per event
    last_at_instant: np.ndarray  # True on the last event of each (lead, instant)


@dataclass(frozen=True)
class Backtest:
    outcome: Outcome
    threshold: float
    leads: int
    positives: int
    crossed: int
    caught: int
    median_lead_days: float | None

    @property
    def recall(self) -> float | None:
        return self.caught / self.positives if self.positives else None

    @property
    def precision(self) -> float | None:
        return self.caught / self.crossed if self.crossed else None

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "threshold": self.threshold, "leads": self.leads,
                "positives": self.positives, "caught": self.caught, "crossed": self.crossed,
                "recall": self.recall, "precision": self.precision, "median_lead_days": self.median_lead_days}


def segment_params(filters: Filters) -> dict[str, list[str]]:
    """The segment filters (not the date range) as query parameters."""
    params = filters.params()
    return {key: params[key] for key in ("channels", "industries", "company_sizes", "owners")}


def load_history(runner: QueryRunner, as_of: datetime, filters: Filters | None = None) -> History:
    params = {"as_of": as_of, **segment_params(filters or Filters())}
    return History(as_of=as_of, leads=runner.run("scoring/backtest_leads", params),
                   events=runner.run("scoring/backtest_events", params))


def fit_points(leads: pl.DataFrame, rules: RuleSet) -> pl.Series:
    """Fit points per lead (same order as `leads`): the sum of the rule points its attributes match."""
    total = pl.lit(0.0)
    for (attribute, value), points in rules.fit.items():
        total = total + pl.when(pl.col(attribute) == value).then(points).otherwise(0.0)
    return leads.select(total.alias("fit"))["fit"] if rules.fit else pl.Series("fit", [0.0] * leads.height)


def running_scores(history: History, rules: RuleSet) -> pl.DataFrame:
    """Every activity instant of every lead with the running score just after it (`lead_id, at, score`).

    Activities at the same instant are evaluated together. With decay, the score only falls between
    activities, so its peaks — and any threshold crossing — are at these instants.
    """
    events = history.events
    lead_fit = history.leads.select("lead_id", fit_points(history.leads, rules).alias("fit"))
    if events.is_empty():
        return pl.DataFrame(schema={"lead_id": pl.String, "at": pl.Datetime("us"), "score": pl.Float64})
    if rules.half_life_days is None:
        return _running_scores_without_decay(history, rules, lead_fit)
    frame = events.with_columns(
        days=(pl.col("occurred_at") - pl.col("occurred_at").min().over("lead_id")).dt.total_microseconds()
        / _DAY_US,
    )
    total = pl.lit(0.0)
    half_life = rules.half_life_days
    spread = frame.group_by("lead_id").agg(pl.col("days").max().alias("span"))
    slow: set[str] = set()
    if half_life is not None:
        slow = set(spread.filter(pl.col("span") / half_life > _MAX_HALF_LIVES)["lead_id"].to_list())
    for activity_type, points in rules.points.items():
        if points == 0:
            continue
        contribution = pl.when(pl.col("activity_type") == activity_type).then(float(points)).otherwise(0.0)
        if half_life is None:
            summed = contribution.cum_sum().over("lead_id")
        else:
            growth = pl.lit(2.0).pow(pl.col("days") / half_life)
            summed = (contribution * growth).cum_sum().over("lead_id") / growth
        cap = rules.caps.get(activity_type)
        total = total + (pl.min_horizontal(summed, pl.lit(float(cap))) if cap is not None else summed)
    scored = frame.with_columns(score=total)
    if slow:
        scored = _rescore_slow_leads(scored, slow, rules)
    last_at_instant = (pl.col("lead_id") != pl.col("lead_id").shift(-1)) | (
        pl.col("occurred_at") != pl.col("occurred_at").shift(-1))
    return (
        scored.filter(last_at_instant.fill_null(True))
        .join(lead_fit, on="lead_id", how="left")
        .select("lead_id", pl.col("occurred_at").alias("at"), (pl.col("score") + pl.col("fit")).alias("score"))
    )


def _running_scores_without_decay(history: History, rules: RuleSet, lead_fit: pl.DataFrame) -> pl.DataFrame:
    """Per-lead cumulative sums in numpy: a global running sum minus its value where each lead starts."""
    arrays = history.arrays
    weights = np.array([float(rules.points.get(t, 0.0)) for t in arrays.types])
    per_event = weights[arrays.type_code]

    def per_lead_cumsum(values: np.ndarray) -> np.ndarray:
        running = np.cumsum(values)
        base = running[arrays.lead_start] - values[arrays.lead_start]
        return running - base[arrays.run]

    score = per_lead_cumsum(per_event)
    for code, activity_type in enumerate(arrays.types):
        cap = rules.caps.get(activity_type)
        if cap is None or weights[code] == 0:
            continue
        typed = per_lead_cumsum(np.where(arrays.type_code == code, weights[code], 0.0))
        score += np.minimum(typed, cap) - typed
    keep = arrays.last_at_instant
    return (history.events.filter(pl.Series(keep))
            .select("lead_id", pl.col("occurred_at").alias("at"), score=pl.Series(score[keep]))
            .join(lead_fit, on="lead_id", how="left", maintain_order="left")
            .select("lead_id", "at", (pl.col("score") + pl.col("fit")).alias("score")))


def _rescore_slow_leads(scored: pl.DataFrame, slow: set[str], rules: RuleSet) -> pl.DataFrame:
    """The decayed running score by direct recurrence, for leads whose history spans too many half-lives."""
    assert rules.half_life_days is not None
    rows = scored.with_row_index("row").filter(pl.col("lead_id").is_in(list(slow)))
    exact: dict[int, float] = {}
    sums: dict[str, float] = {}
    previous: tuple[str, float] | None = None
    for row, lead_id, days, activity_type in rows.select("row", "lead_id", "days", "activity_type").iter_rows():
        if previous is None or previous[0] != lead_id:
            sums = {}
        else:
            factor = 0.5 ** ((days - previous[1]) / rules.half_life_days)
            sums = {t: s * factor for t, s in sums.items()}
        points = rules.points.get(activity_type, 0.0)
        if points:
            sums[activity_type] = sums.get(activity_type, 0.0) + points
        exact[row] = sum(min(s, rules.caps.get(t, math.inf)) for t, s in sums.items())
        previous = (lead_id, days)
    fixed = pl.DataFrame({"row": list(exact), "exact": list(exact.values())},
                         schema={"row": pl.UInt32, "exact": pl.Float64})
    return (scored.with_row_index("row").join(fixed, on="row", how="left")
            .with_columns(score=pl.coalesce("exact", "score")).drop("row", "exact"))


def lead_outcomes(history: History, running: pl.DataFrame, rules: RuleSet, outcome: Outcome) -> pl.DataFrame:
    """Per lead: outcome time (if before as-of), crossing time, peak score overall and before the outcome."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    outcome_at = pl.col(f"{outcome}_at")
    leads = history.leads.select(
        "lead_id", "channel", "created_at", "mql_at",
        pl.when(outcome_at < history.as_of).then(outcome_at).alias("outcome_at"),
    )
    with_outcome = running.join(leads.select("lead_id", "outcome_at"), on="lead_id", how="left")
    per_lead = with_outcome.group_by("lead_id").agg(
        crossing_at=pl.col("at").filter(pl.col("score") >= rules.threshold).min(),
        peak=pl.col("score").max(),
        peak_before_outcome=pl.col("score").filter(pl.col("at") < pl.col("outcome_at")).max(),
    )
    return leads.join(per_lead, on="lead_id", how="left").with_columns(
        positive=pl.col("outcome_at").is_not_null(),
        caught=pl.col("outcome_at").is_not_null() & (pl.col("crossing_at") < pl.col("outcome_at")).fill_null(False),
        crossed=pl.col("crossing_at").is_not_null(),
    )


def backtest(history: History, rules: RuleSet, outcome: Outcome = "sql") -> Backtest:
    per_lead = lead_outcomes(history, running_scores(history, rules), rules, outcome)
    return summarise(per_lead, rules.threshold, outcome)


def summarise(per_lead: pl.DataFrame, threshold: float, outcome: Outcome) -> Backtest:
    """Counts from a per-lead frame; the median lead time needs crossing times (the per-event path)."""
    caught = per_lead.filter("caught")
    median = None
    if caught.height and "crossing_at" in per_lead.columns:
        median = float(((caught["outcome_at"] - caught["crossing_at"]).dt.total_microseconds() / _DAY_US).median())
    return Backtest(
        outcome=outcome,
        threshold=threshold,
        leads=per_lead.height,
        positives=int(per_lead["positive"].sum()),
        crossed=int(per_lead["crossed"].sum()),
        caught=caught.height,
        median_lead_days=median,
    )


def threshold_curve(per_lead: pl.DataFrame, thresholds: np.ndarray | None = None) -> pl.DataFrame:
    """Hand-over volume, recall and precision at every threshold, from each lead's peak scores.

    A lead crosses threshold θ iff its peak running score is ≥ θ; a positive is caught iff its peak
    before the outcome is ≥ θ. So one pass over the leads gives the whole curve.
    """
    peaks = per_lead["peak"].fill_null(-math.inf).to_numpy()
    peaks_before = per_lead.filter("positive")["peak_before_outcome"].fill_null(-math.inf).to_numpy()
    positives = len(peaks_before)
    if thresholds is None:
        top = float(np.nanmax(peaks[np.isfinite(peaks)])) if np.isfinite(peaks).any() else 100.0
        thresholds = np.arange(1.0, math.ceil(max(top, 1.0)) + 1, max(1, math.ceil(top / 300)))
    sorted_peaks, sorted_before = np.sort(peaks), np.sort(peaks_before)
    crossed = len(sorted_peaks) - np.searchsorted(sorted_peaks, thresholds, side="left")
    caught = positives - np.searchsorted(sorted_before, thresholds, side="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(positives > 0, caught / max(positives, 1), np.nan)
        precision = np.where(crossed > 0, caught / np.maximum(crossed, 1), np.nan)
    return pl.DataFrame({"threshold": thresholds, "crossed": crossed, "caught": caught,
                         "recall": recall, "precision": precision}).fill_nan(None)


def handovers_by_week(per_lead: pl.DataFrame, date_from: datetime | None, date_to: datetime | None) -> pl.DataFrame:
    """Leads the rules would have handed over (crossing) per week next to the MQLs that actually happened."""
    def weekly(column: str, label: str) -> pl.DataFrame:
        times = per_lead.select(pl.col(column).alias("at")).drop_nulls()
        if date_from is not None:
            times = times.filter(pl.col("at") >= date_from)
        if date_to is not None:
            times = times.filter(pl.col("at") < date_to)
        return times.group_by(week=pl.col("at").dt.truncate("1w").dt.date()).agg(pl.len().alias(label))

    what_if, actual = weekly("crossing_at", "what_if"), weekly("mql_at", "actual_mql")
    return (what_if.join(actual, on="week", how="full", coalesce=True)
            .with_columns(pl.col("what_if", "actual_mql").fill_null(0)).sort("week"))
