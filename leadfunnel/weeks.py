"""Weeks as the meeting reads them: ISO weeks starting on Monday, every week of the range (a quiet week is a 0,
not a missing bar), a week the range only partly covers marked as partial, and per-week averages over every
week of the range — not over the weeks that happened to have events."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_grid(start: date, end: date) -> pl.DataFrame:
    """`week` (its Monday), `days` (days of the range in it, 1–7) and `partial` for every week touching [start, end]."""
    if end < start:
        return pl.DataFrame(schema={"week": pl.Date, "days": pl.Int64, "partial": pl.Boolean})
    weeks = []
    week = monday(start)
    while week <= end:
        covered = (min(end, week + timedelta(days=6)) - max(start, week)).days + 1
        weeks.append((week, covered, covered < 7))
        week += timedelta(days=7)
    return pl.DataFrame(weeks, schema={"week": pl.Date, "days": pl.Int64, "partial": pl.Boolean}, orient="row")


def on_every_week(counts: pl.DataFrame, start: date, end: date, columns: list[str]) -> pl.DataFrame:
    """`counts` (one row per `week` with events) on the grid of every week of the range, 0 where none."""
    return (week_grid(start, end).join(counts, on="week", how="left")
            .with_columns(pl.col(columns).fill_null(0)).sort("week"))


def per_week(weekly: pl.DataFrame, column: str) -> float:
    """`column`'s average per week over every day of the range (`weekly` has week_grid's `days`): total ÷ (days ÷ 7),
    not over the weeks that had events."""
    return float(weekly[column].sum()) / max(int(weekly["days"].sum()), 1) * 7 if weekly.height else 0.0
