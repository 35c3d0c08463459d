"""The funnel and the channels table: stage counts, conversion and drop-off for a view, the month-by-month stage
entries under them, and the same counts per first-touch channel.

One function per number set, run through the query layer (queries/funnel, queries/channels): the pages (through
the session's caches), the meeting pack and `report funnel` / `report channels` all call these, never the SQL.
"""

from __future__ import annotations

import polars as pl

from leadfunnel.filters import Filters, Mode
from leadfunnel.query import QueryRunner


def stage_counts(runner: QueryRunner, filters: Filters, mode: Mode) -> pl.DataFrame:
    """One row per funnel stage: `stage, in_data, leads` (accounts, when the view counts them), the rates from the
    previous stage and from lead, the drop-off and the median days from the previous stage."""
    return runner.run("funnel/stage_counts", filters.params(mode))


def monthly_entries(runner: QueryRunner, filters: Filters, mode: Mode) -> pl.DataFrame:
    """`month, stage, stage_order, leads`: stage entries per calendar month (cohort: by the month the lead was
    created; period: by the month the stage was entered)."""
    return runner.run("funnel/monthly_stage_entries", filters.params(mode))


def channel_summary(runner: QueryRunner, filters: Filters, mode: Mode) -> pl.DataFrame:
    """One row per first-touch channel with every column of the metrics catalogue (leadfunnel.metrics
    CHANNEL_METRICS)."""
    return runner.run("channels/channel_summary", filters.params(mode))


def channel_ranking(channels: pl.DataFrame, metric: str) -> pl.DataFrame:
    """The channels with a value of `metric`, best first; ties by more leads, then by name. One order for the
    ranking's head on the channels page and its chart (and the pack's), so a tie never reads two ways."""
    return (channels.filter(pl.col(metric).is_not_null())
            .sort([metric, "leads", "channel"], descending=[True, True, False]))
