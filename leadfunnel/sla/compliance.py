"""Follow-up compliance per hand-over, and the numbers both teams check in the meeting.

Definitions (shown on the SLA page), for leads whose hand-over falls in the period, as of an instant:
- hand-over time = effective time of the hand-over stage; hand-overs after the as-of instant are left out;
- first touch = earliest sales-touch activity at or after the hand-over and not after the as-of instant;
- met = first touch within the deadline (exactly at the deadline counts as met);
- breached = first touch after the deadline, or no touch while the deadline has passed;
- overdue (open) = breached with no touch yet; pending = no touch, deadline not yet passed;
- compliance rate = met ÷ (met + breached); time to first touch: median and 90th percentile.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from leadfunnel.asof import cutoff
from leadfunnel.filters import Filters
from leadfunnel.frame_values import as_number
from leadfunnel.i18n import t
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.scores import current_scores
from leadfunnel.sla.clock import clock_for, deadlines, hours_between
from leadfunnel.sla.policy import SlaPolicy

STATUSES = ("met", "breached", "overdue", "pending")  # "breached" here = touched late; overdue is breached too
SCORE_BANDS = ((None, 50, "< 50"), (50, 100, "50–99"), (100, 150, "100–149"), (150, None, "150+"))


def handovers(runner: QueryRunner, filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """One row per hand-over in the period, classified on the policy's clock."""
    params = filters.params() | {"handover": policy.handover, "as_of": as_of, "touch_types": list(policy.touch_types)}
    params.pop("mode")
    return classify(runner.run("sla/handovers", params), policy, as_of)


def classify(rows: pl.DataFrame, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """Add hours to first touch, deadline, status and hours overdue to hand-over rows."""
    if rows.is_empty():
        return rows.with_columns(
            hours_to_first_touch=pl.lit(None, pl.Float64), deadline_at=pl.lit(None, pl.Datetime("us")),
            status=pl.lit(None, pl.String), hours_overdue=pl.lit(None, pl.Float64))
    handover = rows["handover_at"].cast(pl.Datetime("us")).to_numpy()
    touch = rows["first_touch_at"].cast(pl.Datetime("us")).to_numpy()
    now = np.full(len(handover), np.datetime64(as_of, "us"))
    first = min(rows["handover_at"].min().date(), as_of.date())  # type: ignore[union-attr]
    clock = clock_for(policy, first, max(as_of.date(), rows["handover_at"].max().date()))  # type: ignore[union-attr]
    to_touch = hours_between(policy, handover, touch, clock)
    to_now = hours_between(policy, handover, now, clock)
    touched = ~np.isnan(to_touch)
    allowance = policy.deadline_hours
    status = np.select(
        [touched & (to_touch <= allowance), touched, to_now > allowance],
        ["met", "breached", "overdue"], default="pending")
    return rows.with_columns(
        hours_to_first_touch=pl.Series(to_touch).fill_nan(None),
        deadline_at=pl.Series(deadlines(policy, handover, clock)).cast(pl.Datetime("us")),
        status=pl.Series(status),
        hours_overdue=pl.Series(np.where(status == "overdue", to_now - allowance, np.nan)).fill_nan(None),
    )


def compliance_summary(classified: pl.DataFrame) -> dict[str, Any]:
    """Counts, compliance rate and time to first touch of a set of hand-overs."""
    counts = {s: int((classified["status"] == s).sum()) for s in STATUSES}
    met, breached = counts["met"], counts["breached"] + counts["overdue"]
    hours = classified["hours_to_first_touch"].drop_nulls()
    return {
        "handed_over": classified.height,
        "met": met,
        "breached": breached,
        "breached_late_touch": counts["breached"],
        "overdue_open": counts["overdue"],
        "pending": counts["pending"],
        "compliance_rate": met / (met + breached) if met + breached else None,
        "median_hours_to_first_touch": as_number(hours.median()) if hours.len() else None,
        "p90_hours_to_first_touch": as_number(hours.quantile(0.9, "linear")) if hours.len() else None,
    }


def grouped(classified: pl.DataFrame, by: str | pl.Expr) -> pl.DataFrame:
    """The summary per group (owner, channel, week …), for trend and breakdown tables."""
    status = pl.col("status")
    met, breached = (status == "met").sum(), status.is_in(["breached", "overdue"]).sum()
    return (classified.group_by(by).agg(
        handed_over=pl.len(), met=met, breached=breached, overdue_open=(status == "overdue").sum(),
        pending=(status == "pending").sum(), median_hours_to_first_touch=pl.col("hours_to_first_touch").median(),
    ).with_columns(compliance_rate=pl.when(pl.col("met") + pl.col("breached") > 0)
                   .then(pl.col("met") / (pl.col("met") + pl.col("breached")))))


def weekly(classified: pl.DataFrame) -> pl.DataFrame:
    return grouped(classified, pl.col("handover_at").dt.truncate("1w").dt.date().alias("week")).sort("week")


def handover_scores(runner: QueryRunner, classified: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """`lead_id, score` of the handed-over leads at the as-of instant (the guide's rules), once for the page's
    overdue list and feedback loop."""
    return current_scores(runner, cutoff(as_of), lead_ids=classified["lead_id"].to_list())


def overdue_now(classified: pl.DataFrame, scores: pl.DataFrame) -> pl.DataFrame:
    """The open list for the meeting: oldest hand-over first, with owner, company, channel, hours overdue, score."""
    open_rows = classified.filter(pl.col("status") == "overdue")
    return (open_rows.join(scores, on="lead_id", how="left")
            .select("lead_id", "company", "channel", "owner", "handover_at", "deadline_at",
                    pl.col("hours_overdue").round(1), pl.col("score").round(1))
            .sort("handover_at", "lead_id"))


def score_band(score: pl.Expr) -> pl.Expr:
    expression = pl.lit(None, pl.String)
    for low, high, label in reversed(SCORE_BANDS):
        condition = pl.lit(True)
        if low is not None:
            condition &= score >= low
        if high is not None:
            condition &= score < high
        expression = pl.when(condition).then(pl.lit(label)).otherwise(expression)
    return expression


def feedback_loop(classified: pl.DataFrame, scores: pl.DataFrame, policy: SlaPolicy,
                  as_of: datetime) -> dict[str, pl.DataFrame]:
    """Acceptance and rejection reasons by channel and by score band; hand-overs still without feedback."""
    scored = classified.join(scores, on="lead_id", how="left").with_columns(
        band=score_band(pl.col("score").fill_null(0)))
    with_verdict = scored.filter(pl.col("verdict").is_not_null())

    def acceptance(by: str) -> pl.DataFrame:
        return (scored.group_by(by).agg(
            handed_over=pl.len(), with_feedback=pl.col("verdict").is_not_null().sum(),
            accepted=(pl.col("verdict") == "accepted").sum(), rejected=(pl.col("verdict") == "rejected").sum(),
            top_rejection_reason=pl.col("reason").filter(pl.col("verdict") == "rejected").drop_nulls()
            .mode().sort().first(),
        ).with_columns(acceptance_rate=pl.when(pl.col("with_feedback") > 0)
                       .then(pl.col("accepted") / pl.col("with_feedback"))).sort(order(by)))

    def order(by: str) -> pl.Expr:
        """Score bands low to high; anything else alphabetically."""
        if by == "band":
            return pl.col("band").replace_strict([label for *_, label in SCORE_BANDS],
                                                 list(range(len(SCORE_BANDS))), return_dtype=pl.Int32)
        return pl.col(by)

    reasons = (with_verdict.filter(pl.col("verdict") == "rejected")
               .group_by(reason=pl.col("reason").fill_null(t("sla.no_reason"))).agg(rejected=pl.len())
               .sort("rejected", "reason", descending=[True, False]))
    cutoff = as_of - timedelta(days=policy.feedback_days)
    waiting = (scored.filter(pl.col("verdict").is_null() & (pl.col("handover_at") <= cutoff))
               .select("lead_id", "company", "channel", "owner", "handover_at", pl.col("score").round(1))
               .sort("handover_at", "lead_id"))
    return {"by_channel": acceptance("channel"), "by_band": acceptance("band"), "reasons": reasons,
            "without_feedback": waiting}


def has_sales_touches(runner: QueryRunner, policy: SlaPolicy, as_of: datetime) -> bool:
    """Whether the data has any sales touch of the policy's types by `as_of`: without one, compliance cannot be
    judged (every hand-over would look breached), and the page, the pack and the CLI say so instead."""
    return bool(runner.run("sla/sales_touches", {"touch_types": list(policy.touch_types), "as_of": as_of})
                ["present"][0])


def sla_report(runner: QueryRunner, filters: Filters, policy: SlaPolicy, as_of: datetime) -> dict[str, Any]:
    """The CLI's JSON: the policy in force, the period and the summary numbers (follow-up figures null, with
    `sales_touches_in_data` false, when the data has no sales touch to judge by)."""
    classified = handovers(runner, filters, policy, as_of)
    summary = compliance_summary(classified)
    touched = has_sales_touches(runner, policy, as_of)
    if not touched:
        summary = {key: (value if key == "handed_over" else None) for key, value in summary.items()}
    return {
        "from": _iso(filters.date_from), "to": _iso(filters.date_to), "as_of": as_of.isoformat(),
        "handover": policy.handover, "deadline_hours": policy.deadline_hours, "clock": policy.clock,
        "sales_touches_in_data": touched, **summary,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
