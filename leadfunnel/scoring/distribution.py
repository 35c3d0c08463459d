"""Score distributions at the as-of instant: binned by outcome, summarised by channel, top open leads."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import polars as pl

from leadfunnel.model import activity_label, channel_label, labelled

OUTCOME_GROUPS: tuple[str, ...] = ("Won", "Reached SQL (not won)", "Neither")


def with_outcome_group(leads: pl.DataFrame, as_of: datetime, scores: pl.DataFrame) -> pl.DataFrame:
    """The view's leads with their score at as-of and where they got by then."""
    return leads.join(scores, on="lead_id", how="left").with_columns(
        pl.col("score").fill_null(0.0),
        group=pl.when(pl.col("won_at") < as_of).then(pl.lit(OUTCOME_GROUPS[0]))
        .when(pl.col("sql_at") < as_of).then(pl.lit(OUTCOME_GROUPS[1]))
        .otherwise(pl.lit(OUTCOME_GROUPS[2])),
    )


def nice_bin_width(threshold: float, top: float) -> float:
    """About 25 bins up to the larger of the threshold and the top score, on a 1-2-5 step."""
    span = max(threshold, top, 1.0) / 25
    magnitude = 10 ** math.floor(math.log10(span))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= span)


def binned_by_group(scored: pl.DataFrame, width: float) -> pl.DataFrame:
    """`bin_start, group, leads`: counts per score bin (bin = [start, start + width)) and outcome group."""
    return (scored.group_by(bin_start=(pl.col("score") / width).floor() * width, group=pl.col("group"))
            .agg(leads=pl.len()).sort("bin_start", "group"))


def by_channel(scored: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Quartiles of the score and the share at or over the threshold, per channel (for box plots)."""
    score = pl.col("score")
    return (scored.group_by("channel").agg(
        leads=pl.len(), low=score.min(), q1=score.quantile(0.25, "linear"), median=score.median(),
        q3=score.quantile(0.75, "linear"), high=score.max(), over=(score >= threshold).mean(),
    ).sort("median"))


def top_open_leads(scored: pl.DataFrame, as_of: datetime, run: Callable[..., pl.DataFrame],
                   limit: int = 50) -> pl.DataFrame:
    """The highest-scoring leads not handed over (no MQL) by the as-of instant, with their recent activities;
    channel and activity types as the reader's labels.

    `run` is the query runner's `run` (or the app's cached equivalent): only these leads' activities are read.
    """
    open_leads = (scored.filter(pl.col("mql_at").is_null() | (pl.col("mql_at") >= as_of))
                  .sort("score", "lead_id", descending=[True, False]).head(limit))
    latest = run("scoring/recent_activities", {"lead_ids": open_leads["lead_id"].to_list(), "as_of": as_of})
    top = (open_leads.join(latest, on="lead_id", how="left")
           .select("lead_id", "company", "channel", "owner", pl.col("score").round(1), "last_activity",
                   "recent_activities")
           .sort("score", "lead_id", descending=[True, False]))
    # Labels in the caller's thread, which knows the reader's language (Polars' own threads do not).
    return labelled(top, "channel", channel_label).with_columns(pl.Series("recent_activities", [
        None if kinds is None else ", ".join(activity_label(k) for k in kinds.split(", "))
        for kinds in top["recent_activities"]], dtype=pl.String))
