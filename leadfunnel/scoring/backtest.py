"""Point-in-time backtest of a rule set: when would each lead have crossed the threshold, and was that
before it became a real SQL (or deal)?

The events are loaded once per view (`load_history`) as integer arrays; every slider move replays them
(leadfunnel.scoring.replay) and reduces per lead in numpy, so no query runs while weights change.
Definitions (shown on the page):

- running score at an activity's time includes that activity (and every other at the same instant);
- crossing time = the first activity time at which the running score is ≥ threshold;
- positives = leads whose outcome (effective time) is before the as-of instant;
- caught = positives whose crossing time is strictly before their outcome time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl

from leadfunnel.filters import Filters
from leadfunnel.frame_values import as_date, as_number
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.replay import EventArrays
from leadfunnel.scoring.rules import RuleSet
from leadfunnel.weeks import on_every_week, week_grid

Outcome = Literal["sql", "won"]
OUTCOMES: tuple[Outcome, ...] = ("sql", "won")
_DAY_US = 86_400_000_000


class History:
    """The leads and activities of one view, before the as-of instant.

    Loaded from the database it holds the events as integer arrays (`arrays`); the frame of events
    (`events`: lead_id, occurred_at, activity_type, time-ordered per lead) is built from them only when
    something asks for it. Built from frames (tests, learning), the arrays are derived from the frames.
    """

    def __init__(self, as_of: datetime, leads: pl.DataFrame, events: pl.DataFrame | None = None,
                 arrays: EventArrays | None = None) -> None:
        if events is None and arrays is None:
            raise ValueError("a history needs its events, as a frame or as arrays")
        self.as_of = as_of
        # lead_id, channel, industry, company_size, owner, company, created_at, mql_at, sql_at, won_at
        self.leads = leads
        if events is not None:
            self.__dict__["events"] = events
        if arrays is not None:
            self.__dict__["arrays"] = arrays

    @cached_property
    def events(self) -> pl.DataFrame:
        """The events as a frame with string ids, for code that joins by lead_id (learning weights)."""
        arrays = self.arrays
        return pl.DataFrame({
            "lead_id": self.leads["lead_id"].gather(arrays.lead),
            "occurred_at": pl.Series(arrays.at).cast(pl.Datetime("us")),
            "activity_type": pl.Series(arrays.types, dtype=pl.String).gather(arrays.type_code),
        })

    @cached_property
    def arrays(self) -> EventArrays:
        """Integer lead keys, times and type codes of the events, computed once per view."""
        events = self.events
        types = tuple(sorted(events["activity_type"].unique().drop_nulls().to_list()))
        keyed = events.join(self.leads.select("lead_id").with_row_index("lead"), on="lead_id", how="inner",
                            maintain_order="left")
        return EventArrays.build(
            types, keyed["lead"].to_numpy(), keyed["occurred_at"].dt.epoch("us").to_numpy(),
            keyed["activity_type"].cast(pl.Enum(types)).to_physical().to_numpy())


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


def load_history(runner: QueryRunner, as_of: datetime, filters: Filters | None = None) -> History:
    """The view's leads as a frame and its events as integer arrays (no strings per event: 20M rows load fast)."""
    params = {"as_of": as_of, **(filters or Filters()).segment_params()}
    numbered = runner.run("scoring/backtest_leads", params)
    types = runner.run("scoring/activity_types")["activity_type"].to_list()
    events = runner.run("scoring/backtest_events", {"as_of": as_of})
    lead, at, type_code = _view_events(numbered["lead_number"].to_numpy(), events)
    arrays = EventArrays.build(tuple(types), lead, at, type_code)
    return History(as_of, numbered.drop("lead_number"), arrays=arrays)


def _view_events(numbers: np.ndarray, events: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The events of the view's leads, each with the lead's row in the view (`numbers`: their lead numbers, in
    row order, ascending) instead of its number. Renumbering is monotonic, so events stored in (number, time)
    order stay in (row, time) order."""
    stored = events["lead_number"].to_numpy()
    row_of = np.full(max(int(stored.max(initial=-1)), int(numbers.max(initial=-1))) + 1, -1, dtype=np.int32)
    row_of[numbers] = np.arange(len(numbers), dtype=np.int32)
    lead = row_of[stored]
    kept = lead >= 0
    if kept.all():
        return lead, events["at_us"].to_numpy(), events["type_code"].to_numpy()
    return lead[kept], events["at_us"].to_numpy()[kept], events["type_code"].to_numpy()[kept]


def fit_points(leads: pl.DataFrame, rules: RuleSet) -> pl.Series:
    """Fit points per lead (same order as `leads`): the sum of the rule points its attributes match."""
    total = pl.lit(0.0)
    for (attribute, value), points in rules.fit.items():
        total = total + pl.when(pl.col(attribute) == value).then(points).otherwise(0.0)
    return leads.select(total.alias("fit"))["fit"] if rules.fit else pl.Series("fit", [0.0] * leads.height)


def running_scores(history: History, rules: RuleSet) -> pl.DataFrame:
    """Every activity instant of every lead with the running score just after it (`lead, at, score`; `lead` is
    the row of the lead in `history.leads`), in (lead, time) order.

    Activities at the same instant are evaluated together. With decay, the score only falls between
    activities, so its peaks — and any threshold crossing — are at these instants. No lead id strings: at 20M
    events gathering them doubled the time of a replay and the memory of every cached one.
    """
    arrays = history.arrays
    fit = fit_points(history.leads, rules).to_numpy()
    behaviour = arrays.behaviour_scores(rules.points, rules.caps, rules.half_life_days)
    keep = arrays.last_at_instant
    lead = arrays.lead[keep]
    return pl.DataFrame({
        "at": pl.Series(arrays.at[keep], dtype=pl.Int64).cast(pl.Datetime("us")),
        "score": behaviour[keep] + fit[lead],
        "lead": pl.Series(lead, dtype=pl.Int32),
    })


@dataclass(frozen=True)
class ReplayedScores:
    """A rule set's replay before any threshold is chosen: per lead its outcome time and peak scores, per
    activity instant the running score. Every threshold's crossings come from it (`crossings`), so a threshold
    move re-reads one comparison over the events instead of replaying and reducing them again."""

    leads: pl.DataFrame  # lead_id, channel, created_at, mql_at, outcome_at, peak, peak_before_outcome, positive
    lead: np.ndarray  # per instant, the lead's row in `leads` (in (lead, time) order)
    at: np.ndarray  # µs since the epoch
    score: np.ndarray  # the running score just after the instant


def replayed_scores(history: History, running: pl.DataFrame, outcome: Outcome) -> ReplayedScores:
    """Per lead: outcome time (if before as-of) and peak score, overall and before the outcome."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    outcome_at = pl.col(f"{outcome}_at")
    leads = history.leads.select(
        "lead_id", "channel", "created_at", "mql_at",
        pl.when(outcome_at < history.as_of).then(outcome_at).alias("outcome_at"),
    )
    peak, before = np.full(leads.height, np.nan), np.full(leads.height, np.nan)
    lead = running["lead"].to_numpy()
    at = running["at"].dt.epoch("us").to_numpy()
    score = running["score"].to_numpy()
    if len(lead):
        no_outcome = np.iinfo(np.int64).min  # nothing is before it
        outcome_us = leads["outcome_at"].dt.epoch("us").fill_null(no_outcome).to_numpy()
        starts = np.flatnonzero(np.diff(lead, prepend=-1))
        owners = lead[starts]
        peak[owners] = np.maximum.reduceat(score, starts)
        best_before = np.maximum.reduceat(np.where(at < outcome_us[lead], score, -np.inf), starts)
        before[owners] = np.where(np.isneginf(best_before), np.nan, best_before)
    leads = leads.with_columns(
        peak=pl.Series(peak).fill_nan(None),
        peak_before_outcome=pl.Series(before).fill_nan(None),
        positive=pl.col("outcome_at").is_not_null(),
    )
    return ReplayedScores(leads, lead, at, score)


def crossings(replayed: ReplayedScores, threshold: float) -> pl.DataFrame:
    """Per lead at one threshold: crossing time (the first instant its running score is ≥ threshold), whether it
    crossed, and whether it was caught (crossed strictly before its outcome)."""
    n = replayed.leads.height
    crossing, crossed = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    hits = np.flatnonzero(replayed.score >= threshold)
    first = hits[np.diff(replayed.lead[hits], prepend=-1) != 0]
    crossing[replayed.lead[first]] = replayed.at[first]
    crossed[replayed.lead[first]] = True
    return replayed.leads.with_columns(
        crossing_at=pl.when(pl.Series(crossed)).then(pl.Series(crossing).cast(pl.Datetime("us"))),
        crossed=pl.Series(crossed),
    ).select(
        "lead_id", "channel", "created_at", "mql_at", "outcome_at", "crossing_at", "peak", "peak_before_outcome",
        "positive",
        caught=pl.col("positive") & (pl.col("crossing_at") < pl.col("outcome_at")).fill_null(False),
        crossed="crossed",
    )


def lead_outcomes(history: History, running: pl.DataFrame, rules: RuleSet, outcome: Outcome) -> pl.DataFrame:
    """Per lead: outcome time (if before as-of), crossing time, peak score overall and before the outcome."""
    return crossings(replayed_scores(history, running, outcome), rules.threshold)


def summarise(per_lead: pl.DataFrame, threshold: float, outcome: Outcome) -> Backtest:
    """Counts from a per-lead frame; the median lead time needs crossing times (the per-event path)."""
    caught = per_lead.filter("caught")
    median = None
    if caught.height and "crossing_at" in per_lead.columns:
        median = as_number(((caught["outcome_at"] - caught["crossing_at"]).dt.total_microseconds() / _DAY_US).median())
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
    """Leads the rules would have handed over (crossing) per ISO week next to the MQLs that actually happened, on
    every week of [date_from, date_to) (`days`, `partial` for a week the range only partly covers)."""
    def weekly(column: str, label: str) -> pl.DataFrame:
        times = per_lead.select(pl.col(column).alias("at")).drop_nulls()
        if date_from is not None:
            times = times.filter(pl.col("at") >= date_from)
        if date_to is not None:
            times = times.filter(pl.col("at") < date_to)
        return times.group_by(week=pl.col("at").dt.truncate("1w").dt.date()).agg(pl.len().alias(label))

    what_if, actual = weekly("crossing_at", "what_if"), weekly("mql_at", "actual_mql")
    counts = what_if.join(actual, on="week", how="full", coalesce=True)
    if counts.is_empty() and (date_from is None or date_to is None):
        return week_grid(date.today(), date.today() - timedelta(days=1)).with_columns(
            what_if=pl.lit(0, pl.UInt32), actual_mql=pl.lit(0, pl.UInt32))
    first = date_from.date() if date_from is not None else as_date(counts["week"].min())
    last = (date_to - timedelta(microseconds=1)).date() if date_to is not None else as_date(counts["week"].max())
    return on_every_week(counts, first, last, ["what_if", "actual_mql"])
