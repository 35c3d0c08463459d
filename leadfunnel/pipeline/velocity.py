"""Pipeline velocity: opportunities × win rate × average won amount ÷ average sales cycle — money per day.

The meeting reads it factor by factor: which of the four moved since the previous period, which month, which
channel. Definitions are in queries/pipeline/velocity.sql; a factor without data is missing (None), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import polars as pl

from leadfunnel.filters import Filters, months_back
from leadfunnel.query import QueryRunner

FACTORS = ("opportunities", "win_rate", "avg_won_amount", "avg_cycle_days")
FIGURES = ("opportunities", "won", "lost", "closed", *FACTORS[1:], "velocity")
TREND_MONTHS = 12


@dataclass(frozen=True)
class Velocity:
    """One view's velocity: the period's figures, the previous period's (None: open range), per channel, per month."""

    total: dict[str, Any]
    previous_period: Filters | None  # the period compared with (Filters.previous_period)
    previous: dict[str, Any] | None
    by_channel: pl.DataFrame
    trend: pl.DataFrame
    opportunity_in_data: bool  # some lead has an opportunity date: without any, every won deal has a 0-day cycle


def _grouped(runner: QueryRunner, filters: Filters, as_of: datetime) -> pl.DataFrame:
    return runner.run("pipeline/velocity", {"date_from": filters.date_from, "date_to": filters.date_to,
                                            "as_of": as_of, **filters.segment_params()})


def _total(frame: pl.DataFrame) -> dict[str, Any]:
    """The whole view's row; a view without opportunities has 0 of them and every other factor missing."""
    rows = frame.filter(pl.col("grouping") == "total").drop("grouping", "key").to_dicts()
    if rows and rows[0]["opportunities"]:
        return rows[0]
    return {name: 0 if name in ("opportunities", "won", "lost", "closed") else None for name in FIGURES}


def trend_start(last_day: date) -> date:
    """First day of the trend: the month TREND_MONTHS − 1 months before the one `last_day` falls in."""
    return months_back(last_day, TREND_MONTHS - 1)


def _months(first_day: date, last_day: date) -> list[str]:
    """Every month from `first_day`'s to `last_day`'s as YYYY-MM (a month without opportunities is a row too)."""
    first, last = first_day.year * 12 + first_day.month - 1, last_day.year * 12 + last_day.month - 1
    return [f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(first, last + 1)]


def velocity(runner: QueryRunner, filters: Filters, as_of: datetime) -> Velocity:
    """The view's velocity and its factors, the previous period's (as the funnel compares), by channel, and the
    monthly trend over the TREND_MONTHS months that end with the period's last month (or the data's now)."""
    grouped = _grouped(runner, filters, as_of)
    previous_period = filters.previous_period()
    previous = _total(_grouped(runner, previous_period, as_of)) if previous_period else None
    last_day = min(filters.date_to or as_of.date(), as_of.date())
    first_day = trend_start(last_day)
    trend_filters = replace(filters, date_from=first_day, date_to=last_day)
    months = pl.DataFrame({"month": _months(first_day, last_day)})
    trend = (months.join(_grouped(runner, trend_filters, as_of).filter(pl.col("grouping") == "month")
                         .rename({"key": "month"}).drop("grouping"), on="month", how="left")
             .with_columns(pl.col("opportunities", "won", "lost", "closed").fill_null(0)))
    by_channel = grouped.filter(pl.col("grouping") == "channel").rename({"key": "channel"}).drop("grouping")
    in_data = bool(runner.run("pipeline/opportunity_in_data")["in_data"][0])
    return Velocity(_total(grouped), previous_period, previous, by_channel, trend, in_data)


def velocity_report(runner: QueryRunner, filters: Filters, as_of: datetime) -> dict[str, Any]:
    """The CLI's JSON: the period, the instant, the figures, the previous period's and per channel."""
    result = velocity(runner, filters, as_of)
    period = result.previous_period
    return {
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "as_of": as_of.isoformat(),
        "opportunity_in_data": result.opportunity_in_data,
        **result.total,
        "previous": None if result.previous is None or period is None else {
            "from": period.date_from.isoformat() if period.date_from else None,
            "to": period.date_to.isoformat() if period.date_to else None,
            **result.previous},
        "channels": result.by_channel.to_dicts(),
        "months": result.trend.to_dicts(),
    }
