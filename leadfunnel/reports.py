"""Report payloads (the CLI's JSON) built from the domain functions the pages and the pack call (leadfunnel.funnel)."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import polars as pl

from leadfunnel.filters import Filters, Mode
from leadfunnel.funnel import channel_summary, stage_counts
from leadfunnel.metrics import CHANNEL_METRICS
from leadfunnel.query import QueryRunner

CHANNEL_REPORT_COLUMNS = tuple(metric.column for metric in CHANNEL_METRICS)


def funnel_frame(runner: QueryRunner, filters: Filters, mode: Mode) -> pl.DataFrame:
    """The funnel page's stage table (leadfunnel.funnel.stage_counts): `report funnel`'s CSV and table."""
    return stage_counts(runner, filters, mode)


def channel_frame(runner: QueryRunner, filters: Filters, mode: Mode) -> pl.DataFrame:
    """The channels page's table (leadfunnel.funnel.channel_summary): `report channels`' CSV and table."""
    return channel_summary(runner, filters, mode)


def funnel_report(runner: QueryRunner, filters: Filters, mode: Mode) -> dict[str, Any]:
    stages = funnel_frame(runner, filters, mode)
    rows = stages.to_dicts()
    return {
        "mode": mode,
        "from": _iso(filters.date_from),
        "to": _iso(filters.date_to),
        "stages": [{"stage": r["stage"], "in_data": r["in_data"], "count": r["leads"],
                    "median_days_from_previous": _number(r["median_days_from_previous"])} for r in rows],
        "conversion": [
            {"from": prev["stage"], "to": cur["stage"], "rate": _number(cur["rate_from_previous"])}
            for prev, cur in pairwise(rows)
        ],
    }


def channels_report(runner: QueryRunner, filters: Filters, mode: Mode) -> dict[str, Any]:
    frame = channel_frame(runner, filters, mode).select(CHANNEL_REPORT_COLUMNS)
    return {
        "mode": mode,
        "from": _iso(filters.date_from),
        "to": _iso(filters.date_to),
        "channels": [{k: _number(v) for k, v in row.items()} for row in frame.to_dicts()],
    }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _number(value: Any) -> Any:
    """JSON-safe: NaN (DuckDB's median over nothing can't be) and None both become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
