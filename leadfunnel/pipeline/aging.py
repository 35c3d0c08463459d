"""Stage aging: open leads that have sat in their stage longer than the agreed limit — 放置されたリード.

Definitions (shown on the page and in the README):
- open at `as_of`: created at or before it, not won and not lost at or before it;
- current stage: the last of lead, MQL, SAL, SQL, opportunity whose own timestamp is at or before `as_of`
  (`lead` = created); the lead entered it at that timestamp;
- age: `as_of` − entered, in days — calendar days, or business days on the SLA policy's calendar (working days,
  hours and holidays), one business day being the calendar's working hours (9 h for 9:00–18:00);
- stuck: age strictly greater than the stage's limit (a stage without a limit has no stuck leads);
- reason, the first that applies: `no_owner` (no owner), `no_sales_touch` (no sales touch of the policy's types
  from entering the stage to `as_of`, both included), `stalled` (touched, still stuck).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import numpy as np
import polars as pl

from leadfunnel.filters import Filters
from leadfunnel.frame_values import as_datetime
from leadfunnel.query import QueryRunner
from leadfunnel.sla.clock import BusinessClock, hours_between
from leadfunnel.sla.policy import AGING_STAGES, SlaPolicy

Reason = Literal["no_owner", "no_sales_touch", "stalled"]
REASONS: tuple[Reason, ...] = ("no_owner", "no_sales_touch", "stalled")


def working_hours_per_day(policy: SlaPolicy) -> float:
    start, end = policy.day_start, policy.day_end
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60


STORED_TOUCH_TYPES = frozenset({"sales_call", "sales_email", "meeting"})  # latest of each kept per lead at import


def open_leads(runner: QueryRunner, filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """Every open lead of the view at `as_of` with its stage, age, limit, stuck flag and, for the stuck ones, the
    reason (see the module). Lead id, company, channel, owner and last touch are filled only where a lead may be
    stuck: the others are counted, never listed (queries/pipeline/open_leads.sql)."""
    scale = 24 / working_hours_per_day(policy) if policy.aging_business_days else 1.0
    latest = runner.run("pipeline/latest_activity")["latest"][0]
    stored_touches = set(policy.touch_types) <= STORED_TOUCH_TYPES and (latest is None or as_of >= latest)
    rows = runner.run("pipeline/open_leads", {"as_of": as_of, "touch_types": list(policy.touch_types),
                                              "limits": dict(policy.stage_limits), "scale": scale,
                                              "stored_touches": stored_touches, **filters.segment_params()})
    listed = rows.filter("listed").drop("listed", "entered")
    counted = rows.filter(~pl.col("listed")).select("stage", entered_at="entered").explode("entered_at")
    clock = (BusinessClock(policy, min(as_datetime(frame["entered_at"].min()) for frame in (listed, counted)
                                       if frame.height).date(), as_of.date())
             if policy.aging_business_days and rows.height else None)
    limits = dict(policy.stage_limits)

    def aged(frame: pl.DataFrame) -> pl.DataFrame:
        entered = frame["entered_at"].to_numpy().astype("datetime64[us]")
        instant = np.full(entered.shape, np.datetime64(as_of, "us"))
        age = (hours_between(policy, entered, instant, clock) / working_hours_per_day(policy) if clock
               else hours_between(policy, entered, instant, None) / 24)
        return frame.with_columns(age_days=pl.Series(age, dtype=pl.Float64),
                                  limit_days=pl.col("stage").replace_strict(limits, default=None,
                                                                           return_dtype=pl.Float64))

    # Only listed leads can be stuck (the query lists every lead that may be): the reasons are worked out on them,
    # the hundreds of thousands of others only get an age.
    listed = aged(listed).with_columns(stuck=(pl.col("age_days") > pl.col("limit_days")).fill_null(False)).with_columns(
        reason=pl.when(~pl.col("stuck")).then(pl.lit(None, pl.String))
        .when(pl.col("owner").is_null()).then(pl.lit("no_owner"))
        .when(pl.col("last_touch_at").is_null()).then(pl.lit("no_sales_touch"))
        .otherwise(pl.lit("stalled")))
    counted = aged(counted).with_columns(stuck=pl.lit(False), reason=pl.lit(None, pl.String))
    return pl.concat([listed, counted], how="diagonal_relaxed").select(listed.columns)


def by_stage(leads: pl.DataFrame, policy: SlaPolicy) -> pl.DataFrame:
    """Per stage (every agable stage, in funnel order, 0 where none): open, stuck, limit, median and p90 age
    (linear interpolation between ranks, as DuckDB's quantile_cont)."""
    rows = []
    for stage in AGING_STAGES:
        ages = leads.filter(pl.col("stage") == stage)["age_days"].to_numpy()
        rows.append({
            "stage": stage, "open": int(ages.size), "stuck": int((ages > (policy.limit(stage) or np.inf)).sum()),
            "limit_days": policy.limit(stage),
            "median_age_days": float(np.quantile(ages, 0.5)) if ages.size else None,
            "p90_age_days": float(np.quantile(ages, 0.9)) if ages.size else None,
        })
    return pl.DataFrame(rows, schema={"stage": pl.String, "open": pl.Int64, "stuck": pl.Int64,
                                      "limit_days": pl.Float64, "median_age_days": pl.Float64,
                                      "p90_age_days": pl.Float64})


def stuck_list(leads: pl.DataFrame) -> pl.DataFrame:
    """The stuck leads, oldest in their stage first."""
    return (leads.filter("stuck")
            .select("lead_id", "company", "owner", "channel", "stage", "entered_at", "age_days", "limit_days",
                    "reason", "last_touch_at")
            .sort(["age_days", "lead_id"], descending=[True, False]))


def stuck_by(leads: pl.DataFrame, field: str) -> pl.DataFrame:
    """Stuck leads counted by `field` (owner, reason), most first; an empty owner stays a missing value."""
    return (leads.filter("stuck").group_by(field).agg(stuck=pl.len())
            .sort(["stuck", field], descending=[True, False], nulls_last=True))


def aging_report(runner: QueryRunner, filters: Filters, policy: SlaPolicy, as_of: datetime) -> dict[str, Any]:
    """The CLI's JSON: the instant, the clock, every stage's figures and the stuck leads by reason."""
    leads = open_leads(runner, filters, policy, as_of)
    reasons = dict(stuck_by(leads, "reason").iter_rows())
    return {
        "as_of": as_of.isoformat(),
        "clock": "business" if policy.aging_business_days else "calendar",
        "stages": by_stage(leads, policy).to_dicts(),
        "stuck_by_reason": {reason: int(reasons.get(reason, 0)) for reason in REASONS},
    }
